/**
 * The aws mode's queue: an SQS client and the bulk-change queue built from the configuration,
 * and the long-poll worker that `bulk-change worker` runs on hosts that are not Lambda.
 *
 * Credentials are never part of this service's configuration: the SQS client uses the AWS SDK's
 * default provider chain (the Lambda execution role, an ECS task role or instance profile,
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, SSO…). Only the region and an optional endpoint
 * (an emulator, a VPC interface endpoint) come from `AWS_REGION` and `SQS_ENDPOINT`.
 */
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { createSqsQueue, type SqsQueue } from '../adapters/queue/sqs/sqs-queue.ts';
import { createSqsWorker } from '../adapters/queue/sqs/sqs-worker.ts';
import type { MessageProcessor } from '../app/ports/bulk-change-queue.ts';
import type { ResolvedConfig, SqsSettings } from '../config/resolve-config.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { Runtime } from './open-runtime.ts';

/** Visibility timeout the long-poll worker sets on every receive (the margin must fit in it). */
export const SQS_WORKER_VISIBILITY_TIMEOUT_SECONDS = 300;

/**
 * Client settings that do not come from the configuration. Production passes none; tests pass
 * static fake credentials for the emulator (`credentials`) or `maxAttempts`.
 */
export type SqsClientOverrides = Pick<SQSClientConfig, 'credentials' | 'maxAttempts'>;

/** An SQS client with the bulk-change queue on it. */
export interface OpenSqs {
  readonly client: SQSClient;
  readonly queue: SqsQueue;
  readonly settings: SqsSettings;
  /** Destroys the client (its sockets). */
  close(): void;
}

/**
 * The SQS settings of an aws-mode configuration.
 *
 * @throws {AppError} CONFIG_INVALID when the configuration is not in aws mode.
 * @example
 * const { queueUrl, region } = requireSqsSettings(config);
 */
export function requireSqsSettings(config: ResolvedConfig): SqsSettings {
  if (config.sqs === undefined) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `the SQS queue is used in aws mode only (MODE is ${config.mode}); set MODE=aws and SQS_QUEUE_URL`,
      { context: { mode: config.mode } },
    );
  }
  return config.sqs;
}

/**
 * Builds the SQS client and the bulk-change queue of an aws-mode configuration.
 *
 * @example
 * const sqs = openSqs(config);
 * await sqs.queue.send({ bulkChangeId: 42, retryNumber: 0 });
 * sqs.close();
 */
export function openSqs(config: ResolvedConfig, overrides: SqsClientOverrides = {}): OpenSqs {
  const settings = requireSqsSettings(config);
  const client = new SQSClient({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...overrides,
  });
  try {
    const queue = createSqsQueue({ client, queueUrl: settings.queueUrl });
    return { client, queue, settings, close: () => client.destroy() };
  } catch (error) {
    client.destroy();
    throw error;
  }
}

/**
 * Starts the long-poll SQS worker (sqs-consumer) with the engine's processor: up to
 * `min(WORKER_CONCURRENCY, 10)` messages per receive, worked concurrently; the engine's
 * deadline is the 300 s visibility timeout minus `SQS_DEADLINE_MARGIN_MS`.
 *
 * @example
 * const worker = startSqsWorker(runtime, sqs, engine.processMessage);
 * await worker.stop();
 */
export function startSqsWorker(
  runtime: Runtime,
  sqs: OpenSqs,
  processMessage: MessageProcessor,
): { stop(): Promise<void> } {
  const worker = createSqsWorker({
    client: sqs.client,
    queueUrl: sqs.settings.queueUrl,
    process: processMessage,
    logger: runtime.logger,
    queue: sqs.queue,
    batchSize: Math.min(10, runtime.config.engine.workerConcurrency),
    visibilityTimeoutSeconds: SQS_WORKER_VISIBILITY_TIMEOUT_SECONDS,
    deadlineMarginMs: sqs.settings.deadlineMarginMs,
  });
  worker.start();
  return { stop: () => worker.stop() };
}
