/**
 * Runs the dispatcher in the background: one batch every `intervalMs`, or straight away again
 * while batches come back non-empty. `stop()` waits for the batch in flight, so a shutdown
 * never cuts a send between the receiver's answer and the row being marked.
 */
import type { Logger } from 'pino';
import type { NotificationDispatcher } from './dispatch-notifications.ts';

/** Options of {@link startNotificationPoller}. */
export interface NotificationPollerOptions {
  dispatcher: NotificationDispatcher;
  logger: Pick<Logger, 'error'>;
  /** @default 1000 */
  intervalMs?: number;
}

/** A running poller. */
export interface NotificationPoller {
  stop(): Promise<void>;
}

/**
 * Starts polling.
 *
 * @example
 * const poller = startNotificationPoller({ dispatcher, logger });
 * await poller.stop();
 */
export function startNotificationPoller(options: NotificationPollerOptions): NotificationPoller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = () => {
    inFlight = (async () => {
      let handled = 0;
      try {
        handled = await options.dispatcher.runOnce();
      } catch (error) {
        options.logger.error({ err: error }, 'notification dispatch failed');
      }
      if (stopped) return;
      timer = setTimeout(tick, handled > 0 ? 0 : (options.intervalMs ?? 1000));
      timer.unref();
    })();
  };
  timer = setTimeout(tick, 0);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
}
