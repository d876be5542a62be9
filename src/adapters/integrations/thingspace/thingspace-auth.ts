/**
 * ThingSpace's two tokens (carrier-apis.md §2.2):
 *
 * 1. an OAuth client-credentials **access token** (`POST /api/ts/v1/oauth2/token`, Basic
 *    `clientId:clientSecret`), valid one hour: cached until shortly before it expires;
 * 2. a **session token** (`POST /api/m2m/v1/session/login` with the Bearer token and the UWS
 *    user name / password), sent as `VZ-M2M-Token`: cached until ThingSpace says it expired.
 *
 * Both refreshes are single-flight: N concurrent callers that need a token cause ONE request.
 * Logins are guarded against the vendor lockout (5 consecutive failed logins lock the user
 * until Verizon support unlocks it): after `maxFailedLogins` refused logins the client refuses
 * to try again, with a clear error, instead of walking the account into the lockout.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import type { CallRunner } from '../shared/call-runner.ts';
import type { HttpResponse, HttpTransport } from '../shared/http-transport.ts';
import {
  classifyThingSpaceResponse,
  isTokenRejection,
  thingSpaceClientError,
} from './thingspace-errors.ts';
import { oauthTokenResponseSchema, sessionLoginResponseSchema } from './thingspace-wire.ts';

/** Dependencies of {@link createThingSpaceAuth}. */
export interface ThingSpaceAuthOptions {
  /** Transport whose base URL is the OAuth token endpoint. */
  oauth: HttpTransport;
  /** Transport whose base URL is the session login endpoint. */
  session: HttpTransport;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Runs the token and login calls (resilience policy + rate limiter of the account). */
  runner: CallRunner;
  /** Refresh the access token this long before it expires (at most half its lifetime). */
  refreshMarginMs: number;
  /** Refused logins after which the client stops trying (must stay below the vendor's 5). */
  maxFailedLogins: number;
  now: () => number;
  redact: (text: string) => string;
  /** Told every token as soon as it arrives, so that errors can redact it. */
  addSecret: (secret: string) => void;
}

/** The headers' worth of tokens for one M2M call. */
export interface ThingSpaceCredentials {
  accessToken: string;
  sessionToken: string;
}

/** Token and session manager of one ThingSpace client. */
export interface ThingSpaceAuth {
  /** Valid tokens, fetching whichever is missing (single-flight). */
  credentials(signal?: AbortSignal): Promise<ThingSpaceCredentials>;
  /** Forgets `stale` if it is still the cached access token (ThingSpace rejected it). */
  invalidateAccessToken(stale: string): void;
  /** Forgets `stale` if it is still the cached session token (ThingSpace said it expired). */
  invalidateSession(stale: string): void;
  /** Consecutive logins ThingSpace refused. */
  readonly failedLogins: number;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

/**
 * Creates the token and session manager.
 *
 * @example
 * const auth = createThingSpaceAuth({ oauth, session, clientId, clientSecret, username, password,
 *   runner, refreshMarginMs: 300_000, maxFailedLogins: 1, now: Date.now, redact, addSecret });
 * const { accessToken, sessionToken } = await auth.credentials(signal);
 */
export function createThingSpaceAuth(options: ThingSpaceAuthOptions): ThingSpaceAuth {
  const { runner, redact, now } = options;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  let accessToken: CachedToken | undefined;
  let accessInFlight: Promise<string> | undefined;
  let sessionToken: string | undefined;
  let sessionInFlight: Promise<string> | undefined;
  let failedLogins = 0;
  const maxFailed = Math.max(1, options.maxFailedLogins);

  const fail = (res: HttpResponse, operation: string, detail?: string) =>
    classifyThingSpaceResponse(res, { operation, write: false, redact, detail });

  const requestToken = () =>
    runner.run(
      async (signal) => {
        const res = await options.oauth.request({
          method: 'POST',
          path: '',
          headers: { authorization: `Basic ${basic}` },
          body: 'grant_type=client_credentials',
          contentType: 'application/x-www-form-urlencoded',
          operation: 'getAccessToken',
          signal,
        });
        if (res.status !== 200 || res.malformed) throw fail(res, 'getAccessToken').error;
        const parsed = oauthTokenResponseSchema.safeParse(res.json);
        if (!parsed.success) {
          throw fail(res, 'getAccessToken', 'answer lacks access_token or expires_in').error;
        }
        options.addSecret(parsed.data.access_token);
        const lifetimeMs = parsed.data.expires_in * 1000;
        const margin = Math.min(options.refreshMarginMs, lifetimeMs / 2);
        accessToken = { token: parsed.data.access_token, refreshAt: now() + lifetimeMs - margin };
        return parsed.data.access_token;
      },
      { idempotent: true },
    );

  const getAccessToken = (): Promise<string> => {
    if (accessToken !== undefined && now() < accessToken.refreshAt) {
      return Promise.resolve(accessToken.token);
    }
    accessInFlight ??= requestToken().finally(() => {
      accessInFlight = undefined;
    });
    return accessInFlight;
  };

  const loginWith = (bearer: string) =>
    runner.run(
      async (signal) => {
        const res = await options.session.request({
          method: 'POST',
          path: '',
          headers: { authorization: `Bearer ${bearer}` },
          json: { username: options.username, password: options.password },
          operation: 'login',
          signal,
        });
        if (res.status !== 200 || res.malformed) {
          const failure = fail(res, 'login');
          if (failure.kind === 'login') failedLogins += 1;
          if (failure.kind === 'locked') failedLogins = Math.max(failedLogins, maxFailed);
          throw failure.error;
        }
        const parsed = sessionLoginResponseSchema.safeParse(res.json);
        if (!parsed.success) throw fail(res, 'login', 'answer lacks sessionToken').error;
        options.addSecret(parsed.data.sessionToken);
        failedLogins = 0;
        return parsed.data.sessionToken;
      },
      // A login that timed out may have counted as a failure at Verizon: never repeat it blindly.
      { idempotent: false },
    );

  const login = async (): Promise<string> => {
    if (failedLogins >= maxFailed) {
      throw thingSpaceClientError(
        ErrorCode.INTEGRATION_AUTH_FAILED,
        `login not attempted: ThingSpace refused ${failedLogins} consecutive login(s) for this ` +
          'user and locks it after 5; correct the UWS credentials and create a new client',
        { operation: 'login' },
      );
    }
    const bearer = await getAccessToken();
    try {
      sessionToken = await loginWith(bearer);
    } catch (error) {
      if (!isTokenRejection(error)) throw error;
      // The Bearer token expired under us: one new token, one more login.
      invalidateAccess(bearer);
      sessionToken = await loginWith(await getAccessToken());
    }
    return sessionToken;
  };

  const getSession = (): Promise<string> => {
    if (sessionToken !== undefined) return Promise.resolve(sessionToken);
    sessionInFlight ??= login().finally(() => {
      sessionInFlight = undefined;
    });
    return sessionInFlight;
  };

  const invalidateAccess = (stale: string) => {
    if (accessToken?.token === stale) accessToken = undefined;
  };

  return {
    async credentials(signal) {
      const session = await withSignal(getSession(), signal);
      const access = await withSignal(getAccessToken(), signal);
      return { accessToken: access, sessionToken: session };
    },
    invalidateAccessToken: invalidateAccess,
    invalidateSession(stale) {
      if (sessionToken === stale) sessionToken = undefined;
    },
    get failedLogins() {
      return failedLogins;
    },
  };
}

/** Waits for a shared promise, giving up (for this caller only) when `signal` aborts. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
