/**
 * Typed client of Verizon ThingSpace Connectivity Management (carrier-apis.md §2).
 *
 * Every operation runs through the account's call runner (resilience policy + rate limiter)
 * with tokens from the auth manager (OAuth access token + VZ-M2M session, both cached and
 * single-flight). Provisioning actions (activate, suspend, restore, deactivate, plan change,
 * identifier change) are non-idempotent: after an ambiguous failure they are looked up in the
 * device's provisioning history before anything is repeated. Their result is a carrier
 * `requestId`; the outcome arrives later by CarrierService callback (`thingspace-callbacks.ts`)
 * or through {@link ThingSpaceClient.getRequestStatus}. Only {@link IntegrationError}s leave the
 * client; it never logs.
 */
import { createCallRunner } from '../shared/call-runner.ts';
import { createHttpTransport } from '../shared/http-transport.ts';
import type { RateLimiter } from '../shared/rate-limiter.ts';
import type { ResiliencePolicy } from '../shared/resilience.ts';
import { createThingSpaceAuth } from './thingspace-auth.ts';
import { createThingSpaceCaller } from './thingspace-call.ts';
import { createThingSpaceOperations, type ThingSpaceOperations } from './thingspace-operations.ts';

export type { ProvisioningAccepted } from './thingspace-lookup.ts';
export type * from './thingspace-operations.ts';

/** Options of {@link createThingSpaceClient}. */
export interface ThingSpaceClientOptions {
  /** M2M base URL, e.g. `https://thingspace.verizon.com/api/m2m/v1`. */
  baseUrl: string;
  /** Billing account (`accountName`, leading zeros kept), e.g. `0000123456-00001`. */
  accountName: string;
  /** OAuth app key. */
  clientId: string;
  /** OAuth app secret (plain; the caller opened the secret ref). */
  clientSecret: string;
  /** UWS user name. */
  username: string;
  /** UWS password (plain). */
  password: string;
  /** OAuth token URL. @default `{origin of baseUrl}/api/ts/v1/oauth2/token` */
  oauthUrl?: string;
  /** Session login URL. @default `{origin of baseUrl}/api/m2m/v1/session/login` */
  sessionUrl?: string;
  /** Per-call time limit. @default 15000 */
  timeoutMs?: number;
  /** Retry + circuit breaker of the account. @default none (one attempt) */
  policy?: ResiliencePolicy;
  /** Rate limiter of the account. @default none */
  limiter?: RateLimiter;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Custom field that holds the device's user name. @default 'CustomField1' */
  usernameCustomField?: string;
  /** `{serviceType}` segment of the identifier-change path [INF]. @default '4G' */
  changeIdentifierServiceType?: string;
  /**
   * Refused logins after which the client stops logging in (ThingSpace locks the user after
   * 5 consecutive failures; other processes may fail too). Clamped to 1..4. @default 1
   */
  maxFailedLogins?: number;
  /** Refresh the access token this long before expiry. @default 300000 */
  tokenRefreshMarginMs?: number;
  /** Clock skew allowed when looking a lost write up in the provisioning history. @default 120000 */
  lookupWindowMs?: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** The ThingSpace client. */
export interface ThingSpaceClient extends ThingSpaceOperations {
  readonly accountName: string;
  /** Gets (or reuses) the access token and the session now, e.g. before a batch. */
  authenticate(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Creates a client for one ThingSpace account.
 *
 * @example
 * const client = createThingSpaceClient({
 *   baseUrl: 'http://127.0.0.1:4011/api/m2m/v1',
 *   accountName: '0000123456-00001',
 *   clientId: 'demo-thingspace-client', clientSecret,
 *   username: 'demo-thingspace-user', password,
 *   policy: createResiliencePolicy({ api: 'thingspace', account: 'thingspace:0000123456-00001' }),
 *   limiter: createTokenBucketLimiter({ ratePerSecond: 10 }),
 * });
 * const { requestId } = await client.suspend({ iccid: '89148000000800139708' });
 * const { status } = await client.getRequestStatus(requestId); // 'Pending' → 'Success'
 */
export function createThingSpaceClient(options: ThingSpaceClientOptions): ThingSpaceClient {
  const origin = new URL(options.baseUrl).origin;
  // Every credential the client holds or learns (tokens, callback passwords; the user name and
  // app key too) is blanked out of vendor text before it reaches an error message.
  const secrets = new Set<string>();
  const addSecret = (secret: string) => {
    if (secret.length >= 4) secrets.add(secret);
  };
  addSecret(options.clientSecret);
  addSecret(options.password);
  addSecret(options.username);
  addSecret(options.clientId);
  addSecret(Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64'));
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('***');
    return out;
  };
  const transport = (baseUrl: string) =>
    createHttpTransport({
      api: 'thingspace',
      baseUrl,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  const runner = createCallRunner({ policy: options.policy, limiter: options.limiter });
  const auth = createThingSpaceAuth({
    oauth: transport(options.oauthUrl ?? `${origin}/api/ts/v1/oauth2/token`),
    session: transport(options.sessionUrl ?? `${origin}/api/m2m/v1/session/login`),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    username: options.username,
    password: options.password,
    runner,
    refreshMarginMs: options.tokenRefreshMarginMs ?? 300_000,
    maxFailedLogins: Math.min(4, Math.max(1, options.maxFailedLogins ?? 1)),
    now: options.now ?? Date.now,
    redact,
    addSecret,
  });
  const caller = createThingSpaceCaller({
    http: transport(options.baseUrl),
    auth,
    runner,
    redact,
  });
  const operations = createThingSpaceOperations({
    caller,
    // Lookups run without the retry policy: they happen inside a failed attempt of the policy.
    lookupRunner: createCallRunner({ limiter: options.limiter }),
    accountName: options.accountName,
    usernameCustomField: options.usernameCustomField ?? 'CustomField1',
    changeIdentifierServiceType: options.changeIdentifierServiceType ?? '4G',
    lookupWindowMs: options.lookupWindowMs ?? 120_000,
    now: options.now ?? Date.now,
    redact,
    addSecret,
  });

  return {
    accountName: options.accountName,
    ...operations,
    async authenticate(opts = {}) {
      await auth.credentials(opts.signal);
    },
  };
}
