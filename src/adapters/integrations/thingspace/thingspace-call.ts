/**
 * How one ThingSpace M2M call runs: tokens from {@link ThingSpaceAuth}, the request through
 * the account's call runner (resilience policy + rate limiter), the answer judged by the error
 * table, the body checked by a zod schema — and, when ThingSpace rejects the Bearer token or
 * the session, ONE token refresh / re-login and ONE more run. A second rejection is final: no
 * re-login storms.
 */
import type { ZodType } from 'zod';
import type { CallRunner } from '../shared/call-runner.ts';
import type { HttpRequest, HttpResponse, HttpTransport } from '../shared/http-transport.ts';
import type { ThingSpaceAuth, ThingSpaceCredentials } from './thingspace-auth.ts';
import {
  classifyThingSpaceResponse,
  isSessionRejection,
  isTokenRejection,
} from './thingspace-errors.ts';

/** One M2M call. */
export interface ThingSpaceCallSpec<T> {
  operation: string;
  /** ICCID (or other id) the call is about, for errors. */
  deviceId?: string;
  method: HttpRequest['method'];
  /** Path below the M2M base URL, e.g. `/devices/actions/suspend`. */
  path: string;
  json?: unknown;
  /** Non-idempotent write: never repeated after an ambiguous failure without `lookup`. */
  write: boolean;
  /** Turns a 2xx answer into the result (throw {@link badBody} when it does not fit). */
  parse: (res: HttpResponse) => T;
  /** For writes: finds a write that may have been applied (undefined = it was not). */
  lookup?: (signal: AbortSignal) => Promise<T | undefined>;
  signal?: AbortSignal;
}

/** Runs M2M calls of one client. */
export interface ThingSpaceCaller {
  call<T>(spec: ThingSpaceCallSpec<T>, runner?: CallRunner): Promise<T>;
}

/** Dependencies of {@link createThingSpaceCaller}. */
export interface ThingSpaceCallerOptions {
  http: HttpTransport;
  auth: ThingSpaceAuth;
  runner: CallRunner;
  redact: (text: string) => string;
}

/**
 * Creates the caller.
 *
 * @example
 * const caller = createThingSpaceCaller({ http, auth, runner, redact });
 * const res = await caller.call({ operation: 'getRequestStatus', method: 'GET', path, write: false,
 *   parse: (r) => parseBody(requestStatusResponseSchema, r, ctx) });
 */
export function createThingSpaceCaller(options: ThingSpaceCallerOptions): ThingSpaceCaller {
  const { http, auth, redact } = options;

  const attempt =
    <T>(spec: ThingSpaceCallSpec<T>, creds: ThingSpaceCredentials) =>
    async (signal: AbortSignal): Promise<T> => {
      const res = await http.request({
        method: spec.method,
        path: spec.path,
        json: spec.json,
        headers: {
          authorization: `Bearer ${creds.accessToken}`,
          'VZ-M2M-Token': creds.sessionToken,
        },
        operation: spec.operation,
        deviceId: spec.deviceId,
        signal,
      });
      if (res.status < 200 || res.status >= 300 || res.malformed) {
        throw classifyThingSpaceResponse(res, {
          operation: spec.operation,
          deviceId: spec.deviceId,
          write: spec.write,
          redact,
        }).error;
      }
      return spec.parse(res);
    };

  return {
    async call(spec, runner = options.runner) {
      const run = async (creds: ThingSpaceCredentials) =>
        runner.run(attempt(spec, creds), {
          idempotent: !spec.write,
          lookup: spec.lookup,
          signal: spec.signal,
        });
      const creds = await auth.credentials(spec.signal);
      try {
        return await run(creds);
      } catch (error) {
        if (isTokenRejection(error)) auth.invalidateAccessToken(creds.accessToken);
        else if (isSessionRejection(error)) auth.invalidateSession(creds.sessionToken);
        else throw error;
      }
      // Exactly one refresh per rejection; a second rejection propagates.
      return run(await auth.credentials(spec.signal));
    },
  };
}

/** Context for {@link parseBody}. */
export interface BodyContext {
  operation: string;
  deviceId?: string;
  write: boolean;
  redact: (text: string) => string;
}

/**
 * Checks a 2xx body against `schema`; a body that does not fit is INTEGRATION_BAD_RESPONSE
 * (ambiguous for writes: ThingSpace accepted the request, we cannot read what it said).
 */
export function parseBody<T>(schema: ZodType<T>, res: HttpResponse, ctx: BodyContext): T {
  const parsed = schema.safeParse(res.json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  throw badBody(res, ctx, `unexpected body (${where}${issue?.message ?? 'invalid'})`);
}

/** The error for a 2xx answer whose content we cannot accept. */
export function badBody(res: HttpResponse, ctx: BodyContext, detail: string): Error {
  return classifyThingSpaceResponse(res, { ...ctx, detail }).error;
}
