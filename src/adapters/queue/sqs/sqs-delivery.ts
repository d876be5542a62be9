/**
 * What the Lambda handler and the long-poll worker do with one received SQS message; the two
 * differ only in how a message arrives and how it is acknowledged.
 *
 * 1. Parse the original's message attributes. A malformed message is logged (message id,
 *    receive count, every validation issue, attribute names, body length and a short preview,
 *    never a whole large body) and **fails**: it is not acknowledged, so SQS delivers it again
 *    and moves it to the dead-letter queue after `maxReceiveCount`. It is never dropped.
 * 2. `NotBefore` (a delay longer than SQS's 900 s cap, see `sqs-queue.ts`): a message that
 *    arrives more than {@link NOT_BEFORE_TOLERANCE_MS} early is re-sent with the delay that
 *    remains and then acknowledged, without reaching the engine.
 * 3. Otherwise hand it to the engine's {@link MessageProcessor}. Resolving acknowledges; a
 *    throw is logged and fails the message (delivered again after its visibility timeout).
 */
import type { Logger } from 'pino';
import {
  type BulkChangeMessage,
  type MessageAttribute,
  parseBulkChangeMessage,
} from '../../../app/messages/bulk-change-message.ts';
import type { BulkChangeQueue, MessageProcessor } from '../../../app/ports/bulk-change-queue.ts';
import { isAppError, toError, ValidationError } from '../../../domain/errors.ts';
import { NOT_BEFORE_ATTRIBUTE } from './sqs-queue.ts';

/** The logger levels the SQS receivers use. */
export type SqsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A message is handed to the engine when it is at most this early for its `NotBefore`. */
export const NOT_BEFORE_TOLERANCE_MS = 1_000;

/** Longest body excerpt that goes into a log line about a malformed message. */
const BODY_PREVIEW_CHARS = 200;

/** One received message, whichever way it arrived (Lambda record or `ReceiveMessage`). */
export interface SqsDelivery {
  /** Queue-assigned message id. */
  messageId: string;
  /** Message attributes, normalised to the SDK's spelling. */
  attributes: Readonly<Record<string, MessageAttribute>>;
  /** The body (ignored, as by the original; only its length and start are logged). */
  body: string | undefined;
  /** `ApproximateReceiveCount`, when SQS reported it. */
  receiveCount: number | undefined;
}

/** Options of {@link handleSqsDelivery}. */
export interface SqsDeliveryOptions {
  /** The engine's message processor. */
  process: MessageProcessor;
  /** Where malformed and failed messages are logged. */
  logger: SqsLogger;
  /** Epoch ms by which the engine must stop and requeue what remains. */
  deadline: number;
  /** Aborted shortly before the message's hard time limit, or when the host shuts down. */
  signal: AbortSignal;
  /** Where an early `NotBefore` message is re-sent; without it, it is processed early. */
  queue?: BulkChangeQueue;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** What happened to a message that did not fail. */
export type SqsDeliveryOutcome = 'processed' | 'deferred';

/**
 * Parses and processes one message. Resolves when the message may be acknowledged; rejects
 * (after logging why) when it must be left for redelivery.
 *
 * @example
 * await handleSqsDelivery(
 *   { messageId, attributes, body, receiveCount: 1 },
 *   { process, logger, deadline: Date.now() + 60_000, signal },
 * );
 */
export async function handleSqsDelivery(
  delivery: SqsDelivery,
  options: SqsDeliveryOptions,
): Promise<SqsDeliveryOutcome> {
  const { messageId, receiveCount } = delivery;
  const { logger } = options;
  const now = options.now ?? Date.now;

  let message: BulkChangeMessage;
  let notBefore: number | undefined;
  try {
    message = parseBulkChangeMessage(delivery.attributes);
    notBefore = readNotBefore(delivery.attributes);
  } catch (error) {
    logger.error(
      {
        messageId,
        receiveCount,
        issues: error instanceof ValidationError ? error.issues : undefined,
        attributeNames: Object.keys(delivery.attributes),
        bodyLength: delivery.body?.length ?? 0,
        bodyPreview: delivery.body?.slice(0, BODY_PREVIEW_CHARS),
      },
      `malformed bulk-change message ${messageId}: ${toError(error).message}; reported as failed so that it reaches the dead-letter queue`,
    );
    throw error;
  }

  const bulkChangeId = message.bulkChangeId;
  const early = notBefore === undefined ? 0 : notBefore - now();
  if (early > NOT_BEFORE_TOLERANCE_MS) {
    if (options.queue !== undefined) {
      await options.queue.send(message, { delaySeconds: early / 1000 });
      logger.debug(
        { messageId, bulkChangeId, notBefore, remainingMs: early },
        'message arrived before its NotBefore time; re-sent with the remaining delay',
      );
      return 'deferred';
    }
    logger.warn(
      { messageId, bulkChangeId, notBefore, remainingMs: early },
      'message arrived before its NotBefore time and no queue is configured to defer it; processing it now',
    );
  }

  try {
    await options.process(message, {
      messageId,
      deadline: options.deadline,
      signal: options.signal,
      ...(receiveCount === undefined ? {} : { receiveCount }),
    });
  } catch (error) {
    logger.error(
      {
        messageId,
        bulkChangeId,
        receiveCount,
        err: toError(error),
        ...(isAppError(error) ? { code: error.code } : {}),
      },
      `bulk-change message ${messageId} failed; it will be delivered again after its visibility timeout`,
    );
    throw error;
  }
  return 'processed';
}

/** Reads `ApproximateReceiveCount` ("3" → 3); anything else is unknown. */
export function readReceiveCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * An abort signal that fires at `abortAt` (epoch ms) or when `parent` aborts, whichever comes
 * first. Call `dispose()` when the work is over so the timer does not linger.
 *
 * @example
 * const limit = createTimeLimitSignal(Date.now() + 5_000);
 * try { await work(limit.signal); } finally { limit.dispose(); }
 */
export function createTimeLimitSignal(
  abortAt: number,
  parent?: AbortSignal,
  now: () => number = Date.now,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('the processing time limit of this message is reached')),
    Math.max(0, abortAt - now()),
  );
  timer.unref();
  const signal =
    parent === undefined ? controller.signal : AbortSignal.any([controller.signal, parent]);
  return { signal, dispose: () => clearTimeout(timer) };
}

function readNotBefore(attributes: Readonly<Record<string, MessageAttribute>>): number | undefined {
  const raw = attributes[NOT_BEFORE_ATTRIBUTE]?.StringValue;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    const text = `${NOT_BEFORE_ATTRIBUTE} must be epoch milliseconds (got "${raw.slice(0, 40)}")`;
    throw new ValidationError(`malformed bulk-change message: ${text}`, [
      { field: NOT_BEFORE_ATTRIBUTE, message: text },
    ]);
  }
  return Number(raw.trim());
}
