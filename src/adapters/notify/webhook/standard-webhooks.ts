/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is
 * `v1,` + base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)) where the key
 * is the base64 part of the `whsec_…` secret and the timestamp is whole seconds since the epoch.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of Standard Webhooks secrets. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_…` secret; throws (without echoing it) when it is malformed. */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new Error('webhook secret must start with whsec_');
  }
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  if (key.length < 24) throw new Error('webhook secret is too short (at least 24 bytes of key)');
  return key;
}

/** The three Standard Webhooks headers of one message. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one message.
 *
 * @example
 * signWebhook(secret, 'msg_1', new Date(), '{"type":"x"}')['webhook-signature']; // 'v1,…'
 */
export function signWebhook(
  secret: string,
  id: string,
  at: Date,
  body: string,
): WebhookSignatureHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', webhookSecretKey(secret))
    .update(`${id}.${timestamp}.${body}`, 'utf8')
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/** Why {@link verifyWebhook} refused a message (`ok: true` when it did not). */
export type WebhookVerification =
  | { ok: true }
  | {
      ok: false;
      reason: 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature';
    };

/**
 * Verifies one received message: the three headers are present, the timestamp is within
 * `toleranceSeconds` of `now` (replay protection), and one of the space-separated `v1,<base64>`
 * entries of `webhook-signature` equals the signature {@link signWebhook} computes, compared
 * in constant time. Throws only for a malformed secret (as {@link webhookSecretKey}).
 *
 * @example
 * verifyWebhook(secret, headers, rawBody, new Date()); // { ok: true }
 */
export function verifyWebhook(
  secret: string,
  headers: Partial<Record<keyof WebhookSignatureHeaders, string | undefined>>,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): WebhookVerification {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const given = headers['webhook-signature'];
  if (!id || !timestamp || !given) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  const seconds = Number(timestamp);
  if (Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) {
    return { ok: false, reason: 'stale-timestamp' };
  }
  const expected = Buffer.from(
    signWebhook(secret, id, new Date(seconds * 1000), body)['webhook-signature'].slice(3),
    'base64',
  );
  const matches = given.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const candidate = Buffer.from(value, 'base64');
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
