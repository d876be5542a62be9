import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, webhookSecretKey } from './standard-webhooks.ts';

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
});
