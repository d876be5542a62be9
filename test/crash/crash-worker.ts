/**
 * A bulk-change worker process for the crash tests, built from the real pieces: the kysely
 * engine store on PostgreSQL (the test's schema through `search_path`), the message processor,
 * pg-boss (the test's own pg-boss schema) with its worker, the stall sweeper, and the real
 * Rev.io and Jasper clients (resilience policy + rate limiters shared through PostgreSQL)
 * talking HTTP to the simulators whose URLs the seeded database holds.
 *
 * The only test-specific parts are the `CreateRevService` handler and the crash hooks of
 * `crash-handler.ts`, and short timings (leases, sweeper) so that recovery fits a test.
 *
 * Settings: one JSON object in the `CRASH_WORKER` environment variable ({@link WorkerConfig}).
 * Output: one JSON event per line on stdout; pino logs on stderr. SIGTERM stops it gracefully.
 *
 * Run: `node test/crash/crash-worker.ts` (Node 24 strips the types).
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { createDatabase } from '../../src/adapters/db/database.ts';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createPgRateLimiter } from '../../src/adapters/db/pg-rate-limiter.ts';
import { createJasperClient } from '../../src/adapters/integrations/jasper/jasper-client.ts';
import {
  createJasperPolicy,
  JASPER_DEFAULT_LIMITS,
} from '../../src/adapters/integrations/jasper/jasper-defaults.ts';
import { createRevioClient } from '../../src/adapters/integrations/revio/revio-client.ts';
import { createResiliencePolicy } from '../../src/adapters/integrations/shared/resilience.ts';
import {
  createPgBossBulkChangeQueue,
  startPgBossWorker,
} from '../../src/adapters/queue/pgboss/pgboss-bulk-change-queue.ts';
import { startPgBossQueue } from '../../src/adapters/queue/pgboss/pgboss-queue.ts';
import { createSecretBox } from '../../src/adapters/secrets/secret-box.ts';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { startStallSweeper } from '../../src/app/engine/stall-sweeper.ts';
import type { EngineServiceProvider } from '../../src/app/ports/engine-store.ts';
import {
  type CrashPlan,
  createCrashHook,
  createRevServiceHandler,
  emit,
  type RevServiceClients,
  withCrashingJasper,
  withCrashingRevio,
  withCrashPoints,
} from './crash-handler.ts';

/** Settings of one worker process. */
export interface WorkerConfig {
  /** Name in events and lease owners (`<name>:<pid>`). */
  name: string;
  databaseUrl: string;
  /** The test's schema (search_path of every connection). */
  schema: string;
  /** pg-boss schema of the test file. */
  pgbossSchema: string;
  /** base64 of the 32-byte key the test sealed the seeded credentials with. */
  secretsKey: string;
  crash?: CrashPlan;
  leaseMs: number;
  pageSize: number;
  maxParallel: number;
  /** pg-boss jobs worked at once by this process. */
  concurrency: number;
  /** Shared (PostgreSQL) limit of the Rev.io account. */
  revio: { ratePerSecond: number; maxConcurrent: number };
  /** Lease of a rate-limiter concurrency slot (a killed holder frees it after this). */
  slotLeaseMs: number;
  sweeper: { intervalMs: number; graceMs: number };
  /** First backoff of a retryable device failure. */
  retryBaseDelayMs: number;
}

function readConfig(): WorkerConfig {
  const raw = process.env.CRASH_WORKER;
  if (raw === undefined) throw new Error('CRASH_WORKER (JSON settings) is not set');
  return JSON.parse(raw) as WorkerConfig;
}
const config = readConfig();

const logger = pino(
  { level: process.env.CRASH_LOG_LEVEL ?? 'warn', base: { worker: config.name } },
  pino.destination(2),
);
const database = await createDatabase({
  kind: 'postgres',
  url: config.databaseUrl,
  poolSize: 8,
  searchPath: config.schema,
});
const db = database.db;
const secretBox = createSecretBox({ key: Buffer.from(config.secretsKey, 'base64'), env: {} });
const hit = createCrashHook(config.name, config.crash);

const clients = new Map<number, Promise<RevServiceClients>>();
const clientsFor = (provider: EngineServiceProvider): Promise<RevServiceClients> => {
  let found = clients.get(provider.id);
  if (found === undefined) {
    found = buildClients(provider);
    clients.set(provider.id, found);
  }
  return found;
};

async function buildClients(provider: EngineServiceProvider): Promise<RevServiceClients> {
  if (provider.billingIntegrationId === null) throw new Error(`${provider.name}: no Rev.io`);
  const billing = await db
    .selectFrom('billing_integrations')
    .selectAll()
    .where('id', '=', provider.billingIntegrationId)
    .executeTakeFirstOrThrow();
  const secret = (refs: Record<string, unknown>, name: string): string => {
    const ref = refs[name];
    if (ref === undefined) throw new Error(`missing secret ${name}`);
    return secretBox.open(ref as Parameters<typeof secretBox.open>[0]);
  };
  const revioAccount = `revio:${billing.client_code}`;
  const revio = createRevioClient({
    baseUrl: billing.base_url,
    credentials: {
      login: billing.login,
      clientCode: billing.client_code,
      password: secret(billing.credentials, 'password'),
      subscriptionKey: secret(billing.credentials, 'subscriptionKey'),
    },
    timeoutMs: 10_000,
    policy: createResiliencePolicy({ api: 'revio', account: revioAccount }),
    limiter: createPgRateLimiter(db, {
      key: revioAccount,
      ratePerSecond: config.revio.ratePerSecond,
      maxConcurrent: config.revio.maxConcurrent,
      burst: 1,
      slotLeaseMs: config.slotLeaseMs,
    }),
  });
  // As runtime/carrier-gateways.ts builds it, with the test's short slot lease.
  const settings = provider.settings;
  const jasperAccount = `jasper:${provider.id}`;
  const jasper = createJasperClient({
    baseUrl: String(settings.baseUrl),
    username: String(settings.username),
    apiKey: secret(provider.credentials, 'apiKey'),
    usernameTargetField:
      typeof settings.usernameTargetField === 'string' ? settings.usernameTargetField : undefined,
    account: jasperAccount,
    timeoutMs: 10_000,
    policy: createJasperPolicy({ account: jasperAccount }),
    limiter: createPgRateLimiter(db, {
      key: jasperAccount,
      ratePerSecond:
        typeof settings.rateLimitPerSecond === 'number'
          ? settings.rateLimitPerSecond
          : JASPER_DEFAULT_LIMITS.ratePerSecond,
      maxConcurrent:
        typeof settings.maxConcurrent === 'number'
          ? settings.maxConcurrent
          : JASPER_DEFAULT_LIMITS.maxConcurrent,
      burst: 1,
      slotLeaseMs: config.slotLeaseMs,
    }),
  });
  return { revio: withCrashingRevio(revio, hit), jasper: withCrashingJasper(jasper, hit) };
}

// Fail early (before announcing readiness) when the schema is not the migrated test schema.
await sql`select 1 from bulk_changes limit 1`.execute(db);

const pgboss = await startPgBossQueue({
  connection: { kind: 'postgres', url: config.databaseUrl, poolSize: 3 },
  logger,
  schema: config.pgbossSchema,
  supervise: false,
});
const queue = createPgBossBulkChangeQueue(pgboss.boss);
const store = withCrashPoints(createEngineStore(db), config.name, hit);
const processMessage = createMessageProcessor(
  {
    store,
    queue,
    handlers: createHandlerRegistry([createRevServiceHandler(clientsFor)]),
    logger,
  },
  {
    pageSize: config.pageSize,
    maxParallel: config.maxParallel,
    leaseMs: config.leaseMs,
    workerId: `${config.name}:${process.pid}`,
    retry: { baseDelayMs: config.retryBaseDelayMs, circuitOpenDelayMs: 1000 },
  },
);
const worker = await startPgBossWorker(pgboss.boss, {
  process: processMessage,
  logger,
  concurrency: config.concurrency,
  pollingIntervalSeconds: 0.5,
});
const sweeper = startStallSweeper({
  store,
  queue,
  logger,
  intervalMs: config.sweeper.intervalMs,
  graceMs: config.sweeper.graceMs,
});
emit({ event: 'ready', worker: config.name, pid: process.pid });

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(0), 5000);
  force.unref();
  void (async () => {
    sweeper.stop();
    await worker.stop();
    await pgboss.stop();
    await database.close();
    process.exit(0);
  })().catch((error: unknown) => {
    logger.error({ err: error }, 'stop failed');
    process.exit(1);
  });
});
