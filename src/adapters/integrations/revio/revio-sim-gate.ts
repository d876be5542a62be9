/**
 * The Rev.io simulator's gate: what happens before a request reaches a route.
 *
 * 1. Azure APIM checks `Ocp-Apim-Subscription-Key` (401 in APIM's own body shape when missing
 *    or unknown).
 * 2. Rev.io checks HTTP Basic `login@clientcode:password` (401 Rev.io-shaped, with
 *    `WWW-Authenticate`); the key must belong to the same client code.
 * 3. Per route (see {@link guarded}): the API user's permissions (403) and the tenant's rate
 *    limit — a sliding window of `perMinute` calls per minute and `perDay` per UTC day, on the
 *    simulator clock — answered with APIM's 429 "Try again in N seconds." (and `Retry-After`).
 */
import type { SimContext, SimRequest, SimResponse } from '../shared/simulator/simulator-server.ts';
import type { RevioSimState, RevioTenantState } from './revio-sim-state.ts';

/** Rev.io error body: an array of `{ ok: false, error, message }` (carrier-apis.md §4.3). */
export function revioErrorResponse(status: number, error: string, message: string): SimResponse {
  return { status, json: [{ ok: false, error, message }] };
}

/** APIM gateway body (`{ statusCode, message }`). */
function gatewayResponse(
  status: number,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  return { status, headers, json: { statusCode: status, message } };
}

/** The 429 of APIM: the seconds to wait are in the message (and in `Retry-After`). */
export function throttledResponse(seconds: number, retryAfterHeader: boolean): SimResponse {
  const whole = Math.max(0, Math.ceil(seconds));
  return gatewayResponse(
    429,
    `Rate limit is exceeded. Try again in ${whole} seconds.`,
    retryAfterHeader ? { 'retry-after': String(whole) } : undefined,
  );
}

/** Server errors: Rev.io's own 500 body; the gateway's for 502/503/504. */
export function serverErrorResponse(status: number): SimResponse {
  if (status === 500) {
    return revioErrorResponse(500, 'InternalServerError', 'An error has occurred.');
  }
  const text: Record<number, string> = {
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return gatewayResponse(status, text[status] ?? 'Server Error');
}

const header = (req: SimRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Resolves the tenant of a request, or answers the vendor's 401. */
export function authenticateRevio(
  req: SimRequest,
  ctx: SimContext<RevioSimState>,
): { account: string } | SimResponse {
  const key = header(req, 'ocp-apim-subscription-key');
  if (key === undefined || key === '') {
    return gatewayResponse(
      401,
      'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    );
  }
  const keyTenant = [...ctx.state.tenants.values()].find((t) => t.account.subscriptionKey === key);
  if (keyTenant === undefined) {
    return gatewayResponse(
      401,
      'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
    );
  }
  const denied = {
    ...revioErrorResponse(401, 'Unauthorized', 'Authorization has been denied for this request.'),
    headers: { 'www-authenticate': 'Basic realm="Rev.io"' },
  };
  const authorization = header(req, 'authorization') ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (match === null) return denied;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const at = user.lastIndexOf('@');
  const login = at < 0 ? user : user.slice(0, at);
  const clientCode = at < 0 ? '' : user.slice(at + 1);
  const tenant = ctx.state.tenants.get(clientCode);
  if (
    tenant === undefined ||
    tenant !== keyTenant ||
    tenant.account.login !== login ||
    tenant.account.password !== password
  ) {
    return denied;
  }
  return { account: clientCode };
}

/** A route handler that receives its tenant. */
export type TenantHandler = (
  req: SimRequest,
  ctx: SimContext<RevioSimState>,
  tenant: RevioTenantState,
) => SimResponse;

/**
 * Wraps a route handler with the permission check and the tenant's rate limit. A call that
 * passes is counted in the window; a refused one is not (APIM does not count it either).
 */
export function guarded(operation: string, handler: TenantHandler) {
  return (req: SimRequest, ctx: SimContext<RevioSimState>): SimResponse => {
    const tenant = ctx.account === undefined ? undefined : ctx.state.tenants.get(ctx.account);
    if (tenant === undefined) {
      return revioErrorResponse(
        401,
        'Unauthorized',
        'Authorization has been denied for this request.',
      );
    }
    const state = ctx.state;
    if (state.deniedOperations.has(operation) || state.deniedOperations.has('*')) {
      return revioErrorResponse(
        403,
        'Forbidden',
        `The API user does not have permission to perform ${operation}.`,
      );
    }
    const wait = quotaWaitSeconds(tenant, state, ctx.now);
    if (wait !== undefined) return throttledResponse(wait, state.rateLimit.retryAfterHeader);
    return handler(req, ctx, tenant);
  };
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Seconds until the tenant may call again, or undefined (and the call is counted). */
function quotaWaitSeconds(
  tenant: RevioTenantState,
  state: RevioSimState,
  now: number,
): number | undefined {
  const { perMinute, perDay } = state.rateLimit;
  const day = Math.floor(now / DAY_MS);
  if (tenant.daily.day !== day) tenant.daily = { day, count: 0 };
  if (tenant.daily.count >= perDay) return ((day + 1) * DAY_MS - now) / 1000;
  tenant.recentCalls = tenant.recentCalls.filter((t) => t > now - MINUTE_MS);
  const oldest = tenant.recentCalls[0];
  if (tenant.recentCalls.length >= perMinute && oldest !== undefined) {
    return Math.max(1, (oldest + MINUTE_MS - now) / 1000);
  }
  tenant.recentCalls.push(now);
  tenant.daily.count += 1;
  return undefined;
}
