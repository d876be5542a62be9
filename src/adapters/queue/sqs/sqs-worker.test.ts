import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FauxqsTestServer, startFauxqsTestServer } from './fauxqs-test-server.ts';
import { createSqsQueue } from './sqs-queue.ts';
import { captureLogger, recordingProcessor, waitFor } from './sqs-test-fixtures.ts';
import { createSqsWorker, type SqsWorker } from './sqs-worker.ts';

describe('createSqsWorker (sqs-consumer long poll against fauxqs)', () => {
  let sqs: FauxqsTestServer;
  const workers: SqsWorker[] = [];
  beforeAll(async () => {
    sqs = await startFauxqsTestServer();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await sqs.stop();
  });

  const startWorker = (
    options: Omit<Parameters<typeof createSqsWorker>[0], 'client'> & { client?: SQSClient },
  ) => {
    const worker = createSqsWorker({
      client: sqs.client,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 1,
      deadlineMarginMs: 300,
      ...options,
    });
    workers.push(worker);
    worker.start();
    return worker;
  };

  it('processes messages end to end and deletes them', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('e2e');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });
    const rec = recordingProcessor();
    startWorker({ queueUrl, process: rec.process, logger: captureLogger().logger });

    // Act
    await queue.send({ bulkChangeId: 1, retryNumber: 0 });
    await queue.send({ bulkChangeId: 2, retryNumber: 0, requestId: 'ts-1' });
    await queue.send({ bulkChangeId: 3, retryNumber: 1 });
    await waitFor(() => rec.calls.length >= 3, 10_000, 'three messages');
    await waitFor(async () => (await sqs.counts(queueUrl)).inFlight === 0, 5_000, 'deletes');

    // Assess
    expect(rec.calls.map((c) => c.message).sort((a, b) => a.bulkChangeId - b.bulkChangeId)).toEqual(
      [
        { bulkChangeId: 1, retryNumber: 0 },
        { bulkChangeId: 2, retryNumber: 0, requestId: 'ts-1' },
        { bulkChangeId: 3, retryNumber: 1 },
      ],
    );
    for (const call of rec.calls) {
      expect(call.context.receiveCount).toBe(1);
      expect(call.context.messageId).toMatch(/\S/);
      expect(call.context.deadline).toBeGreaterThan(call.at);
      expect(call.context.deadline).toBeLessThanOrEqual(call.at + 1_000 - 300);
    }
    expect(await sqs.counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(rec.calls).toHaveLength(3);
  });

  it('leaves a failed message for redelivery after the visibility timeout', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('redeliver');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });
    const rec = recordingProcessor((_m, ctx) => {
      if (ctx.receiveCount === 1) throw new Error('transient failure');
    });
    const { logger, lines } = captureLogger();
    startWorker({ queueUrl, process: rec.process, logger });

    // Act
    await queue.send({ bulkChangeId: 13, retryNumber: 0 });
    await waitFor(() => rec.calls.length >= 2, 10_000, 'the redelivery');
    await waitFor(async () => (await sqs.counts(queueUrl)).inFlight === 0, 5_000, 'the delete');

    // Assess
    expect(rec.calls.map((c) => c.context.receiveCount)).toEqual([1, 2]);
    expect(rec.calls[0]?.context.messageId).toBe(rec.calls[1]?.context.messageId);
    expect((rec.calls[1]?.at ?? 0) - (rec.calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(lines.some((l) => String(l.msg).includes('will be delivered again'))).toBe(true);
    expect(await sqs.counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('logs a malformed message with its id and leaves it to reach the DLQ', async () => {
    // Prepare
    const queue = await sqs.createQueueWithDlq('wdlq', {
      maxReceiveCount: 2,
      visibilityTimeoutSeconds: 1,
    });
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: 'x'.repeat(5_000),
        MessageAttributes: { BulkChangeId: { DataType: 'String', StringValue: 'forty-two' } },
      }),
    );
    const rec = recordingProcessor();
    const { logger, lines } = captureLogger();
    startWorker({ queueUrl: queue.queueUrl, process: rec.process, logger });

    // Act
    await waitFor(
      async () => (await sqs.counts(queue.dlq.queueUrl)).visible === 1,
      10_000,
      'the dead letter',
    );
    const [dead] = await sqs.receive(queue.dlq.queueUrl);

    // Assess
    expect(rec.calls).toEqual([]);
    expect(dead?.MessageId).toBe(sent.MessageId);
    expect(dead?.MessageAttributes?.BulkChangeId?.StringValue).toBe('forty-two');
    const logged = lines.filter((l) => String(l.msg).startsWith('malformed'));
    expect(logged.map((l) => l.messageId)).toEqual([sent.MessageId, sent.MessageId]);
    expect(logged[0]?.receiveCount).toBe(1);
    expect(logged[0]?.bodyLength).toBe(5_000);
    expect(String(logged[0]?.bodyPreview).length).toBeLessThanOrEqual(200);
  });

  it('stop() aborts the signal and waits for the message in flight, then polls no more', async () => {
    // Prepare
    const { queueUrl } = await sqs.createQueue('stop');
    const queue = createSqsQueue({ client: sqs.client, queueUrl });
    let finishedAt = 0;
    let abortedDuringWork = false;
    const rec = recordingProcessor(async (_m, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Work that ignores the signal for a while, as a carrier call in flight would.
      await new Promise((resolve) => setTimeout(resolve, 400));
      abortedDuringWork = ctx.signal.aborted;
      finishedAt = Date.now();
    });
    const worker = startWorker({
      queueUrl,
      process: rec.process,
      logger: captureLogger().logger,
      visibilityTimeoutSeconds: 5,
      deadlineMarginMs: 1_000,
    });
    await queue.send({ bulkChangeId: 8, retryNumber: 0 });
    await waitFor(() => rec.calls.length === 1, 10_000, 'the first message');

    // Act
    await worker.stop();
    const stoppedAt = Date.now();
    await queue.send({ bulkChangeId: 9, retryNumber: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Assess
    expect(finishedAt).toBeGreaterThan(0);
    expect(finishedAt).toBeLessThanOrEqual(stoppedAt);
    expect(abortedDuringWork).toBe(true);
    expect(worker.running).toBe(false);
    expect(worker.inFlight).toBe(0);
    expect(rec.calls.map((c) => c.message.bulkChangeId)).toEqual([8]);
    expect(await sqs.counts(queueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });

  it('backs off instead of polling in a loop when SQS cannot be reached', async () => {
    // Prepare: nothing listens on port 9, and the SDK does not retry on its own
    const client = sqs.createClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const queueUrl = 'http://127.0.0.1:9/000000000000/bulk';
    const { logger, lines } = captureLogger();

    // Act
    const worker = startWorker({ client, queueUrl, process: recordingProcessor().process, logger });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await worker.stop();
    client.destroy();

    // Assess: a loop without back-off logs an error every few milliseconds
    const errors = lines.filter((l) => String(l.msg).startsWith('SQS worker error'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(3);
    expect(String(errors[0]?.msg)).toContain('ECONNREFUSED');
  });
});
