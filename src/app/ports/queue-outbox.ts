/**
 * The queue outbox port: bulk-change queue messages written to `notification_outbox` in the
 * same transaction as the change that needs them (submit, retry, cancel), claimed and sent by
 * the relay after commit.
 */

/** Outbox kind of a bulk-change queue message. */
export const QUEUE_OUTBOX_KIND = 'queue.bulkChangeMessage';

/** One claimed queue message. */
export interface ClaimedQueueMessage {
  id: number;
  bulkChangeId: number;
  /** Claims so far, this one included. */
  attempts: number;
}

/** Store side of the relay. */
export interface QueueOutboxStore {
  /** Claims due queue messages (leased, so a crashed relay's rows come back). */
  claim(limit: number): Promise<ClaimedQueueMessage[]>;
  /** The message was sent: it is never sent again. */
  markSent(id: number): Promise<void>;
  /** Sending failed: try again at `retryAt`. */
  markFailed(id: number, error: string, retryAt: Date): Promise<void>;
}
