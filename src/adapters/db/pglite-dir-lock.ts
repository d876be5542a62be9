/**
 * An embedded PGlite database is one process's private file set: a second process opening the
 * same directory would corrupt it. `acquirePgliteDirLock` records the owner's pid in
 * `<dataDir>/pglite.lock`; a lock whose process is gone (a crash, SIGKILL) is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseUnavailableError } from './db-errors.ts';

/** A held lock. */
export interface PgliteDirLock {
  release(): Promise<void>;
}

/**
 * Takes the lock for `dataDir` or throws {@link DatabaseUnavailableError} naming the process
 * that holds it.
 */
export async function acquirePgliteDirLock(dataDir: string): Promise<PgliteDirLock> {
  const file = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        async release() {
          const owner = await readOwner(file);
          if (owner === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(file);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new DatabaseUnavailableError(
        `Data directory ${dataDir} is in use by another device-bulk-change process (pid ${owner}); stop it or use another DATA_DIR`,
        { context: { dataDir, pid: owner } },
      );
    }
    // Stale (owner gone or unreadable) or our own leftover: remove and try again.
    await rm(file, { force: true });
  }
  throw new DatabaseUnavailableError(`Could not take the lock ${file}`, { context: { dataDir } });
}

async function readOwner(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
