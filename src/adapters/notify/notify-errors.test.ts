import { describe, expect, it } from 'vitest';
import { classifyEmailError } from './email/email-errors.ts';
import {
  isRetryableWebhookStatus,
  webhookNetworkError,
  webhookStatusError,
} from './webhook/webhook-errors.ts';

describe('notification error tables', () => {
  it('webhook: 5xx, 408, 425, 429 and network failures are retried; redirects and other 4xx are final', () => {
    for (const s of [500, 502, 503, 504, 408, 425, 429])
      expect(isRetryableWebhookStatus(s)).toBe(true);
    for (const s of [301, 302, 400, 401, 403, 404, 410, 422]) {
      expect(isRetryableWebhookStatus(s)).toBe(false);
    }
    const redirect = webhookStatusError(302, '');
    expect(redirect.message).toBe('webhook receiver answered HTTP 302 redirect (not followed)');
    expect(redirect).toMatchObject({
      code: 'NOTIFICATION_DELIVERY_FAILED',
      retryable: false,
      statusCode: 302,
    });
    const timeout = webhookNetworkError(
      Object.assign(new Error('t'), { name: 'TimeoutError' }),
      50,
    );
    expect(timeout).toMatchObject({ retryable: true, statusCode: null });
    expect(timeout.message).toBe('webhook receiver unreachable: no answer within 50 ms');
    const refused = webhookNetworkError(
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      50,
    );
    expect(refused.message).toBe('webhook receiver unreachable: ECONNREFUSED');
  });

  it('email: SMTP 4xx and connection trouble are retried; SMTP 5xx, auth and SES rejections are final', () => {
    const smtp = (responseCode: number) =>
      classifyEmailError(Object.assign(new Error('x'), { code: 'EMESSAGE', responseCode }));
    expect(smtp(451)).toMatchObject({ retryable: true, statusCode: 451 });
    expect(smtp(550)).toMatchObject({ retryable: false, statusCode: 550 });
    expect(
      classifyEmailError(Object.assign(new Error('x'), { code: 'ECONNECTION' })).retryable,
    ).toBe(true);
    expect(classifyEmailError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).retryable).toBe(
      true,
    );
    expect(classifyEmailError(Object.assign(new Error('x'), { code: 'EAUTH' })).retryable).toBe(
      false,
    );
    expect(classifyEmailError(Object.assign(new Error('x'), { code: 'EENVELOPE' })).retryable).toBe(
      false,
    );
    const ses = (name: string, httpStatusCode: number) =>
      classifyEmailError(Object.assign(new Error(name), { name, $metadata: { httpStatusCode } }));
    expect(ses('ThrottlingException', 400).retryable).toBe(true);
    expect(ses('MessageRejected', 400).retryable).toBe(false);
    expect(ses('InternalFailure', 500).retryable).toBe(true);
    expect(smtp(550).message).toBe('email not sent (EMESSAGE, SMTP 550): x');
  });
});
