/**
 * Turns flags + environment into one frozen {@link ResolvedConfig}.
 *
 * Order for every option: CLI flag, then environment variable, then default. All values are
 * validated here, so the rest of the program never sees a malformed setting; a bad value
 * raises {@link ConfigError} naming the variable and what is wrong with it.
 */
import path from 'node:path';
import { AppError, ErrorCode } from '../domain/errors.ts';
import {
  CONFIG_OPTIONS,
  LOG_LEVELS,
  type LogLevel,
  Mode,
  type ServiceOptions,
} from './config-options.ts';
import { type EnvSource, readEnv } from './env.ts';
import { type NotificationSettings, resolveNotifications } from './resolve-notifications.ts';

/** A configuration value is missing or malformed. */
export class ConfigError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.CONFIG_INVALID, message, { context });
  }
}

/** Where the service keeps its data. */
export type DatabaseTarget =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

/** Where the aws mode's queue is and how its receivers budget time. */
export interface SqsSettings {
  /** URL of the standard SQS queue carrying bulk-change messages. */
  readonly queueUrl: string;
  /** Endpoint override (emulator, VPC endpoint); undefined = the SDK's regional endpoint. */
  readonly endpoint: string | undefined;
  /** AWS region of the queue. */
  readonly region: string;
  /** Time kept free at the end of a Lambda invocation / visibility window, in ms. */
  readonly deadlineMarginMs: number;
}

/** Fully resolved, validated, frozen configuration. */
export interface ResolvedConfig {
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly logLevel: LogLevel;
  /** 32-byte key, or undefined when none was configured (local mode then uses a key file). */
  readonly secretsKey: Buffer | undefined;
  readonly seedDemo: boolean;
  readonly publicUrl: string;
  /** Start the simulators inside `serve`. */
  readonly simulators: boolean;
  /** Port of the first simulator (Jasper); the others follow. */
  readonly simulatorPortBase: number;
  /** Credentials carriers send back in callbacks; undefined = not configured. */
  readonly callbacks: {
    readonly username: string | undefined;
    readonly password: string | undefined;
  };
  /** Engine settings. */
  readonly engine: {
    readonly maxParallelRequests: number;
    readonly pageSize: number;
    readonly workerConcurrency: number;
  };
  /** The SQS queue: set in aws mode (where `SQS_QUEUE_URL` is required), undefined otherwise. */
  readonly sqs: SqsSettings | undefined;
  /** Completion emails and status webhooks. */
  readonly notifications: NotificationSettings;
}

/** Inputs of {@link resolveConfig}. */
export interface ResolveConfigInput {
  /** Values from CLI flags (undefined = not given). */
  flags?: ServiceOptions;
  /** Environment variables. */
  env?: EnvSource;
  /** Directory relative paths are resolved against. @default process.cwd() */
  cwd?: string;
}

/**
 * Resolves the configuration.
 *
 * @example
 * const config = resolveConfig({ flags: { port: 8080 }, env: processEnv() });
 */
export function resolveConfig(input: ResolveConfigInput = {}): ResolvedConfig {
  const flags = input.flags ?? {};
  const env = input.env ?? {};
  const cwd = input.cwd ?? process.cwd();
  const raw = (key: keyof ServiceOptions): string | undefined => {
    const flag = flags[key];
    if (flag !== undefined && flag !== null && String(flag).trim() !== '')
      return String(flag).trim();
    return readEnv(env, envName(key));
  };

  const mode = parseMode(raw('mode') ?? Mode.Local);
  const port = parseInteger('PORT', raw('port') ?? '3000', 0, 65_535);
  const dataDir = path.resolve(cwd, raw('dataDir') ?? './data');
  const databaseUrl = raw('databaseUrl');
  if (mode !== Mode.Local && databaseUrl === undefined) {
    throw new ConfigError(
      `DATABASE_URL is required in ${mode} mode (the embedded PGlite database is for local mode)`,
      {
        mode,
      },
    );
  }
  const poolSize = parseInteger('DATABASE_POOL_SIZE', raw('databasePoolSize') ?? '10', 1, 1_000);
  const sqs = resolveSqs(raw, mode);
  const database: DatabaseTarget =
    databaseUrl === undefined
      ? { kind: 'pglite', dataDir }
      : { kind: 'postgres', url: parseDatabaseUrl(databaseUrl), poolSize };

  return Object.freeze({
    mode,
    host: raw('host') ?? (mode === Mode.Local ? 'localhost' : '0.0.0.0'),
    port,
    dataDir,
    database: Object.freeze(database),
    logLevel: parseLogLevel(raw('logLevel') ?? 'info'),
    secretsKey: parseSecretsKey(raw('secretsKey')),
    seedDemo: parseBoolean(
      'SEED_DEMO',
      flags.seedDemo ?? readEnv(env, 'SEED_DEMO'),
      mode === Mode.Local,
    ),
    publicUrl: (raw('publicUrl') ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    simulators: parseBoolean(
      'SIMULATORS',
      flags.simulators ?? readEnv(env, 'SIMULATORS'),
      mode === Mode.Local,
    ),
    simulatorPortBase: parseInteger(
      'SIMULATOR_PORT_BASE',
      raw('simulatorPortBase') ?? '4010',
      1,
      65_532,
    ),
    callbacks: Object.freeze({
      username: raw('callbackUsername'),
      password: raw('callbackPassword'),
    }),
    engine: Object.freeze({
      maxParallelRequests: parseInteger(
        'MAX_PARALLEL_REQUESTS',
        raw('maxParallelRequests') ?? '10',
        1,
        1000,
      ),
      pageSize: parseInteger('PAGE_SIZE', raw('pageSize') ?? '100', 1, 10_000),
      workerConcurrency: parseInteger(
        'WORKER_CONCURRENCY',
        raw('workerConcurrency') ?? '2',
        1,
        100,
      ),
    }),
    sqs,
    notifications: resolveNotifications(raw, mode, dataDir, raw('awsRegion') ?? 'us-east-1'),
  });
}

/**
 * The SQS settings. Every given value is validated in every mode (a typo should not wait for
 * the switch to aws mode), but only aws mode uses them and requires `SQS_QUEUE_URL`.
 */
function resolveSqs(
  raw: (key: keyof ServiceOptions) => string | undefined,
  mode: Mode,
): SqsSettings | undefined {
  const queueUrlText = raw('sqsQueueUrl');
  const queueUrl =
    queueUrlText === undefined ? undefined : parseHttpUrl('SQS_QUEUE_URL', queueUrlText);
  if (queueUrl?.endsWith('.fifo')) {
    throw new ConfigError(
      `SQS_QUEUE_URL must name a standard queue, not a FIFO queue (FIFO queues refuse per-message delays); got ${queueUrl}`,
    );
  }
  const endpointText = raw('sqsEndpoint');
  const endpoint =
    endpointText === undefined ? undefined : parseHttpUrl('SQS_ENDPOINT', endpointText);
  const region = raw('awsRegion') ?? 'us-east-1';
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region) || region.length > 32) {
    throw new ConfigError(`AWS_REGION must be a region name such as eu-west-1; got "${region}"`);
  }
  const deadlineMarginMs = parseInteger(
    'SQS_DEADLINE_MARGIN_MS',
    raw('sqsDeadlineMarginMs') ?? '60000',
    0,
    299_000,
  );
  if (mode !== Mode.Aws) return undefined;
  if (queueUrl === undefined) {
    throw new ConfigError(
      'SQS_QUEUE_URL is required in aws mode (the URL of the bulk-change queue, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/bulk-change)',
      { mode },
    );
  }
  return Object.freeze({ queueUrl, endpoint, region, deadlineMarginMs });
}

function parseHttpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL; got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must start with https:// or http://; got ${url.protocol}//`);
  }
  return value.replace(/\/+$/, '');
}

function envName(key: keyof ServiceOptions): string {
  const doc = CONFIG_OPTIONS.find((o) => o.key === key);
  if (doc === undefined) throw new Error(`config option ${key} is not documented`);
  return doc.env;
}

function parseMode(value: string): Mode {
  const modes = Object.values(Mode) as string[];
  if (!modes.includes(value)) {
    throw new ConfigError(`MODE must be one of ${modes.join(', ')}; got "${value}"`, { value });
  }
  return value as Mode;
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number; got "${value}"`);
  const n = Number(value);
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}; got ${n}`);
  return n;
}

function parseLogLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${value}"`);
  }
  return level as LogLevel;
}

function parseBoolean(
  name: string,
  value: string | boolean | undefined,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false; got "${value}"`);
}

function parseDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'DATABASE_URL is not a valid URL (expected postgres://user@host:5432/database)',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://; got ${url.protocol}//`,
    );
  }
  return value;
}

function parseSecretsKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      `SECRETS_KEY must be base64 of exactly 32 bytes (got ${key.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}
