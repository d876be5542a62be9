/**
 * Test helpers for the SQS adapter and the Lambda handler: Lambda events built from real
 * `ReceiveMessage` output, a Lambda context, an event-source-mapping step (what AWS does
 * around the handler), a recording processor, a log capture and a `waitFor`.
 */
import { DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { pino } from 'pino';
import type { BulkChangeMessage } from '../../../app/messages/bulk-change-message.ts';
import type { MessageProcessor, ProcessingContext } from '../../../app/ports/bulk-change-queue.ts';
import { TEST_REGION } from './fauxqs-test-server.ts';

/**
 * Turns `ReceiveMessage` output into the event Lambda's SQS poller would deliver.
 *
 * @example
 * const event = toSqsEvent(await sqs.receive(queueUrl), queueArn);
 */
export function toSqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '',
          SentTimestamp: m.Attributes?.SentTimestamp ?? '',
          SenderId: m.Attributes?.SenderId ?? '',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '',
        },
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [
            name,
            {
              dataType: v.DataType ?? 'String',
              ...(v.StringValue === undefined ? {} : { stringValue: v.StringValue }),
            },
          ]),
        ),
        md5OfBody: m.MD5OfBody ?? '',
        ...(m.MD5OfMessageAttributes === undefined
          ? {}
          : { md5OfMessageAttributes: m.MD5OfMessageAttributes }),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: TEST_REGION,
      }),
    ),
  };
}

/**
 * A Lambda context whose time runs out `remainingMs` after its creation.
 *
 * @example
 * const context = lambdaContext(120_000);
 */
export function lambdaContext(remainingMs: number): Context {
  const endsAt = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'device-bulk-change',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:device-bulk-change',
    memoryLimitInMB: '512',
    awsRequestId: `req-${endsAt}`,
    logGroupName: '/aws/lambda/device-bulk-change',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One call of a {@link recordingProcessor}. */
export interface RecordedCall {
  message: BulkChangeMessage;
  context: ProcessingContext;
  at: number;
}

/**
 * A processor that records every call, then runs `behaviour` (throw to fail the message).
 *
 * @example
 * const rec = recordingProcessor((m) => { if (m.bulkChangeId === 13) throw new Error('boom'); });
 */
export function recordingProcessor(
  behaviour?: (message: BulkChangeMessage, context: ProcessingContext) => unknown,
): { process: MessageProcessor; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    async process(message, context) {
      calls.push({ message, context, at: Date.now() });
      await behaviour?.(message, context);
    },
  };
}

/**
 * A pino logger that keeps its JSON lines in memory.
 *
 * @example
 * const { logger, lines } = captureLogger();
 */
export function captureLogger(): {
  logger: pino.Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/**
 * Polls `predicate` until it holds; rejects after `timeoutMs`.
 *
 * @example
 * await waitFor(() => rec.calls.length === 2);
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const endsAt = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > endsAt) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * One step of Lambda's SQS event source mapping with `ReportBatchItemFailures`: receive a
 * batch, invoke the handler, delete the messages it did not report as failed. Returns
 * `undefined` when nothing was received within `waitSeconds`.
 *
 * @example
 * const step = await invokeLikeEventSourceMapping({ client, queue, handler });
 */
export async function invokeLikeEventSourceMapping(options: {
  client: SQSClient;
  queue: { queueUrl: string; queueArn: string };
  receive: (queueUrl: string, o: { max: number; waitSeconds: number }) => Promise<Message[]>;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  batchSize?: number;
  waitSeconds?: number;
  remainingMs?: number;
}): Promise<{ received: Message[]; response: SQSBatchResponse } | undefined> {
  const { client, queue } = options;
  const received = await options.receive(queue.queueUrl, {
    max: options.batchSize ?? 10,
    waitSeconds: options.waitSeconds ?? 5,
  });
  if (received.length === 0) return undefined;
  const response = await options.handler(
    toSqsEvent(received, queue.queueArn),
    lambdaContext(options.remainingMs ?? 120_000),
  );
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = received.filter((m) => !failed.has(m.MessageId ?? ''));
  if (done.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return { received, response };
}
