/**
 * Composition root shared by every entry point (CLI commands, later the Lambda handler):
 * turns a resolved configuration into connected adapters. Only this folder wires concrete
 * adapters together; the app layer sees ports.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type AppDatabase, createDatabase } from '../adapters/db/database.ts';
import { DataDirNotWritableError } from '../adapters/db/db-errors.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { loadOrCreateLocalKey } from '../adapters/secrets/local-key-file.ts';
import { createSecretBox } from '../adapters/secrets/secret-box.ts';
import { processEnv } from '../config/env.ts';
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

/** Options of {@link openRuntime}. */
export interface OpenRuntimeOptions {
  /** Apply pending migrations before returning. @default true */
  migrate?: boolean;
}

/**
 * Prepares the data directory, connects the database (failing fast with one clear line),
 * applies migrations and builds the secret box.
 */
export async function openRuntime(
  config: ResolvedConfig,
  logger: Logger,
  options: OpenRuntimeOptions = {},
): Promise<Runtime> {
  const needsDataDir = config.database.kind === 'pglite' || config.secretsKey === undefined;
  if (needsDataDir) await ensureWritableDir(config.dataDir);

  const database = await createDatabase(
    config.database.kind === 'pglite'
      ? { kind: 'pglite', dataDir: config.dataDir }
      : { kind: 'postgres', url: config.database.url, poolSize: config.database.poolSize },
  );
  try {
    if (options.migrate !== false) {
      const result = await migrate(database);
      if (result.applied.length > 0) {
        logger.info({ applied: result.applied, version: result.current }, 'database migrated');
      }
    }
    const key =
      config.secretsKey ??
      (config.mode === 'local' ? await loadOrCreateLocalKey(config.dataDir) : undefined);
    const secretBox = createSecretBox({ key, env: processEnv() });
    let closed = false;
    return {
      config,
      logger,
      database,
      secretBox,
      async close() {
        if (closed) return;
        closed = true;
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
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
