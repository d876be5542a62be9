import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../adapters/queue/sqs/sqs-test-fixtures.ts';
import { isAppError } from '../domain/errors.ts';
import { createLambdaHandler, resolveLambdaConfig } from './create-lambda-handler.ts';

const env = {
  DATABASE_URL: 'postgres://app@db.example:5432/bulk',
  SQS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bulk-change',
};

describe('resolveLambdaConfig', () => {
  it('runs in aws mode when MODE is unset or aws', () => {
    expect(resolveLambdaConfig(env).mode).toBe('aws');
    expect(resolveLambdaConfig({ ...env, MODE: 'aws' }).sqs?.queueUrl).toBe(env.SQS_QUEUE_URL);
  });

  it('refuses another MODE rather than ignoring it', () => {
    expect(() => resolveLambdaConfig({ ...env, MODE: 'server' })).toThrow(
      'the Lambda function runs in aws mode; MODE is "server" (leave it unset or set it to aws)',
    );
  });
});

describe('createLambdaHandler', () => {
  it('opens nothing before the first invocation and fails an invocation whose cold start fails', async () => {
    // Prepare: creating the handler must not touch the (absent) configuration.
    const handler = createLambdaHandler({ env: { MODE: 'aws' } });

    // Act
    const error = await handler({ Records: [] }, lambdaContext(10_000)).catch((e: unknown) => e);
    const again = await handler({ Records: [] }, lambdaContext(10_000)).catch((e: unknown) => e);

    // Assess: each invocation tries to build again, and says what is missing.
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/DATABASE_URL is required in aws mode/);
    expect(again).not.toBe(error);
    expect(isAppError(again, 'CONFIG_INVALID')).toBe(true);
    await handler.close();
  });
});
