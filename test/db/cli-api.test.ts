import { mkdtemp, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiHarness,
  type ApiTenant,
  createApiHarness,
  seedApiTenant,
} from '../support/api-fixtures.ts';
import { runCli, startCli } from '../support/cli-process.ts';
import { iccidFor } from '../support/db-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

const testDb = useTestDatabase();
let harness: ApiHarness;
let a: ApiTenant;
let url: string;
let dir: string;

beforeAll(async () => {
  harness = await createApiHarness(testDb());
  a = await seedApiTenant(testDb().db, { devices: 12 });
  url = await harness.listen();
  dir = await mkdtemp(join(tmpdir(), 'cli-api-'));
});
afterAll(async () => harness?.close());

const env = () => ({ BULK_CHANGE_API_URL: url, BULK_CHANGE_API_KEY: a.key, DATA_DIR: dir });

/** Plays the engine: every open device change gets a result, the first one fails. */
async function processAll(id: number) {
  const { db } = testDb();
  await db
    .updateTable('bulk_changes')
    .set({ status: 'PROCESSING', started_at: new Date(Date.now() - 2000) })
    .where('id', '=', id)
    .execute();
  await db
    .updateTable('device_changes')
    .set({ status: 'PROCESSED', processed_at: new Date() })
    .where('bulk_change_id', '=', id)
    .where('status', '=', 'NEW')
    .execute();
  await db
    .updateTable('device_changes')
    .set({ status: 'API_FAILED', status_details: 'Jasper: 404 device not found' })
    .where('bulk_change_id', '=', id)
    .where('row_number', '=', 1)
    .execute();
  await db
    .updateTable('bulk_changes')
    .set({ status: 'PROCESSED', processed_at: new Date() })
    .where('id', '=', id)
    .execute();
}

describe('bulk-change CLI against the real server', () => {
  it('demo-csv prints the devices of a provider, submit --wait follows progress and exits 1 when a device failed', async () => {
    const full = await runCli(['demo-csv', '--integration', 'POD19', '--count', '2'], env());
    expect(full.stdout.trim().split('\n')).toEqual([
      'iccid,ContactName,CostCenter1',
      `${iccidFor(1)},Demo unit 1,DEMO-B`,
      `${iccidFor(2)},Demo unit 2,DEMO-C`,
    ]);
    const csv = await runCli(
      ['demo-csv', '--integration', 'POD19', '--count', '5', '--bare'],
      env(),
    );
    expect(csv.code).toBe(0);
    expect(csv.stdout.trim().split('\n')).toEqual(['iccid', ...[1, 2, 3, 4, 5].map(iccidFor)]);
    const file = join(dir, 'devices.csv');
    await writeFile(file, `${csv.stdout.trim()}\n${iccidFor(999)}\n`);

    const cli = startCli(
      [
        'submit',
        '--type',
        'EditUsernameCostCenter',
        '--service-provider',
        String(a.provider.id),
        '--file',
        file,
        '--request',
        '{"ContactName":"CLI"}',
        '--wait',
        '--interval',
        '100',
      ],
      env(),
    );
    const created = await cli.waitForStdout(
      /Created bulk change (\d+): 6 devices, 1 rejected/,
      20_000,
    );
    const id = Number(created[1]);
    await cli.waitForStdout(/\] 1\/6 \(16\.7%\) · failed 1 · .* · NEW/, 20_000);
    await processAll(id);
    expect(await cli.exited()).toBe(1);
    const out = cli.stdout();
    expect(out).toMatch(/\[#+\] 6\/6 \(100\.0%\) · failed 2 · .* · PROCESSED/);
    expect(out).toMatch(/row 1 \d+: API_FAILED — Jasper: 404 device not found/);
    expect(out).toMatch(/row 6 \d+: ERROR — ICCID .* is not a device/);

    const status = await runCli(['status', String(id), '--json'], env());
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      id,
      status: 'PROCESSED',
      counts: { PROCESSED: 4, API_FAILED: 1, ERROR: 1 },
    });

    const list = await runCli(['list'], env());
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+PROCESSED\\s+EditUsernameCostCenter`));

    const retry = await runCli(['retry', String(id)], env());
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/1 device changes re-queued \(PROCESSING\)/);
  });

  it('says clearly when the server is unreachable, the key is bad or the file is missing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const down = await runCli(['status', '1'], {
      ...env(),
      BULK_CHANGE_API_URL: `http://127.0.0.1:${port}`,
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `Cannot reach the API at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    const badKey = await runCli(['list'], { ...env(), BULK_CHANGE_API_KEY: 'dbc_wrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/The API key from BULK_CHANGE_API_KEY was refused/);
    const noFile = await runCli(
      [
        'submit',
        '--type',
        'EditUsername',
        '--service-provider',
        String(a.provider.id),
        '--file',
        join(dir, 'nope.csv'),
      ],
      env(),
    );
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/Cannot read --file .*nope\.csv: no such file/);
    const badCsv = join(dir, 'bad.csv');
    await writeFile(badCsv, 'serial,ContactName\n1,x\n');
    const wrong = await runCli(
      [
        'submit',
        '--type',
        'EditUsername',
        '--service-provider',
        String(a.provider.id),
        '--file',
        badCsv,
      ],
      env(),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/CSV column "serial" is not known; accepted columns/);
  });

  it('reads the URL and key from data/demo-credentials.json when no flag or variable is set', async () => {
    await writeFile(
      join(dir, 'demo-credentials.json'),
      JSON.stringify({ apiUrl: url, apiKey: a.key, tenantId: a.tenant.id }),
    );
    const res = await runCli(['list', '--service-providers', '--json'], { DATA_DIR: dir });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([
      expect.objectContaining({ id: a.provider.id, integration: 'POD19' }),
    ]);
  });
});
