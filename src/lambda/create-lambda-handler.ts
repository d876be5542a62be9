/**
 * Composition root of the AWS Lambda function: builds, once per execution environment
 * ("container"), everything a bulk-change message needs, and reuses it across warm invocations.
 *
 * Cold start (first invocation of a container), in order:
 * 1. resolve the configuration from the environment, in aws mode (`MODE` may be unset or `aws`;
 *    `DATABASE_URL` and `SQS_QUEUE_URL` are required, see README "Deploying on AWS");
 * 2. open the runtime: connect to PostgreSQL and check that its schema is exactly this build's.
 *    The function never migrates: `bulk-change migrate` runs in the deploy pipeline before the
 *    code is updated. A schema that is behind (`SCHEMA_BEHIND`) or ahead (`SCHEMA_TOO_NEW`) is
 *    refused with one clear line;
 * 3. build the SQS client (region and endpoint from the configuration, credentials from the
 *    SDK's default provider chain, i.e. the function's execution role) and the queue;
 * 4. build the engine on them and wrap it in {@link createSqsHandler} (partial batch responses;
 *    the queue re-sends messages that arrive before their `NotBefore`).
 *
 * A cold start that fails throws from the invocation, so the whole batch returns to the queue
 * after its visibility timeout; the next invocation tries to build again (a failure is not
 * cached, so a database that was briefly unreachable does not poison the container).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDatabase } from '../adapters/db/database.ts';
import { createLogger, type Logger } from '../adapters/logging/create-logger.ts';
import type { EnvSource } from '../config/env.ts';
import { ConfigError, type ResolvedConfig, resolveConfig } from '../config/resolve-config.ts';
import { openRuntime, type Runtime } from '../runtime/open-runtime.ts';
import { createEngine } from '../runtime/start-engine.ts';
import { type OpenSqs, openSqs, type SqsClientOverrides } from '../runtime/start-sqs.ts';
import { createSqsHandler, type SqsLambdaHandler } from './sqs-handler.ts';

/** Options of {@link createLambdaHandler}. */
export interface LambdaHandlerOptions {
  /** Environment the configuration is resolved from (`handler.ts` passes the process's). */
  env: EnvSource;
  /** SQS client settings that are not configuration (tests: emulator credentials). */
  sqsClient?: SqsClientOverrides;
  /**
   * An open database to use instead of connecting to `DATABASE_URL` (tests on PGlite); the
   * schema is still checked, and the database is not closed by `close()`.
   */
  database?: AppDatabase;
  /** Logger to use instead of JSON lines on stdout at `LOG_LEVEL` (tests). */
  logger?: Logger;
  /** Passed to {@link createSqsHandler}. @default true */
  processInParallel?: boolean;
}

/** The Lambda handler, with `close()` for tests (Lambda itself just freezes the container). */
export interface LambdaEntry {
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  /** Closes what the cold start opened; the next invocation would build again. */
  close(): Promise<void>;
}

/** What a cold start builds. */
interface Service {
  runtime: Runtime;
  sqs: OpenSqs;
  handle: SqsLambdaHandler;
}

/**
 * Creates the Lambda handler; nothing is opened until the first invocation.
 *
 * @example
 * // src/lambda/handler.ts
 * export const handler = createLambdaHandler({ env: processEnv() });
 */
export function createLambdaHandler(options: LambdaHandlerOptions): LambdaEntry {
  let building: Promise<Service> | undefined;

  const build = async (): Promise<Service> => {
    const config = resolveLambdaConfig(options.env);
    const logger = options.logger ?? createLogger({ level: config.logLevel });
    const startedAt = Date.now();
    const runtime = await openRuntime(config, logger, {
      schema: 'require-current',
      env: options.env,
      ...(options.database === undefined ? {} : { database: options.database }),
    });
    try {
      const sqs = openSqs(config, options.sqsClient);
      const { processMessage } = createEngine(runtime, sqs.queue);
      const handle = createSqsHandler({
        process: processMessage,
        logger,
        queue: sqs.queue,
        deadlineMarginMs: config.sqs?.deadlineMarginMs ?? 60_000,
        ...(options.processInParallel === undefined
          ? {}
          : { processInParallel: options.processInParallel }),
      });
      logger.info(
        {
          database: runtime.database.describe(),
          queueUrl: sqs.settings.queueUrl,
          region: sqs.settings.region,
          coldStartMs: Date.now() - startedAt,
        },
        'Lambda container ready',
      );
      return { runtime, sqs, handle };
    } catch (error) {
      await runtime.close().catch(() => undefined);
      throw error;
    }
  };

  const service = (): Promise<Service> => {
    if (building === undefined) {
      const attempt = build();
      building = attempt;
      // Not cached on failure: the next invocation builds again.
      attempt.catch(() => {
        if (building === attempt) building = undefined;
      });
    }
    return building;
  };

  const entry = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const { handle } = await service();
    return handle(event, context);
  };
  return Object.assign(entry, {
    async close() {
      const current = building;
      building = undefined;
      if (current === undefined) return;
      const built = await current.catch(() => undefined);
      if (built === undefined) return;
      built.sqs.close();
      await built.runtime.close();
    },
  });
}

/**
 * The function's configuration: the environment's, in aws mode. A `MODE` other than `aws` is a
 * deployment mistake and is refused rather than ignored.
 */
export function resolveLambdaConfig(env: EnvSource): ResolvedConfig {
  const mode = env.MODE?.trim();
  if (mode !== undefined && mode !== '' && mode !== 'aws') {
    throw new ConfigError(
      `the Lambda function runs in aws mode; MODE is "${mode}" (leave it unset or set it to aws)`,
      { mode },
    );
  }
  return resolveConfig({ flags: { mode: 'aws' }, env });
}
