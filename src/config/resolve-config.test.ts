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

  describe('aws mode (SQS)', () => {
    const aws = {
      MODE: 'aws',
      DATABASE_URL: 'postgres://app@db:5432/bulk',
      SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bulk-change',
    };

    it('resolves the queue with region us-east-1 and a 60 s margin by default', () => {
      const config = resolveConfig({ env: { ...aws } });
      expect(config.sqs).toEqual({
        queueUrl: aws.SQS_QUEUE_URL,
        endpoint: undefined,
        region: 'us-east-1',
        deadlineMarginMs: 60_000,
      });
      expect(Object.isFrozen(config.sqs)).toBe(true);
    });

    it('takes the region, endpoint and margin from the environment or flags', () => {
      const config = resolveConfig({
        flags: { sqsDeadlineMarginMs: 30_000 },
        env: {
          ...aws,
          AWS_REGION: 'eu-west-1',
          SQS_ENDPOINT: 'http://127.0.0.1:4566/',
          SQS_DEADLINE_MARGIN_MS: '5000',
        },
      });
      expect(config.sqs).toEqual({
        queueUrl: aws.SQS_QUEUE_URL,
        endpoint: 'http://127.0.0.1:4566',
        region: 'eu-west-1',
        deadlineMarginMs: 30_000,
      });
    });

    it('requires SQS_QUEUE_URL in aws mode and has no SQS settings in other modes', () => {
      expect(() => resolveConfig({ env: { MODE: 'aws', DATABASE_URL: aws.DATABASE_URL } })).toThrow(
        /SQS_QUEUE_URL is required in aws mode/,
      );
      expect(resolveConfig({ env: { SQS_QUEUE_URL: aws.SQS_QUEUE_URL } }).sqs).toBeUndefined();
    });

    it('names the SQS variable and the bad value', () => {
      const attempts: Array<[Record<string, string>, RegExp]> = [
        [{ SQS_QUEUE_URL: 'not a url' }, /SQS_QUEUE_URL is not a valid URL; got "not a url"/],
        [{ SQS_QUEUE_URL: 'ftp://q' }, /SQS_QUEUE_URL must start with https:\/\/ or http:\/\//],
        [{ SQS_QUEUE_URL: `${aws.SQS_QUEUE_URL}.fifo` }, /not a FIFO queue/],
        [{ SQS_ENDPOINT: 'localhost:4566' }, /SQS_ENDPOINT must start with https:\/\//],
        [{ AWS_REGION: 'EU West' }, /AWS_REGION must be a region name such as eu-west-1/],
        [{ SQS_DEADLINE_MARGIN_MS: '-1' }, /SQS_DEADLINE_MARGIN_MS must be a whole number/],
        [
          { SQS_DEADLINE_MARGIN_MS: '300000' },
          /SQS_DEADLINE_MARGIN_MS must be between 0 and 299000/,
        ],
      ];
      for (const [env, message] of attempts) {
        let caught: unknown;
        try {
          resolveConfig({ env: { ...aws, ...env } });
        } catch (error) {
          caught = error;
        }
        expect(isAppError(caught, 'CONFIG_INVALID'), JSON.stringify(env)).toBe(true);
        expect((caught as Error).message).toMatch(message);
      }
    });
  });
});
