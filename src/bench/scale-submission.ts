/**
 * The submission half of the `scale-100k` benchmark: a CSV of one row per device (columns
 * `iccid,CarrierRatePlan`, design.md §4) submitted as one bulk change through the REST API
 * (`POST /api/v1/bulk-changes`, `Content-Type: text/csv`, query `changeType` and
 * `serviceProviderId`) over real HTTP: a server of `buildServer` on the scenario's database,
 * on an ephemeral port of 127.0.0.1, with an API key issued to the bench tenant
 * (`bench-api.ts`). Reported as `via: 'api'`.
 *
 * Queue messages: the submit transaction writes the bulk change's first queue message to the
 * outbox; the API's relay here sends it to a queue that discards it and marks it sent (drained
 * before the server closes, so no worker relay sends it later). The benchmark then sends its
 * own `messages` as for every scenario, so the processing half is unchanged and nothing is
 * processed twice.
 */

import { postCsv, startBenchApiServer } from './bench-api.ts';
import type { BenchEnvironment } from './bench-environment.ts';
import type { BenchScenario } from './bench-scenarios.ts';

/** What the submission produced. */
export interface ScaleSubmission {
  bulkChangeId: number;
  /** Wall time of the upload: first byte sent → the API's 201 (CSV streamed, validated, stored). */
  submitMs: number;
  via: 'api';
  rows: number;
  /** Rows the API rejected (ERROR device changes). */
  rejected: number;
  /** Peak RSS of the bench process (server and client) during the upload, sampled every 20 ms. */
  peakRssMb: number;
}

/**
 * Builds the CSV of every bench device of the scenario's account.
 *
 * @example
 * const csv = await buildScaleCsv(env, scenario); // "iccid,CarrierRatePlan\n8901…,ATT-M2M-1GB\n…"
 */
export async function buildScaleCsv(
  env: BenchEnvironment,
  scenario: BenchScenario,
): Promise<string> {
  const sp = await env.provider(scenario.accountKey);
  const rows = await env.database.db
    .selectFrom('devices')
    .select('iccid')
    .where('service_provider_id', '=', sp.id)
    .orderBy('id')
    .execute();
  const plan = String(scenario.request.CarrierRatePlan ?? '');
  return `iccid,CarrierRatePlan\n${rows.map((r) => `${r.iccid},${plan}`).join('\n')}\n`;
}

/**
 * Submits the scenario's CSV as one bulk change through the API and times it.
 *
 * @example
 * const { bulkChangeId, submitMs } = await submitScaleCsv(env, scenario);
 */
export async function submitScaleCsv(
  env: BenchEnvironment,
  scenario: BenchScenario,
): Promise<ScaleSubmission> {
  const csv = await buildScaleCsv(env, scenario);
  const sp = await env.provider(scenario.accountKey);
  const api = await startBenchApiServer({ database: env.database, tenantId: sp.tenantId });
  try {
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 20);
    const upload = await postCsv(api, {
      changeType: scenario.changeType,
      serviceProviderId: sp.id,
      csv,
    }).finally(() => clearInterval(sampler));
    if (upload.status !== 201) {
      throw new Error(
        `POST /api/v1/bulk-changes answered ${upload.status}: ${JSON.stringify(upload.body).slice(0, 500)}`,
      );
    }
    const { id, total, rejected } = upload.body;
    if (typeof id !== 'number' || typeof total !== 'number') {
      throw new Error(`the 201 names no bulk change: ${JSON.stringify(upload.body).slice(0, 500)}`);
    }
    // The API's own first queue message: sent (to nowhere) and marked sent now, see above.
    await api.drainOutbox();
    return {
      bulkChangeId: id,
      submitMs: Math.round(upload.ms),
      via: 'api',
      rows: total,
      rejected: typeof rejected === 'number' ? rejected : 0,
      peakRssMb: Math.round(peakRss / 1_048_576),
    };
  } finally {
    await api.close();
  }
}
