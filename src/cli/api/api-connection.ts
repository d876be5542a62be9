/**
 * Where the API commands find the server and the key: `--api-url` / `--api-key`, else the
 * environment (`BULK_CHANGE_API_URL`, `BULK_CHANGE_API_KEY`), else the local demo's
 * `<DATA_DIR>/demo-credentials.json` (DATA_DIR defaults to `./data`), else
 * `http://localhost:3000` without a key (which the server refuses with a clear message).
 */
import { type EnvSource, readEnv } from '../../config/env.ts';
import { readDemoCredentials } from '../../runtime/demo-credentials.ts';

/** Environment variable of the API base URL. */
export const API_URL_ENV = 'BULK_CHANGE_API_URL';
/** Environment variable of the API key. */
export const API_KEY_ENV = 'BULK_CHANGE_API_KEY';

/** A resolved connection. */
export interface ApiConnection {
  /** Base URL of the service (without `/api/v1`). */
  baseUrl: string;
  apiKey: string | undefined;
  /** Where the key came from, for error messages. */
  keySource: string;
}

/** Service base URL without a trailing slash or `/api/v1`. */
export function normaliseBaseUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '');
}

/**
 * Resolves flags → environment → demo credentials.
 *
 * @example
 * await resolveApiConnection({ apiUrl: undefined, apiKey: undefined }, processEnv());
 */
export async function resolveApiConnection(
  flags: { apiUrl?: string | undefined; apiKey?: string | undefined },
  env: EnvSource,
): Promise<ApiConnection> {
  const dataDir = readEnv(env, 'DATA_DIR') ?? './data';
  const demo =
    flags.apiUrl === undefined || flags.apiKey === undefined
      ? await readDemoCredentials(dataDir)
      : undefined;
  const url = flags.apiUrl ?? readEnv(env, API_URL_ENV) ?? demo?.apiUrl ?? 'http://localhost:3000';
  let apiKey = flags.apiKey;
  let keySource = '--api-key';
  if (apiKey === undefined && readEnv(env, API_KEY_ENV) !== undefined) {
    apiKey = readEnv(env, API_KEY_ENV);
    keySource = API_KEY_ENV;
  }
  if (apiKey === undefined && demo !== undefined) {
    apiKey = demo.apiKey;
    keySource = `${dataDir}/demo-credentials.json`;
  }
  if (apiKey === undefined) keySource = 'nowhere';
  return { baseUrl: normaliseBaseUrl(url), apiKey, keySource };
}
