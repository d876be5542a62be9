/**
 * `<DATA_DIR>/demo-credentials.json`: how a newcomer (or a script) reaches the local demo.
 * Shape: `{ "apiUrl": "http://localhost:3000/api/v1", "apiKey": "dbc_…", "tenantId": 1 }`.
 *
 * The API key is shown once, when the demo tenant is seeded; the database keeps only its
 * hash. If the file is lost, a fresh demo key is issued and written instead.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Content of demo-credentials.json. */
export interface DemoCredentials {
  apiUrl: string;
  apiKey: string;
  tenantId: number;
}

/** Path of the credentials file inside a data directory. */
export function demoCredentialsPath(dataDir: string): string {
  return path.join(dataDir, 'demo-credentials.json');
}

/** Reads the file; undefined when it does not exist or is not valid. */
export async function readDemoCredentials(dataDir: string): Promise<DemoCredentials | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(demoCredentialsPath(dataDir), 'utf8'),
    ) as Partial<DemoCredentials>;
    if (
      typeof parsed.apiKey === 'string' &&
      typeof parsed.apiUrl === 'string' &&
      typeof parsed.tenantId === 'number'
    ) {
      return { apiUrl: parsed.apiUrl, apiKey: parsed.apiKey, tenantId: parsed.tenantId };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Writes the file atomically (temp file + rename), readable by the owner only. */
export async function writeDemoCredentials(
  dataDir: string,
  credentials: DemoCredentials,
): Promise<string> {
  const file = demoCredentialsPath(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  return file;
}
