/**
 * Long-poll SQS worker for hosts that are not Lambda (containers, VMs), built on sqs-consumer.
 *
 * Each received message is handled exactly like a Lambda record (see `sqs-delivery.ts`):
 * malformed ones are logged with their message id and left on the queue (they reach the
 * dead-letter queue after `maxReceiveCount`), a processor failure leaves the message for
 * redelivery after its visibility timeout, success deletes it.
 *
 * Time budget. Every receive sets the visibility timeout (`visibilityTimeoutSeconds`), so a
 * message is ours until `receivedAt + visibilityTimeout`. The engine's deadline is that minus
 * `deadlineMarginMs`, and the signal aborts `abortLeadMs` before it, or as soon as `stop()` is
 * called.
 *
 * Stopping. `stop()` stops polling (an open long poll is aborted), aborts the signal of the
 * messages in flight so that the engine wraps up and requeues what remains, waits for them to
 * finish (at most `stopTimeoutMs`) and returns. Deletes are sent by this module, not by
 * sqs-consumer, so aborting the poll never cancels the delete of a finished message. A message
 * that still arrives while stopping is made visible again at once for another worker.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { MessageAttribute } from '../../../app/messages/bulk-change-message.ts';
import type { BulkChangeQueue, MessageProcessor } from '../../../app/ports/bulk-change-queue.ts';
import { AppError, ErrorCode } from '../../../domain/errors.ts';
import {
  createTimeLimitSignal,
  handleSqsDelivery,
  readReceiveCount,
  type SqsLogger,
} from './sqs-delivery.ts';
import { toSqsError } from './sqs-errors.ts';

/** Options of {@link createSqsWorker}. */
export interface SqsWorkerOptions {
  /** The SQS client (region, credentials and endpoint are configured by the caller). */
  client: SQSClient;
  /** URL of the bulk-change queue. */
  queueUrl: string;
  /** The engine's message processor. */
  process: MessageProcessor;
  /** Where processing and polling problems are logged. */
  logger: SqsLogger;
  /** Messages per receive, processed concurrently (1–10). @default 10 */
  batchSize?: number;
  /** Visibility timeout set on every receive, in seconds. @default 300 */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait, in seconds (0–20). @default 20 */
  waitTimeSeconds?: number;
  /**
   * Time kept free before the visibility timeout ends. Must be shorter than it.
   * @default 60000, or a fifth of the visibility timeout when that is less
   */
  deadlineMarginMs?: number;
  /** How long before the visibility timeout ends the signal aborts. @default margin / 2, at most 5000 */
  abortLeadMs?: number;
  /** Longest wait for in-flight messages in `stop()`. @default the visibility timeout */
  stopTimeoutMs?: number;
  /** Re-sends messages that arrive before their `NotBefore` time (see `sqs-queue.ts`). */
  queue?: BulkChangeQueue;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** A running (or stopped) worker. */
export interface SqsWorker {
  /** Starts long polling. Calling it on a running worker does nothing. */
  start(): void;
  /** Stops polling and waits for the messages in flight (graceful). */
  stop(): Promise<void>;
  /** Whether the worker is polling. */
  readonly running: boolean;
  /** Number of messages being processed right now. */
  readonly inFlight: number;
}

/**
 * Creates a long-poll worker on the bulk-change queue.
 *
 * @example
 * const worker = createSqsWorker({ client, queueUrl, process: engine.processMessage, logger });
 * worker.start();
 * process.once('SIGTERM', () => void worker.stop());
 */
export function createSqsWorker(options: SqsWorkerOptions): SqsWorker {
  const { client, queueUrl, process, logger, queue } = options;
  const now = options.now ?? Date.now;
  const visibilitySeconds = options.visibilityTimeoutSeconds ?? 300;
  const visibilityMs = visibilitySeconds * 1000;
  const margin = options.deadlineMarginMs ?? Math.min(60_000, Math.floor(visibilityMs / 5));
  if (!(margin >= 0 && margin < visibilityMs)) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `deadlineMarginMs (${margin}) must be shorter than the visibility timeout (${visibilityMs} ms)`,
      { context: { deadlineMarginMs: margin, visibilityTimeoutSeconds: visibilitySeconds } },
    );
  }
  const abortLead = Math.min(options.abortLeadMs ?? Math.min(5_000, margin / 2), margin);
  const stopTimeoutMs = options.stopTimeoutMs ?? visibilityMs;

  const inFlight = new Set<Promise<unknown>>();
  let shutdown = new AbortController();
  let stopping = false;
  let pollBackoffMs = 0;

  const handleMessage = async (message: Message): Promise<Message | undefined> => {
    const work = handle(message);
    inFlight.add(work);
    try {
      return await work;
    } finally {
      inFlight.delete(work);
    }
  };

  const handle = async (message: Message): Promise<Message | undefined> => {
    const messageId = message.MessageId ?? '(no message id)';
    if (stopping) {
      await release(message, messageId);
      return undefined;
    }
    const hardLimit = now() + visibilityMs;
    const limit = createTimeLimitSignal(hardLimit - abortLead, shutdown.signal, now);
    try {
      await handleSqsDelivery(
        {
          messageId,
          attributes: fromSdkAttributes(message.MessageAttributes),
          body: message.Body,
          receiveCount: readReceiveCount(message.Attributes?.ApproximateReceiveCount),
        },
        {
          process,
          logger,
          deadline: hardLimit - margin,
          signal: limit.signal,
          now,
          ...(queue ? { queue } : {}),
        },
      );
    } catch {
      // Already logged by handleSqsDelivery; not deleting it is what makes SQS redeliver it.
      return undefined;
    } finally {
      limit.dispose();
    }
    try {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    } catch (error) {
      logger.error(
        { messageId, err: toSqsError(error, 'DeleteMessage', queueUrl) },
        'processed message could not be deleted; it will be delivered again',
      );
      return undefined;
    }
    return message;
  };

  /** Makes a message received while stopping visible again at once, for another worker. */
  const release = async (message: Message, messageId: string): Promise<void> => {
    try {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } catch (error) {
      logger.warn(
        { messageId, err: toSqsError(error, 'ChangeMessageVisibility', queueUrl) },
        'could not release a message received while stopping; it returns after its visibility timeout',
      );
    }
  };

  const consumer = Consumer.create({
    sqs: client,
    queueUrl,
    batchSize: options.batchSize ?? 10,
    visibilityTimeout: visibilitySeconds,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    messageAttributeNames: ['All'],
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    // Deletes are ours (see the header); sqs-consumer only polls and dispatches.
    shouldDeleteMessages: false,
    handleMessage,
  });
  consumer.on('error', (error, message) => {
    if (stopping) {
      logger.debug({ err: error }, 'SQS worker: request ended while stopping');
      return;
    }
    if (message === undefined) {
      // A failed receive: back off so that a missing queue or an outage is not polled in a loop.
      pollBackoffMs = Math.min(30_000, Math.max(1_000, pollBackoffMs * 2));
      consumer.updateOption('pollingWaitTimeMs', pollBackoffMs);
    }
    logger.error({ err: error, queueUrl }, `SQS worker error: ${error.message}`);
  });
  consumer.on('processing_error', (error, message) => {
    logger.error({ err: error, messageId: message.MessageId }, 'SQS worker processing error');
  });
  const resetBackoff = () => {
    if (pollBackoffMs === 0) return;
    pollBackoffMs = 0;
    consumer.updateOption('pollingWaitTimeMs', 0);
  };
  consumer.on('empty', resetBackoff);
  consumer.on('response_processed', resetBackoff);

  return {
    start() {
      if (consumer.status.isRunning) return;
      stopping = false;
      shutdown = new AbortController();
      consumer.start();
      logger.info({ queueUrl, visibilityTimeoutSeconds: visibilitySeconds }, 'SQS worker started');
    },
    async stop() {
      if (!consumer.status.isRunning && inFlight.size === 0) return;
      stopping = true;
      shutdown.abort(new Error('the worker is stopping'));
      consumer.stop({ abort: true });
      const pending = [...inFlight];
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        Promise.allSettled(pending).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        logger.warn(
          { inFlight: inFlight.size, stopTimeoutMs },
          'SQS worker stopped before its in-flight messages finished; they will be delivered again',
        );
      }
      logger.info({ queueUrl }, 'SQS worker stopped');
    },
    get running() {
      return consumer.status.isRunning;
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

function fromSdkAttributes(
  attributes: Message['MessageAttributes'] | undefined,
): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      DataType: value.DataType ?? 'String',
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
    };
  }
  return out;
}
