/**
 * The world of one benchmark or reliability run: the Jasper and Rev.io simulators on 127.0.0.1
 * (ephemeral ports), a fresh database — an in-memory PGlite, or a new PostgreSQL database
 * created on the given server and dropped afterwards — migrated and seeded with the bench
 * dataset, the carrier accounts' limits written to their settings (the benchmark reports
 * exactly these), and helpers to create bulk changes and count their rows.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { type AppDatabase, createDatabase } from '../adapters/db/database.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { createBulkChangeRepository } from '../adapters/db/repositories/bulk-change-repository.ts';
import { seedDemo } from '../adapters/db/seed-demo.ts';
import {
  createJasperSimulator,
  type JasperSimulator,
} from '../adapters/integrations/jasper/jasper-simulator.ts';
import {
  createRevioSimulator,
  type RevioSimulator,
} from '../adapters/integrations/revio/revio-simulator.ts';
import { createSecretBox } from '../adapters/secrets/secret-box.ts';
import type { ChangeType } from '../domain/change-types/change-type.ts';
import type { SecretBox } from '../domain/secret-ref.ts';
import { buildBenchDataset } from './bench-dataset.ts';

/** Limits of one account, as stored in its settings. */
export interface AccountLimits {
  ratePerSecond: number;
  maxConcurrent: number;
}

/** Options of {@link openBenchEnvironment}. */
export interface BenchEnvironmentOptions {
  database: { kind: 'pglite' } | { kind: 'postgres'; serverUrl: string };
  /** Devices per demo account key (`pod19`, `jasper`, `telegence`, …). */
  devices: Readonly<Record<string, number>>;
  /** Limits written to the settings of each Jasper-family account used. */
  jasperLimits: AccountLimits;
  /** Limits written to the Rev.io billing integration's settings. */
  revioLimits: AccountLimits;
  /** Seeds the simulators' randomness. @default 8 */
  seed?: number;
}

/** A running environment. */
export interface BenchEnvironment {
  readonly database: AppDatabase;
  /** URL of the fresh PostgreSQL database (postgres only). */
  readonly databaseUrl: string | undefined;
  readonly secretBox: SecretBox;
  /** base64 of the secrets key (for worker processes). */
  readonly secretsKey: string;
  readonly jasper: JasperSimulator;
  readonly revio: RevioSimulator;
  /** Service provider of a demo account key. */
  provider(key: string): Promise<{ id: number; tenantId: number; name: string }>;
  /** Creates a NEW bulk change over every bench device of `accountKey`. */
  createBulkChange(input: {
    accountKey: string;
    changeType: ChangeType;
    request: Record<string, unknown>;
    /** Only `limit` devices, after skipping `offset` (in id order). */
    limit?: number;
    offset?: number;
  }): Promise<{ bulkChangeId: number; devices: number }>;
  /** Status of a bulk change. */
  bulkStatus(bulkChangeId: number): Promise<string>;
  close(): Promise<void>;
}

const PROVIDER_NAMES: Record<string, string> = {
  jasper: 'AT&T Control Center (Jasper)',
  pod19: 'AT&T Control Center POD19',
  tmobile: 'T-Mobile Control Center',
  rogers: 'Rogers Control Center',
  telegence: 'AT&T Mobility (Telegence)',
};

/**
 * Opens the environment (simulators started, database seeded).
 *
 * @example
 * const env = await openBenchEnvironment({ database: { kind: 'pglite' }, devices: { jasper: 500 }, jasperLimits, revioLimits });
 */
export async function openBenchEnvironment(
  options: BenchEnvironmentOptions,
): Promise<BenchEnvironment> {
  const seed = options.seed ?? 8;
  const simDataset = buildBenchDataset({ devices: options.devices, baseUrls: {}, seed });
  const jasper = createJasperSimulator({ seed, dataset: simDataset });
  const revio = createRevioSimulator({ seed, dataset: simDataset });
  const [jasperUrl, revioUrl] = await Promise.all([jasper.start(0), revio.start(0)]);
  // The vendors' own limits: Control Center throttles above the account's rate (the same
  // limit the client is given) and, unless the account allows more than one call in flight,
  // a concurrent call; Rev.io's simulator is opened up to the integration's limit.
  jasper.setControls({
    ratePerSecond: options.jasperLimits.ratePerSecond,
    detectConcurrency: options.jasperLimits.maxConcurrent <= 1,
  });
  revio.controls.setRateLimit({
    perMinute: Math.max(1, Math.ceil(options.revioLimits.ratePerSecond * 60)),
    perDay: 1_000_000_000,
  });

  const key = randomBytes(32);
  const secretBox = createSecretBox({ key, env: {} });
  let databaseUrl: string | undefined;
  let dropDatabase: () => Promise<void> = async () => {};
  let database: AppDatabase;
  if (options.database.kind === 'postgres') {
    const created = await createFreshPostgresDatabase(options.database.serverUrl);
    databaseUrl = created.url;
    dropDatabase = created.drop;
    database = await createDatabase({ kind: 'postgres', url: created.url, poolSize: 4 });
  } else {
    database = await createDatabase({ kind: 'pglite', memory: true });
  }
  const db = database.db;
  const closeAll = async () => {
    await database.close().catch(() => undefined);
    await dropDatabase().catch(() => undefined);
    await Promise.all([jasper.close(), revio.close()]);
  };
  try {
    await migrate(database);
    const dataset = buildBenchDataset({
      devices: options.devices,
      baseUrls: { jasper: `${jasperUrl}/rws/api/v1`, revio: `${revioUrl}/v1` },
      seed,
    });
    await seedDemo(database, { secretBox, dataset });
    const jasperSettings = JSON.stringify({
      rateLimitPerSecond: options.jasperLimits.ratePerSecond,
      maxConcurrent: options.jasperLimits.maxConcurrent,
    });
    await sql`update service_providers set settings = settings || ${jasperSettings}::jsonb
      where settings ? 'usernameTargetField'`.execute(db);
    const revioSettings = JSON.stringify({
      rateLimitPerSecond: options.revioLimits.ratePerSecond,
      maxConcurrent: options.revioLimits.maxConcurrent,
    });
    await sql`update billing_integrations set settings = settings || ${revioSettings}::jsonb`.execute(
      db,
    );
  } catch (error) {
    await closeAll();
    throw error;
  }

  const provider = async (accountKey: string) => {
    const name = PROVIDER_NAMES[accountKey];
    if (name === undefined) throw new Error(`no demo carrier account ${accountKey}`);
    const row = await db
      .selectFrom('service_providers')
      .select(['id', 'tenant_id', 'name'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return { id: row.id, tenantId: row.tenant_id, name: row.name };
  };

  return {
    database,
    databaseUrl,
    secretBox,
    secretsKey: key.toString('base64'),
    jasper,
    revio,
    provider,
    async createBulkChange(input) {
      const sp = await provider(input.accountKey);
      let query = db
        .selectFrom('devices')
        .select(['id', 'iccid', 'msisdn'])
        .where('service_provider_id', '=', sp.id)
        .orderBy('id');
      if (input.limit !== undefined) query = query.limit(input.limit);
      if (input.offset !== undefined) query = query.offset(input.offset);
      const devices = await query.execute();
      const created = await createBulkChangeRepository(db).create({
        tenantId: sp.tenantId,
        serviceProviderId: sp.id,
        changeType: input.changeType,
        portalType: 0,
        request: input.request,
        createdBy: 'bench',
        deviceChanges: devices.map((d) => ({
          identifierKind: 'iccid' as const,
          identifier: d.iccid ?? '',
          iccid: d.iccid,
          msisdn: d.msisdn,
          deviceId: d.id,
        })),
      });
      return { bulkChangeId: created.bulkChange.id, devices: devices.length };
    },
    async bulkStatus(bulkChangeId) {
      const row = await db
        .selectFrom('bulk_changes')
        .select('status')
        .where('id', '=', bulkChangeId)
        .executeTakeFirstOrThrow();
      return row.status;
    },
    close: closeAll,
  };
}

/** Creates `dbc_bench_<random>` on the server of `serverUrl`; `drop` removes it. */
async function createFreshPostgresDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `dbc_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
