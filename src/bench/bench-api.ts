/**
 * The real REST API for benchmarks: the Fastify server of `buildServer` with the API's
 * dependencies (`startApi`) on a given database, listening on an ephemeral port of 127.0.0.1,
 * with a new API key of the tenant; and a timed CSV upload to `POST /api/v1/bulk-changes`.
 * Used by the `scale-100k` scenario (`scale-submission.ts`) and `scripts/bench-submit.ts`.
 *
 * The API's queue outbox relay runs against the queue the caller passes (the default discards
 * the messages: the benchmark sends its own queue messages, as for every scenario, so the
 * processing half sees exactly the messages it always did).
 */
import { Writable } from 'node:stream';
import type { AppDatabase } from '../adapters/db/database.ts';
import { createTenantRepository } from '../adapters/db/repositories/tenant-repository.ts';
import { createLogger } from '../adapters/logging/create-logger.ts';
import { buildServer } from '../api/build-server.ts';
import { createServiceMetrics } from '../api/metrics.ts';
import { createHealthCheck } from '../app/health.ts';
import type { BulkChangeQueue } from '../app/ports/bulk-change-queue.ts';
import { startApi } from '../runtime/start-api.ts';

/** A running API server. */
export interface BenchApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Bearer key issued to the tenant for this run. */
  readonly apiKey: string;
  /** Sends what the outbox holds now (through the queue given at start); the count sent. */
  drainOutbox(): Promise<number>;
  close(): Promise<void>;
}

/** A queue that accepts and drops every message. */
const DISCARDING_QUEUE: BulkChangeQueue = { send: async () => undefined };

/**
 * Starts the API server on `database` and issues an API key of `tenantId`.
 *
 * @example
 * const api = await startBenchApiServer({ database, tenantId });
 * await postCsv(api, { changeType: 'CarrierRatePlanChange', serviceProviderId, csv });
 */
export async function startBenchApiServer(input: {
  database: AppDatabase;
  tenantId: number;
  /** Where the outbox relay sends queue messages. @default a queue that discards them */
  queue?: BulkChangeQueue;
}): Promise<BenchApiServer> {
  const { key } = await createTenantRepository(input.database.db).createApiKey(
    input.tenantId,
    'bench',
  );
  const logger = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const api = startApi({ database: input.database, logger }, input.queue ?? DISCARDING_QUEUE);
  const app = buildServer({
    logger,
    health: createHealthCheck({ probes: [], version: 'bench', mode: 'server' }),
    metrics: createServiceMetrics({ version: 'bench', mode: 'server' }),
    api: { ...api.deps, version: 'bench' },
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await api.stop();
    throw error;
  }
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) {
    await app.close();
    await api.stop();
    throw new Error('the bench API server has no TCP address');
  }
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    apiKey: key,
    drainOutbox: () => api.relay.drain(),
    async close() {
      await app.close();
      await api.stop();
    },
  };
}

/** The answer to {@link postCsv}. */
export interface CsvUpload {
  status: number;
  body: Record<string, unknown>;
  /** From the first byte sent to the response's status line (ms, not rounded). */
  ms: number;
}

/**
 * Uploads `csv` as one bulk change over real HTTP and times it.
 *
 * @example
 * const { status, body, ms } = await postCsv(api, { changeType, serviceProviderId, csv });
 */
export async function postCsv(
  server: Pick<BenchApiServer, 'baseUrl' | 'apiKey'>,
  input: { changeType: string; serviceProviderId: number; csv: string },
): Promise<CsvUpload> {
  const query = new URLSearchParams({
    changeType: input.changeType,
    serviceProviderId: String(input.serviceProviderId),
  });
  const started = performance.now();
  const res = await fetch(`${server.baseUrl}/api/v1/bulk-changes?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'text/csv' },
    body: input.csv,
  });
  const ms = performance.now() - started;
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text.slice(0, 500) };
  }
  return { status: res.status, body, ms };
}
