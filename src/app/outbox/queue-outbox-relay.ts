/**
 * The queue outbox relay: sends the bulk-change queue messages the submit, retry and cancel
 * transactions wrote to the outbox, after they committed. A message is marked sent only after
 * the queue accepted it, so a crash between commit and send (or during the send) loses nothing:
 * the row stays due and is sent again (at-least-once; the engine treats duplicates as such).
 * Failed sends back off exponentially through the row's `available_at`; nothing is dropped.
 */
import type { Logger } from 'pino';
import { toError } from '../../domain/errors.ts';
import type { BulkChangeQueue } from '../ports/bulk-change-queue.ts';
import type { QueueOutboxStore } from '../ports/queue-outbox.ts';

/** Options of {@link startQueueOutboxRelay}. */
export interface QueueOutboxRelayOptions {
  /** Pause between polls when idle. @default 1000 */
  intervalMs?: number;
  /** Rows per claim. @default 50 */
  batchSize?: number;
  /** Longest back-off after failed sends. @default 60_000 */
  maxBackoffMs?: number;
}

/** A running relay. */
export interface QueueOutboxRelay {
  /** Polls now instead of waiting for the next interval (after a commit). */
  nudge(): void;
  /** Sends what is due once; resolves with the number of messages sent (tests, shutdown). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the relay loop.
 *
 * @example
 * const relay = startQueueOutboxRelay({ store, queue, logger });
 * submit = createSubmitBulkChange({ store, onCreated: () => relay.nudge() });
 */
export function startQueueOutboxRelay(
  deps: { store: QueueOutboxStore; queue: BulkChangeQueue; logger: Logger },
  options: QueueOutboxRelayOptions = {},
): QueueOutboxRelay {
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 50;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;

  const once = async (): Promise<number> => {
    let sent = 0;
    for (;;) {
      const claimed = await deps.store.claim(batchSize);
      for (const message of claimed) {
        try {
          await deps.queue.send({ bulkChangeId: message.bulkChangeId, retryNumber: 0 });
          await deps.store.markSent(message.id);
          sent += 1;
        } catch (error) {
          const backoff = Math.min(maxBackoffMs, 500 * 2 ** Math.min(message.attempts, 16));
          deps.logger.warn(
            { err: toError(error), bulkChangeId: message.bulkChangeId, attempts: message.attempts },
            'queue message not sent; will retry',
          );
          await deps.store.markFailed(
            message.id,
            toError(error).message,
            new Date(Date.now() + backoff),
          );
        }
      }
      if (claimed.length < batchSize) return sent;
    }
  };

  const run = (): Promise<number> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = once()
      .catch((error: unknown) => {
        deps.logger.error({ err: toError(error) }, 'queue outbox relay failed; retrying');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    nudge() {
      if (!stopped) void run();
    },
    drain: () => run(),
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
