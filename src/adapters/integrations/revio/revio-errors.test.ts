import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import { type RevioCallContext, redact, revioRetryAfterMs, toRevioError } from './revio-errors.ts';

function response(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try {
    json = typeof body === 'string' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers: new Headers(headers), text, json, malformed: false, elapsedMs: 1 };
}

const call = (method: RevioCallContext['method'] = 'GET'): RevioCallContext => ({
  operation: method === 'GET' ? 'getService' : 'createService',
  method,
  deviceId: '700001',
  subject: 'service 700001',
  secrets: ['s3cret-password'],
});

const revioBody = (error: string, message: string) => [{ ok: false, error, message }];

describe('revio error table', () => {
  it.each([
    [400, ErrorCode.INTEGRATION_REJECTED, false],
    [401, ErrorCode.INTEGRATION_AUTH_FAILED, false],
    [403, ErrorCode.INTEGRATION_AUTH_FAILED, false],
    [404, ErrorCode.INTEGRATION_REJECTED, false],
    [405, ErrorCode.INTEGRATION_REJECTED, false],
    [415, ErrorCode.INTEGRATION_REJECTED, false],
    [429, ErrorCode.INTEGRATION_THROTTLED, true],
    [500, ErrorCode.INTEGRATION_UNAVAILABLE, false],
    [501, ErrorCode.INTEGRATION_UNAVAILABLE, false],
    [502, ErrorCode.INTEGRATION_UNAVAILABLE, true],
    [503, ErrorCode.INTEGRATION_UNAVAILABLE, true],
    [504, ErrorCode.INTEGRATION_UNAVAILABLE, true],
    [302, ErrorCode.INTEGRATION_BAD_RESPONSE, false],
  ])('HTTP %i → %s, retryable %s', (status, code, retryable) => {
    const error = toRevioError(
      { kind: 'http', response: response(status, revioBody('E', 'm')) },
      call(),
    );

    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.httpStatus).toBe(status);
    expect(error.ambiguous).toBe(false);
  });

  it.each([
    [500, true],
    [502, true],
    [504, true],
    [503, false],
    [400, false],
    [429, false],
  ])('HTTP %i on a create is ambiguous: %s', (status, ambiguous) => {
    const error = toRevioError({ kind: 'http', response: response(status, {}) }, call('POST'));

    expect(error.ambiguous).toBe(ambiguous);
  });

  it('names operation, subject, status and the vendor code and message', () => {
    const error = toRevioError(
      {
        kind: 'http',
        response: response(400, revioBody('BadRequest', 'Customer 9 does not exist.')),
      },
      call('POST'),
    );

    expect(error.message).toBe(
      'revio createService for service 700001 failed: HTTP 400 BadRequest: Customer 9 does not exist.',
    );
    expect(error).toMatchObject({
      api: 'revio',
      operation: 'createService',
      deviceId: '700001',
      vendorCode: 'BadRequest',
      vendorMessage: 'Customer 9 does not exist.',
    });
  });

  it('reads the gateway body, a single object and plain text', () => {
    const gateway = toRevioError(
      { kind: 'http', response: response(401, { statusCode: 401, message: 'Access denied.' }) },
      call(),
    );
    const single = toRevioError(
      { kind: 'http', response: response(404, { ok: false, error: 'NotFound', message: 'gone' }) },
      call(),
    );
    const text = toRevioError({ kind: 'http', response: response(502, 'upstream died') }, call());

    expect(gateway.vendorMessage).toBe('Access denied.');
    expect(gateway.vendorCode).toBeUndefined();
    expect(single).toMatchObject({ vendorCode: 'NotFound', vendorMessage: 'gone' });
    expect(text.vendorMessage).toBe('upstream died');
  });

  it('takes the 429 wait from the message and Retry-After', () => {
    const error = toRevioError(
      {
        kind: 'http',
        response: response(
          429,
          { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' },
          { 'retry-after': '7' },
        ),
      },
      call(),
    );

    expect(error.retryAfterMs).toBe(8000);
    expect(error.message).toContain('retry after 8000 ms');
  });

  it('makes ok: false a rejection and an unreadable 2xx a retryable bad response', () => {
    const okFalse = toRevioError(
      { kind: 'ok-false', response: response(200, { ok: false, message: 'nope' }) },
      call(),
    );
    const malformedCreate = toRevioError(
      { kind: 'malformed', response: { ...response(201, '{"ok": '), malformed: true } },
      call('POST'),
    );
    const unexpected = toRevioError(
      { kind: 'unexpected-body', response: response(200, {}), detail: 'service_id: required' },
      call(),
    );

    expect(okFalse).toMatchObject({ code: ErrorCode.INTEGRATION_REJECTED, retryable: false });
    expect(okFalse.message).toContain('ok=false');
    expect(malformedCreate).toMatchObject({
      code: ErrorCode.INTEGRATION_BAD_RESPONSE,
      retryable: true,
      ambiguous: true,
    });
    expect(unexpected).toMatchObject({
      code: ErrorCode.INTEGRATION_BAD_RESPONSE,
      retryable: false,
    });
    expect(unexpected.message).toContain('service_id: required');
  });

  it("keeps the transport's verdict for timeouts and names the subject", () => {
    const transport = new IntegrationError(
      ErrorCode.INTEGRATION_TIMEOUT,
      'revio createService got no answer within 300 ms',
      { api: 'revio', operation: 'createService', retryable: true, ambiguous: true },
    );

    const error = toRevioError({ kind: 'transport', error: transport }, call('POST'));

    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_TIMEOUT,
      retryable: true,
      ambiguous: true,
      deviceId: '700001',
    });
    expect(error.message).toBe(
      'revio createService for service 700001: got no answer within 300 ms',
    );
    expect(error.cause).toBe(transport);
  });

  it('scrubs secrets from vendor texts', () => {
    const error = toRevioError(
      {
        kind: 'http',
        response: response(400, revioBody('s3cret-password', 'bad s3cret-password')),
      },
      call(),
    );

    expect(error.message).not.toContain('s3cret-password');
    expect(error.vendorMessage).toBe('bad [redacted]');
    expect(redact('abc', ['abc'])).toBe('abc'); // shorter than 4: not treated as a secret
  });
});

describe('revioRetryAfterMs', () => {
  it.each([
    [null, 'Rate limit is exceeded. Try again in 3 seconds.', 4000],
    ['5', 'Rate limit is exceeded. Try again in 3 seconds.', 5000],
    ['2', 'Try again in 9 seconds.', 10_000],
    ['2', undefined, 2000],
    [null, 'Too many requests', undefined],
    [null, undefined, undefined],
  ])('Retry-After %s and message %s → %s ms', (header, message, expected) => {
    expect(revioRetryAfterMs(header, message)).toBe(expected);
  });
});
