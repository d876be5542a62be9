import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { createTokenBucketLimiter } from '../shared/rate-limiter.ts';
import { createJasperLimiter, JASPER_DEFAULT_LIMITS } from './jasper-defaults.ts';
import {
  failure,
  fastPolicy,
  type JasperTestBed,
  noLimit,
  startJasperTestBed,
} from './jasper-test-kit.ts';

let bed: JasperTestBed;
beforeAll(async () => {
  bed = await startJasperTestBed();
});
afterAll(async () => {
  await bed.sim.close();
});
afterEach(() => {
  bed.sim.reset();
});

const outcomes = () => bed.sim.journal.map((e) => e.outcome);
const retrying = (overrides = {}) => bed.client('pod19', { policy: fastPolicy(), ...overrides });

describe('jasper resilience — retries', () => {
  it('retries two 503s and succeeds on the third request', async () => {
    const iccid = bed.device('pod19');
    bed.sim.faults.add({
      operation: 'getDevice',
      times: 2,
      effect: { kind: 'error', status: 503 },
    });
    expect((await retrying().getDevice(iccid)).iccid).toBe(iccid);
    expect(outcomes()).toEqual([503, 503, 200]);
    expect(bed.sim.journal[0]?.body).toBeUndefined();
  });

  it('retries 500 (all 5xx: every Jasper call is idempotent) and gives up after maxAttempts', async () => {
    const iccid = bed.device('pod19');
    bed.sim.faults.add({ operation: 'editDevice', effect: { kind: 'error', status: 500 } });
    const error = await failure(retrying().editDevice(iccid, { accountCustom5: 'x' }));
    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_UNAVAILABLE,
      httpStatus: 500,
      vendorCode: '50000001',
      retryable: true,
      deviceId: iccid,
    });
    expect(outcomes()).toEqual([500, 500, 500, 500]);
  });

  it('does not retry a terminal 400', async () => {
    const error = await failure(retrying().editDevice(bed.device('pod19'), { ratePlan: 'nope' }));
    expect(error).toMatchObject({ code: ErrorCode.INTEGRATION_REJECTED, retryable: false });
    expect(outcomes()).toEqual([400]);
  });

  it.each([429, 400, 403] as const)(
    'treats 40000029 under HTTP %i as throttling and retries',
    async (status) => {
      bed.sim.setControls({ throttleHttpStatus: status });
      bed.sim.faults.add({
        operation: 'getDevice',
        times: 1,
        effect: { kind: 'throttle', retryAfterSeconds: 0 },
      });
      const iccid = bed.device('pod19');
      expect((await retrying().getDevice(iccid)).iccid).toBe(iccid);
      expect(outcomes()).toEqual([status, 200]);
      expect(bed.sim.journal[0]?.account).toBe('pod19');
    },
  );

  it('honours Retry-After before retrying a throttled call', async () => {
    bed.sim.faults.add({
      operation: 'getDevice',
      times: 1,
      effect: { kind: 'throttle', retryAfterSeconds: 0.3 },
    });
    const started = performance.now();
    await retrying().getDevice(bed.device('pod19'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(outcomes()).toEqual([429, 200]);
  });

  it('waits throttleWaitMs when throttled without Retry-After, and reports THROTTLED at the end', async () => {
    bed.sim.setControls({ ratePerSecond: 0.001 });
    const client = retrying({ throttleWaitMs: 60 });
    const iccid = bed.device('pod19');
    const started = performance.now();
    const error = await failure(client.getDevice(iccid));
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 60 - 5);
    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_THROTTLED,
      vendorCode: '40000029',
      retryable: true,
      retryAfterMs: 60,
    });
    expect(outcomes()).toEqual([429, 429, 429, 429]);
  });

  it('times out a hanging call and retries it', async () => {
    bed.sim.faults.add({
      operation: 'getDevice',
      times: 1,
      effect: { kind: 'hang', applyWrite: false },
    });
    const iccid = bed.device('pod19');
    expect((await retrying({ timeoutMs: 400 }).getDevice(iccid)).iccid).toBe(iccid);
    expect(outcomes()).toEqual(['hang', 200]);
  });

  it('fails with TIMEOUT after the last attempt hangs', async () => {
    bed.sim.faults.add({ operation: 'getDevice', effect: { kind: 'hang', applyWrite: false } });
    const client = bed.client('pod19', { timeoutMs: 400, policy: fastPolicy({ maxAttempts: 2 }) });
    const iccid = bed.device('pod19');
    const error = await failure(client.getDevice(iccid));
    expect(error).toMatchObject({
      code: ErrorCode.INTEGRATION_TIMEOUT,
      retryable: true,
      deviceId: iccid,
    });
    expect((error as Error).message).toContain(iccid);
    expect(outcomes()).toEqual(['hang', 'hang']);
  });

  it('re-sends an edit whose first attempt hung after the write was applied, without a duplicate change', async () => {
    const iccid = bed.device('pod19');
    bed.sim.faults.add({
      operation: 'editDevice',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const result = await retrying({ timeoutMs: 400 }).setUsername(iccid, 'Camera 0099');
    expect(result.iccid).toBe(iccid);
    expect(outcomes()).toEqual(['hang', 200]);
    expect(bed.sim.journal.map((e) => e.rawBody)).toEqual([
      '{"accountCustom1":"Camera 0099"}',
      '{"accountCustom1":"Camera 0099"}',
    ]);
    const changes = bed.sim.auditRecords(iccid).filter((r) => r.value === 'Camera 0099');
    expect(changes).toHaveLength(1);
    expect(bed.sim.device(iccid)?.accountCustom1).toBe('Camera 0099');
  });

  it('retries after a connection reset', async () => {
    bed.sim.faults.add({
      operation: 'getDevice',
      times: 1,
      effect: { kind: 'reset', applyWrite: false },
    });
    await retrying().getDevice(bed.device('pod19'));
    expect(outcomes()).toEqual(['reset', 200]);
  });

  it('passes the caller’s abort through without retrying', async () => {
    bed.sim.faults.add({ operation: 'getDevice', effect: { kind: 'hang', applyWrite: false } });
    const controller = new AbortController();
    const pending = retrying({ timeoutMs: 5000 }).getDevice(bed.device('pod19'), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stopped by caller')), 50);
    expect(await failure(pending)).toMatchObject({ message: 'stopped by caller' });
    expect(outcomes()).toEqual(['hang']);
  });
});

describe('jasper resilience — circuit breaker', () => {
  it('opens after repeated failures, fails fast without reaching the server, then recovers', async () => {
    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 200 });
    const client = bed.client('pod19', { policy });
    const iccid = bed.device('pod19');
    const fault = bed.sim.faults.add({
      operation: 'getDevice',
      effect: { kind: 'error', status: 503 },
    });
    for (let i = 0; i < 3; i++) {
      expect(await failure(client.getDevice(iccid))).toMatchObject({
        code: ErrorCode.INTEGRATION_UNAVAILABLE,
      });
    }
    const open = await failure(client.getDevice(iccid));
    expect(open).toMatchObject({
      code: ErrorCode.INTEGRATION_CIRCUIT_OPEN,
      operation: 'getDevice',
      deviceId: iccid,
    });
    expect(bed.sim.journal).toHaveLength(3);
    bed.sim.faults.remove(fault);
    await new Promise((resolve) => setTimeout(resolve, 220));
    expect((await client.getDevice(iccid)).iccid).toBe(iccid);
    expect(bed.sim.journal).toHaveLength(4);
  });
});

describe('jasper resilience — rate limiting', () => {
  it('defaults to one call in flight per account, as the vendor asks', () => {
    expect(JASPER_DEFAULT_LIMITS.maxConcurrent).toBe(1);
  });

  it('keeps concurrent callers under the concurrency detector with the default Jasper limiter', async () => {
    // Rates high enough that only the concurrency cap keeps calls apart.
    bed.sim.setControls({ processingMs: { min: 30, max: 30 }, ratePerSecond: 10_000 });
    const client = bed.client('pod19', { limiter: createJasperLimiter({ ratePerSecond: 1000 }) });
    const iccids =
      bed.sim
        .accounts()
        .find((a) => a.key === 'pod19')
        ?.devices.slice(0, 6) ?? [];
    const devices = await Promise.all(iccids.map((i) => client.getDevice(i)));
    expect(devices.map((d) => d.iccid)).toEqual(iccids);
    expect(bed.sim.stats().peakConcurrency.pod19).toBe(1);
    expect(bed.sim.throttleCounts()).toEqual({ rate: 0, concurrency: 0 });
  });

  it('without a limiter, concurrent callers trip the vendor’s concurrency detector', async () => {
    bed.sim.setControls({ processingMs: { min: 50, max: 50 } });
    const client = bed.client('pod19', { limiter: noLimit() });
    const iccids =
      bed.sim
        .accounts()
        .find((a) => a.key === 'pod19')
        ?.devices.slice(0, 6) ?? [];
    const results = await Promise.allSettled(iccids.map((i) => client.getDevice(i)));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]).toMatchObject({
      reason: { code: ErrorCode.INTEGRATION_THROTTLED, vendorCode: '40000029' },
    });
    expect(bed.sim.throttleCounts().concurrency).toBe(rejected.length);
    expect(bed.sim.stats().peakConcurrency.pod19).toBeGreaterThan(1);
  });

  it('a token bucket of R per second and C in flight is never exceeded (simulator count)', async () => {
    const [R, C] = [8, 2];
    bed.sim.setControls({ processingMs: { min: 20, max: 20 }, detectConcurrency: false });
    const client = bed.client('pod19', {
      limiter: createTokenBucketLimiter({ ratePerSecond: R, maxConcurrent: C, burst: 1 }),
    });
    const iccids =
      bed.sim
        .accounts()
        .find((a) => a.key === 'pod19')
        ?.devices.slice(0, 12) ?? [];
    const started = performance.now();
    await Promise.all(iccids.map((i) => client.getDevice(i)));
    const stats = bed.sim.stats();
    expect(stats.byOperation.getDevice).toBe(12);
    expect(stats.peakConcurrency.pod19).toBeLessThanOrEqual(C);
    expect(stats.peakPerSecond.pod19).toBeLessThanOrEqual(R);
    // 12 calls at 8/s with one token at the start take at least 11/8 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual((11 / R) * 1000 - 20);
  });

  it('the simulator throttles an account above its calls per second', async () => {
    bed.sim.setControls({ ratePerSecond: 3 });
    const client = bed.client('pod19');
    const iccid = bed.device('pod19');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => client.getDevice(iccid)),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.length - rejected.length).toBeGreaterThanOrEqual(3);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    for (const r of rejected) {
      expect(r.reason).toMatchObject({
        code: ErrorCode.INTEGRATION_THROTTLED,
        vendorCode: '40000029',
      });
    }
    expect(bed.sim.throttleCounts()).toEqual({ rate: rejected.length, concurrency: 0 });
  });
});
