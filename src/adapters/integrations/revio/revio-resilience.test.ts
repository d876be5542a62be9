import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { createTokenBucketLimiter } from '../shared/rate-limiter.ts';
import {
  apiCalls,
  createTestSimulator,
  failure,
  fastPolicy,
  serviceWhere,
  sleep,
  testClient,
} from './revio-test-support.ts';

const sim = createTestSimulator();

beforeAll(async () => {
  await sim.start(0);
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

const service = serviceWhere((l) => l.includes('costcenter1'));
const CUSTOMER = 100103;
const lineInput = (n: number) => ({
  CustomerId: CUSTOMER,
  Number: `1555777${String(n).padStart(4, '0')}`,
  Number2: `890141032111185${String(n).padStart(5, '0')}`,
  ServiceTypeId: 101,
});
const linesOf = (number: string) => sim.controls.services().filter((s) => s.number === number);
const operations = () => apiCalls(sim).map((c) => `${c.operation}:${c.outcome}`);

describe('revio retries', () => {
  it('retries two 503s and succeeds on the third request', async () => {
    sim.faults.add({ operation: 'getService', times: 2, effect: { kind: 'error', status: 503 } });

    const result = await testClient(sim).getService(service.serviceId);

    expect(result.serviceId).toBe(service.serviceId);
    expect(operations()).toEqual(['getService:503', 'getService:503', 'getService:200']);
  });

  it('does not retry a 500 on a read', async () => {
    sim.faults.add({ operation: 'getService', times: 1, effect: { kind: 'error', status: 500 } });

    const error = await failure(testClient(sim).getService(service.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_UNAVAILABLE);
    expect(error.vendorCode).toBe('InternalServerError');
    expect(operations()).toEqual(['getService:500']);
  });

  it('waits at least what a 429 asks for (seconds in the message + 1 s) before retrying', async () => {
    // Retry-After: 0 and "Try again in 0 seconds." → the original's rule gives 1 s.
    sim.faults.add({
      operation: 'getService',
      times: 1,
      effect: { kind: 'throttle', retryAfterSeconds: 0 },
    });
    const started = performance.now();

    await testClient(sim).getService(service.serviceId);

    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(operations()).toEqual(['getService:429', 'getService:200']);
    const gap = (apiCalls(sim)[1]?.at ?? 0) - (apiCalls(sim)[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
  });

  it("fails fast with the asked wait when the tenant's 500/minute window is used up", async () => {
    sim.controls.setRateLimit({ perMinute: 2 });
    const client = testClient(sim, { policy: fastPolicy({ maxRetryAfterMs: 5_000 }) });
    await client.getService(service.serviceId);
    await client.getService(service.serviceId);

    const error = await failure(client.getService(service.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_THROTTLED);
    expect(error.httpStatus).toBe(429);
    expect(error.vendorMessage).toMatch(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
    // The window frees up in ≤ 60 s: the wait asked is 60 s + the original's extra second.
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(operations()).toEqual(['getService:200', 'getService:200', 'getService:429']);

    sim.advanceClock(60_000);
    await expect(client.getService(service.serviceId)).resolves.toMatchObject({
      serviceId: service.serviceId,
    });
  });
});

describe('revio circuit breaker', () => {
  it('opens after repeated failures, fails fast without a request, and recovers', async () => {
    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 150 });
    const client = testClient(sim, { policy });
    sim.faults.add({ operation: 'getService', effect: { kind: 'error', status: 503 } });
    for (let i = 0; i < 3; i++) {
      expect((await failure(client.getService(service.serviceId))).code).toBe(
        ErrorCode.INTEGRATION_UNAVAILABLE,
      );
    }

    const open = await failure(client.getService(service.serviceId));

    expect(open.code).toBe(ErrorCode.INTEGRATION_CIRCUIT_OPEN);
    expect(apiCalls(sim)).toHaveLength(3);
    expect(policy.breakerState).toBe('open');
    sim.faults.clear();
    await sleep(160);
    await expect(client.getService(service.serviceId)).resolves.toMatchObject({
      serviceId: service.serviceId,
    });
    expect(apiCalls(sim)).toHaveLength(4);
    expect(policy.breakerState).toBe('closed');
  });
});

describe('revio non-idempotent creates', () => {
  it('finds a service created before the timeout and does not post it again', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    const input = lineInput(1);

    const created = await testClient(sim).createService(input);

    expect(created.recovered).toBe(true);
    expect(linesOf(input.Number).map((s) => s.service_id)).toEqual([created.id]);
    expect(operations()).toEqual(['createService:hang', 'listServices:200']);
  });

  it('posts again when the lookup shows the timed-out create did not happen', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'hang', applyWrite: false },
    });
    const input = lineInput(2);

    const created = await testClient(sim).createService(input);

    expect(created.recovered).toBe(false);
    expect(linesOf(input.Number)).toHaveLength(1);
    expect(operations()).toEqual(['createService:hang', 'listServices:200', 'createService:201']);
  });

  it('recovers a create whose connection was reset after it was applied', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'reset', applyWrite: true },
    });

    const created = await testClient(sim).createService(lineInput(3));

    expect(created.recovered).toBe(true);
    expect(operations()).toEqual(['createService:reset', 'listServices:200']);
  });

  it('recovers a create answered 201 with an unreadable body', async () => {
    sim.faults.add({ operation: 'createService', times: 1, effect: { kind: 'malformed' } });
    const input = lineInput(4);

    const created = await testClient(sim).createService(input);

    expect(created).toEqual({ id: linesOf(input.Number)[0]?.service_id, recovered: true });
    expect(operations()).toEqual(['createService:201', 'listServices:200']);
  });

  it('checks after a 500 and neither re-posts nor hides a create that did not happen', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: {
        kind: 'respond',
        status: 500,
        applyWrite: true,
        json: [{ ok: false, error: 'InternalServerError', message: 'An error has occurred.' }],
      },
    });
    const applied = await testClient(sim).createService(lineInput(5));
    expect(applied.recovered).toBe(true);

    sim.journal.length = 0;
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'error', status: 500 },
    });
    const error = await failure(testClient(sim).createService(lineInput(6)));

    expect(error.code).toBe(ErrorCode.INTEGRATION_UNAVAILABLE);
    expect(error.ambiguous).toBe(false);
    expect(linesOf(lineInput(6).Number)).toHaveLength(0);
    expect(operations()).toEqual(['createService:500', 'listServices:200']);
  });

  it('retries a 502 after the lookup found nothing', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'error', status: 502 },
    });

    const created = await testClient(sim).createService(lineInput(7));

    expect(created.recovered).toBe(false);
    expect(operations()).toEqual(['createService:502', 'listServices:200', 'createService:201']);
  });

  it('gives up without re-posting when the lookup itself fails', async () => {
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    sim.faults.add({ operation: 'listServices', effect: { kind: 'error', status: 503 } });

    const error = await failure(testClient(sim).createService(lineInput(8)));

    // The create's own failure, marked "may have happened" and final.
    expect(error.code).toBe(ErrorCode.INTEGRATION_TIMEOUT);
    expect(error.ambiguous).toBe(true);
    expect(error.retryable).toBe(false);
    expect(operations()).toEqual(['createService:hang', 'listServices:503']);
  });

  it('finds a service product created before the timeout and does not post it again', async () => {
    const client = testClient(sim);
    const line = await client.createService(lineInput(9));
    sim.journal.length = 0;
    sim.faults.add({
      operation: 'createServiceProduct',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });

    const product = await client.createServiceProduct({
      ServiceId: line.id,
      ProductId: 3002,
      CustomerId: CUSTOMER,
      Rate: 2,
    });

    expect(product.recovered).toBe(true);
    expect(sim.controls.serviceProducts().map((p) => p.service_product_id)).toEqual([product.id]);
    expect(operations()).toEqual(['createServiceProduct:hang', 'listServiceProducts:200']);
  });

  it('retries a timed-out JSON Patch (replace is idempotent)', async () => {
    sim.faults.add({
      operation: 'patchService',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });

    await testClient(sim).patchService(service.serviceId, [
      { op: 'replace', path: '/description', value: 'retried' },
    ]);

    expect(operations()).toEqual(['patchService:hang', 'patchService:200']);
    expect(sim.controls.service(service.serviceId)?.description).toBe('retried');
  });
});

describe('revio rate limiter', () => {
  const parallel = (n: number, client: ReturnType<typeof testClient>) =>
    Promise.all(Array.from({ length: n }, () => client.getService(service.serviceId)));

  it('never has more than maxConcurrent calls in flight at the simulator', async () => {
    sim.faults.add({ operation: 'getService', effect: { kind: 'latency', minMs: 30 } });
    await parallel(8, testClient(sim));
    const unlimited = sim.stats().peakConcurrency.DEMO ?? 0;
    sim.reset();
    sim.faults.add({ operation: 'getService', effect: { kind: 'latency', minMs: 30 } });
    const limiter = createTokenBucketLimiter({
      ratePerSecond: Number.POSITIVE_INFINITY,
      maxConcurrent: 2,
    });

    await parallel(8, testClient(sim, { limiter }));

    expect(unlimited).toBeGreaterThan(2);
    expect(sim.stats().peakConcurrency.DEMO).toBe(2);
    expect(sim.stats().byOperation.getService).toBe(8);
  });

  it('never lets more than ratePerSecond calls reach the simulator in one second', async () => {
    await parallel(30, testClient(sim));
    const unlimited = sim.stats().peakPerSecond.DEMO ?? 0;
    sim.reset();
    const limiter = createTokenBucketLimiter({ ratePerSecond: 8, burst: 1, maxConcurrent: 3 });

    await parallel(12, testClient(sim, { limiter, timeoutMs: 2000 }));

    expect(unlimited).toBeGreaterThan(8);
    expect(sim.stats().peakPerSecond.DEMO).toBeLessThanOrEqual(8);
    expect(sim.stats().peakConcurrency.DEMO).toBeLessThanOrEqual(3);
    expect(sim.stats().requests).toBe(12);
  });

  it('takes a limiter token for the lookup after an ambiguous create', async () => {
    const limiter = createTokenBucketLimiter({
      ratePerSecond: Number.POSITIVE_INFINITY,
      maxConcurrent: 1,
    });
    sim.faults.add({
      operation: 'createService',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    // Slow reads, so that an unlimited lookup would overlap the read waiting for the token.
    sim.faults.add({
      operation: ['getService', 'listServices'],
      effect: { kind: 'latency', minMs: 60 },
    });

    const [created] = await Promise.all([
      testClient(sim, { limiter }).createService(lineInput(10)),
      testClient(sim, { limiter }).getService(service.serviceId),
    ]);

    expect(created.recovered).toBe(true);
    expect(sim.stats().peakConcurrency.DEMO).toBe(1);
  });
});
