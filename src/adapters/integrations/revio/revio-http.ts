/**
 * One Rev.io HTTP attempt: adds the two credentials Rev.io needs (HTTP Basic
 * `login@clientcode:password` and the APIM `Ocp-Apim-Subscription-Key`), sends through the
 * shared transport, and turns every failure (status, `ok: false`, unreadable or unexpected body,
 * network, timeout) into an IntegrationError through the error table.
 *
 * No retries here: the call runner decides (see `revio-client.ts`).
 */
import type { z } from 'zod';
import { createHttpTransport, type HttpResponse } from '../shared/http-transport.ts';
import { isIntegrationError } from '../shared/integration-error.ts';
import { type RevioCallContext, toRevioError } from './revio-errors.ts';

/** Credentials of one Rev.io client tenant, in plain form (the caller opens the secret refs). */
export interface RevioCredentials {
  /** API user login. */
  login: string;
  /** Rev.io client code (tenant); the Basic user is `login@clientCode`. */
  clientCode: string;
  password: string;
  /** Azure APIM subscription key of the tenant. */
  subscriptionKey: string;
}

/** One request of a Rev.io operation. */
export interface RevioRequest<T> {
  method: RevioCallContext['method'];
  /** Path below the base URL (which ends in `/v1`), e.g. `/Services/700001`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  contentType?: string;
  operation: string;
  deviceId?: string;
  subject?: string;
  /** Schema of the 2xx body. */
  schema: z.ZodType<T>;
}

/** Options of {@link createRevioHttp}. */
export interface RevioHttpOptions {
  baseUrl: string;
  credentials: RevioCredentials;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Sends single Rev.io attempts. */
export interface RevioHttp {
  send<T>(request: RevioRequest<T>, signal: AbortSignal): Promise<T>;
  /** Strings that must never appear in errors (for the client's own error building). */
  readonly secrets: readonly string[];
}

/**
 * Creates the attempt sender of one Rev.io tenant.
 *
 * @example
 * const http = createRevioHttp({ baseUrl: 'http://127.0.0.1:4013/v1', credentials, timeoutMs: 30_000 });
 * const body = await http.send({ method: 'GET', path: '/Services/700001', operation: 'getService',
 *   schema: revioServiceResponseSchema }, signal);
 */
export function createRevioHttp(options: RevioHttpOptions): RevioHttp {
  const transport = createHttpTransport({
    api: 'revio',
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  const { login, clientCode, password, subscriptionKey } = options.credentials;
  const userPass = `${login}@${clientCode}:${password}`;
  const token = Buffer.from(userPass, 'utf8').toString('base64');
  const headers = {
    authorization: `Basic ${token}`,
    'ocp-apim-subscription-key': subscriptionKey,
  };
  const secrets = [userPass, `Basic ${token}`, token, password, subscriptionKey];

  return {
    secrets,
    async send(request, signal) {
      const call: RevioCallContext = {
        operation: request.operation,
        method: request.method,
        deviceId: request.deviceId,
        subject: request.subject,
        secrets,
      };
      let response: HttpResponse;
      try {
        response = await transport.request({
          method: request.method,
          path: request.path,
          query: request.query,
          headers,
          json: request.json,
          contentType: request.contentType,
          operation: request.operation,
          deviceId: request.deviceId,
          signal,
        });
      } catch (error) {
        if (isIntegrationError(error)) throw toRevioError({ kind: 'transport', error }, call);
        throw error; // the caller's abort reason
      }
      if (response.status < 200 || response.status >= 300) {
        throw toRevioError({ kind: 'http', response }, call);
      }
      if (response.malformed) throw toRevioError({ kind: 'malformed', response }, call);
      const body = response.json as { ok?: unknown } | undefined;
      if (typeof body === 'object' && body !== null && body.ok === false) {
        throw toRevioError({ kind: 'ok-false', response }, call);
      }
      const parsed = request.schema.safeParse(response.json);
      if (!parsed.success) {
        const detail = parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
          .join('; ');
        throw toRevioError({ kind: 'unexpected-body', response, detail }, call);
      }
      return parsed.data;
    },
  };
}
