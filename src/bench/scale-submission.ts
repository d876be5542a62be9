/**
 * The submission half of the `scale-100k` benchmark: a CSV of one row per device (columns
 * `iccid,CarrierRatePlan`, design.md §4) submitted as one bulk change.
 *
 * INTEGRATOR: the REST API (`POST /api/v1/bulk-changes`, `Content-Type: text/csv`, query
 * `changeType` and `serviceProviderId`) is being built in another branch. Until it is wired,
 * {@link submitScaleCsv} parses the CSV here and stores the bulk change through the bulk-change
 * repository (the store the API writes to), and reports `via: 'repository'`. To measure the
 * issue's "submitted through the API in ≤ 15 s", replace the body marked below with a POST of
 * `csv` to the API (a server started on `env.database` with the demo API key) that returns the
 * created id, and report `via: 'api'`. Nothing else in the benchmark changes.
 */
import { createBulkChangeRepository } from '../adapters/db/repositories/bulk-change-repository.ts';
import type { BenchEnvironment } from './bench-environment.ts';
import type { BenchScenario } from './bench-scenarios.ts';

/** What the submission produced. */
export interface ScaleSubmission {
  bulkChangeId: number;
  /** Wall time of the submission (CSV → validated → stored). */
  submitMs: number;
  via: 'repository' | 'api';
  rows: number;
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
 * Submits the scenario's CSV as one bulk change and times it.
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
  const started = performance.now();
  // ---- replace from here with POST /api/v1/bulk-changes?changeType=…&serviceProviderId=… ----
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const iccidAt = header.indexOf('iccid');
  const planAt = header.indexOf('carrierrateplan');
  if (iccidAt < 0 || planAt < 0) throw new Error('CSV header must name iccid and CarrierRatePlan');
  const wanted = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const iccid = cells[iccidAt]?.trim() ?? '';
    if (!/^\d{19,20}$/.test(iccid))
      throw new Error(`row ${i + 1}: iccid '${iccid}' is not an ICCID`);
    return { iccid, plan: cells[planAt]?.trim() ?? '' };
  });
  const known = new Map<string, number>();
  const devices = await env.database.db
    .selectFrom('devices')
    .select(['id', 'iccid'])
    .where('service_provider_id', '=', sp.id)
    .execute();
  for (const d of devices) if (d.iccid !== null) known.set(d.iccid, d.id);
  const created = await createBulkChangeRepository(env.database.db).create({
    tenantId: sp.tenantId,
    serviceProviderId: sp.id,
    changeType: scenario.changeType,
    portalType: 0,
    request: scenario.request,
    createdBy: 'bench',
    deviceChanges: wanted.map((w) => ({
      identifierKind: 'iccid' as const,
      identifier: w.iccid,
      iccid: w.iccid,
      deviceId: known.get(w.iccid) ?? null,
      changeRequest:
        w.plan === scenario.request.CarrierRatePlan ? null : { CarrierRatePlan: w.plan },
    })),
  });
  const bulkChangeId = created.bulkChange.id;
  const via = 'repository' as const;
  // ---- to here ----
  return {
    bulkChangeId,
    submitMs: Math.round(performance.now() - started),
    via,
    rows: wanted.length,
  };
}
