import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../domain/errors.ts';
import { type FauxqsTestServer, startFauxqsTestServer } from './fauxqs-test-server.ts';
import { createSqsQueue, NOT_BEFORE_ATTRIBUTE } from './sqs-queue.ts';

describe('createSqsQueue (real AWS SDK against fauxqs)', () => {
  let sqs: FauxqsTestServer;
  beforeAll(async () => {
    sqs = await startFauxqsTestServer();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  it('sends the message as the original String attributes, delivered only after the delay', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('send');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });

    // Act
    const sentAt = Date.now();
    await queue.send(
      {
        bulkChangeId: 42,
        retryNumber: 1,
        m2mDeviceChangeId: 7,
        requestId: 'req-9',
        isRetryUpdateIdentifier: true,
      },
      { delaySeconds: 1 },
    );
    const tooEarly = await sqs.receive(queueUrl);
    const [received, ...others] = await sqs.receive(queueUrl, { waitSeconds: 5 });
    const receivedAt = Date.now();

    // Assess
    expect(tooEarly).toEqual([]);
    expect(others).toEqual([]);
    expect(receivedAt - sentAt).toBeGreaterThanOrEqual(950);
    expect(received?.Body).toBe('bulk change 42 (retry 1)');
    expect(received?.MessageAttributes?.BulkChangeId?.StringValue).toBe('42');
    expect(received?.MessageAttributes).toEqual({
      BulkChangeId: { DataType: 'String', StringValue: '42' },
      RetryNumber: { DataType: 'String', StringValue: '1' },
      M2MDeviceChangeId: { DataType: 'String', StringValue: '7' },
      RequestId: { DataType: 'String', StringValue: 'req-9' },
      IsRetryUpdateIdentifier: { DataType: 'String', StringValue: 'true' },
    });
  });

  it('caps DelaySeconds at 900 and carries the real time in NotBefore', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('cap');
    const client = sqs.createClient();
    const sent: SendMessageCommandInput[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(args.input as SendMessageCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'recordInput' },
    );
    const queue = createSqsQueue({ client, queueUrl, now: () => 1_000_000 });

    // Act
    await queue.send({ bulkChangeId: 5, retryNumber: 0 }, { delaySeconds: 3600 });
    await queue.send({ bulkChangeId: 6, retryNumber: 0 }, { delaySeconds: 900 });
    const counts = await sqs.counts(queueUrl);
    client.destroy();

    // Assess
    expect(sent[0]?.DelaySeconds).toBe(900);
    expect(sent[0]?.MessageAttributes?.[NOT_BEFORE_ATTRIBUTE]).toEqual({
      DataType: 'Number',
      StringValue: String(1_000_000 + 3_600_000),
    });
    expect(sent[1]?.DelaySeconds).toBe(900);
    expect(sent[1]?.MessageAttributes?.[NOT_BEFORE_ATTRIBUTE]).toBeUndefined();
    expect(counts).toEqual({ visible: 0, inFlight: 0, delayed: 2 });
  });

  it('rounds a fractional delay up and refuses a negative one', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('round');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });

    // Act
    await queue.send({ bulkChangeId: 1, retryNumber: 0 }, { delaySeconds: 0.2 });
    const immediately = await sqs.receive(queueUrl);
    const rejected = await queue
      .send({ bulkChangeId: 1, retryNumber: 0 }, { delaySeconds: -1 })
      .catch((e: unknown) => e);

    // Assess
    expect(immediately).toEqual([]);
    expect(isAppError(rejected, 'VALIDATION_FAILED')).toBe(true);
  });

  it('turns an SDK error into an AppError that names the queue URL', async () => {
    // Prepare
    const queueUrl = `${sqs.endpoint}/000000000000/no-such-queue`;
    const queue = createSqsQueue({ client: sqs.client, queueUrl });

    // Act
    const error = await queue.send({ bulkChangeId: 1, retryNumber: 0 }).catch((e: unknown) => e);

    // Assess
    expect(isAppError(error, 'INTEGRATION_REJECTED')).toBe(true);
    expect((error as Error).message).toContain(`SQS SendMessage on ${queueUrl} failed`);
    expect((error as Error).message).toContain('QueueDoesNotExist');
    expect((error as Error).message).not.toContain('test-secret-key');
  });

  it('reports an unreachable endpoint as a network error', async () => {
    // Prepare: a port nothing listens on
    const client = sqs.createClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const queueUrl = 'http://127.0.0.1:9/000000000000/bulk';
    const queue = createSqsQueue({ client, queueUrl });

    // Act
    const error = await queue.send({ bulkChangeId: 1, retryNumber: 0 }).catch((e: unknown) => e);
    client.destroy();

    // Assess
    expect(isAppError(error, 'INTEGRATION_NETWORK')).toBe(true);
    expect((error as Error).message).toContain(queueUrl);
  });

  it('reports the queue depth to the health check', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('probe');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });
    await queue.send({ bulkChangeId: 1, retryNumber: 0 });
    await queue.send({ bulkChangeId: 2, retryNumber: 0 }, { delaySeconds: 60 });

    // Act
    const details = await queue.probe.check(AbortSignal.timeout(3000));

    // Assess
    expect(details).toEqual({ kind: 'sqs', queueUrl, queued: 1, inFlight: 0, delayed: 1 });
  });

  it('refuses a FIFO queue and an out-of-range maxDelaySeconds', () => {
    expect(() =>
      createSqsQueue({ client: sqs.client, queueUrl: 'http://127.0.0.1/0/bulk.fifo' }),
    ).toThrow(/standard SQS queue/);
    expect(() =>
      createSqsQueue({
        client: sqs.client,
        queueUrl: 'http://127.0.0.1/0/q',
        maxDelaySeconds: 901,
      }),
    ).toThrow(/maxDelaySeconds/);
  });
});
