import { describe, expect, it } from 'vitest';
import { isAppError } from '../domain/errors.ts';
import { resolveConfig } from './resolve-config.ts';

describe('resolveConfig', () => {
  it('defaults to local mode with PGlite in ./data on port 3000', () => {
    const config = resolveConfig({ env: {}, cwd: '/srv/app' });
    expect(config.mode).toBe('local');
    expect(config.port).toBe(3000);
    expect(config.host).toBe('localhost');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/app/data' });
    expect(config.seedDemo).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers a flag over the environment variable', () => {
    const config = resolveConfig({ flags: { port: 8080 }, env: { PORT: '9090' } });
    expect(config.port).toBe(8080);
  });

  it('uses the environment when no flag is given', () => {
    const config = resolveConfig({
      env: { PORT: '9090', DATABASE_URL: 'postgres://u@db:5432/x', LOG_LEVEL: 'DEBUG' },
    });
    expect(config.port).toBe(9090);
    expect(config.logLevel).toBe('debug');
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/x',
      poolSize: 10,
    });
  });

  it('requires DATABASE_URL outside local mode', () => {
    expect(() => resolveConfig({ env: { MODE: 'server' } })).toThrow(
      /DATABASE_URL is required in server mode/,
    );
  });

  it('names the variable and the bad value', () => {
    const attempts: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'abc' }, /PORT must be a whole number; got "abc"/],
      [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
      [{ MODE: 'cloud' }, /MODE must be one of local, server, aws; got "cloud"/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
      [{ SEED_DEMO: 'maybe' }, /SEED_DEMO must be true or false/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
      [{ SECRETS_KEY: 'c2hvcnQ=' }, /SECRETS_KEY must be base64 of exactly 32 bytes \(got 5\)/],
    ];
    for (const [env, message] of attempts) {
      let caught: unknown;
      try {
        resolveConfig({ env });
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'CONFIG_INVALID'), JSON.stringify(env)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('turns seeding off with --no-seed-demo and outside local mode by default', () => {
    expect(resolveConfig({ flags: { seedDemo: false } }).seedDemo).toBe(false);
    expect(
      resolveConfig({ env: { MODE: 'server', DATABASE_URL: 'postgres://h/d' } }).seedDemo,
    ).toBe(false);
    expect(
      resolveConfig({ env: { SEED_DEMO: 'yes', MODE: 'server', DATABASE_URL: 'postgres://h/d' } })
        .seedDemo,
    ).toBe(true);
  });

  it('accepts a 32-byte secrets key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(resolveConfig({ env: { SECRETS_KEY: key } }).secretsKey?.length).toBe(32);
  });
});
