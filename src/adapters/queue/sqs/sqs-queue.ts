/**
 * Sends bulk-change messages to Amazon SQS in the original Lambda's wire format: every field
 * is a `String` message attribute (`BulkChangeId = "42"`, …); the body is a short human text
 * that nobody reads ("bulk change 42"), as in the original.
 *
 * Delays. SQS holds a message back for at most 900 s (`DelaySeconds`). A longer delay is sent
 * as the longest delay SQS allows plus a `NotBefore` attribute (epoch milliseconds, data type
 * `Number`). Our receivers (the Lambda handler and the long-poll worker) look at `NotBefore`
 * before handing the message to the engine: a message that arrives early is re-sent with the
 * delay that remains and acknowledged, so the engine sees it no earlier than asked, whatever
 * the delay, and no receive count is spent on waiting (see `sqs-delivery.ts`). Senders written
 * for the original never set `NotBefore`, so their messages are unaffected.
 *
 * Only standard queues are supported: FIFO queues refuse per-message delays and need a
 * message group, which the original's contract does not have.
 */
import {
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  type QueueAttributeName,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { HealthProbe } from '../../../app/health.ts';
import {
  type BulkChangeMessage,
  toMessageAttributes,
} from '../../../app/messages/bulk-change-message.ts';
import type { BulkChangeQueue } from '../../../app/ports/bulk-change-queue.ts';
import { AppError, ErrorCode, ValidationError } from '../../../domain/errors.ts';
import { toSqsError } from './sqs-errors.ts';

/** The longest `DelaySeconds` SQS accepts. */
export const SQS_MAX_DELAY_SECONDS = 900;

/** Attribute carrying the earliest delivery time (epoch ms) of a message delayed beyond SQS's cap. */
export const NOT_BEFORE_ATTRIBUTE = 'NotBefore';

/** Options of {@link createSqsQueue}. */
export interface SqsQueueOptions {
  /** The SQS client (region, credentials and endpoint are configured by the caller). */
  client: SQSClient;
  /** URL of the bulk-change queue (a standard queue). */
  queueUrl: string;
  /**
   * Longest `DelaySeconds` used on a send; longer delays carry `NotBefore`. Between 1 and 900.
   * @default 900
   */
  maxDelaySeconds?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** The SQS implementation of {@link BulkChangeQueue}, with its health probe. */
export interface SqsQueue extends BulkChangeQueue {
  /** The queue messages are sent to. */
  readonly queueUrl: string;
  /** Reports the queue's depth (`GET /health`); rejects when SQS cannot be asked. */
  readonly probe: HealthProbe;
}

/**
 * Creates the SQS sender.
 *
 * @example
 * const queue = createSqsQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrl });
 * await queue.send({ bulkChangeId: 42, retryNumber: 0 }, { delaySeconds: 5 });
 */
export function createSqsQueue(options: SqsQueueOptions): SqsQueue {
  const { client, queueUrl } = options;
  const now = options.now ?? Date.now;
  const maxDelay = options.maxDelaySeconds ?? SQS_MAX_DELAY_SECONDS;
  if (!Number.isInteger(maxDelay) || maxDelay < 1 || maxDelay > SQS_MAX_DELAY_SECONDS) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `maxDelaySeconds must be a whole number from 1 to ${SQS_MAX_DELAY_SECONDS} (got ${maxDelay})`,
      { context: { maxDelaySeconds: maxDelay } },
    );
  }
  if (queueUrl.endsWith('.fifo')) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `the bulk-change queue must be a standard SQS queue, not a FIFO queue (${queueUrl})`,
      { context: { queueUrl } },
    );
  }

  return {
    queueUrl,
    async send(message, sendOptions) {
      const delay = sendOptions?.delaySeconds ?? 0;
      if (!Number.isFinite(delay) || delay < 0) {
        throw new ValidationError(`delaySeconds must be a number >= 0 (got ${delay})`, [
          { field: 'delaySeconds', message: 'must be a number >= 0' },
        ]);
      }
      const attributes: Record<string, MessageAttributeValue> = toMessageAttributes(message);
      let delaySeconds = Math.ceil(delay);
      if (delay > maxDelay) {
        attributes[NOT_BEFORE_ATTRIBUTE] = {
          DataType: 'Number',
          StringValue: String(Math.ceil(now() + delay * 1000)),
        };
        delaySeconds = maxDelay;
      }
      try {
        await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: describe(message),
            MessageAttributes: attributes,
            DelaySeconds: delaySeconds,
          }),
        );
      } catch (error) {
        throw toSqsError(error, 'SendMessage', queueUrl);
      }
    },
    probe: {
      name: 'queue',
      async check(signal) {
        try {
          const out = await client.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
            { abortSignal: signal },
          );
          const count = (name: QueueAttributeName) => Number(out.Attributes?.[name] ?? 0);
          return {
            kind: 'sqs',
            queueUrl,
            queued: count('ApproximateNumberOfMessages'),
            inFlight: count('ApproximateNumberOfMessagesNotVisible'),
            delayed: count('ApproximateNumberOfMessagesDelayed'),
          };
        } catch (error) {
          throw toSqsError(error, 'GetQueueAttributes', queueUrl);
        }
      },
    },
  };
}

/** The human-readable body; the original ignores bodies, so does our receiver. */
function describe(message: BulkChangeMessage): string {
  const retry = message.retryNumber > 0 ? ` (retry ${message.retryNumber})` : '';
  return `bulk change ${message.bulkChangeId}${retry}`;
}
