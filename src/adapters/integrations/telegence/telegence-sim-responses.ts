/**
 * Vendor-shaped answers of the Telegence simulator. Error bodies are JSON but not uniform, as
 * carrier-apis.md §3.4 says: business errors carry `errorCode` + `errorDescription` ([INF]),
 * the unknown-line / eSIM-required 404 is `{"id","description":"/service/"}`, gateway answers
 * (auth, throttling, 5xx) carry `responseMessage` or `description`.
 */
import type { SimContext, SimResponse } from '../shared/simulator/simulator-server.ts';
import { type SimAccount, simUuid, type TelegenceSimState } from './telegence-sim-state.ts';
import { TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION } from './telegence-wire.ts';

type Ctx = SimContext<TelegenceSimState>;

/** A vendor business error body (`errorCode` + `errorDescription`, [INF] shape). */
export function vendorError(
  ctx: Ctx,
  status: number,
  code: string,
  description: string,
): SimResponse {
  return {
    status,
    json: { id: simUuid(ctx.random), errorCode: code, errorDescription: description },
  };
}

/** The 404 Telegence answers for an unknown line and for an eSIM-required ICCID. */
export function serviceNotFound(ctx: Ctx): SimResponse {
  return {
    status: 404,
    json: { id: simUuid(ctx.random), description: TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION },
  };
}

/** The caller's account (routes are authenticated). */
export function accountOf(ctx: Ctx): SimAccount {
  const account = ctx.account === undefined ? undefined : ctx.state.accounts.get(ctx.account);
  if (account === undefined) throw new Error('route reached without an authenticated account');
  return account;
}

/**
 * Checks `app-id` / `app-secret`: both missing or unknown/wrong → 401; an app-id whose access
 * was revoked (knob) → 403. Bodies never echo the values sent.
 */
export function authenticate(
  headers: Record<string, string | string[] | undefined>,
  state: TelegenceSimState,
): { account: string } | SimResponse {
  const appId = header(headers['app-id']);
  const appSecret = header(headers['app-secret']);
  if (appId === undefined || appSecret === undefined) {
    return {
      status: 401,
      json: { responseMessage: 'Unauthorized: app-id and app-secret headers are required' },
    };
  }
  const key = state.appIds.get(appId);
  const account = key === undefined ? undefined : state.accounts.get(key);
  if (account === undefined || account.appSecret !== appSecret) {
    return { status: 401, json: { responseMessage: 'Unauthorized: invalid app-id or app-secret' } };
  }
  if (account.access === 'forbidden') {
    return {
      status: 403,
      json: { responseMessage: 'Forbidden: this app-id is not entitled to the lineconfig API' },
    };
  }
  return { account: account.key };
}

/** The gateway's throttling answer: 429 with `Retry-After` (seconds). */
export function throttled(retryAfterSeconds: number): SimResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    json: { responseMessage: 'Too Many Requests: rate limit exceeded' },
  };
}

/** The gateway's server-error answer. */
export function serverError(status: number): SimResponse {
  const description =
    status === 503
      ? 'Service Unavailable'
      : status === 502
        ? 'Bad Gateway'
        : status === 504
          ? 'Gateway Timeout'
          : 'Internal Server Error';
  return { status, json: { description } };
}

function header(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}
