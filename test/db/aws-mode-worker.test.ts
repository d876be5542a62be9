import { describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from '../../src/adapters/queue/sqs/fauxqs-test-server.ts';
import { captureLogger, waitFor } from '../../src/adapters/queue/sqs/sqs-test-fixtures.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { openRuntime, type Runtime } from '../../src/runtime/open-runtime.ts';
import { startEngine } from '../../src/runtime/start-engine.ts';
import { type StartedQueue, startQueue } from '../../src/runtime/start-queue.ts';
import { bulkStatus, createRatePlanBulkChange, useAwsScene } from '../support/aws-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * `bulk-change worker` and `serve` in aws mode, through the same runtime functions the CLI
 * commands call: the queue is SQS (fauxqs on loopback, the real SDK), the worker long-polls it,
 * and `serve`'s engine only sends.
 */
describe('aws mode: SQS long-poll worker and the sending-only API engine', () => {
  const testDb = useTestDatabase();
  const scene = useAwsScene(testDb);
  const { logger } = captureLogger();

  /** The runtime and queue an aws-mode command builds from its environment. */
  const open = async (
    queueUrl = scene().queue.queueUrl,
  ): Promise<{ runtime: Runtime; started: StartedQueue }> => {
    const target = testDb();
    const config = resolveConfig({ env: scene().env(target, { SQS_QUEUE_URL: queueUrl }) });
    const runtime = await openRuntime(config, logger, {
      ...(target.database.kind === 'pglite' ? { database: target.database } : {}),
    });
    const started = await startQueue(runtime, { sqsClient: { credentials: TEST_CREDENTIALS } });
    return { runtime, started };
  };

  it('a worker in aws mode works the SQS queue until the bulk change is PROCESSED', async () => {
    // Prepare
    const { db } = testDb();
    const { sim } = scene();
    const { id, devices } = await createRatePlanBulkChange(db);
    const { runtime, started } = await open();
    const engine = await startEngine(runtime, started);
    try {
      // Act
      await started.queue.send({ bulkChangeId: id, retryNumber: 0 });
      await started.queue.send({ bulkChangeId: id, retryNumber: 0 });
      await waitFor(async () => (await bulkStatus(db, id)) === 'PROCESSED', 30_000, 'PROCESSED');

      // Assess
      expect(started.kind).toBe('sqs');
      expect(engine.consuming).toBe(true);
      const puts = sim.journal.filter((e) => e.method === 'PUT' && e.outcome === 200);
      expect(puts.map((e) => e.path.split('/').pop()).sort()).toEqual(
        devices.map((d) => d.iccid).sort(),
      );
      expect(await started.probe.check(AbortSignal.timeout(5_000))).toMatchObject({
        kind: 'sqs',
        queueUrl: scene().queue.queueUrl,
      });
    } finally {
      await engine.stop();
      await started.stop();
      await runtime.close();
    }
  });

  it("serve's engine in aws mode sends to SQS but leaves the messages to Lambda or workers", async () => {
    // Prepare
    // A queue of its own: a long poll the previous test's worker aborted may still take one
    // message from the shared queue on the emulator's side.
    const { sqs } = scene();
    const queue = await sqs.createQueue('aws-serve');
    const { runtime, started } = await open(queue.queueUrl);
    const engine = await startEngine(runtime, started, undefined, { consume: false });
    try {
      // Act
      await started.queue.send({ bulkChangeId: 999_999, retryNumber: 0 });
      await new Promise((resolve) => setTimeout(resolve, 500));

      // Assess
      expect(engine.consuming).toBe(false);
      expect(await sqs.counts(queue.queueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    } finally {
      await engine.stop();
      await started.stop();
      await runtime.close();
    }
  });
});
