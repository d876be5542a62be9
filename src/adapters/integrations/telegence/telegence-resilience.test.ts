/**
 * Resilience of the Telegence client, measured against the simulator: retries counted in the
 * journal, Retry-After honoured, circuit breaker opening and recovering, duplicate-safe
 * handling of writes that hang after being applied, and the rate limiter seen server-side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import { createTokenBucketLimiter } from '../shared/rate-limiter.ts';
import type { TelegenceSimulator } from './telegence-simulator.ts';
import {
  activationRequest,
  calls,
  clientFor,
  device,
  failure,
  fastPolicy,
  freshIccid,
  startSimulator,
} from './telegence-test-fixtures.ts';

let sim: TelegenceSimulator;
let baseUrl: string;

beforeEach(async () => {
  ({ sim, baseUrl } = await startSimulator());
});
afterEach(async () => {
  await sim.close();
});

const code = (e: unknown) => (e as IntegrationError).code;

describe('retries', () => {
  it('retries two 503s and succeeds on the third request', async () => {
    sim.faults.add({ operation: 'getLine', times: 2, effect: { kind: 'error', status: 503 } });
    const client = clientFor(baseUrl, { policy: fastPolicy() });
    const line = await client.getLine(device('A').mdn);
    expect(line.status).toBe('A');
    expect(calls(sim, 'getLine').map((e) => e.outcome)).toEqual([503, 503, 200]);
  });

  it('waits at least the Retry-After of a 429 before retrying', async () => {
    sim.faults.add({ times: 1, effect: { kind: 'throttle', retryAfterSeconds: 0.3 } });
    const client = clientFor(baseUrl, { policy: fastPolicy() });
    const started = performance.now();
    await client.getLine(device('A').mdn);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(calls(sim, 'getLine').map((e) => e.outcome)).toEqual([429, 200]);
  });

  it('gives up with THROTTLED and the asked wait after the last attempt', async () => {
    sim.faults.add({ effect: { kind: 'throttle', retryAfterSeconds: 0.02 } });
    const client = clientFor(baseUrl, { policy: fastPolicy({ maxAttempts: 3 }) });
    const e = (await failure(() => client.getLine(device('A').mdn))) as IntegrationError;
    expect([e.code, e.httpStatus, e.retryAfterMs, e.retryable]).toEqual([
      ErrorCode.INTEGRATION_THROTTLED,
      429,
      20,
      true,
    ]);
    expect(calls(sim, 'getLine')).toHaveLength(3);
  });

  it('retries a malformed 2xx body and a connection reset on reads', async () => {
    sim.faults.add({ operation: 'getLine', times: 1, effect: { kind: 'malformed' } });
    sim.faults.add({
      operation: 'getLine',
      times: 1,
      effect: { kind: 'reset', applyWrite: false },
    });
    const client = clientFor(baseUrl, { policy: fastPolicy() });
    expect((await client.getLine(device('A').mdn)).status).toBe('A');
    expect(calls(sim, 'getLine').map((e) => e.outcome)).toEqual([200, 'reset', 200]);
  });

  it('does not retry a business rejection', async () => {
    const client = clientFor(baseUrl, { policy: fastPolicy() });
    const e = await failure(() => client.changeRatePlan(device('A').mdn, { ratePlanCode: 'NOPE' }));
    expect(code(e)).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(calls(sim, 'patchLine')).toHaveLength(1);
  });

  it("stops at the caller's abort signal", async () => {
    sim.faults.add({ operation: 'getLine', effect: { kind: 'latency', minMs: 1000 } });
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const started = performance.now();
    const e = await failure(() => client.getLine(device('A').mdn, { signal: controller.signal }));
    expect((e as Error).message).toBe('caller gave up');
    expect(performance.now() - started).toBeLessThan(600);
    expect(calls(sim, 'getLine')).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated 503s, fails fast without a request, recovers after halfOpenAfterMs', async () => {
    sim.faults.add({ operation: 'getLine', times: 3, effect: { kind: 'error', status: 503 } });
    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 150 });
    const client = clientFor(baseUrl, { policy });
    const mdn = device('A').mdn;
    for (let i = 0; i < 3; i++) {
      expect(code(await failure(() => client.getLine(mdn)))).toBe(
        ErrorCode.INTEGRATION_UNAVAILABLE,
      );
    }
    const open = await failure(() => client.getLine(mdn));
    expect(code(open)).toBe(ErrorCode.INTEGRATION_CIRCUIT_OPEN);
    expect(sim.journal).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await client.getLine(mdn)).status).toBe('A');
    expect(sim.journal).toHaveLength(4);
  });
});

describe('writes that may have been applied', () => {
  const hang = (operation: string, applyWrite: boolean) =>
    sim.faults.add({ operation, times: 1, effect: { kind: 'hang', applyWrite } });

  it('status change hangs after being applied: the lookup finds it, no second PATCH', async () => {
    const d = device('A');
    hang('patchLine', true);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const result = await client.changeStatus(d.mdn, { action: 'suspend', reasonCode: 'CR' });
    expect(result.confirmedByLookup).toBe(true);
    expect(sim.journal.map((e) => [e.operation, e.outcome])).toEqual([
      ['patchLine', 'hang'],
      ['getLine', 200],
    ]);
    expect(sim.line(d.mdn)?.status).toBe('S');
  });

  it('status change hangs before being applied: the lookup misses and the PATCH is retried', async () => {
    const d = device('A');
    hang('patchLine', false);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const result = await client.changeStatus(d.mdn, { action: 'suspend', reasonCode: 'CR' });
    expect(result.confirmedByLookup).toBe(false);
    expect(sim.journal.map((e) => [e.operation, e.outcome])).toEqual([
      ['patchLine', 'hang'],
      ['getLine', 200],
      ['patchLine', 200],
    ]);
  });

  it('a 500 on an offering removal that was applied is resolved by lookup', async () => {
    const line = [...sim.state.lines.values()].find((l) => l.status === 'A' && l.offerings[0]);
    const offering = line?.offerings[0]?.code ?? '';
    sim.faults.add({
      operation: 'patchLine',
      times: 1,
      effect: { kind: 'respond', status: 500, json: { description: 'boom' }, applyWrite: true },
    });
    const client = clientFor(baseUrl, { policy: fastPolicy() });
    const result = await client.removeOffering(line?.subscriberNumber ?? '', offering);
    expect(result.confirmedByLookup).toBe(true);
    expect(calls(sim, 'patchLine')).toHaveLength(1);
  });

  it('an idempotent rate plan PATCH that hung is simply sent again', async () => {
    const d = device('A', 1);
    hang('patchLine', true);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    await client.changeRatePlan(d.mdn, { ratePlanCode: 'IOTDATA5MB' });
    const patches = calls(sim, 'patchLine');
    expect(patches.map((e) => e.outcome)).toEqual(['hang', 200]);
    expect(patches[1]?.rawBody).toBe(patches[0]?.rawBody);
    expect(calls(sim, 'getLine')).toHaveLength(0);
    expect(sim.line(d.mdn)?.singleUserCode).toBe('IOTDATA5MB');
  });

  it('an activation that hung after being applied is found in the device list, not re-sent', async () => {
    sim.configure({ activation: { pendingPolls: 0, reservedPolls: 1 } });
    hang('activateServices', true);
    const iccid = freshIccid(50);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const submission = await client.activateServices([activationRequest(iccid)]);
    expect(submission.confirmedByLookup).toBe(true);
    expect(submission.foundLines.map((l) => [l.iccid, l.status])).toEqual([[iccid, 'R']]);
    expect(calls(sim, 'activateServices')).toHaveLength(1);
    expect(calls(sim, 'listLines').length).toBeGreaterThan(0);
    expect(sim.state.activations.size).toBe(1);
  });

  it('an activation still pending is not found; the retry is refused as a duplicate SIM', async () => {
    hang('activateServices', true);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const e = (await failure(() =>
      client.activateServices([activationRequest(freshIccid(51))]),
    )) as IntegrationError;
    expect([e.code, e.vendorCode]).toEqual([ErrorCode.INTEGRATION_REJECTED, 'DUPLICATE_SIM']);
    expect(calls(sim, 'activateServices').map((x) => x.outcome)).toEqual(['hang', 409]);
    expect(sim.state.activations.size).toBe(1);
  });

  it("with ifAmbiguous 'report', an activation still pending is reported unconfirmed, not re-sent", async () => {
    hang('activateServices', true);
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const submission = await client.activateServices([activationRequest(freshIccid(53))], {
      ifAmbiguous: 'report',
    });
    expect(submission).toMatchObject({
      activationId: undefined,
      confirmedByLookup: false,
      unconfirmed: true,
      foundLines: [],
    });
    expect(calls(sim, 'activateServices').map((x) => x.outcome)).toEqual(['hang']);
    expect(sim.state.activations.size).toBe(1);
  });

  it('when the lookup itself fails, the write is reported ambiguous and not re-sent', async () => {
    hang('activateServices', true);
    sim.faults.add({ operation: 'listLines', effect: { kind: 'error', status: 503 } });
    const client = clientFor(baseUrl, { policy: fastPolicy(), timeoutMs: 250 });
    const e = (await failure(() =>
      client.activateServices([activationRequest(freshIccid(52))]),
    )) as IntegrationError;
    expect([e.ambiguous, e.retryable, e.operation]).toEqual([true, false, 'activateServices']);
    expect(calls(sim, 'activateServices')).toHaveLength(1);
  });

  it('without a policy a hung write fails as an ambiguous timeout', async () => {
    hang('patchLine', true);
    const client = clientFor(baseUrl, { timeoutMs: 250 });
    const e = (await failure(() =>
      client.changeStatus(device('A').mdn, { action: 'suspend', reasonCode: 'CR' }),
    )) as IntegrationError;
    expect([e.code, e.ambiguous, e.deviceId]).toEqual([
      ErrorCode.INTEGRATION_TIMEOUT,
      true,
      device('A').mdn,
    ]);
    expect(e.message).toContain(device('A').mdn);
  });
});

describe('rate limiting', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => device('A', i % 10).mdn);

  it('never has more than maxConcurrent calls in flight at the simulator', async () => {
    sim.faults.add({ operation: 'getLine', effect: { kind: 'latency', minMs: 40 } });
    const unlimited = clientFor(baseUrl);
    await Promise.all(lines(12).map((mdn) => unlimited.getLine(mdn)));
    expect(sim.stats().peakConcurrency.telegence).toBeGreaterThan(3);
    sim.reset();
    sim.faults.add({ operation: 'getLine', effect: { kind: 'latency', minMs: 40 } });
    const limiter = createTokenBucketLimiter({ ratePerSecond: 1000, maxConcurrent: 3 });
    const client = clientFor(baseUrl, { limiter, policy: fastPolicy() });
    await Promise.all(lines(12).map((mdn) => client.getLine(mdn)));
    expect(sim.stats().requests).toBe(12);
    expect(sim.stats().peakConcurrency.telegence).toBeLessThanOrEqual(3);
  });

  it('never sends more than the rate per second', async () => {
    // burst 1: at most 1 + 20 requests can fall into any one wall-clock second.
    const limiter = createTokenBucketLimiter({ ratePerSecond: 20, burst: 1, maxConcurrent: 4 });
    const client = clientFor(baseUrl, { limiter });
    const started = performance.now();
    await Promise.all(lines(26).map((mdn) => client.getLine(mdn)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1200);
    expect(sim.stats().requests).toBe(26);
    expect(sim.stats().peakPerSecond.telegence).toBeLessThanOrEqual(21);
  });

  it('answers 429 with Retry-After when an account exceeds the simulator rate', async () => {
    await sim.close();
    ({ sim, baseUrl } = await startSimulator({ ratePerSecond: 3 }));
    const client = clientFor(baseUrl);
    const results = await Promise.allSettled(lines(6).map((mdn) => client.getLine(mdn)));
    const throttled = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as IntegrationError);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    expect(throttled.every((e) => e instanceof IntegrationError)).toBe(true);
    expect(throttled.map((e) => [e.code, e.retryAfterMs])).toContainEqual([
      ErrorCode.INTEGRATION_THROTTLED,
      1000,
    ]);
  });
});
