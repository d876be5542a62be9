import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { openRuntime } from '../../src/runtime/open-runtime.ts';
import { startNotifications } from '../../src/runtime/start-notifications.ts';
import { silentLogger } from '../support/engine-fixtures.ts';
import { createFinishedBulkChange } from '../support/notification-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * The runtime's wiring as `serve` and `worker` start it: in local mode the completion email is
 * written as an .eml file under DATA_DIR/mail (nothing leaves the machine).
 */
describe('notifications started by the runtime (local mode)', () => {
  const testDb = useTestDatabase();
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('delivers a completion email to DATA_DIR/mail in the background', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dbc-notify-'));
    dirs.push(dataDir);
    const config = resolveConfig({
      env: { DATA_DIR: dataDir, SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    const runtime = await openRuntime(config, silentLogger, { database: testDb().database });
    const { bulkChangeId } = await createFinishedBulkChange(testDb().db, {
      count: 3,
      failRows: [2],
      settings: { notificationEmails: ['ops@demo.example'], webhookUrl: null },
    });
    const notifications = startNotifications(runtime, { intervalMs: 50 });
    try {
      const mailDir = join(dataDir, 'mail');
      let files: string[] = [];
      for (let i = 0; i < 100 && files.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        files = (await readdir(mailDir).catch(() => [])).filter((f) => f.endsWith('.eml'));
      }
      expect(files).toHaveLength(1);
      const parsed = await simpleParser(await readFile(join(mailDir, files[0] ?? '')));
      expect(parsed.subject).toContain(`Bulk change ${bulkChangeId} `);
      expect(parsed.subject).toContain('1 of 3 failed');
      expect(parsed.messageId).toMatch(
        new RegExp(`^<bulk-change-${bulkChangeId}\\.completion-\\d+@localhost>$`),
      );
      expect(parsed.attachments.map((a) => a.filename).sort()).toEqual([
        'results.csv',
        'username-report.csv',
      ]);
    } finally {
      await notifications.stop();
      await runtime.close();
    }
    const email = await testDb()
      .db.selectFrom('notification_outbox')
      .select('status')
      .where('kind', '=', 'notification.email')
      .executeTakeFirstOrThrow();
    expect(email.status).toBe('SENT');
  });
});
