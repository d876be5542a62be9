import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueOutboxStore } from '../adapters/db/queue-outbox-store.ts';
import { type BenchEnvironment, openBenchEnvironment } from './bench-environment.ts';
import { resolveScenario } from './bench-scenarios.ts';
import { submitScaleCsv } from './scale-submission.ts';

describe('scale-100k submission through the REST API', () => {
  const scenario = resolveScenario('scale-100k', { devices: 40 });
  let env: BenchEnvironment;

  beforeAll(async () => {
    env = await openBenchEnvironment({
      database: { kind: 'pglite' },
      devices: { [scenario.accountKey]: scenario.devices },
      jasperLimits: scenario.jasperLimits,
      revioLimits: scenario.revioLimits,
    });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('POSTs the CSV over HTTP: one NEW bulk change with a device change per row, its outbox message drained', async () => {
    const submitted = await submitScaleCsv(env, scenario);
    expect(submitted).toMatchObject({ via: 'api', rows: 40, rejected: 0 });
    expect(submitted.submitMs).toBeGreaterThan(0);
    const sp = await env.provider(scenario.accountKey);
    const row = await env.database.db
      .selectFrom('bulk_changes')
      .select(['service_provider_id', 'change_type', 'created_by'])
      .where('id', '=', submitted.bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      service_provider_id: sp.id,
      change_type: scenario.changeType,
      created_by: expect.stringMatching(/^api:/), // written by the API, not the repository's 'bench'
    });
    const changes = await env.database.db
      .selectFrom('device_changes')
      .select(['iccid', 'status', 'device_id'])
      .where('bulk_change_id', '=', submitted.bulkChangeId)
      .execute();
    expect(changes).toHaveLength(40);
    expect(changes.every((c) => c.device_id !== null)).toBe(true);
    expect(await env.bulkStatus(submitted.bulkChangeId)).toBe('NEW');
    // The API's own queue message is sent (to the discarding queue) and marked: no worker relay
    // sends it again, so the benchmark's own messages are the only ones processed.
    expect(await createQueueOutboxStore(env.database.db).claim(10)).toEqual([]);
  }, 60_000);
});
