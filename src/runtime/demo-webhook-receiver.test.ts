import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../adapters/logging/create-logger.ts';
import {
  generateWebhookSecret,
  signWebhook,
} from '../adapters/notify/webhook/standard-webhooks.ts';
import { buildServer } from '../api/build-server.ts';
import { createServiceMetrics } from '../api/metrics.ts';
import { createHealthCheck } from '../app/health.ts';
import { createDemoWebhookReceiver } from './demo-webhook-receiver.ts';

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, done) => done() }),
});
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dbc-demo-hooks-'));
  dirs.push(dir);
  const secret = generateWebhookSecret();
  const callbackBodies: unknown[] = [];
  const app = buildServer({
    logger: silent,
    health: createHealthCheck({ probes: [], version: '9.9.9', mode: 'local' }),
    metrics: createServiceMetrics({ version: '9.9.9', mode: 'local' }),
    callbacks: {
      thingspace: async (body) => {
        callbackBodies.push(body);
        return { statusCode: 200, body: { ok: true } };
      },
    },
    demoWebhooks: createDemoWebhookReceiver({
      dir: path.join(dir, 'webhooks'),
      tenantId: 7,
      secret: async () => secret,
      logger: silent,
    }),
  });
  return { app, dir, secret, callbackBodies };
}

describe('demo webhook receiver (/demo/webhooks)', () => {
  it('verifies the exact bytes received, stores once per webhook-id, lists what it got', async () => {
    const { app, dir, secret } = await setup();
    // spacing that a parse + re-serialise would lose: the signature covers the raw body
    const body =
      '{ "type": "bulkChange.completed",  "data": { "bulkChange": { "id": 12 }, "page": 1, "pages": 1 } }';
    const headers = {
      'content-type': 'application/json',
      ...signWebhook(secret, 'msg_bulkchange_12_p1', new Date(), body),
    };
    const first = await app.inject({ method: 'POST', url: '/demo/webhooks', headers, body });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      received: true,
      duplicate: false,
      webhookId: 'msg_bulkchange_12_p1',
      file: 'msg_bulkchange_12_p1.json',
    });
    const again = await app.inject({ method: 'POST', url: '/demo/webhooks', headers, body });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await readdir(path.join(dir, 'webhooks'))).toEqual(['msg_bulkchange_12_p1.json']);

    const stored = JSON.parse(
      await readFile(path.join(dir, 'webhooks', 'msg_bulkchange_12_p1.json'), 'utf8'),
    );
    expect(stored).toMatchObject({
      tenantId: 7,
      verification: { valid: true },
      rawBody: body,
      body: JSON.parse(body),
      headers: { 'webhook-id': 'msg_bulkchange_12_p1', 'content-type': 'application/json' },
    });
    expect(JSON.stringify(stored)).not.toContain(secret);

    const list = await app.inject({ method: 'GET', url: '/demo/webhooks' });
    expect(list.json()).toMatchObject({
      received: [
        {
          file: 'msg_bulkchange_12_p1.json',
          webhookId: 'msg_bulkchange_12_p1',
          type: 'bulkChange.completed',
          bulkChangeId: 12,
          page: 1,
          pages: 1,
          signatureValid: true,
        },
      ],
      rejected: [],
    });
    await app.close();
  });

  it('refuses a wrong signature with 401 and keeps it apart, under rejected/', async () => {
    const { app, dir } = await setup();
    const body = '{"type":"bulkChange.completed"}';
    const headers = { ...signWebhook(generateWebhookSecret(), 'msg_x', new Date(), body) };
    const res = await app.inject({ method: 'POST', url: '/demo/webhooks', headers, body });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('bad-signature'),
    });
    expect(await readdir(path.join(dir, 'webhooks'))).toEqual(['rejected']);
    const list = await app.inject({ method: 'GET', url: '/demo/webhooks' });
    expect(list.json()).toMatchObject({
      received: [],
      rejected: [{ webhookId: 'msg_x', reason: 'bad-signature' }],
    });
    await app.close();
  });

  it('names unsafe webhook-ids safely and leaves JSON parsing of other routes alone', async () => {
    const { app, dir, secret, callbackBodies } = await setup();
    const body = '{}';
    const headers = { ...signWebhook(secret, '../../etc/passwd', new Date(), body) };
    const res = await app.inject({ method: 'POST', url: '/demo/webhooks', headers, body });
    expect(res.statusCode).toBe(200);
    const file = (res.json() as { file: string }).file;
    expect(file).toMatch(/^id-[0-9a-f]+\.json$/);
    expect(await readdir(path.join(dir, 'webhooks'))).toEqual([file]);

    const cb = await app.inject({
      method: 'POST',
      url: '/callbacks/thingspace',
      headers: { 'content-type': 'application/json' },
      payload: '{"requestId":"r1"}',
    });
    expect(cb.statusCode).toBe(200);
    expect(callbackBodies).toEqual([{ requestId: 'r1' }]);
    await app.close();
  });
});
