import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FauxqsTestServer,
  startFauxqsTestServer,
} from '../adapters/queue/sqs/fauxqs-test-server.ts';
import { createSqsQueue } from '../adapters/queue/sqs/sqs-queue.ts';
import {
  captureLogger,
  invokeLikeEventSourceMapping,
  lambdaContext,
  recordingProcessor,
  toSqsEvent,
} from '../adapters/queue/sqs/sqs-test-fixtures.ts';
import { createSqsHandler } from './sqs-handler.ts';

describe('createSqsHandler (Lambda, real SQS events from fauxqs)', () => {
  let sqs: FauxqsTestServer;
  beforeAll(async () => {
    sqs = await startFauxqsTestServer();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  /** Sends raw attributes, the way an upstream portal would (malformed ones included). */
  const sendRaw = async (queueUrl: string, attributes: Record<string, string>) => {
    const out = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'Not used',
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
    return out.MessageId ?? '';
  };

  it('reports exactly the malformed and failed records of a batch of 5, redelivering only those', async () => {
    // Prepare
    const queue = await sqs.createQueue('batch', { VisibilityTimeout: '1' });
    const ok1 = await sendRaw(queue.queueUrl, { BulkChangeId: '11', RetryNumber: '0' });
    const bad1 = await sendRaw(queue.queueUrl, { BulkChangeId: 'abc' });
    const boom = await sendRaw(queue.queueUrl, { BulkChangeId: '13' });
    const bad2 = await sendRaw(queue.queueUrl, { RetryNumber: '1' });
    const ok2 = await sendRaw(queue.queueUrl, { BulkChangeId: '15', M2MDeviceChangeId: '7' });
    const rec = recordingProcessor((m) => {
      if (m.bulkChangeId === 13) throw new Error('carrier exploded');
    });
    const { logger, lines } = captureLogger();
    const handler = createSqsHandler({ process: rec.process, logger });

    // Act
    const first = await invokeLikeEventSourceMapping({
      client: sqs.client,
      queue,
      receive: sqs.receive,
      handler,
    });
    const redelivered: Message[] = [];
    const until = Date.now() + 5_000;
    while (redelivered.length < 3 && Date.now() < until) {
      // Held for 30 s so that the check below sees only messages that were never redelivered.
      const batch = await sqs.receive(queue.queueUrl, {
        waitSeconds: 1,
        visibilityTimeoutSeconds: 30,
      });
      redelivered.push(...batch);
    }
    const more = await sqs.receive(queue.queueUrl, { waitSeconds: 1 });

    // Assess
    expect(first?.received).toHaveLength(5);
    expect(first?.response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [bad1, boom, bad2].sort(),
    );
    const processed = rec.calls.map((c) => [c.context.messageId, c.message.bulkChangeId]);
    expect(processed.sort()).toEqual(
      [
        [ok1, 11],
        [boom, 13],
        [ok2, 15],
      ].sort(),
    );
    expect(rec.calls.find((c) => c.message.bulkChangeId === 15)?.message.m2mDeviceChangeId).toBe(7);
    expect(
      redelivered.map((m) => m.MessageId).sort(),
      'only the failed ones come back after the visibility timeout',
    ).toEqual([bad1, boom, bad2].sort());
    expect(more).toEqual([]);
    for (const m of redelivered) expect(m.Attributes?.ApproximateReceiveCount).toBe('2');
    const malformedLogs = lines.filter((l) => String(l.msg).startsWith('malformed'));
    expect(malformedLogs.map((l) => l.messageId).sort()).toEqual([bad1, bad2].sort());
    expect(malformedLogs.find((l) => l.messageId === bad1)?.issues).toEqual([
      { field: 'BulkChangeId', message: 'BulkChangeId must be a whole number (got "abc")' },
    ]);
    expect(lines.some((l) => l.messageId === boom && l.level === 50)).toBe(true);
  });

  it('gives the processor the message id, receive count and a deadline inside the Lambda time', async () => {
    // Prepare
    const queue = await sqs.createQueue('ctx');
    const id = await sendRaw(queue.queueUrl, { BulkChangeId: '42' });
    const rec = recordingProcessor();
    const handler = createSqsHandler({ process: rec.process, logger: captureLogger().logger });
    const event = toSqsEvent(await sqs.receive(queue.queueUrl, { waitSeconds: 2 }), queue.queueArn);

    // Act
    const before = Date.now();
    const response = await handler(event, lambdaContext(300_000));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const call = rec.calls[0];
    expect(call?.message).toEqual({ bulkChangeId: 42, retryNumber: 0 });
    expect(call?.context.messageId).toBe(id);
    expect(call?.context.receiveCount).toBe(1);
    expect(call?.context.signal.aborted).toBe(false);
    expect(call?.context.deadline).toBeGreaterThanOrEqual(before + 240_000 - 50);
    expect(call?.context.deadline).toBeLessThanOrEqual(Date.now() + 240_000);
  });

  it('aborts the signal shortly before the Lambda time runs out', async () => {
    // Prepare
    const queue = await sqs.createQueue('abort');
    await sendRaw(queue.queueUrl, { BulkChangeId: '42' });
    let abortedAt = 0;
    const rec = recordingProcessor(
      (_m, ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            abortedAt = Date.now();
            resolve();
          });
        }),
    );
    const handler = createSqsHandler({
      process: rec.process,
      logger: captureLogger().logger,
      deadlineMarginMs: 400,
      abortLeadMs: 100,
    });
    const event = toSqsEvent(await sqs.receive(queue.queueUrl, { waitSeconds: 2 }), queue.queueArn);

    // Act
    const start = Date.now();
    await handler(event, lambdaContext(1_000));

    // Assess
    expect(rec.calls[0]?.context.deadline).toBeLessThanOrEqual(start + 600);
    expect(abortedAt - start).toBeGreaterThanOrEqual(850);
    expect(abortedAt - start).toBeLessThan(1_000);
  });

  it('answers a batch where every record fails with every id, without throwing', async () => {
    // Prepare
    const queue = await sqs.createQueue('allfail');
    const ids = [
      await sendRaw(queue.queueUrl, { BulkChangeId: '1' }),
      await sendRaw(queue.queueUrl, { BulkChangeId: 'x' }),
      await sendRaw(queue.queueUrl, { BulkChangeId: '3' }),
    ];
    const rec = recordingProcessor(() => {
      throw new Error('database down');
    });
    const handler = createSqsHandler({ process: rec.process, logger: captureLogger().logger });
    const event = toSqsEvent(await sqs.receive(queue.queueUrl, { waitSeconds: 2 }), queue.queueArn);

    // Act
    const response = await handler(event, lambdaContext(60_000));

    // Assess
    expect(event.Records).toHaveLength(3);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(ids.sort());
    expect(rec.calls).toHaveLength(2);
  });

  it('dead-letters a failing and a malformed message after maxReceiveCount, never losing them', async () => {
    // Prepare
    const queue = await sqs.createQueueWithDlq('dlq', {
      maxReceiveCount: 2,
      visibilityTimeoutSeconds: 1,
    });
    const failing = await sendRaw(queue.queueUrl, { BulkChangeId: '42', RetryNumber: '3' });
    const malformed = await sendRaw(queue.queueUrl, { BulkChangeId: '-1' });
    const rec = recordingProcessor(() => {
      throw new Error('always fails');
    });
    const handler = createSqsHandler({ process: rec.process, logger: captureLogger().logger });

    // Act: poll like the event source mapping until the main queue stays empty
    const invocations: string[][] = [];
    for (let i = 0; i < 6; i += 1) {
      const step = await invokeLikeEventSourceMapping({
        client: sqs.client,
        queue,
        receive: sqs.receive,
        handler,
        waitSeconds: 2,
      });
      if (step === undefined) break;
      invocations.push(step.received.map((m) => m.MessageId ?? ''));
    }
    const dead = await sqs.receive(queue.dlq.queueUrl, { waitSeconds: 1 });

    // Assess
    expect(invocations.flat().filter((id) => id === failing)).toHaveLength(2);
    expect(invocations.flat().filter((id) => id === malformed)).toHaveLength(2);
    expect(rec.calls.map((c) => c.context.receiveCount)).toEqual([1, 2]);
    expect(dead.map((m) => m.MessageId).sort()).toEqual([failing, malformed].sort());
    const deadFailing = dead.find((m) => m.MessageId === failing);
    expect(deadFailing?.MessageAttributes?.BulkChangeId?.StringValue).toBe('42');
    expect(deadFailing?.MessageAttributes?.RetryNumber?.StringValue).toBe('3');
    expect(await sqs.counts(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('re-sends a message that arrives before its NotBefore time and processes it only then', async () => {
    // Prepare: SQS delays capped at 1 s so that a 2.5 s delay needs NotBefore
    const queue = await sqs.createQueue('notbefore');
    const sender = createSqsQueue({
      client: sqs.client,
      queueUrl: queue.queueUrl,
      maxDelaySeconds: 1,
    });
    const rec = recordingProcessor();
    const handler = createSqsHandler({
      process: rec.process,
      logger: captureLogger().logger,
      queue: sender,
    });

    // Act
    const sentAt = Date.now();
    await sender.send({ bulkChangeId: 77, retryNumber: 2 }, { delaySeconds: 2.5 });
    let deliveries = 0;
    while (rec.calls.length === 0 && Date.now() - sentAt < 8_000) {
      const step = await invokeLikeEventSourceMapping({
        client: sqs.client,
        queue,
        receive: sqs.receive,
        handler,
        waitSeconds: 2,
      });
      if (step !== undefined) {
        deliveries += step.received.length;
        expect(step.response.batchItemFailures).toEqual([]);
      }
    }

    // Assess
    expect(deliveries).toBeGreaterThanOrEqual(2);
    expect(rec.calls).toHaveLength(1);
    expect(rec.calls[0]?.message).toEqual({ bulkChangeId: 77, retryNumber: 2 });
    expect((rec.calls[0]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(2_500 - 1_000);
    expect(await sqs.counts(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
