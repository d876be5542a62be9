/**
 * The Telegence error table (pure), and a check over real HTTP that no error kind carries the
 * client's credentials in its message, context or cause.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import {
  createRedactor,
  errorFromResponse,
  TELEGENCE_ESIM_REQUIRED_MESSAGE,
  type TelegenceFailure,
} from './telegence-errors.ts';
import type { TelegenceSimulator } from './telegence-simulator.ts';
import {
  APP_ID,
  APP_SECRET,
  activationRequest,
  clientFor,
  device,
  failure,
  fastPolicy,
  freshIccid,
  startSimulator,
} from './telegence-test-fixtures.ts';

const redact = createRedactor([APP_SECRET, APP_ID]);

function failureOf(status: number, json: unknown, extra: Partial<TelegenceFailure> = {}) {
  return {
    operation: 'swapEquipment',
    deviceId: '2145550123',
    write: true,
    sentIccid: false,
    status,
    headers: new Headers(),
    json,
    text: json === undefined ? '' : JSON.stringify(json),
    ...extra,
  } satisfies TelegenceFailure;
}

describe('error table', () => {
  const serviceBody = { id: 'x', description: '/service/' };
  it.each([
    [
      '404 /service/ with a new ICCID',
      failureOf(404, serviceBody, { sentIccid: true }),
      ErrorCode.INTEGRATION_ESIM_REQUIRED,
      false,
      false,
    ],
    [
      '404 /service/ without ICCID',
      failureOf(404, serviceBody),
      ErrorCode.INTEGRATION_REJECTED,
      false,
      false,
    ],
    [
      '401',
      failureOf(401, { responseMessage: 'no' }),
      ErrorCode.INTEGRATION_AUTH_FAILED,
      false,
      false,
    ],
    ['403', failureOf(403, {}), ErrorCode.INTEGRATION_AUTH_FAILED, false, false],
    ['429', failureOf(429, {}), ErrorCode.INTEGRATION_THROTTLED, true, false],
    ['408 on a write', failureOf(408, {}), ErrorCode.INTEGRATION_TIMEOUT, true, true],
    ['502', failureOf(502, {}), ErrorCode.INTEGRATION_UNAVAILABLE, true, false],
    ['503', failureOf(503, {}), ErrorCode.INTEGRATION_UNAVAILABLE, true, false],
    ['500 on a write', failureOf(500, {}), ErrorCode.INTEGRATION_UNAVAILABLE, true, true],
    ['504 on a write', failureOf(504, {}), ErrorCode.INTEGRATION_UNAVAILABLE, true, true],
    [
      '500 on a read',
      failureOf(500, {}, { write: false }),
      ErrorCode.INTEGRATION_UNAVAILABLE,
      true,
      false,
    ],
    ['400', failureOf(400, { errorCode: 'X' }), ErrorCode.INTEGRATION_REJECTED, false, false],
    ['409', failureOf(409, { errorCode: 'X' }), ErrorCode.INTEGRATION_REJECTED, false, false],
    ['302', failureOf(302, undefined), ErrorCode.INTEGRATION_BAD_RESPONSE, false, false],
  ])('%s', (_name, input, expectedCode, retryable, ambiguous) => {
    const error = errorFromResponse(input, redact);
    expect([error.code, error.retryable, error.ambiguous]).toEqual([
      expectedCode,
      retryable,
      ambiguous,
    ]);
    expect([error.httpStatus, error.deviceId, error.operation]).toEqual([
      input.status,
      '2145550123',
      'swapEquipment',
    ]);
  });

  it('reads Retry-After (seconds or date) for throttling', () => {
    const headers = new Headers({ 'retry-after': '2' });
    expect(errorFromResponse(failureOf(429, {}, { headers }), redact).retryAfterMs).toBe(2000);
    expect(errorFromResponse(failureOf(400, {}, { headers }), redact).retryAfterMs).toBeUndefined();
  });

  it('names operation, line, status, vendor code and message', () => {
    const error = errorFromResponse(
      failureOf(409, { errorCode: 'SIM_IN_USE', errorDescription: 'sim is in use' }),
      redact,
    );
    expect(error.message).toBe(
      'Telegence swapEquipment for 2145550123 failed: HTTP 409 SIM_IN_USE - sim is in use',
    );
    expect([error.vendorCode, error.vendorMessage]).toEqual(['SIM_IN_USE', 'sim is in use']);
  });

  it('prefers responseMessage, then errorDescription, then description', () => {
    const all = { responseMessage: 'a', errorDescription: 'b', description: 'c' };
    expect(errorFromResponse(failureOf(400, all), redact).vendorMessage).toBe('a');
    const two = { errorDescription: 'b', description: 'c' };
    expect(errorFromResponse(failureOf(400, two), redact).vendorMessage).toBe('b');
  });

  it("starts the eSIM message with the original's text", () => {
    const error = errorFromResponse(
      failureOf(404, { description: '/service/' }, { sentIccid: true }),
      redact,
    );
    expect(error.message.startsWith(TELEGENCE_ESIM_REQUIRED_MESSAGE)).toBe(true);
    expect(error.message).toContain('2145550123');
  });

  it('uses a non-JSON body as the vendor message, redacted and cut to 200 characters', () => {
    const text = `proxy said ${APP_SECRET} ${'x'.repeat(400)}`;
    const error = errorFromResponse({ ...failureOf(400, undefined), text }, redact);
    expect(error.vendorMessage).toContain('[redacted]');
    expect(error.vendorMessage).not.toContain(APP_SECRET);
    expect(error.vendorMessage?.length).toBeLessThanOrEqual(200);
  });
});

describe('credentials never leak into errors', () => {
  let sim: TelegenceSimulator;
  let baseUrl: string;
  beforeEach(async () => {
    ({ sim, baseUrl } = await startSimulator());
  });
  afterEach(async () => {
    await sim.close();
  });

  it('for every error kind', async () => {
    const wrong = 'wrong-secret-7f3a91';
    const mdn = device('A').mdn;
    const plain = clientFor(baseUrl, { timeoutMs: 250 });
    const errors: unknown[] = [];
    const collect = async (fn: () => Promise<unknown>) => errors.push(await failure(fn));
    const once = (effect: Parameters<typeof sim.faults.add>[0]['effect'], operation?: string) =>
      sim.faults.add({ times: 1, effect, ...(operation === undefined ? {} : { operation }) });

    await collect(() => clientFor(baseUrl, { appSecret: wrong }).getLine(mdn));
    await collect(() => plain.getLine('2145550000'));
    await collect(() => plain.changeRatePlan(mdn, { ratePlanCode: 'NOPE' }));
    await collect(() => plain.changeStatus(mdn, { action: 'restore', reasonCode: 'R' }));
    once({ kind: 'throttle', retryAfterSeconds: 1 });
    await collect(() => plain.getLine(mdn));
    once({ kind: 'error', status: 503 });
    await collect(() => plain.getLine(mdn));
    once({
      kind: 'respond',
      status: 500,
      json: { responseMessage: `echo app-secret: ${APP_SECRET}` },
    });
    await collect(() => plain.getLine(mdn));
    once({ kind: 'respond', status: 200, json: { unexpected: APP_SECRET } });
    await collect(() => plain.getLine(mdn));
    once({ kind: 'malformed' });
    await collect(() => plain.getLine(mdn));
    once({ kind: 'hang', applyWrite: false });
    await collect(() => plain.getLine(mdn));
    once({ kind: 'reset', applyWrite: false });
    await collect(() => plain.getLine(mdn));
    const iccid = freshIccid(70);
    sim.requireEsim(iccid);
    await collect(() => plain.swapEquipment(mdn, { reasonCode: 'X', iccid }));
    await collect(() => plain.getLine('12'));
    once({ kind: 'hang', applyWrite: true }, 'activateServices');
    sim.faults.add({ operation: 'listLines', times: 1, effect: { kind: 'error', status: 503 } });
    await collect(() =>
      clientFor(baseUrl, { timeoutMs: 250, policy: fastPolicy() }).activateServices([
        activationRequest(freshIccid(71)),
      ]),
    );
    const breaker = clientFor(baseUrl, {
      policy: fastPolicy({ maxAttempts: 1, breakerThreshold: 1 }),
    });
    once({ kind: 'error', status: 503 });
    await collect(() => breaker.getLine(mdn));
    await collect(() => breaker.getLine(mdn));
    sim.setAppAccess(APP_ID, 'forbidden');
    await collect(() => plain.getLine(mdn));
    await sim.close();
    await collect(() => plain.getLine(mdn));

    expect(errors.every((e) => e instanceof IntegrationError)).toBe(true);
    const found = errors as IntegrationError[];
    expect(new Set(found.map((e) => e.code))).toEqual(
      new Set([
        ErrorCode.INTEGRATION_AUTH_FAILED,
        ErrorCode.INTEGRATION_REJECTED,
        ErrorCode.INTEGRATION_THROTTLED,
        ErrorCode.INTEGRATION_UNAVAILABLE,
        ErrorCode.INTEGRATION_BAD_RESPONSE,
        ErrorCode.INTEGRATION_TIMEOUT,
        ErrorCode.INTEGRATION_NETWORK,
        ErrorCode.INTEGRATION_ESIM_REQUIRED,
        ErrorCode.INTEGRATION_CIRCUIT_OPEN,
      ]),
    );
    expect(found.map((e) => e.httpStatus)).toEqual(
      expect.arrayContaining([401, 403, 404, 400, 409, 429, 503, 500, 200]),
    );
    for (const error of found) {
      const surfaces = [error.message, JSON.stringify(error.context), String(error.cause)];
      for (const text of surfaces) {
        expect(text).not.toContain(APP_SECRET);
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(APP_ID);
      }
    }
  });
});
