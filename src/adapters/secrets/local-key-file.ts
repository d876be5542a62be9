/**
 * Local mode convenience: when no `SECRETS_KEY` is configured, a random key is generated once
 * into `<DATA_DIR>/secrets.key` (mode 0600) and reused on every start, so that the demo's
 * stored credentials stay readable across restarts.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretUnavailableError } from './secret-box.ts';

/** Reads `<dataDir>/secrets.key`, creating it with a fresh random key when absent. */
export async function loadOrCreateLocalKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'secrets.key');
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32)
      throw new SecretUnavailableError(`${file} does not hold a 32-byte base64 key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  try {
    // 'wx' fails if another process created the file in the meantime; then read theirs.
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateLocalKey(dataDir);
    throw error;
  }
}
