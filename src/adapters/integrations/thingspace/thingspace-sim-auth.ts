/**
 * Authentication of the ThingSpace simulator, as carrier-apis.md §2.2/§2.5 describe it:
 *
 * - `POST /api/ts/v1/oauth2/token`: HTTP Basic `clientId:clientSecret`, form body
 *   `grant_type=client_credentials` → `{ access_token, token_type, expires_in, scope }`; a
 *   valid token is returned again until it expires (1 h by default).
 * - `POST /api/ts/v1/oauth2/revoke`: form body `token=…`.
 * - `POST /api/m2m/v1/session/login`: Bearer token + `{ username, password }` →
 *   `{ sessionToken }`; the user locks after 5 consecutive failures.
 * - `POST /api/m2m/v1/session/logout`.
 * - Every other M2M call: the gateway checks the Bearer token (401 WSO2 fault 900901 when
 *   wrong or expired, 900902 when missing), then the `VZ-M2M-Token` session (401
 *   `…SessionTokenExpired` after 20 minutes without use).
 */
import type { SimRequest, SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import type { ThingSpaceSimRuntime } from './thingspace-sim-runtime.ts';
import { nextUuid, type ThingSpaceSimState } from './thingspace-sim-state.ts';
import { sessionLoginRequestSchema } from './thingspace-wire.ts';

/** Path prefix of the OAuth server. */
export const OAUTH_PREFIX = '/api/ts/v1';

/** A synchronous API error: HTTP 400 (unless told) `{ errorCode, errorMessage }`. */
export function vendorError(errorCode: string, errorMessage: string, status = 400): SimResponse {
  return { status, json: { errorCode, errorMessage } };
}

/** A WSO2 gateway fault. */
export function gatewayFault(
  status: number,
  code: number,
  message: string,
  description: string,
): SimResponse {
  return { status, json: { fault: { code, message, description } } };
}

const invalidCredentials = (path: string) =>
  gatewayFault(
    401,
    900901,
    'Invalid Credentials',
    `Access failure for API: ${path}, version: v1 status: (900901) - Invalid Credentials. ` +
      'Make sure you have provided the correct security credentials',
  );

const missingCredentials = (path: string) =>
  gatewayFault(
    401,
    900902,
    'Missing Credentials',
    `Required OAuth credentials not provided for API: ${path}`,
  );

const sessionExpired = () =>
  vendorError(
    'UnifiedWebService.AUTHENTICATION_FAILED.SessionTokenExpired',
    'The VZ-M2M session token is invalid or has expired. Log in again.',
    401,
  );

/** Checks the Bearer token; undefined when it is valid. */
export function checkBearer(
  req: SimRequest,
  state: ThingSpaceSimState,
  now: number,
): SimResponse | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match?.[1] === undefined) return missingCredentials(req.path);
  const token = state.tokens.get(match[1]);
  if (token === undefined || token.revoked || now >= token.expiresAt) {
    return invalidCredentials(req.path);
  }
  return undefined;
}

/** The UWS user of the request's session (after {@link authenticateM2m} accepted it). */
export function sessionUser(req: SimRequest, state: ThingSpaceSimState) {
  const token = req.headers['vz-m2m-token'];
  const session = typeof token === 'string' ? state.sessions.get(token) : undefined;
  return session === undefined ? undefined : state.users.get(session.username);
}

/** The kit's `authenticate`: Bearer token, then session; resolves the user's first account. */
export function authenticateM2m(
  rt: ThingSpaceSimRuntime,
): (
  req: SimRequest,
  ctx: { state: ThingSpaceSimState; now: number },
) => { account: string } | SimResponse {
  return (req, ctx) => {
    const bearer = checkBearer(req, ctx.state, ctx.now);
    if (bearer !== undefined) return bearer;
    const token = req.headers['vz-m2m-token'];
    if (typeof token !== 'string' || token === '') {
      return vendorError(
        'UnifiedWebService.AUTHENTICATION_FAILED.SessionTokenMissing',
        'The VZ-M2M-Token header is required.',
        401,
      );
    }
    const session = ctx.state.sessions.get(token);
    if (session === undefined || ctx.now - session.lastUsedAt > rt.settings.sessionIdleMs) {
      ctx.state.sessions.delete(token);
      return sessionExpired();
    }
    session.lastUsedAt = ctx.now;
    const user = ctx.state.users.get(session.username);
    const account = user?.accountNames[0];
    if (account === undefined) return sessionExpired();
    return { account };
  };
}

/** OAuth and session routes. */
export function authRoutes(
  rt: ThingSpaceSimRuntime,
  m2mPrefix: string,
): SimRoute<ThingSpaceSimState>[] {
  return [
    {
      method: 'POST',
      path: `${OAUTH_PREFIX}/oauth2/token`,
      operation: 'getAccessToken',
      public: true,
      handle: (req, ctx) => {
        const basic = parseBasic(req.headers.authorization);
        const app = basic === undefined ? undefined : ctx.state.apps.get(basic.user);
        if (basic === undefined || app === undefined || app.clientSecret !== basic.password) {
          return {
            status: 401,
            json: { error: 'invalid_client', error_description: 'Client authentication failed.' },
          };
        }
        const form = req.body as Record<string, unknown> | undefined;
        if (!String(req.headers['content-type']).includes('application/x-www-form-urlencoded')) {
          return {
            status: 400,
            json: { error: 'invalid_request', error_description: 'Form body required.' },
          };
        }
        if (form?.grant_type !== 'client_credentials') {
          return {
            status: 400,
            json: {
              error: 'unsupported_grant_type',
              error_description: 'Only client_credentials is supported.',
            },
          };
        }
        // Within its lifetime the same token is returned again [DOC D7].
        for (const [token, info] of ctx.state.tokens) {
          if (info.clientId === basic.user && !info.revoked && ctx.now < info.expiresAt) {
            return tokenAnswer(token, Math.ceil((info.expiresAt - ctx.now) / 1000));
          }
        }
        const token = nextUuid(ctx.state).replaceAll('-', '');
        const ttl = rt.settings.tokenTtlSeconds;
        ctx.state.tokens.set(token, {
          clientId: basic.user,
          expiresAt: ctx.now + ttl * 1000,
          revoked: false,
        });
        return tokenAnswer(token, ttl);
      },
    },
    {
      method: 'POST',
      path: `${OAUTH_PREFIX}/oauth2/revoke`,
      operation: 'revokeAccessToken',
      public: true,
      handle: (req, ctx) => {
        const token = (req.body as Record<string, unknown> | undefined)?.token;
        const info = typeof token === 'string' ? ctx.state.tokens.get(token) : undefined;
        if (info !== undefined) info.revoked = true;
        return { status: 200, json: {} };
      },
    },
    {
      method: 'POST',
      path: `${m2mPrefix}/session/login`,
      operation: 'login',
      public: true,
      handle: (req, ctx) => {
        const bearer = checkBearer(req, ctx.state, ctx.now);
        if (bearer !== undefined) return bearer;
        const body = sessionLoginRequestSchema.safeParse(req.body);
        if (!body.success) {
          return vendorError(
            'UnifiedWebService.INPUT_INVALID.RequestBody',
            'username and password are required.',
          );
        }
        const user = ctx.state.users.get(body.data.username);
        if (user?.locked) return locked();
        if (user === undefined || user.password !== body.data.password) {
          if (user !== undefined) {
            user.failedLogins += 1;
            if (user.failedLogins >= rt.settings.lockoutThreshold) user.locked = true;
          }
          return vendorError(
            'UnifiedWebService.AUTHENTICATION_FAILED.InvalidCredentials',
            'Invalid user name or password.',
          );
        }
        user.failedLogins = 0;
        const sessionToken = nextUuid(ctx.state);
        ctx.state.sessions.set(sessionToken, { username: user.username, lastUsedAt: ctx.now });
        return { status: 200, json: { sessionToken } };
      },
    },
    {
      method: 'POST',
      path: `${m2mPrefix}/session/logout`,
      operation: 'logout',
      handle: (req, ctx) => {
        const token = String(req.headers['vz-m2m-token']);
        ctx.state.sessions.delete(token);
        return { status: 200, json: { sessionToken: token } };
      },
    },
  ];
}

function locked(): SimResponse {
  return vendorError(
    'UnifiedWebService.AUTHENTICATION_FAILED.UserLocked',
    'The user is locked after too many failed logins. Contact Verizon support.',
  );
}

function tokenAnswer(token: string, expiresIn: number): SimResponse {
  return {
    status: 200,
    json: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'm2m' },
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = typeof header === 'string' ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
