/**
 * Shared scene of the aws-mode tests: the Jasper simulator and the fauxqs SQS emulator on
 * loopback, a queue with a dead-letter queue, the demo data (12 devices per provider) seeded
 * with credentials sealed by a known `SECRETS_KEY`, and the environment a deployment would give
 * the function or the worker for a test database.
 */
import { randomBytes } from 'node:crypto';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import { createJasperSimulator } from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import {
  type FauxqsTestServer,
  startFauxqsTestServer,
  TEST_REGION,
  type TestQueue,
} from '../../src/adapters/queue/sqs/fauxqs-test-server.ts';
import { createSecretBox } from '../../src/adapters/secrets/secret-box.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import type { EnvSource } from '../../src/config/env.ts';
import type { TestDatabase } from './test-database.ts';
import { testDatabaseUrl } from './test-database-url.ts';

/** What {@link useAwsScene} provides inside tests. */
export interface AwsScene {
  readonly sim: ReturnType<typeof createJasperSimulator>;
  readonly sqs: FauxqsTestServer;
  /** The bulk-change queue (visibility timeout 30 s, dead-letter queue after 5 receives). */
  readonly queue: TestQueue & { dlq: TestQueue };
  /**
   * The environment of an aws-mode process for `target`: on PostgreSQL `DATABASE_URL` selects
   * the test schema with `options=-c search_path=…`; on PGlite (which aws mode cannot open)
   * it only satisfies the configuration and the caller injects the database.
   */
  env(target: TestDatabase, overrides?: EnvSource): EnvSource;
}

/**
 * Registers hooks that build the scene around `testDb` (seeded before all tests).
 *
 * @example
 * const testDb = useTestDatabase();
 * const scene = useAwsScene(testDb);
 */
export function useAwsScene(testDb: () => TestDatabase): () => AwsScene {
  const dataset = (jasperUrl?: string) =>
    buildDemoDataset({
      devicesPerProvider: 12,
      ...(jasperUrl === undefined ? {} : { baseUrls: { jasper: `${jasperUrl}/rws/api/v1` } }),
    });
  // Same seed and size: the simulator and the database hold the same accounts and devices.
  const sim = createJasperSimulator({ seed: 5, dataset: dataset() });
  const secretsKey = randomBytes(32);
  let scene: AwsScene | undefined;

  beforeAll(async () => {
    const url = await sim.start(0);
    const sqs = await startFauxqsTestServer();
    const queue = await sqs.createQueueWithDlq('aws-mode', {
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 30,
    });
    await seedDemo(testDb().database, {
      secretBox: createSecretBox({ key: secretsKey, env: {} }),
      dataset: dataset(url),
    });
    scene = {
      sim,
      sqs,
      queue,
      env: (target, overrides = {}) => ({
        MODE: 'aws',
        DATABASE_URL:
          target.schema === undefined
            ? 'postgres://unused.invalid/pglite-is-injected'
            : withSearchPath(testDatabaseUrl(), target.schema),
        DATABASE_POOL_SIZE: '4',
        SQS_QUEUE_URL: queue.queueUrl,
        SQS_ENDPOINT: sqs.endpoint,
        AWS_REGION: TEST_REGION,
        SECRETS_KEY: secretsKey.toString('base64'),
        PAGE_SIZE: '5',
        MAX_PARALLEL_REQUESTS: '4',
        ...overrides,
      }),
    };
  });

  afterAll(async () => {
    await scene?.sqs.stop();
    await sim.close();
  });

  return () => {
    if (scene === undefined) throw new Error('the aws scene is not ready (use it inside tests)');
    return scene;
  };
}

/** `url` with `options=-c search_path=<schema>`, which pg passes to the server at connect. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** A CarrierRatePlanChange for every POD19 device of the demo, to a plan none of them has. */
export async function createRatePlanBulkChange(db: Kysely<Database>) {
  const provider = await db
    .selectFrom('service_providers')
    .selectAll()
    .where('integration', '=', 'POD19')
    .executeTakeFirstOrThrow();
  const plans = await db
    .selectFrom('carrier_rate_plans')
    .select('code')
    .where('service_provider_id', '=', provider.id)
    .orderBy('id')
    .execute();
  const devices = await db
    .selectFrom('devices')
    .selectAll()
    .where('service_provider_id', '=', provider.id)
    .orderBy('id')
    .execute();
  const target = (
    plans.find((p) => devices.every((d) => d.carrier_rate_plan !== p.code)) ?? plans.at(-1)
  )?.code;
  const created = await createBulkChangeRepository(db).create({
    tenantId: provider.tenant_id,
    serviceProviderId: provider.id,
    changeType: 'CarrierRatePlanChange',
    portalType: 0,
    request: { CarrierRatePlan: target },
    createdBy: 'test',
    deviceChanges: devices.map((d) => ({
      identifierKind: 'iccid' as const,
      identifier: d.iccid ?? '',
      iccid: d.iccid,
      deviceId: d.id,
    })),
  });
  return { id: created.bulkChange.id, devices, target };
}

/** The status of a bulk change. */
export async function bulkStatus(db: Kysely<Database>, id: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('bulk_changes')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status;
}

/** Sends raw String attributes, the way an upstream portal would (malformed ones included). */
export async function sendRaw(
  sqs: FauxqsTestServer,
  queueUrl: string,
  attributes: Record<string, string>,
): Promise<string> {
  const out = await sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: 'Not used',
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }),
  );
  return out.MessageId ?? '';
}

/** Receives until `count` messages are in hand (one Lambda batch). */
export async function receiveAtLeast(
  sqs: FauxqsTestServer,
  queueUrl: string,
  count: number,
): Promise<Message[]> {
  const received: Message[] = [];
  const until = Date.now() + 10_000;
  while (received.length < count && Date.now() < until) {
    received.push(...(await sqs.receive(queueUrl, { max: 10, waitSeconds: 1 })));
  }
  return received;
}
