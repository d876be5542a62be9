import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookSecretKey,
} from './standard-webhooks.ts';

describe('Standard Webhooks signing', () => {
  it('matches the reference example of the specification', () => {
    // the example used across the Standard Webhooks reference libraries
    const headers = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('signs id.timestamp.body with the decoded key, whole seconds', () => {
    const secret = generateWebhookSecret();
    const at = new Date(1_700_000_000_999);
    const headers = signWebhook(secret, 'msg_1', at, '{"a":1}');
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update('msg_1.1700000000.{"a":1}')
      .digest('base64');
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('new secrets are whsec_ + base64 of 32 bytes, different each time', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('refuses malformed secrets without echoing them', () => {
    expect(() => webhookSecretKey('s3cr3t-value')).toThrow('webhook secret must start with whsec_');
    expect(() => webhookSecretKey('whsec_c2hvcnQ=')).toThrow(/too short/);
    try {
      webhookSecretKey('s3cr3t-value');
    } catch (error) {
      expect(String(error)).not.toContain('s3cr3t');
    }
  });

  describe('verifyWebhook', () => {
    const secret = generateWebhookSecret();
    const at = new Date(1_700_000_000_000);
    const body = '{"type":"bulkChange.completed"}';
    const headers = signWebhook(secret, 'msg_1', at, body);

    it('accepts what signWebhook signed, within the tolerance', () => {
      expect(verifyWebhook(secret, headers, body, at)).toEqual({ ok: true });
      expect(verifyWebhook(secret, headers, body, new Date(at.getTime() + 299_000))).toEqual({
        ok: true,
      });
    });

    it('accepts the reference example and any matching entry of a multi-signature header', () => {
      const reference = {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,Zm9v v1a,abc v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      };
      const verdict = verifyWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        reference,
        '{"test": 2432232314}',
        new Date(1614265330 * 1000),
      );
      expect(verdict).toEqual({ ok: true });
    });

    it('refuses a changed body, another id, another secret, and says why', () => {
      const bad = { ok: false, reason: 'bad-signature' };
      expect(verifyWebhook(secret, headers, `${body} `, at)).toEqual(bad);
      expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_2' }, body, at)).toEqual(bad);
      expect(verifyWebhook(generateWebhookSecret(), headers, body, at)).toEqual(bad);
      expect(
        verifyWebhook(secret, { ...headers, 'webhook-signature': 'v2,abc' }, body, at),
      ).toEqual(bad);
    });

    it('refuses missing headers, malformed and stale timestamps', () => {
      expect(verifyWebhook(secret, { 'webhook-id': 'msg_1' }, body, at)).toEqual({
        ok: false,
        reason: 'missing-headers',
      });
      expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': '17e8' }, body, at)).toEqual({
        ok: false,
        reason: 'bad-timestamp',
      });
      expect(verifyWebhook(secret, headers, body, new Date(at.getTime() + 301_000))).toEqual({
        ok: false,
        reason: 'stale-timestamp',
      });
      expect(verifyWebhook(secret, headers, body, new Date(at.getTime() - 301_000))).toEqual({
        ok: false,
        reason: 'stale-timestamp',
      });
    });
  });
});
