/**
 * The parent side of the crash tests: one migrated PostgreSQL schema per test file seeded with
 * the demo dataset, the Rev.io and Jasper simulators on 127.0.0.1 (the seeded accounts point at
 * them), a pg-boss schema of the file (dropped at the end), worker child processes
 * (`crash-worker.ts`) with their events, a supervisor that restarts killed workers, and the
 * checks every test ends with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import type { Device } from '../../src/adapters/db/schema.ts';
import { seedDemo } from '../../src/adapters/db/seed-demo.ts';
import {
  createJasperSimulator,
  type JasperSimulator,
} from '../../src/adapters/integrations/jasper/jasper-simulator.ts';
import {
  createRevioSimulator,
  type RevioSimulator,
} from '../../src/adapters/integrations/revio/revio-simulator.ts';
import type { JournalEntry } from '../../src/adapters/integrations/shared/simulator/simulator-server.ts';
import { createPgBossBulkChangeQueue } from '../../src/adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import {
  type PgBossQueue,
  startPgBossQueue,
} from '../../src/adapters/queue/pgboss/pgboss-queue.ts';
import { createSecretBox } from '../../src/adapters/secrets/secret-box.ts';
import { buildDemoDataset } from '../../src/app/demo/demo-dataset.ts';
import type { BulkChangeQueue } from '../../src/app/ports/bulk-change-queue.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { type TestDatabase, useTestDatabase } from '../support/test-database.ts';
import { testDatabaseUrl } from '../support/test-database-url.ts';
import {
  CREATE_SERVICE_STEP,
  EDIT_DEVICE_STEP,
  M2M_SERVICE_TYPE,
  type WorkerEvent,
} from './crash-handler.ts';
import type { WorkerConfig } from './crash-worker.ts';

const WORKER_FILE = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));

/** A worker child process and what it said. */
export interface WorkerHandle {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: WorkerEvent[];
  stderr(): string;
  /** Resolves on the `ready` event; rejects if the process ends first. */
  readonly ready: Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set once the process ended. */
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** A device of the seeded Jasper account used by one test. */
export type TestDevice = Pick<Device, 'id' | 'iccid' | 'msisdn'> & {
  iccid: string;
  msisdn: string;
};

/** Everything a crash test needs. */
export interface CrashRig {
  readonly testDb: TestDatabase;
  readonly revio: RevioSimulator;
  readonly jasper: JasperSimulator;
  /** Sends messages the way the API does (pg-boss, the file's schema). */
  readonly queue: BulkChangeQueue;
  readonly pgbossSchema: string;
  /** `count` devices no earlier test used, with no Rev.io line of these customers yet. */
  takeDevices(count: number, customerIds: readonly number[]): TestDevice[];
  /** A NEW `CreateRevService` bulk change for the seeded Jasper account. */
  createBulkChange(devices: readonly TestDevice[], customerId: number): Promise<number>;
  /** Settings of a worker: the file's database and schemas plus `overrides`. */
  workerConfig(name: string, overrides?: Partial<WorkerConfig>): WorkerConfig;
  startWorker(config: WorkerConfig): WorkerHandle;
  bulkStatus(bulkChangeId: number): Promise<string>;
}

/**
 * Registers the hooks of a crash test file and returns its rig.
 *
 * @example
 * const rig = useCrashRig({ devicesPerProvider: 60 });
 */
export function useCrashRig(options: {
  devicesPerProvider: number;
  seed?: number;
}): () => CrashRig {
  const testDb = useTestDatabase({ poolSize: 4 });
  const seed = options.seed ?? 7;
  const simDataset = buildDemoDataset({ devicesPerProvider: options.devicesPerProvider });
  const revio = createRevioSimulator({ seed, dataset: simDataset });
  const jasper = createJasperSimulator({ seed, dataset: simDataset });
  const secretsKey = randomBytes(32);
  const started: WorkerHandle[] = [];
  const used = new Set<number>();
  let rig: CrashRig | undefined;
  let pgboss: PgBossQueue | undefined;

  beforeAll(async () => {
    const [revioUrl, jasperUrl] = await Promise.all([revio.start(0), jasper.start(0)]);
    const current = testDb();
    if (current.database.kind !== 'postgres' || current.schema === undefined) {
      throw new Error('the crash tests run on PostgreSQL (DB_TYPE=postgres)');
    }
    const schema = current.schema;
    const dataset = buildDemoDataset({
      devicesPerProvider: options.devicesPerProvider,
      baseUrls: { revio: `${revioUrl}/v1`, jasper: `${jasperUrl}/rws/api/v1` },
    });
    await seedDemo(current.database, {
      secretBox: createSecretBox({ key: secretsKey, env: {} }),
      dataset,
    });
    const pgbossSchema = `pgboss_${createHash('sha1').update(schema).digest('hex').slice(0, 10)}`;
    pgboss = await startPgBossQueue({
      connection: { kind: 'postgres', url: testDatabaseUrl(), poolSize: 2 },
      logger: silentLogger,
      schema: pgbossSchema,
      supervise: false,
    });
    const db = current.db;
    const provider = await db
      .selectFrom('service_providers')
      .selectAll()
      .where('integration', '=', 'Jasper')
      .executeTakeFirstOrThrow();
    const devices = (
      await db
        .selectFrom('devices')
        .select(['id', 'iccid', 'msisdn'])
        .where('service_provider_id', '=', provider.id)
        .orderBy('id')
        .execute()
    ).filter((d): d is TestDevice => d.iccid !== null && d.msisdn !== null);
    const queue = createPgBossBulkChangeQueue(pgboss.boss);

    rig = {
      testDb: current,
      revio,
      jasper,
      queue,
      pgbossSchema,
      takeDevices(count, customerIds) {
        const lines = revio.controls.services();
        const taken = devices
          .filter((d) => !used.has(d.id))
          .filter(
            (d) => !lines.some((s) => customerIds.includes(s.customer_id) && s.number === d.msisdn),
          )
          .slice(0, count);
        if (taken.length < count) throw new Error(`only ${taken.length} unused devices left`);
        for (const d of taken) used.add(d.id);
        return taken;
      },
      async createBulkChange(list, customerId) {
        const created = await createBulkChangeRepository(db).create({
          tenantId: provider.tenant_id,
          serviceProviderId: provider.id,
          changeType: 'CreateRevService',
          portalType: 0,
          request: { CustomerId: customerId },
          createdBy: 'crash-test',
          deviceChanges: list.map((d) => ({
            identifierKind: 'iccid' as const,
            identifier: d.iccid,
            iccid: d.iccid,
            msisdn: d.msisdn,
            deviceId: d.id,
          })),
        });
        return created.bulkChange.id;
      },
      workerConfig(name, overrides = {}) {
        return {
          name,
          databaseUrl: testDatabaseUrl(),
          schema,
          pgbossSchema,
          secretsKey: secretsKey.toString('base64'),
          leaseMs: 2000,
          pageSize: 4,
          maxParallel: 4,
          concurrency: 2,
          revio: { ratePerSecond: 40, maxConcurrent: 4 },
          slotLeaseMs: 2000,
          sweeper: { intervalMs: 250, graceMs: 1500 },
          retryBaseDelayMs: 250,
          ...overrides,
        };
      },
      startWorker(config) {
        const handle = spawnWorker(config);
        started.push(handle);
        return handle;
      },
      async bulkStatus(bulkChangeId) {
        const row = await db
          .selectFrom('bulk_changes')
          .select('status')
          .where('id', '=', bulkChangeId)
          .executeTakeFirstOrThrow();
        return row.status;
      },
    };
  });

  afterAll(async () => {
    await stopWorkers(started);
    await pgboss?.stop();
    await Promise.all([revio.close(), jasper.close()]);
    if (rig !== undefined) {
      await sql.raw(`drop schema if exists ${rig.pgbossSchema} cascade`).execute(rig.testDb.db);
    }
  });

  return () => {
    if (rig === undefined) throw new Error('crash rig is not ready (use it inside tests)');
    return rig;
  };
}

function spawnWorker(config: WorkerConfig): WorkerHandle {
  const child = spawn(process.execPath, [WORKER_FILE], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CRASH_WORKER: JSON.stringify(config),
      CRASH_LOG_LEVEL: process.env.CRASH_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerEvent[] = [];
  let partial = '';
  let err = '';
  let onReady: () => void = () => {};
  let onEarlyExit: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onEarlyExit = reject;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as WorkerEvent;
      events.push(event);
      if (event.event === 'ready') onReady();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const handle: WorkerHandle = {
    name: config.name,
    child,
    events,
    stderr: () => err,
    ready,
    exit: new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        handle.exitInfo = { code, signal };
        onEarlyExit(
          new Error(`worker ${config.name} ended before ready (${code ?? signal}):\n${err}`),
        );
        resolve({ code, signal });
      });
    }),
    exitInfo: undefined,
  };
  // Not awaited by everyone: keep an early exit from becoming an unhandled rejection.
  ready.catch(() => {});
  return handle;
}

/** What {@link stopWorkers} needs of a worker process (crash workers, bench workers). */
export type StoppableWorker = Pick<WorkerHandle, 'child' | 'exit' | 'exitInfo'>;

/** What {@link superviseUntilProcessed} needs of a worker process. */
export type SupervisedWorker = Pick<WorkerHandle, 'name' | 'exitInfo' | 'stderr'>;

/** Stops workers still running: SIGTERM, then SIGKILL after 6 s. */
export async function stopWorkers(workers: readonly StoppableWorker[]): Promise<void> {
  await Promise.all(
    workers
      .filter((w) => w.exitInfo === undefined)
      .map(async (w) => {
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 6000);
        await w.exit;
        clearTimeout(timer);
      }),
  );
}

/** Sleeps `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Events of one kind from a set of workers. */
export function eventsOf<K extends WorkerEvent['event']>(
  workers: readonly WorkerHandle[],
  kind: K,
): Extract<WorkerEvent, { event: K }>[] {
  return workers.flatMap((w) =>
    w.events.filter((e): e is Extract<WorkerEvent, { event: K }> => e.event === kind),
  );
}

/** Outcome of {@link superviseUntilProcessed}. */
export interface SupervisionResult<W extends SupervisedWorker = WorkerHandle> {
  processed: boolean;
  elapsedMs: number;
  /** Every worker process that ran, restarts included, in start order. */
  all: W[];
  /** Workers that died of SIGKILL (and were restarted while work remained). */
  killed: W[];
}

/**
 * Watches `workers` until every bulk change is PROCESSED or `timeoutMs` passes: a worker that
 * died of SIGKILL is replaced by `restart(dead)` (until `maxRestarts`); any other exit fails.
 */
export async function superviseUntilProcessed<W extends SupervisedWorker = WorkerHandle>(
  rig: Pick<CrashRig, 'bulkStatus'>,
  options: {
    bulkChangeIds: readonly number[];
    workers: W[];
    restart: (dead: W) => W;
    timeoutMs: number;
    maxRestarts?: number;
  },
): Promise<SupervisionResult<W>> {
  const began = Date.now();
  const all = [...options.workers];
  const killed: W[] = [];
  const live = options.workers;
  const maxRestarts = options.maxRestarts ?? 10;
  while (Date.now() - began < options.timeoutMs) {
    for (let i = 0; i < live.length; i++) {
      const w = live[i] as W;
      if (w.exitInfo === undefined) continue;
      if (w.exitInfo.signal !== 'SIGKILL') {
        throw new Error(
          `worker ${w.name} ended unexpectedly (${w.exitInfo.code ?? w.exitInfo.signal}):\n${w.stderr()}`,
        );
      }
      if (killed.includes(w)) continue;
      killed.push(w);
      if (killed.length > maxRestarts) throw new Error(`more than ${maxRestarts} restarts`);
      const next = options.restart(w);
      live[i] = next;
      all.push(next);
    }
    const statuses = await Promise.all(options.bulkChangeIds.map((id) => rig.bulkStatus(id)));
    if (statuses.every((s) => s === 'PROCESSED')) {
      return { processed: true, elapsedMs: Date.now() - began, all, killed };
    }
    await sleep(100);
  }
  return { processed: false, elapsedMs: Date.now() - began, all, killed };
}

/** The Rev.io journal's successful creates of `numbers` for `customerId` (by number). */
export function successfulCreates(
  journal: readonly JournalEntry[],
  numbers: Iterable<string>,
  customerId: number,
): Map<string, JournalEntry[]> {
  const byNumber = new Map<string, JournalEntry[]>([...numbers].map((n) => [n, []]));
  for (const e of journal) {
    if (e.operation !== 'createService' || e.outcome !== 201) continue;
    const body = e.body as { number?: string; customer_id?: number } | undefined;
    if (body?.number !== undefined && body.customer_id === customerId) {
      byNumber.get(body.number)?.push(e);
    }
  }
  return byNumber;
}

/** What {@link verifyBulkChange} found (for further assertions). */
export interface Verified {
  deviceChanges: { id: number; status: string; status_details: string | null; attempt: number }[];
  serviceIdByNumber: Map<string, number>;
}

/**
 * The invariants every test ends with, for one bulk change that should have PROCESSED every
 * device: all device changes terminal (PROCESSED); the bulk change PROCESSED with exactly one
 * `bulkChange.completed` outbox row whose counts equal a recount of the rows; the Rev.io
 * journal shows exactly one successful createService per device and the simulator holds
 * exactly one such line; the Jasper device carries that line's id (unless a later bulk change
 * linked another line: `jasperLinked: false`); both steps of every device change are COMPLETED
 * with the line's id recorded.
 */
export async function verifyBulkChange(
  rig: CrashRig,
  bulkChangeId: number,
  devices: readonly TestDevice[],
  customerId: number,
  options: { jasperLinked?: boolean } = {},
): Promise<Verified> {
  const db = rig.testDb.db;
  const bulk = await db
    .selectFrom('bulk_changes')
    .selectAll()
    .where('id', '=', bulkChangeId)
    .executeTakeFirstOrThrow();
  expect(bulk.status).toBe('PROCESSED');
  const deviceChanges = await db
    .selectFrom('device_changes')
    .select(['id', 'status', 'status_details', 'attempt', 'msisdn', 'lease_owner'])
    .where('bulk_change_id', '=', bulkChangeId)
    .orderBy('id')
    .execute();
  expect(deviceChanges).toHaveLength(devices.length);
  expect(deviceChanges.filter((d) => d.status !== 'PROCESSED')).toEqual([]);
  expect(deviceChanges.every((d) => d.lease_owner === null)).toBe(true);

  const recount: Record<string, number> = {};
  for (const d of deviceChanges) recount[d.status] = (recount[d.status] ?? 0) + 1;
  const outbox = await db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('kind', '=', 'bulkChange.completed')
    .where(sql<string>`payload->>'bulkChangeId'`, '=', String(bulkChangeId))
    .execute();
  expect(outbox).toHaveLength(1);
  expect(outbox[0]?.payload).toEqual({
    bulkChangeId,
    changeType: expect.any(String),
    tenantId: expect.any(Number),
    serviceProviderId: expect.any(Number),
    processedAt: expect.any(String),
    status: 'PROCESSED',
    counts: recount,
  });
  expect(bulk.total).toBe(devices.length);

  const numbers = devices.map((d) => d.msisdn);
  const creates = successfulCreates(rig.revio.journal, numbers, customerId);
  const lines = rig.revio.controls
    .services()
    .filter((s) => s.customer_id === customerId && numbers.includes(s.number));
  const serviceIdByNumber = new Map<string, number>();
  for (const device of devices) {
    expect({ number: device.msisdn, creates: creates.get(device.msisdn)?.length }).toEqual({
      number: device.msisdn,
      creates: 1,
    });
    const own = lines.filter((s) => s.number === device.msisdn);
    expect(own.map((s) => [s.number2, s.service_type_id])).toEqual([
      [device.iccid, M2M_SERVICE_TYPE],
    ]);
    const serviceId = own[0]?.service_id as number;
    serviceIdByNumber.set(device.msisdn, serviceId);
    if (options.jasperLinked !== false) {
      expect(rig.jasper.device(device.iccid)?.accountCustom2).toBe(`rev-${serviceId}`);
    }
  }

  const records = await db
    .selectFrom('idempotency_records')
    .select(['key', 'status', 'result'])
    .where(
      'key',
      'in',
      deviceChanges.flatMap((d) => [
        `dc:${d.id}:${CREATE_SERVICE_STEP}`,
        `dc:${d.id}:${EDIT_DEVICE_STEP}`,
      ]),
    )
    .execute();
  expect(records).toHaveLength(deviceChanges.length * 2);
  expect(records.filter((r) => r.status !== 'COMPLETED')).toEqual([]);
  for (const d of deviceChanges) {
    const created = records.find((r) => r.key === `dc:${d.id}:${CREATE_SERVICE_STEP}`)?.result as
      | { serviceId?: number }
      | undefined;
    expect(created?.serviceId).toBe(serviceIdByNumber.get(d.msisdn ?? ''));
  }
  return { deviceChanges, serviceIdByNumber };
}
