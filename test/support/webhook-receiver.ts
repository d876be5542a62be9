/**
 * A real HTTP receiver of status webhooks on loopback, as a tenant would write one: it checks
 * the Standard Webhooks signature with its own verifier (written from the specification, not
 * with the service's signer), rejects stale timestamps, and processes each `webhook-id` once
 * (duplicates are acknowledged with 200 and ignored). A knob scripts the next answers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  signatureValid: boolean;
  duplicate: boolean;
  answeredWith: number;
}

/** The receiver. */
export interface WebhookReceiver {
  readonly url: string;
  /** Every request, in arrival order (duplicates and refused ones included). */
  readonly requests: ReceivedWebhook[];
  /** Bodies processed: one per distinct, correctly signed webhook-id. */
  readonly processed: Map<string, unknown>;
  /** The next answers (status codes), before the default 200. */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

/**
 * Verifies a Standard Webhooks signature: HMAC-SHA256 keyed with the base64-decoded part of
 * the `whsec_` secret over `id.timestamp.body`, compared in constant time with each
 * space-separated `v1,<base64>` entry of the header.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers.id}.${headers.timestamp}.${body}`)
    .digest();
  return headers.signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a receiver on 127.0.0.1; `secret()` gives the tenant's secret when a request arrives. */
export async function startWebhookReceiver(
  secret: () => Promise<string>,
  clock: () => Date = () => new Date(),
): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const processed = new Map<string, unknown>();
  const script: number[] = [];
  const server = createServer((req, res) => {
    handle(req)
      .then((status) =>
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no'),
      )
      .catch(() => res.writeHead(500).end('receiver error'));
  });
  async function handle(req: IncomingMessage): Promise<number> {
    const body = await readBody(req);
    const header = (name: string) => String(req.headers[name] ?? '');
    const h = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
    };
    const valid = verifyStandardWebhook(
      await secret(),
      h,
      body,
      Math.floor(clock().getTime() / 1000),
    );
    const scripted = script.shift();
    let status = scripted ?? (valid ? 200 : 401);
    const duplicate = processed.has(h.id);
    if (status === 200 && valid && !duplicate) processed.set(h.id, JSON.parse(body));
    if (!valid && scripted === undefined) status = 401;
    requests.push({ ...h, body, signatureValid: valid, duplicate, answeredWith: status });
    return status;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/bulk-change?token=abc`,
    requests,
    processed,
    answerNext(...statuses) {
      script.push(...statuses);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
