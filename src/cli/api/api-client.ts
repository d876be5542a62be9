/**
 * The CLI's HTTP client of the REST API (fetch). Failures become {@link CliApiError}s with one
 * clear sentence: the server cannot be reached, the key was refused, or the API's own error
 * (code, message and the first row/field details).
 */
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { ApiConnection } from './api-connection.ts';

/** A failure of an API call, ready to print. */
export class CliApiError extends AppError {
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;

  constructor(code: ErrorCode, message: string, status: number) {
    super(code, message);
    this.status = status;
  }
}

/** An API client bound to one connection. */
export interface ApiClient {
  readonly baseUrl: string;
  get<T>(path: string): Promise<T>;
  post<T>(
    path: string,
    body?: { json: unknown } | { csv: string | Buffer },
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
}

interface ErrorBody {
  code?: string;
  message?: string;
  details?: { row?: number; field: string; message: string }[];
}

function describeDetails(details: ErrorBody['details'], max = 10): string {
  if (details === undefined || details.length === 0) return '';
  const lines = details
    .slice(0, max)
    .map(
      (d) =>
        `\n  ${d.row === undefined ? '' : `row ${d.row}: `}${d.field ? `${d.field}: ` : ''}${d.message}`,
    );
  const more = details.length > max ? `\n  … and ${details.length - max} more` : '';
  return lines.join('') + more;
}

/**
 * Creates the client.
 *
 * @example
 * const api = createApiClient(await resolveApiConnection(flags, processEnv()));
 * const page = await api.get('/bulk-changes');
 */
export function createApiClient(connection: ApiConnection): ApiClient {
  const call = async (method: string, path: string, init: RequestInit = {}) => {
    const url = `${connection.baseUrl}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        ...init,
        headers: {
          ...(connection.apiKey === undefined
            ? {}
            : { authorization: `Bearer ${connection.apiKey}` }),
          ...(init.headers as Record<string, string> | undefined),
        },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliApiError(
        ErrorCode.INTEGRATION_NETWORK,
        `Cannot reach the API at ${connection.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}); is the service running (npm start)? Set --api-url or ${'BULK_CHANGE_API_URL'} otherwise`,
        0,
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (res.status === 401) {
      throw new CliApiError(
        ErrorCode.UNAUTHORIZED,
        connection.apiKey === undefined
          ? `No API key: pass --api-key, set BULK_CHANGE_API_KEY, or run the local demo (npm start writes data/demo-credentials.json)`
          : `The API key from ${connection.keySource} was refused by ${connection.baseUrl} (${(body as ErrorBody | undefined)?.message ?? 'unauthorized'})`,
        401,
      );
    }
    if (res.status >= 400) {
      const err = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
      const code = (err.code ?? ErrorCode.INTERNAL_ERROR) as ErrorCode;
      throw new CliApiError(
        code,
        `${err.message ?? `HTTP ${res.status}`}${describeDetails(err.details)}`,
        res.status,
      );
    }
    return { status: res.status, body };
  };
  return {
    baseUrl: connection.baseUrl,
    async get<T>(path: string) {
      return (await call('GET', path)).body as T;
    },
    async post<T>(
      path: string,
      body?: { json: unknown } | { csv: string | Buffer },
      headers: Record<string, string> = {},
    ) {
      const init: RequestInit =
        body === undefined
          ? { headers }
          : 'json' in body
            ? {
                body: JSON.stringify(body.json),
                headers: { 'content-type': 'application/json', ...headers },
              }
            : { body: body.csv, headers: { 'content-type': 'text/csv', ...headers } };
      const result = await call('POST', path, init);
      return { status: result.status, body: result.body as T };
    },
  };
}
