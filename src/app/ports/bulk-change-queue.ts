/**
 * The queue port: how the app sends bulk-change messages and how queue adapters hand received
 * messages to the engine. Implemented by pg-boss (local/server) and Amazon SQS (aws).
 */
import type { BulkChangeMessage } from '../messages/bulk-change-message.ts';

/** Sends bulk-change messages. */
export interface BulkChangeQueue {
  /**
   * Sends one message. `delaySeconds` postpones its delivery (SQS caps a delay at 900 s;
   * adapters document what they do beyond).
   */
  send(message: BulkChangeMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** What a queue adapter tells the engine about one received message. */
export interface ProcessingContext {
  /** Queue-assigned message id, for logs. */
  messageId: string;
  /** Epoch ms by which processing must stop and requeue what remains (Lambda time budget). */
  deadline: number;
  /** Aborted when the host is shutting down. */
  signal: AbortSignal;
  /** How many times the queue has delivered this message (1 on first delivery), when known. */
  receiveCount?: number;
}

/**
 * Processes one message. Resolving acknowledges it; throwing makes the queue deliver it again
 * later (and dead-letter it after the maximum receives).
 */
export type MessageProcessor = (
  message: BulkChangeMessage,
  context: ProcessingContext,
) => Promise<void>;
