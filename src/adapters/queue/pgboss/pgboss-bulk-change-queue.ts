/**
 * The queue port over pg-boss: sending bulk-change messages and working them.
 *
 * A job's data is the message's attribute map in the original SQS wire format
 * (`{ attributes: { BulkChangeId: { DataType: 'String', StringValue: '42' }, … } }`), so
 * both queue adapters share one codec. A job that throws is retried by pg-boss (the queue's
 * retry limit and backoff) and then moved to the dead-letter queue; a malformed job is logged
 * with its id and fails the same way — never acknowledged silently.
 */
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import {
  type MessageAttribute,
  parseBulkChangeMessage,
  toMessageAttributes,
} from '../../../app/messages/bulk-change-message.ts';
import type { BulkChangeQueue, MessageProcessor } from '../../../app/ports/bulk-change-queue.ts';
import { BULK_CHANGE_QUEUE } from './pgboss-queue.ts';

/** Data of a bulk-change job. */
interface BulkChangeJobData {
  attributes?: Record<string, MessageAttribute>;
}

/**
 * Creates the sending side.
 *
 * @example
 * const queue = createPgBossBulkChangeQueue(boss);
 * await queue.send({ bulkChangeId: 42, retryNumber: 0 }, { delaySeconds: 5 });
 */
export function createPgBossBulkChangeQueue(boss: PgBoss): BulkChangeQueue {
  return {
    async send(message, options = {}) {
      const data: BulkChangeJobData = { attributes: toMessageAttributes(message) };
      const delay = Math.max(0, Math.ceil(options.delaySeconds ?? 0));
      await boss.send(BULK_CHANGE_QUEUE, data, delay > 0 ? { startAfter: delay } : {});
    },
  };
}

/** Options of {@link startPgBossWorker}. */
export interface PgBossWorkerOptions {
  process: MessageProcessor;
  logger: Logger;
  /** Jobs worked at once by this process. @default 2 */
  concurrency?: number;
  /** Time budget of one job (kept below the queue's expiry). @default 240000 */
  budgetMs?: number;
  /** Idle poll interval. @default 1 */
  pollingIntervalSeconds?: number;
}

/**
 * Works bulk-change jobs until `stop()`.
 *
 * @example
 * const worker = await startPgBossWorker(boss, { process: processMessage, logger });
 * await worker.stop();
 */
export async function startPgBossWorker(
  boss: PgBoss,
  options: PgBossWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const budgetMs = options.budgetMs ?? 240_000;
  const id = await boss.work<BulkChangeJobData>(
    BULK_CHANGE_QUEUE,
    {
      batchSize: 1,
      localConcurrency: options.concurrency ?? 2,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
    },
    async ([job]) => {
      if (job === undefined) return;
      let message: ReturnType<typeof parseBulkChangeMessage>;
      try {
        message = parseBulkChangeMessage(job.data?.attributes ?? {});
      } catch (error) {
        options.logger.error({ err: error, messageId: job.id }, 'malformed bulk-change message');
        throw error;
      }
      await options.process(message, {
        messageId: job.id,
        deadline: Date.now() + budgetMs,
        signal: job.signal,
        receiveCount: job.retryCount + 1,
      });
    },
  );
  return {
    async stop() {
      await boss.offWork(BULK_CHANGE_QUEUE, { id, wait: true });
    },
  };
}
