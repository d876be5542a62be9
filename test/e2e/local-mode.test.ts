import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/adapters/db/database.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { runCli, startCli } from '../support/cli-process.ts';

interface HealthBody {
  status: string;
  components: Record<string, Record<string, unknown>>;
}

/**
 * Local mode end to end: `bulk-change serve` on a fresh data dir, exactly as `npm start` runs it.
 */
describe('local mode (bulk-change serve)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dbc-e2e-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function serveOnce(expectSeed: boolean) {
    const started = Date.now();
    const cli = startCli(['serve', '--port', '0'], { DATA_DIR: dataDir });
    try {
      const [, url] = await cli.waitForStdout(/listening on (http:\/\/\S+)/, 60_000);
      const ready = await cli.waitForStdout(/ready in/, 10_000);
      expect(ready).toBeTruthy();
      const health = await fetch(`${url}/health`);
      const body = (await health.json()) as HealthBody;
      expect(health.status, JSON.stringify(body)).toBe(200);
      expect(body.status).toBe('ok');
      expect(body.components.database).toMatchObject({
        status: 'ok',
        kind: 'pglite',
        pendingMigrations: 0,
      });
      expect(body.components.queue).toMatchObject({ status: 'ok', kind: 'pg-boss' });
      expect(cli.stdout().includes('(seeded now)')).toBe(expectSeed);
      const metrics = await fetch(`${url}/metrics`);
      expect(await metrics.text()).toContain('dbc_build_info');
      const seconds = (Date.now() - started) / 1000;
      cli.child.kill('SIGTERM');
      expect(await cli.exited()).toBe(0);
      return { seconds, stdout: cli.stdout() };
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }

  it('seeds on first start, serves /health ok within 60 s, keeps data across a restart and never seeds twice', async () => {
    const first = await serveOnce(true);
    expect(first.seconds).toBeLessThan(60);
    const credentials = JSON.parse(
      await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
    );
    expect(credentials).toMatchObject({
      apiUrl: expect.stringMatching(/^http:\/\//),
      tenantId: expect.any(Number),
    });
    expect(credentials.apiKey).toMatch(/^dbc_/);
    expect(first.stdout).toContain(credentials.apiKey);

    const second = await serveOnce(false);
    const again = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    expect(again.apiKey).toBe(credentials.apiKey);
    expect(again.tenantId).toBe(credentials.tenantId);
    expect(second.stdout).toContain(`demo tenant ${credentials.tenantId}`);
  }, 180_000);

  it('fails with one clear line when DATABASE_URL is unreachable', async () => {
    const result = await runCli(['migrate'], {
      MODE: 'server',
      DATABASE_URL: 'postgres://dbc_user:hunter2@127.0.0.1:1/inventory',
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/127\.0\.0\.1:1/);
    expect(lines[0]).toMatch(/inventory/);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('fails with one clear line when DATA_DIR cannot be written', async () => {
    const file = path.join(dataDir, 'not-a-dir');
    await writeFile(file, 'x');
    const target = path.join(file, 'data');
    const result = await runCli(['migrate'], { DATA_DIR: target });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(target);
    expect(result.stderr).toContain('DATA_DIR_NOT_WRITABLE');
  });

  it('refuses to start on a database migrated by a newer build', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dbc-e2e-new-'));
    try {
      const database = await createDatabase({ kind: 'pglite', dataDir: dir });
      await migrate(database);
      await sql`insert into schema_migrations (version, name, checksum) values (999, '0999_future.sql', 'x')`.execute(
        database.db,
      );
      await database.close();
      const result = await runCli(['serve', '--port', '0'], { DATA_DIR: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /schema is at migration 999 but this build knows only up to \d+/,
      );
      expect(result.stderr).toContain('SCHEMA_TOO_NEW');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a data directory another running instance holds', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dbc-e2e-lock-'));
    const first = startCli(['serve', '--port', '0', '--no-seed-demo'], { DATA_DIR: dir });
    try {
      await first.waitForStdout(/ready in/, 60_000);
      const second = await runCli(['migrate'], { DATA_DIR: dir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `in use by another device-bulk-change process (pid ${first.child.pid})`,
      );
    } finally {
      first.child.kill('SIGTERM');
      await first.exited();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the variable when a setting is malformed', async () => {
    const result = await runCli(['migrate'], { DATA_DIR: dataDir, PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT must be a whole number; got "eighty"');
  });
});
