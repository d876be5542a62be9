/**
 * Composition root shared by every entry point (CLI commands, the Lambda handler): turns a
 * resolved configuration into connected adapters. Only this folder wires concrete adapters
 * together; the app layer sees ports.
 *
 * Schema at start-up. Local and server modes migrate when they start. In aws mode no process
 * migrates on its own: `bulk-change migrate` runs once in the deploy pipeline (before the new
 * code is rolled out), and the Lambda and every aws-mode service refuse a database whose schema
 * is behind (`SCHEMA_BEHIND`) or ahead (`SCHEMA_TOO_NEW`) of their code, so that hundreds of
 * concurrent cold starts never race on DDL and a function never runs against a schema it was
 * not written for.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type AppDatabase, createDatabase } from '../adapters/db/database.ts';
import { DataDirNotWritableError } from '../adapters/db/db-errors.ts';
import { assertSchemaCurrent, migrate } from '../adapters/db/migrate.ts';
import { loadOrCreateLocalKey } from '../adapters/secrets/local-key-file.ts';
import { createSecretBox } from '../adapters/secrets/secret-box.ts';
import { type EnvSource, processEnv } from '../config/env.ts';
import type { ResolvedConfig } from '../config/resolve-config.ts';
import type { SecretBox } from '../domain/secret-ref.ts';

/** Connected adapters of one process. */
export interface Runtime {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly database: AppDatabase;
  readonly secretBox: SecretBox;
  /** Closes everything the runtime opened; safe to call twice. */
  close(): Promise<void>;
}

/**
 * What to do about the schema at start: apply pending migrations, refuse a schema that is not
 * exactly this build's (behind or ahead), or neither (`migrate --status`).
 */
export type SchemaPolicy = 'migrate' | 'require-current' | 'ignore';

/** Options of {@link openRuntime}. */
export interface OpenRuntimeOptions {
  /** @default 'migrate', except 'require-current' in aws mode (see the header) */
  schema?: SchemaPolicy;
  /** Environment that `env` secret references are read from. @default the process environment */
  env?: EnvSource;
  /**
   * An already open database to use instead of connecting to `config.database` (tests inject
   * their isolated database); the runtime does not close it.
   */
  database?: AppDatabase;
}

/**
 * The schema policy a process uses when it does not choose one.
 *
 * @example
 * defaultSchemaPolicy(config); // 'require-current' in aws mode, 'migrate' otherwise
 */
export function defaultSchemaPolicy(config: Pick<ResolvedConfig, 'mode'>): SchemaPolicy {
  return config.mode === 'aws' ? 'require-current' : 'migrate';
}

/**
 * Prepares the data directory, connects the database (failing fast with one clear line),
 * applies or checks the schema ({@link SchemaPolicy}) and builds the secret box.
 *
 * @example
 * const runtime = await openRuntime(config, logger);
 * try { … } finally { await runtime.close(); }
 */
export async function openRuntime(
  config: ResolvedConfig,
  logger: Logger,
  options: OpenRuntimeOptions = {},
): Promise<Runtime> {
  const injected = options.database;
  const usesLocalKey = config.secretsKey === undefined && config.mode === 'local';
  const needsDataDir =
    (injected === undefined && config.database.kind === 'pglite') || usesLocalKey;
  if (needsDataDir) await ensureWritableDir(config.dataDir);

  const database =
    injected ??
    (await createDatabase(
      config.database.kind === 'pglite'
        ? { kind: 'pglite', dataDir: config.dataDir }
        : { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize },
    ));
  const closeDatabase = async () => {
    if (injected === undefined) await database.close();
  };
  try {
    const policy = options.schema ?? defaultSchemaPolicy(config);
    if (policy === 'migrate') {
      const result = await migrate(database);
      if (result.applied.length > 0) {
        logger.info({ applied: result.applied, version: result.current }, 'database migrated');
      }
    } else if (policy === 'require-current') {
      await assertSchemaCurrent(database);
    }
    const key =
      config.secretsKey ?? (usesLocalKey ? await loadOrCreateLocalKey(config.dataDir) : undefined);
    const secretBox = createSecretBox({ key, env: options.env ?? processEnv() });
    let closed = false;
    return {
      config,
      logger,
      database,
      secretBox,
      async close() {
        if (closed) return;
        closed = true;
        await closeDatabase();
      },
    };
  } catch (error) {
    await closeDatabase().catch(() => undefined);
    throw error;
  }
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new DataDirNotWritableError(dir, { cause: error });
  }
}
