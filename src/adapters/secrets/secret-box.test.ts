import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateLocalKey } from './local-key-file.ts';
import { createSecretBox } from './secret-box.ts';

describe('createSecretBox', () => {
  it('round-trips a sealed value and never stores it in clear', () => {
    const box = createSecretBox({ key: randomBytes(32), env: {} });
    const ref = box.seal('api-key-123');
    expect(ref.kind).toBe('encrypted');
    expect(JSON.stringify(ref)).not.toContain('api-key-123');
    expect(box.open(ref)).toBe('api-key-123');
  });

  it('uses a fresh IV per value', () => {
    const box = createSecretBox({ key: randomBytes(32), env: {} });
    expect(box.seal('same')).not.toEqual(box.seal('same'));
  });

  it('refuses to open with another key', () => {
    const ref = createSecretBox({ key: randomBytes(32), env: {} }).seal('x');
    const other = createSecretBox({ key: randomBytes(32), env: {} });
    expect(() => other.open(ref)).toThrow(/cannot be decrypted with the configured SECRETS_KEY/);
  });

  it('detects tampering', () => {
    const box = createSecretBox({ key: randomBytes(32), env: {} });
    const ref = box.seal('value');
    if (ref.kind !== 'encrypted') throw new Error('expected encrypted');
    const tampered = `${ref.value.slice(0, -2)}AA`;
    expect(() => box.open({ kind: 'encrypted', value: tampered })).toThrow(/cannot be decrypted/);
  });

  it('resolves env references and names a missing variable', () => {
    const box = createSecretBox({ key: undefined, env: { JASPER_KEY: 'k' } });
    expect(box.open({ kind: 'env', name: 'JASPER_KEY' })).toBe('k');
    expect(() => box.open({ kind: 'env', name: 'MISSING_KEY' })).toThrow(/MISSING_KEY/);
    expect(() => box.seal('x')).toThrow(/set SECRETS_KEY/);
  });
});

describe('loadOrCreateLocalKey', () => {
  it('creates a private key file once and then reuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dbc-key-'));
    const first = await loadOrCreateLocalKey(dir);
    const second = await loadOrCreateLocalKey(dir);
    expect(first.length).toBe(32);
    expect(second.equals(first)).toBe(true);
    const file = path.join(dir, 'secrets.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('base64'));
  });
});
