import { ChangeMessageVisibilityCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { TEST_CREDENTIALS } from '../../src/adapters/queue/sqs/fauxqs-test-server.ts';
import { createSqsQueue } from '../../src/adapters/queue/sqs/sqs-queue.ts';
import {
  captureLogger,
  invokeLikeEventSourceMapping,
  lambdaContext,
  toSqsEvent,
} from '../../src/adapters/queue/sqs/sqs-test-fixtures.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { createLambdaHandler, type LambdaEntry } from '../../src/lambda/create-lambda-handler.ts';
import {
  bulkStatus,
  createRatePlanBulkChange,
  receiveAtLeast,
  sendRaw,
  useAwsScene,
} from '../support/aws-fixtures.ts';
import {
  createTestDatabase,
  type TestDatabase,
  useTestDatabase,
} from '../support/test-database.ts';

/**
 * The aws mode end to end: the real Lambda handler (built from environment variables, as in
 * AWS) fed with SQS events from the fauxqs emulator on loopback, sending its continuations
 * through the real AWS SDK, against the Jasper simulator over HTTP.
 *
 * Backends. On PostgreSQL the function connects by itself from `DATABASE_URL` (the test schema
 * is selected with the URL's `options=-c search_path=…`). aws mode needs PostgreSQL, so on
 * PGlite the test's database is handed to the factory (`database`), and `DATABASE_URL` only
 * satisfies the configuration; the configuration, schema check, SQS and engine wiring are the
 * same.
 */
describe('aws mode: Lambda handler + SQS (fauxqs) + Jasper simulator', () => {
  const testDb = useTestDatabase();
  const scene = useAwsScene(testDb);
  const { logger, lines } = captureLogger();
  const handlers: LambdaEntry[] = [];

  const lambdaFor = (target: TestDatabase): LambdaEntry => {
    const entry = createLambdaHandler({
      env: scene().env(target),
      sqsClient: { credentials: TEST_CREDENTIALS },
      logger,
      ...(target.database.kind === 'pglite' ? { database: target.database } : {}),
    });
    handlers.push(entry);
    return entry;
  };

  afterAll(async () => {
    for (const entry of handlers) await entry.close();
  });

  it('processes a rate plan change to PROCESSED, each device PUT once although delivered twice, a malformed record failed', async () => {
    // Prepare
    const { db } = testDb();
    const { sqs, queue, sim } = scene();
    const { id, devices, target } = await createRatePlanBulkChange(db);
    const handler = lambdaFor(testDb());
    const sender = createSqsQueue({ client: sqs.client, queueUrl: queue.queueUrl });
    await sender.send({ bulkChangeId: id, retryNumber: 0 });
    await sender.send({ bulkChangeId: id, retryNumber: 0 }); // the portal sent it twice
    const malformed = await sendRaw(sqs, queue.queueUrl, { BulkChangeId: 'abc' });

    // Act: one batch with all three records, then the event source mapping's loop.
    const first = await receiveAtLeast(sqs, queue.queueUrl, 3);
    const firstResponse = await handler(toSqsEvent(first, queue.queueArn), lambdaContext(120_000));
    const good = first.filter((m) => m.MessageId !== malformed);
    // Like the event source mapping, delete what did not fail, except that the delete of one
    // duplicate is "lost": it is delivered again (receive count 2) after processing finished.
    await sqs.client.send(
      new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: good[0]?.ReceiptHandle }),
    );
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.queueUrl,
        ReceiptHandle: good[1]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const laterFailures: string[] = [];
    let redelivered = false;
    let status = '';
    const until = Date.now() + 45_000;
    while (Date.now() < until) {
      status = (await bulkStatus(db, id)) ?? '';
      if (status === 'PROCESSED' && redelivered) break;
      const step = await invokeLikeEventSourceMapping({
        client: sqs.client,
        queue,
        receive: sqs.receive,
        handler,
        waitSeconds: 1,
      });
      for (const m of step?.received ?? []) {
        if (m.MessageId === good[1]?.MessageId && m.Attributes?.ApproximateReceiveCount === '2') {
          redelivered = true;
        }
      }
      laterFailures.push(...(step?.response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    }

    // Assess
    expect(first).toHaveLength(3);
    expect(firstResponse.batchItemFailures).toEqual([{ itemIdentifier: malformed }]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        messageId: malformed,
        attributeNames: ['BulkChangeId'],
      }),
    );
    // Built once, on the first invocation, and reused by every later (warm) one.
    expect(lines.filter((l) => l.msg === 'Lambda container ready')).toHaveLength(1);
    expect(redelivered).toBe(true);
    expect(laterFailures).toEqual([]);
    expect(status).toBe('PROCESSED');
    const rows = await db
      .selectFrom('device_changes')
      .select('status')
      .where('bulk_change_id', '=', id)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(devices.map(() => 'PROCESSED'));
    const puts = sim.journal.filter((e) => e.method === 'PUT' && e.outcome === 200);
    expect(puts.map((e) => e.path.split('/').pop()).sort()).toEqual(
      devices.map((d) => d.iccid).sort(),
    );
    expect(puts.every((e) => (e.body as { ratePlan?: string }).ratePlan === target)).toBe(true);
    const updated = await db
      .selectFrom('devices')
      .select('carrier_rate_plan')
      .where(
        'id',
        'in',
        devices.map((d) => d.id),
      )
      .execute();
    expect(updated.every((d) => d.carrier_rate_plan === target)).toBe(true);
    const outbox = await db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('kind', '=', 'bulkChange.completed')
      .execute();
    expect(outbox).toHaveLength(1);
    // Only the malformed message is in flight (until it is redelivered and dead-lettered).
    // When the two copies ran side by side, the one that ended first found the other's claimed
    // rows still open and scheduled a continuation for their lease expiry: it may sit delayed,
    // and will be acknowledged as a duplicate of a finished bulk change.
    const counts = await sqs.counts(queue.queueUrl);
    expect({ visible: counts.visible, inFlight: counts.inFlight }).toEqual({
      visible: 0,
      inFlight: 1,
    });
    expect(counts.delayed).toBeLessThanOrEqual(1);
  });

  it('refuses a database whose schema is behind or ahead, and builds again once it is migrated', async () => {
    // Prepare
    const behind = await createTestDatabase({ migrate: false });
    const ahead = await createTestDatabase();
    try {
      await ahead.db
        .insertInto('schema_migrations')
        .values({ version: 999, name: '0999_future.sql', checksum: 'x' })
        .execute();
      const onBehind = lambdaFor(behind);
      const onAhead = lambdaFor(ahead);

      // Act
      const behindError = await onBehind({ Records: [] }, lambdaContext(10_000)).catch(
        (e: unknown) => e,
      );
      const aheadError = await onAhead({ Records: [] }, lambdaContext(10_000)).catch(
        (e: unknown) => e,
      );
      await migrate(behind.database);
      const afterMigrate = await onBehind({ Records: [] }, lambdaContext(10_000));

      // Assess
      expect(isAppError(behindError, 'SCHEMA_BEHIND')).toBe(true);
      expect((behindError as Error).message).toMatch(
        /^database schema is at migration 0 but this build needs 0001_init\.sql, .*; run `bulk-change migrate`/,
      );
      expect(isAppError(aheadError, 'SCHEMA_TOO_NEW')).toBe(true);
      expect(afterMigrate).toEqual({ batchItemFailures: [] });
    } finally {
      for (const entry of handlers.splice(1)) await entry.close();
      await behind.dispose();
      await ahead.dispose();
    }
  });
});
