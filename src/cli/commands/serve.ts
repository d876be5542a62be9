/**
 * `bulk-change serve`: the whole service in one process (local mode's `npm start`).
 *
 * In aws mode `serve` is the API service only: it sends messages to SQS and runs the stall
 * sweeper, but does not consume the queue (Lambda or `bulk-change worker` does), so that long
 * bulk-change work never runs in, or competes for CPU with, the process answering HTTP, and the
 * API scales with its requests while the consumers scale with the queue. It does not migrate
 * either: `bulk-change migrate` runs in the deploy pipeline (see `runtime/open-runtime.ts`).
 *
 * Start-up: resolve config → prepare data dir → connect and migrate → seed the demo on first
 * start → start the queue → listen → print how to reach it. SIGINT/SIGTERM stop accepting
 * requests, stop the queue and close the database; a second signal exits at once.
 */
import path from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { getMigrationState } from '../../adapters/db/migrate.ts';
import { createWebhookSecretStore } from '../../adapters/db/webhook-secret-store.ts';
import { createLogger } from '../../adapters/logging/create-logger.ts';
import { buildServer } from '../../api/build-server.ts';
import { createServiceMetrics } from '../../api/metrics.ts';
import { createCarrierCallbackReceiver } from '../../app/callbacks/receive-carrier-callback.ts';
import { createHealthCheck, type HealthProbe } from '../../app/health.ts';
import type { ServiceOptions } from '../../config/config-options.ts';
import { processEnv } from '../../config/env.ts';
import { resolveConfig } from '../../config/resolve-config.ts';
import { createDemoWebhookReceiver } from '../../runtime/demo-webhook-receiver.ts';
import {
  demoWebhookUrl,
  pointDemoWebhookUrl,
  reachableBaseUrl,
} from '../../runtime/demo-webhook-url.ts';
import { createEngineMetrics } from '../../runtime/engine-metrics.ts';
import { ensureDemoSeeded } from '../../runtime/ensure-demo-seeded.ts';
import { openRuntime } from '../../runtime/open-runtime.ts';
import { registerThingSpaceCallbacks } from '../../runtime/register-thingspace-callbacks.ts';
import { startApi } from '../../runtime/start-api.ts';
import { startEngine } from '../../runtime/start-engine.ts';
import { startNotifications } from '../../runtime/start-notifications.ts';
import { type StartedQueue, startQueue } from '../../runtime/start-queue.ts';
import { startSimulators } from '../../runtime/start-simulators.ts';
import { createThingSpaceCallbackEndpoint } from '../../runtime/thingspace-callback-endpoint.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';

/** Runs the serve command until a shutdown signal arrives. */
export async function runServeCommand(flags: ServiceOptions): Promise<void> {
  const startedAt = Date.now();
  const config = resolveConfig({ flags, env: processEnv() });
  const logger = createLogger({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  const stops: Array<() => Promise<void>> = [() => runtime.close()];
  const shutdown = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => logger.error({ err: error }, 'error during shutdown'));
    }
  };

  try {
    const sims = config.simulators
      ? await startSimulators({ portBase: config.simulatorPortBase })
      : undefined;
    if (sims !== undefined) stops.push(() => sims.stop());
    const demo = config.seedDemo
      ? await ensureDemoSeeded(runtime, sims === undefined ? {} : { dataset: sims.dataset })
      : undefined;
    const queue = await startQueue(runtime);
    stops.push(() => queue.stop());
    const metrics = createServiceMetrics({ version: packageJson.version, mode: config.mode });
    const engine = await startEngine(runtime, queue, createEngineMetrics(metrics.registry), {
      consume: config.mode !== 'aws',
    });
    stops.push(() => engine.stop());
    const notifications = startNotifications(runtime);
    stops.push(() => notifications.stop());

    const databaseProbe: HealthProbe = {
      name: 'database',
      async check() {
        await runtime.database.ping();
        const state = await getMigrationState(runtime.database);
        return {
          kind: runtime.database.kind,
          schemaVersion: state.current,
          pendingMigrations: state.pending.length,
        };
      },
    };
    const health = createHealthCheck({
      probes: [databaseProbe, queue.probe],
      version: packageJson.version,
      mode: config.mode,
    });
    const { username, password } = config.callbacks;
    const callbacksConfigured = username !== undefined && password !== undefined;
    const callbacks =
      config.mode === 'local' || callbacksConfigured
        ? {
            thingspace: createThingSpaceCallbackEndpoint({
              receiver: createCarrierCallbackReceiver({
                store: engine.store,
                queue: engine.queue,
                logger,
              }),
              credentials: { username, password },
            }),
          }
        : undefined;
    // local mode's sandbox receiver of the demo tenant's status webhooks (README "Walkthrough")
    const demoWebhooks =
      config.mode === 'local' && demo !== undefined
        ? createDemoWebhookReceiver({
            dir: path.join(config.dataDir, 'webhooks'),
            tenantId: demo.credentials.tenantId,
            secret: () =>
              createWebhookSecretStore(runtime.database.db, runtime.secretBox).getOrCreate(
                demo.credentials.tenantId,
              ),
            logger,
          })
        : undefined;
    const api = startApi(runtime, engine.queue);
    stops.push(() => api.stop());
    const app = buildServer({
      logger,
      health,
      metrics,
      ...(callbacks === undefined ? {} : { callbacks }),
      ...(demoWebhooks === undefined ? {} : { demoWebhooks }),
      api: { ...api.deps, version: packageJson.version },
    });
    await app.listen({ host: config.host, port: config.port });
    stops.push(() => app.close());

    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    if (callbacks !== undefined) {
      // ThingSpace accounts with `callbackEnabled` send their completions to this service.
      await registerThingSpaceCallbacks({
        db: runtime.database.db,
        secretBox: runtime.secretBox,
        logger,
        url: `${reachableBaseUrl(config, port)}/callbacks/thingspace`,
        credentials: config.callbacks,
      });
    }
    const demoHook =
      demoWebhooks !== undefined && demo !== undefined
        ? await pointDemoWebhookUrl(
            runtime.database.db,
            demo.credentials.tenantId,
            demoWebhookUrl(config, port),
          )
        : undefined;
    const lines = [
      `device-bulk-change ${packageJson.version} (${config.mode} mode) listening on http://${config.host}:${port}`,
      `  database: ${runtime.database.describe()}`,
      `  queue:    ${describeQueue(queue, engine.consuming)}`,
      `  health:   ${reachableBaseUrl(config, port)}/health`,
      `  API:      ${reachableBaseUrl(config, port)}/api/v1 (docs: ${reachableBaseUrl(config, port)}/docs)`,
    ];
    if (demo !== undefined) {
      lines.push(
        `  demo tenant ${demo.credentials.tenantId}${demo.created ? ' (seeded now)' : ''}, API key: ${demo.credentials.apiKey}`,
        `  credentials written to ${demo.file}`,
      );
    }
    if (demoHook !== undefined && demoHook.kind !== 'no-tenant') {
      lines.push(
        demoHook.kind === 'set'
          ? `  webhooks: demo tenant's status webhook → ${demoHook.url}, recorded in ${path.join(config.dataDir, 'webhooks')}`
          : `  webhooks: demo tenant's status webhook → ${demoHook.url} (set by you; demo receiver unused)`,
      );
    }
    if (sims !== undefined) {
      lines.push(
        `  simulators: jasper ${sims.urls.jasper}, thingspace ${sims.urls.thingspace},`,
        `              telegence ${sims.urls.telegence}, revio ${sims.urls.revio}`,
      );
    }
    lines.push(`  ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; Ctrl-C to stop`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    await shutdown();
    throw error;
  }

  await waitForShutdownSignal(logger);
  await shutdown();
  logger.info('stopped');
}

function describeQueue(queue: StartedQueue, consuming: boolean): string {
  const where = queue.kind === 'sqs' ? `SQS ${queue.sqs.settings.queueUrl}` : 'pg-boss';
  return consuming
    ? `${where}, worked in this process`
    : `${where}, worked by Lambda or \`bulk-change worker\` (this process only sends)`;
}
