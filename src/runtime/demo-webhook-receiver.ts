/**
 * The demo status-webhook receiver of local mode (`POST /demo/webhooks`, `GET /demo/webhooks`):
 * a sandbox a new user can inspect, standing in for the tenant's own endpoint. Each POST is
 * verified with the demo tenant's Standard Webhooks secret (`verifyWebhook`, the same module
 * the sender signs with) and recorded as one JSON file under `DATA_DIR/webhooks/`:
 *
 * - correctly signed: `<webhook-id>.json` (200); the same `webhook-id` again is acknowledged
 *   (200, `duplicate: true`) and not stored twice — the file is created exclusively
 *   (written aside, then hard-linked into place), so concurrent duplicates store one;
 * - refused (missing headers, stale timestamp, wrong signature): `rejected/<time>-<rand>.json`
 *   and 401.
 *
 * A file holds the headers that matter, the verification result, the parsed body and the raw
 * body the signature covers (so anyone can check it again). No secret is written or logged.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { verifyWebhook } from '../adapters/notify/webhook/standard-webhooks.ts';
import type { DemoWebhookEndpoint } from '../api/build-server.ts';

/** Path of the demo receiver on this service. */
export const DEMO_WEBHOOK_PATH = '/demo/webhooks';

/** Headers kept in a recorded delivery. */
const RECORDED_HEADERS = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'user-agent',
] as const;

/** One recorded delivery (the JSON file's content). */
export interface RecordedWebhook {
  receivedAt: string;
  tenantId: number;
  headers: Partial<Record<(typeof RECORDED_HEADERS)[number], string>>;
  verification: { valid: boolean; reason?: string };
  /** The body parsed as JSON, or null when it is not JSON. */
  body: unknown;
  /** The body exactly as received (what the signature covers). */
  rawBody: string;
}

/** Dependencies of {@link createDemoWebhookReceiver}. */
export interface DemoWebhookReceiverDeps {
  /** Where deliveries are recorded, e.g. `DATA_DIR/webhooks`. */
  dir: string;
  /** The demo tenant, whose secret signs the webhooks sent here. */
  tenantId: number;
  /** The tenant's current `whsec_…` secret. */
  secret: () => Promise<string>;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** @default () => new Date() */
  now?: () => Date;
}

/** File name of a delivery: the webhook-id when it is a safe name, else a sanitised form. */
function fileNameOf(webhookId: string): string {
  if (/^[A-Za-z0-9_.-]{1,150}$/.test(webhookId) && !webhookId.startsWith('.')) {
    return `${webhookId}.json`;
  }
  const hex = Buffer.from(webhookId, 'utf8').toString('hex').slice(0, 200);
  return `id-${hex}.json`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * Creates the receiver.
 *
 * @example
 * const receiver = createDemoWebhookReceiver({ dir: path.join(dataDir, 'webhooks'), tenantId,
 *   secret: () => secrets.getOrCreate(tenantId), logger });
 * buildServer({ …, demoWebhooks: receiver });
 */
export function createDemoWebhookReceiver(deps: DemoWebhookReceiverDeps): DemoWebhookEndpoint {
  const now = deps.now ?? (() => new Date());
  const rejectedDir = path.join(deps.dir, 'rejected');

  async function readRecords(dir: string): Promise<Array<{ file: string } & RecordedWebhook>> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
    const records: Array<{ file: string } & RecordedWebhook> = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const text = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
      const record = text === undefined ? undefined : (parseJson(text) as RecordedWebhook | null);
      if (record !== null && record !== undefined) records.push({ file: name, ...record });
    }
    return records.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  return {
    async receive(rawHeaders, rawBody) {
      const receivedAt = now();
      const headers: RecordedWebhook['headers'] = {};
      for (const name of RECORDED_HEADERS) {
        const value = headerValue(rawHeaders[name]);
        if (value !== undefined) headers[name] = value;
      }
      const verification = verifyWebhook(await deps.secret(), headers, rawBody, receivedAt);
      const record: RecordedWebhook = {
        receivedAt: receivedAt.toISOString(),
        tenantId: deps.tenantId,
        headers,
        verification: verification.ok
          ? { valid: true }
          : { valid: false, reason: verification.reason },
        body: parseJson(rawBody),
        rawBody,
      };
      const content = `${JSON.stringify(record, null, 2)}\n`;
      const webhookId = headers['webhook-id'];

      if (!verification.ok || webhookId === undefined) {
        await mkdir(rejectedDir, { recursive: true });
        const name = `${receivedAt.getTime()}-${randomBytes(4).toString('hex')}.json`;
        await writeFile(path.join(rejectedDir, name), content);
        const reason = verification.ok ? 'missing-headers' : verification.reason;
        deps.logger.warn({ webhookId, reason }, 'demo webhook receiver refused a delivery');
        return {
          statusCode: 401,
          body: {
            code: 'UNAUTHORIZED',
            message: `webhook refused: ${reason} (Standard Webhooks verification with the tenant's secret)`,
          },
        };
      }

      await mkdir(deps.dir, { recursive: true });
      const file = fileNameOf(webhookId);
      const aside = path.join(deps.dir, `.incoming-${randomBytes(6).toString('hex')}.json`);
      let duplicate = false;
      await writeFile(aside, content);
      try {
        await link(aside, path.join(deps.dir, file));
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
        duplicate = true;
      } finally {
        await unlink(aside).catch(() => undefined);
      }
      deps.logger.info({ webhookId, file, duplicate }, 'demo webhook received');
      return { statusCode: 200, body: { received: true, duplicate, webhookId, file } };
    },

    async list() {
      const received = await readRecords(deps.dir);
      const rejected = await readRecords(rejectedDir);
      const data = (r: RecordedWebhook) =>
        ((r.body as { data?: Record<string, unknown> } | null)?.data ?? {}) as {
          bulkChange?: { id?: unknown; status?: unknown };
          page?: unknown;
          pages?: unknown;
        };
      return {
        dir: deps.dir,
        received: received.map((r) => ({
          file: r.file,
          webhookId: r.headers['webhook-id'],
          receivedAt: r.receivedAt,
          type: (r.body as { type?: unknown } | null)?.type ?? null,
          bulkChangeId: data(r).bulkChange?.id ?? null,
          status: data(r).bulkChange?.status ?? null,
          page: data(r).page ?? null,
          pages: data(r).pages ?? null,
          signatureValid: r.verification.valid,
        })),
        rejected: rejected.map((r) => ({
          file: path.join('rejected', r.file),
          webhookId: r.headers['webhook-id'] ?? null,
          receivedAt: r.receivedAt,
          reason: r.verification.reason ?? null,
        })),
      };
    },
  };
}
