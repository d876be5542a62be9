/**
 * The AWS Lambda entry for bulk-change messages from SQS, with partial batch responses.
 *
 * The original Lambda accepted exactly one record and silently dropped every other message of
 * a larger batch. Here Powertools' `BatchProcessor` runs every record and the handler returns
 * only the ids of the records that failed in `batchItemFailures`; the event source mapping must
 * enable `ReportBatchItemFailures` so that SQS deletes the others and redelivers only those.
 *
 * Per record (see `adapters/queue/sqs/sqs-delivery.ts`): a malformed message is logged with its
 * message id and issues and reported as failed (it reaches the dead-letter queue after
 * `maxReceiveCount`); a processor error is logged and reported as failed; neither affects the
 * other records, and the invocation itself never throws because of a record.
 *
 * When every record fails, Powertools by default throws `FullBatchFailureError`, which turns
 * the invocation into an error (logged by Lambda as a function error, retried as a whole).
 * We pass `throwOnFullBatchFailure: false`, so an all-failed batch is answered like any other:
 * every id in `batchItemFailures`, which SQS treats the same way without an invocation error.
 *
 * Time budget. With `remaining = context.getRemainingTimeInMillis()` at the start:
 * `deadline = now + remaining - deadlineMarginMs` (the engine stops taking new work and
 * requeues what remains), and the signal aborts at `now + remaining - abortLeadMs` (in-flight
 * calls give up just before Lambda kills the invocation). The margin is capped at half of the
 * remaining time so that a short function timeout still makes progress.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  createTimeLimitSignal,
  handleSqsDelivery,
  readReceiveCount,
  type SqsLogger,
} from '../adapters/queue/sqs/sqs-delivery.ts';
import type { MessageAttribute } from '../app/messages/bulk-change-message.ts';
import type { BulkChangeQueue, MessageProcessor } from '../app/ports/bulk-change-queue.ts';

/** Options of {@link createSqsHandler}. */
export interface SqsHandlerOptions {
  /** The engine's message processor. */
  process: MessageProcessor;
  /** Where malformed and failed records and a per-batch summary are logged. */
  logger: SqsLogger;
  /**
   * Time kept free at the end of the invocation: the engine requeues what remains when only
   * this much is left (the original stops at 60 s). Capped at half the remaining time.
   * @default 60000
   */
  deadlineMarginMs?: number;
  /**
   * How long before Lambda's own time-out the processing signal aborts. Capped at the margin.
   * @default 5000
   */
  abortLeadMs?: number;
  /** Re-sends messages that arrive before their `NotBefore` time (see `sqs-queue.ts`). */
  queue?: BulkChangeQueue;
  /**
   * Process the records of a batch concurrently (each gets the whole time budget) instead of
   * one after the other.
   * @default true
   */
  processInParallel?: boolean;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** The Lambda handler: SQS event in, partial batch response out. */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Creates the Lambda handler.
 *
 * @example
 * // lambda/handler.ts (composition root)
 * const service = await createService(resolveConfig(process.env));
 * export const handler = createSqsHandler({
 *   process: service.processMessage,
 *   logger: service.logger,
 *   queue: service.queue,
 * });
 */
export function createSqsHandler(options: SqsHandlerOptions): SqsLambdaHandler {
  const { process, logger, queue } = options;
  const now = options.now ?? Date.now;
  const marginOption = options.deadlineMarginMs ?? 60_000;
  const abortLeadOption = options.abortLeadMs ?? 5_000;
  const processInParallel = options.processInParallel ?? true;

  return async (event, context) => {
    const startedAt = now();
    const remaining = Math.max(0, context.getRemainingTimeInMillis());
    const margin = Math.min(marginOption, Math.floor(remaining / 2));
    if (margin < marginOption) {
      logger.warn(
        { remainingMs: remaining, deadlineMarginMs: marginOption, usedMarginMs: margin },
        'Lambda time left is less than twice the deadline margin; using half of it as margin',
      );
    }
    const hardLimit = startedAt + remaining;
    const deadline = hardLimit - margin;
    const limit = createTimeLimitSignal(
      hardLimit - Math.min(abortLeadOption, margin),
      undefined,
      now,
    );

    const recordHandler = async (record: SQSRecord): Promise<void> => {
      await handleSqsDelivery(
        {
          messageId: record.messageId,
          attributes: fromLambdaAttributes(record.messageAttributes),
          body: record.body,
          receiveCount: readReceiveCount(record.attributes?.ApproximateReceiveCount),
        },
        { process, logger, deadline, signal: limit.signal, now, ...(queue ? { queue } : {}) },
      );
    };

    try {
      const response = await processPartialResponse(
        event,
        recordHandler,
        new BatchProcessor(EventType.SQS),
        { context, throwOnFullBatchFailure: false, processInParallel },
      );
      const failures = response.batchItemFailures.map((f) => ({
        itemIdentifier: f.itemIdentifier,
      }));
      logger.info(
        {
          awsRequestId: context.awsRequestId,
          records: event.Records.length,
          failed: failures.length,
          durationMs: now() - startedAt,
        },
        'SQS batch handled',
      );
      return { batchItemFailures: failures };
    } finally {
      limit.dispose();
    }
  };
}

/** Lambda spells message attributes in camelCase; the codec reads the SDK's spelling. */
function fromLambdaAttributes(
  attributes: SQSRecord['messageAttributes'] | undefined,
): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      DataType: value.dataType,
      ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
    };
  }
  return out;
}
