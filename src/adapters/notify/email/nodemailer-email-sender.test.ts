import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailSink } from '../../../../test/support/mail-sink.ts';
import type { EmailMessage } from '../../../app/ports/notification-channels.ts';
import { createNodemailerEmailSender } from './nodemailer-email-sender.ts';

async function* lines(n: number) {
  yield 'n,value\r\n';
  for (let i = 1; i <= n; i += 100) {
    yield Array.from({ length: Math.min(100, n - i + 1) }, (_, k) => `${i + k},v${i + k}\r\n`).join(
      '',
    );
  }
}

function message(rows: number): EmailMessage {
  return {
    to: ['ops@example.com'],
    subject: 'Bulk change 7: succeeded',
    text: 'plain body',
    html: '<p>html body</p>',
    messageId: '<bulk-change-7.completed@ops.example>',
    attachments: [{ filename: 'results.csv', contentType: 'text/csv', content: lines(rows) }],
  };
}

describe('nodemailer email sender', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('file transport: one complete .eml per message, attachment streamed in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mail-'));
    dirs.push(dir);
    const sender = createNodemailerEmailSender({
      transport: { kind: 'file', dir: join(dir, 'mail') },
      from: 'bulk-change@localhost',
    });
    const receipt = await sender.send(message(2500));
    expect(receipt).toEqual({
      messageId: '<bulk-change-7.completed@ops.example>',
      statusCode: null,
    });
    const files = await readdir(join(dir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-.*bulk-change-7.completed@ops.example\.eml$/);
    const parsed = await simpleParser(await readFile(join(dir, 'mail', files[0] ?? '')));
    expect(parsed.subject).toBe('Bulk change 7: succeeded');
    expect(parsed.text?.trim()).toBe('plain body');
    expect(parsed.html).toContain('<p>html body</p>');
    const csv = parsed.attachments[0]?.content.toString('utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(2501);
    expect(csv?.[2500]).toBe('2500,v2500');
  });

  it('SMTP: delivered to a real server with the stable Message-ID and the 250 reply code', async () => {
    const sink = await startMailSink();
    try {
      const sender = createNodemailerEmailSender({
        transport: { kind: 'smtp', url: sink.url },
        from: 'Ops <bulk-change@ops.example>',
      });
      const receipt = await sender.send(message(3));
      expect(receipt.statusCode).toBe(250);
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0]?.from).toBe('bulk-change@ops.example');
      expect(sink.messages[0]?.parsed.messageId).toBe('<bulk-change-7.completed@ops.example>');
    } finally {
      await sink.close();
    }
  });

  it('SMTP: an unreachable server is a retryable failure; a 550 is final', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = createNodemailerEmailSender({
      transport: { kind: 'smtp', url: `smtp://127.0.0.1:${port}` },
      from: 'bulk-change@localhost',
    });
    await expect(down.send(message(1))).rejects.toMatchObject({
      code: 'NOTIFICATION_DELIVERY_FAILED',
      retryable: true,
    });
    const sink = await startMailSink();
    try {
      sink.refuseNext(1, 550);
      const refused = createNodemailerEmailSender({
        transport: { kind: 'smtp', url: sink.url },
        from: 'bulk-change@localhost',
      });
      await expect(refused.send(message(1))).rejects.toMatchObject({
        retryable: false,
        statusCode: 550,
      });
    } finally {
      await sink.close();
    }
  });

  it('SES transport: the raw MIME message goes to SESv2 SendEmail (a stand-in endpoint: SES cannot run here)', async () => {
    const received: Array<{ path: string; auth: string; body: string }> = [];
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          auth: String(req.headers.authorization ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: '0102-abc' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
    // the SDK's default provider chain reads these (what a Lambda role provides in production)
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    try {
      const sender = createNodemailerEmailSender({
        transport: { kind: 'ses', region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}` },
        from: 'bulk-change@ops.example',
      });
      await sender.send(message(3));
      expect(received).toHaveLength(1);
      expect(received[0]?.path).toBe('/v2/email/outbound-emails');
      expect(received[0]?.auth).toContain('Credential=AKIDEXAMPLE/');
      expect(received[0]?.auth).toContain('/eu-west-1/ses/aws4_request');
      const body = JSON.parse(received[0]?.body ?? '{}') as {
        Content: { Raw: { Data: string } };
      };
      const parsed = await simpleParser(Buffer.from(body.Content.Raw.Data, 'base64'));
      expect(parsed.subject).toBe('Bulk change 7: succeeded');
      expect(parsed.attachments[0]?.filename).toBe('results.csv');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.key;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.key === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
