import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, startCli } from '../support/cli-process.ts';
import { verifyStandardWebhook } from '../support/webhook-receiver.ts';

interface Recorded {
  receivedAt: string;
  headers: Record<string, string>;
  verification: { valid: boolean; reason?: string };
  body: { type: string; data: { bulkChange: { id: number; status: string; total: number } } };
  rawBody: string;
}

interface Listing {
  received: { file: string; webhookId: string; bulkChangeId: number | null; type: string }[];
  rejected: { file: string; reason: string }[];
}

/**
 * Issue 7's walkthrough in local mode: `serve --port 0`, a bulk change submitted with the CLI,
 * and its completion webhook recorded by the demo receiver under DATA_DIR/webhooks, signed with
 * the tenant's secret (checked here with the test's own verifier, not the service's).
 */
describe('local mode records the status webhook (demo receiver)', () => {
  let dataDir: string;
  let cli: CliProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dbc-e2e-hook-'));
  });
  afterAll(async () => {
    if (cli !== undefined && cli.child.exitCode === null) cli.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  async function serve(): Promise<{ cli: CliProcess; url: string }> {
    const started = startCli(['serve', '--port', '0'], { DATA_DIR: dataDir });
    cli = started;
    const [, url] = await started.waitForStdout(/listening on (http:\/\/\S+)/, 60_000);
    await started.waitForStdout(/ready in/, 10_000);
    return { cli: started, url: String(url) };
  }

  async function stop(running: CliProcess): Promise<void> {
    running.child.kill('SIGTERM');
    expect(await running.exited()).toBe(0);
  }

  async function listing(url: string): Promise<Listing> {
    const res = await fetch(`${url}/demo/webhooks`);
    expect(res.status).toBe(200);
    return (await res.json()) as Listing;
  }

  it('stores the signed completion webhook once, refuses a bad signature, and follows the port', async () => {
    const first = await serve();
    const port = new URL(first.url).port;
    expect(first.cli.stdout()).toContain(
      `status webhook → http://localhost:${port}/demo/webhooks, recorded in ${path.join(dataDir, 'webhooks')}`,
    );
    const credentials = JSON.parse(
      await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
    ) as { apiKey: string; tenantId: number };
    const api = ['--api-url', first.url, '--api-key', credentials.apiKey];
    const env = { DATA_DIR: dataDir };

    const csv = await runCli(['demo-csv', '--integration', 'POD19', '--count', '20', ...api], env);
    expect(csv.code, csv.stderr).toBe(0);
    const file = path.join(dataDir, 'devices.csv');
    await writeFile(file, csv.stdout);
    const providers = await runCli(['list', '--service-providers', '--json', ...api], env);
    expect(providers.code, providers.stderr).toBe(0);
    const pod19 = (JSON.parse(providers.stdout) as { id: number; integration: string }[]).find(
      (p) => p.integration === 'POD19',
    );
    expect(pod19).toBeDefined();
    const submit = await runCli(
      [
        'submit',
        '--type',
        'EditUsernameCostCenter',
        '--service-provider',
        String(pod19?.id),
        '--file',
        file,
        '--wait',
        ...api,
      ],
      env,
    );
    expect(submit.code, submit.stderr + submit.stdout).toBe(0);
    const created = /Created bulk change (\d+)/.exec(submit.stdout);
    expect(created, submit.stdout).not.toBeNull();
    const bulkChangeId = Number(created?.[1]);

    // the completion webhook arrives through the outbox shortly after the bulk change completes
    const hooksDir = path.join(dataDir, 'webhooks');
    let list: Listing = { received: [], rejected: [] };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      list = await listing(first.url);
      if (list.received.some((r) => r.type === 'bulkChange.completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const completed = list.received.filter((r) => r.type === 'bulkChange.completed');
    expect(completed, JSON.stringify(list)).toHaveLength(1);
    const entry = completed[0];
    if (entry === undefined) throw new Error('unreachable');
    expect(entry.bulkChangeId).toBe(bulkChangeId);
    expect(list.rejected).toEqual([]);
    const recorded = JSON.parse(
      await readFile(path.join(hooksDir, entry.file), 'utf8'),
    ) as Recorded;
    expect(entry.file).toBe(`${recorded.headers['webhook-id']}.json`);
    expect(recorded.verification).toEqual({ valid: true });
    expect(recorded.body.data.bulkChange).toMatchObject({
      id: entry.bulkChangeId,
      status: 'PROCESSED',
      total: 20,
    });
    expect(JSON.parse(recorded.rawBody)).toEqual(recorded.body);

    // a duplicate delivery (same webhook-id, same signature) is acknowledged and stored once
    const replay = await fetch(`${first.url}/demo/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': recorded.headers['webhook-id'] ?? '',
        'webhook-timestamp': recorded.headers['webhook-timestamp'] ?? '',
        'webhook-signature': recorded.headers['webhook-signature'] ?? '',
      },
      body: recorded.rawBody,
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true, file: entry.file });
    const hookFiles = (await readdir(hooksDir)).filter((n) => n.endsWith('.json'));
    expect(hookFiles).toEqual(list.received.map((r) => r.file).sort());

    // a tampered body with the original signature is refused and recorded as rejected
    const tampered = await fetch(`${first.url}/demo/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged_1',
        'webhook-timestamp': recorded.headers['webhook-timestamp'] ?? '',
        'webhook-signature': recorded.headers['webhook-signature'] ?? '',
      },
      body: recorded.rawBody.replace('"PROCESSED"', '"ERROR"'),
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const unsigned = await fetch(`${first.url}/demo/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    const after = await listing(first.url);
    expect(after.received).toEqual(list.received);
    expect(after.rejected.map((r) => r.reason).sort()).toEqual([
      'bad-signature',
      'missing-headers',
    ]);
    await expect(readdir(hooksDir)).resolves.not.toContain('msg_forged_1.json');
    await stop(first.cli);

    // the signature verifies with the tenant's secret (read with the CLI once serve stopped)
    const secret = await runCli(['webhook-secret', '--tenant', String(credentials.tenantId)], env);
    expect(secret.code, secret.stderr).toBe(0);
    const whsec = secret.stdout.trim();
    const headers = {
      id: recorded.headers['webhook-id'] ?? '',
      timestamp: recorded.headers['webhook-timestamp'] ?? '',
      signature: recorded.headers['webhook-signature'] ?? '',
    };
    const at = Math.floor(Date.parse(recorded.receivedAt) / 1000);
    expect(verifyStandardWebhook(whsec, headers, recorded.rawBody, at)).toBe(true);
    expect(verifyStandardWebhook(whsec, headers, `${recorded.rawBody} `, at)).toBe(false);

    // a restart on another port re-points the demo tenant's webhook at the new port
    const second = await serve();
    const port2 = new URL(second.url).port;
    expect(second.cli.stdout()).toContain(
      `status webhook → http://localhost:${port2}/demo/webhooks, recorded in`,
    );
    expect((await listing(second.url)).received).toEqual(list.received);
    await stop(second.cli);
  }, 240_000);
});
