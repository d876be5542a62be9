/**
 * Every configuration option of the service, documented once.
 *
 * Each option can be given as a CLI flag, else an environment variable, else it takes its
 * default; `resolveConfig` applies that order. This table also feeds `--help` and the README
 * table, so adding an option here is the only step needed to document it.
 */

/** Run mode: where data lives and how work is queued (see README "Modes"). */
export const Mode = { Local: 'local', Server: 'server', Aws: 'aws' } as const;

/** One run mode. */
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Log levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Options as a caller may give them (all optional). Flags use these names in kebab-case.
 */
export interface ServiceOptions {
  /** Run mode. @default 'local' */
  mode?: string;
  /** Interface the HTTP server binds to. @default 'localhost' in local mode, '0.0.0.0' otherwise */
  host?: string;
  /** HTTP port. @default 3000 */
  port?: string | number;
  /** Directory for the embedded database, the local secrets key and demo credentials. @default './data' */
  dataDir?: string;
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl?: string;
  /** Maximum PostgreSQL connections per process. @default 10 */
  databasePoolSize?: string | number;
  /** Log level. @default 'info' */
  logLevel?: string;
  /** Base64 of 32 random bytes used to encrypt stored carrier credentials. */
  secretsKey?: string;
  /** Seed the demo tenant on first start. @default true in local mode, false otherwise */
  seedDemo?: string | boolean;
  /** URL under which users reach the API (written to demo-credentials.json). @default http://localhost:<port> */
  publicUrl?: string;
  /** Start the carrier and billing simulators inside `serve`. @default true in local mode, false otherwise */
  simulators?: string | boolean;
  /** First port of the simulators (Jasper, ThingSpace, Telegence, Rev.io on consecutive ports). @default 4010 */
  simulatorPortBase?: string | number;
  /** Device changes handled at once per message. @default 10 */
  maxParallelRequests?: string | number;
  /** Device changes claimed per page. @default 100 */
  pageSize?: string | number;
  /** Messages worked at once per process. @default 2 */
  workerConcurrency?: string | number;
  /** User name carriers must send back in their callbacks. */
  callbackUsername?: string;
  /** Password carriers must send back in their callbacks. */
  callbackPassword?: string;
  /** URL of the SQS bulk-change queue (aws mode; required there). */
  sqsQueueUrl?: string;
  /** SQS endpoint override (emulators, VPC interface endpoints). @default the SDK's regional endpoint */
  sqsEndpoint?: string;
  /** AWS region of the SQS queue. @default 'us-east-1' */
  awsRegion?: string;
  /** Time kept free at the end of a Lambda invocation or SQS visibility window, in ms. @default 60000 */
  sqsDeadlineMarginMs?: string | number;
  /** How completion emails leave: file, smtp, ses or off. @default 'file' (local), 'smtp' (server), 'ses' (aws) */
  emailTransport?: string;
  /** SMTP server of the smtp email transport. @default 'smtp://localhost:25' */
  smtpUrl?: string;
  /** From address of completion emails. @default 'device-bulk-change <bulk-change@localhost>' */
  emailFrom?: string;
  /** AWS region of the SES email transport. @default the AWS_REGION setting */
  sesRegion?: string;
  /** Device changes per status-webhook POST. @default 500 */
  webhookPageSize?: string | number;
  /** Time limit of one webhook POST, in ms. @default 10000 */
  webhookTimeoutMs?: string | number;
  /** Attempts per email or webhook before it is given up. @default 10 */
  notifyMaxAttempts?: string | number;
}

/** Documentation of one option: its flag, environment variable, default and meaning. */
export interface ConfigOptionDoc {
  readonly key: keyof ServiceOptions;
  readonly flag: string;
  readonly env: string;
  readonly defaultText: string;
  readonly description: string;
}

/** All options, in the order the README lists them. */
export const CONFIG_OPTIONS: readonly ConfigOptionDoc[] = Object.freeze([
  {
    key: 'mode',
    flag: '--mode <mode>',
    env: 'MODE',
    defaultText: 'local',
    description:
      'local (embedded PGlite, in-process worker, demo data), server (PostgreSQL, separate workers) or aws (PostgreSQL + SQS/Lambda).',
  },
  {
    key: 'host',
    flag: '--host <host>',
    env: 'HOST',
    defaultText: 'localhost (local mode), 0.0.0.0 (other modes)',
    description: 'Interface the HTTP server listens on.',
  },
  {
    key: 'port',
    flag: '--port <port>',
    env: 'PORT',
    defaultText: '3000',
    description: 'HTTP port of the API, /health and /metrics.',
  },
  {
    key: 'dataDir',
    flag: '--data-dir <dir>',
    env: 'DATA_DIR',
    defaultText: './data',
    description:
      'Directory for the embedded PGlite database, the generated local secrets key and demo-credentials.json.',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url <url>',
    env: 'DATABASE_URL',
    defaultText: '(none: embedded PGlite)',
    description: 'PostgreSQL connection string. Required in server and aws modes.',
  },
  {
    key: 'databasePoolSize',
    flag: '--database-pool-size <n>',
    env: 'DATABASE_POOL_SIZE',
    defaultText: '10',
    description: 'Maximum PostgreSQL connections per process.',
  },
  {
    key: 'logLevel',
    flag: '--log-level <level>',
    env: 'LOG_LEVEL',
    defaultText: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}. Logs are JSON lines on stdout; secrets are redacted.`,
  },
  {
    key: 'secretsKey',
    flag: '--secrets-key <base64>',
    env: 'SECRETS_KEY',
    defaultText: '(local mode: generated into <DATA_DIR>/secrets.key)',
    description:
      'Base64 of 32 random bytes; encrypts carrier and billing credentials at rest. Required outside local mode when credentials are stored encrypted.',
  },
  {
    key: 'seedDemo',
    flag: '--no-seed-demo',
    env: 'SEED_DEMO',
    defaultText: 'true (local mode), false (other modes)',
    description:
      'Seed the demo tenant, service providers, devices and Rev.io data on first start (never twice).',
  },
  {
    key: 'publicUrl',
    flag: '--public-url <url>',
    env: 'PUBLIC_URL',
    defaultText: 'http://localhost:<PORT>',
    description: 'Base URL users reach the API at; written to demo-credentials.json.',
  },
  {
    key: 'simulators',
    flag: '--no-simulators',
    env: 'SIMULATORS',
    defaultText: 'true (local mode), false (other modes)',
    description:
      'Run the Jasper, ThingSpace, Telegence and Rev.io simulators inside `serve` (the demo accounts point at them).',
  },
  {
    key: 'simulatorPortBase',
    flag: '--simulator-port-base <port>',
    env: 'SIMULATOR_PORT_BASE',
    defaultText: '4010',
    description:
      'Port of the Jasper simulator; ThingSpace, Telegence and Rev.io use the next three. Demo accounts are seeded with these URLs.',
  },
  {
    key: 'maxParallelRequests',
    flag: '--max-parallel-requests <n>',
    env: 'MAX_PARALLEL_REQUESTS',
    defaultText: '10',
    description:
      "Device changes handled at once per message (the original's setting); each carrier account's rate limit still applies.",
  },
  {
    key: 'pageSize',
    flag: '--page-size <n>',
    env: 'PAGE_SIZE',
    defaultText: '100',
    description: 'Device changes a worker claims at once (under a lease).',
  },
  {
    key: 'workerConcurrency',
    flag: '--worker-concurrency <n>',
    env: 'WORKER_CONCURRENCY',
    defaultText: '2',
    description:
      'Bulk-change messages one process works on at once (pg-boss worker; the SQS worker receives up to min(this, 10) per poll).',
  },
  {
    key: 'sqsQueueUrl',
    flag: '--sqs-queue-url <url>',
    env: 'SQS_QUEUE_URL',
    defaultText: '(none)',
    description:
      'URL of the standard SQS queue carrying bulk-change messages. Required in aws mode; ignored otherwise.',
  },
  {
    key: 'sqsEndpoint',
    flag: '--sqs-endpoint <url>',
    env: 'SQS_ENDPOINT',
    defaultText: "(the SDK's regional endpoint)",
    description:
      "SQS endpoint override: an SQS emulator or a VPC interface endpoint. Credentials always come from the AWS SDK's default provider chain (Lambda execution role, ECS task role, instance profile, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), never from this service's settings.",
  },
  {
    key: 'awsRegion',
    flag: '--aws-region <region>',
    env: 'AWS_REGION',
    defaultText: 'us-east-1',
    description: 'AWS region of the SQS queue (Lambda sets AWS_REGION itself).',
  },
  {
    key: 'sqsDeadlineMarginMs',
    flag: '--sqs-deadline-margin-ms <ms>',
    env: 'SQS_DEADLINE_MARGIN_MS',
    defaultText: '60000',
    description:
      "aws mode: the engine stops taking new pages and requeues the rest when this much of the Lambda invocation (capped at half of it) or of the SQS worker's 300 s visibility timeout is left. 0 to 299000.",
  },
  {
    key: 'callbackUsername',
    flag: '--callback-username <name>',
    env: 'CALLBACK_USERNAME',
    defaultText: '(none)',
    description:
      'User name registered with carrier callbacks (ThingSpace sends it back); callbacks that do not carry it are refused with 401.',
  },
  {
    key: 'callbackPassword',
    flag: '--callback-password <secret>',
    env: 'CALLBACK_PASSWORD',
    defaultText: '(none)',
    description:
      'Password registered with carrier callbacks. Outside local mode the callback endpoint is only served when username and password are set.',
  },
  {
    key: 'emailTransport',
    flag: '--email-transport <kind>',
    env: 'EMAIL_TRANSPORT',
    defaultText: 'file (local mode), smtp (server mode), ses (aws mode)',
    description:
      'How completion emails leave: `file` writes each message as an .eml file under <DATA_DIR>/mail (nothing leaves the machine), `smtp` sends to SMTP_URL, `ses` sends through Amazon SES (credentials from the AWS SDK default provider chain), `off` sends none.',
  },
  {
    key: 'smtpUrl',
    flag: '--smtp-url <url>',
    env: 'SMTP_URL',
    defaultText: 'smtp://localhost:25',
    description:
      'SMTP server of the smtp email transport: smtp://[user:password@]host:port (STARTTLS when offered) or smtps:// (TLS). Never logged.',
  },
  {
    key: 'emailFrom',
    flag: '--email-from <address>',
    env: 'EMAIL_FROM',
    defaultText: 'device-bulk-change <bulk-change@localhost>',
    description: 'From address of completion emails (with SES: a verified identity).',
  },
  {
    key: 'sesRegion',
    flag: '--ses-region <region>',
    env: 'SES_REGION',
    defaultText: '(AWS_REGION)',
    description: 'AWS region of the SES email transport.',
  },
  {
    key: 'webhookPageSize',
    flag: '--webhook-page-size <n>',
    env: 'WEBHOOK_PAGE_SIZE',
    defaultText: '500',
    description:
      'Device changes per status-webhook POST; a larger bulk change is sent as page 1..m of m, each POST signed and retried on its own. 1 to 10000.',
  },
  {
    key: 'webhookTimeoutMs',
    flag: '--webhook-timeout-ms <ms>',
    env: 'WEBHOOK_TIMEOUT_MS',
    defaultText: '10000',
    description: 'Time limit of one status-webhook POST; a slower receiver is retried later.',
  },
  {
    key: 'notifyMaxAttempts',
    flag: '--notify-max-attempts <n>',
    env: 'NOTIFY_MAX_ATTEMPTS',
    defaultText: '10',
    description:
      'Attempts per email or webhook POST (backoff 10 s doubling up to 1 h between them) before it is marked FAILED.',
  },
] satisfies ConfigOptionDoc[]);
