/**
 * HTTP for carrier and billing clients: `fetch` (undici) with a per-call timeout, the caller's
 * `AbortSignal`, JSON bodies, and network/timeout failures turned into {@link IntegrationError}.
 *
 * The transport does not judge HTTP statuses: each API's error table does (its `*-errors.ts`).
 */
import { ErrorCode } from '../../../domain/errors.ts';
import { type IntegrationApi, IntegrationError } from './integration-error.ts';

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path appended to the base URL (leading slash), e.g. `/rws/api/v1/devices/8901…`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** JSON body (serialised with `content-type` from {@link contentType} or application/json). */
  json?: unknown;
  /** Raw body (form-encoded token requests). */
  body?: string;
  contentType?: string;
  /** Client operation name, for errors and metrics. */
  operation: string;
  /** Device the call is about, for errors. */
  deviceId?: string;
  /** Overrides the transport's default timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One response, body read in full. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  /** True when the body claimed to be JSON (or looked like it) but did not parse. */
  malformed: boolean;
  /** Milliseconds from send to full body. */
  elapsedMs: number;
}

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  api: IntegrationApi;
  /** Base URL without trailing slash. */
  baseUrl: string;
  /** Per-call time limit. @default 15000 */
  timeoutMs?: number;
  /** Injected for tests of the transport itself. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Sends requests to one API base URL. */
export interface HttpTransport {
  readonly baseUrl: string;
  request(req: HttpRequest): Promise<HttpResponse>;
}

/**
 * Creates a transport.
 *
 * @example
 * const http = createHttpTransport({ api: 'jasper', baseUrl: 'https://rws.example', timeoutMs: 5000 });
 * const res = await http.request({ method: 'GET', path: '/rws/api/v1/devices/8901…', operation: 'getDevice' });
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const defaultTimeout = options.timeoutMs ?? 15_000;

  return {
    baseUrl,
    async request(req) {
      const url = new URL(baseUrl + req.path);
      for (const [k, v] of Object.entries(req.query ?? {})) {
        if (v !== undefined) url.searchParams.set(k, String(v));
      }
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(req.headers ?? {}),
      };
      let body: string | undefined = req.body;
      if (req.json !== undefined) {
        body = JSON.stringify(req.json);
        headers['content-type'] = req.contentType ?? 'application/json';
      } else if (req.body !== undefined && req.contentType !== undefined) {
        headers['content-type'] = req.contentType;
      }
      const timeoutMs = req.timeoutMs ?? defaultTimeout;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      const started = performance.now();
      const details = { api: options.api, operation: req.operation, deviceId: req.deviceId };
      try {
        const response = await doFetch(url, { method: req.method, headers, body, signal });
        const text = await response.text();
        const { json, malformed } = parseBody(text, response.headers.get('content-type'));
        return {
          status: response.status,
          headers: response.headers,
          text,
          json,
          malformed,
          elapsedMs: performance.now() - started,
        };
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason ?? error;
        if (timeout.aborted) {
          throw new IntegrationError(
            ErrorCode.INTEGRATION_TIMEOUT,
            `${options.api} ${req.operation} got no answer within ${timeoutMs} ms`,
            { ...details, retryable: true, ambiguous: req.method !== 'GET', cause: error },
          );
        }
        const code = networkCode(error);
        // A refused or unresolvable connection never reached the server: nothing was applied.
        const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
        throw new IntegrationError(
          ErrorCode.INTEGRATION_NETWORK,
          `${options.api} ${req.operation} failed: ${code ?? 'network error'}`,
          {
            ...details,
            retryable: true,
            ambiguous: !notSent && req.method !== 'GET',
            cause: error,
          },
        );
      }
    },
  };
}

function parseBody(
  text: string,
  contentType: string | null,
): { json: unknown; malformed: boolean } {
  const trimmed = text.trim();
  if (trimmed === '') return { json: undefined, malformed: false };
  const claimsJson = contentType?.includes('json') ?? false;
  if (!claimsJson && !/^[[{]/.test(trimmed)) return { json: undefined, malformed: false };
  try {
    return { json: JSON.parse(trimmed), malformed: false };
  } catch {
    return { json: undefined, malformed: true };
  }
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
