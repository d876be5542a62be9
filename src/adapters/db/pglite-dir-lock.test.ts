import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquirePgliteDirLock } from './pglite-dir-lock.ts';

async function freshDir() {
  return mkdtemp(path.join(tmpdir(), 'dbc-lock-'));
}

describe('acquirePgliteDirLock', () => {
  it('writes our pid and removes the file on release', async () => {
    const dir = await freshDir();
    const lock = await acquirePgliteDirLock(dir);
    expect((await readFile(path.join(dir, 'pglite.lock'), 'utf8')).trim()).toBe(
      String(process.pid),
    );
    await lock.release();
    await expect(stat(path.join(dir, 'pglite.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a directory held by another live process and names its pid', async () => {
    const dir = await freshDir();
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(path.join(dir, 'pglite.lock'), `${other.pid}\n`);
      await expect(acquirePgliteDirLock(dir)).rejects.toThrow(
        new RegExp(`in use by another device-bulk-change process \\(pid ${other.pid}\\)`),
      );
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that died', async () => {
    const dir = await freshDir();
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(path.join(dir, 'pglite.lock'), `${dead.pid}\n`);
    const lock = await acquirePgliteDirLock(dir);
    expect((await readFile(path.join(dir, 'pglite.lock'), 'utf8')).trim()).toBe(
      String(process.pid),
    );
    await lock.release();
  });
});
