import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../shared/integration-error.ts';
import { createTokenBucketLimiter } from '../shared/rate-limiter.ts';
import { createThingSpaceSimulator, type ThingSpaceSimulator } from './thingspace-simulator.ts';
import {
  ACCOUNT,
  clientFor,
  DATASET,
  entries,
  fastPolicy,
  inventorySim,
  lineIn,
  startThingSpace,
} from './thingspace-test-support.ts';

let sim: ThingSpaceSimulator;
let baseUrl: string;

beforeAll(async () => {
  ({ sim, baseUrl } = await startThingSpace());
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isIntegrationError(error)) throw new Error(`expected an IntegrationError, got ${error}`);
  return error;
};

/** A client whose tokens are already fetched, so the journal holds only what the test does. */
async function warmClient(extra: Parameters<typeof clientFor>[1] = {}) {
  const client = clientFor(baseUrl, { policy: fastPolicy(), ...extra });
  await client.authenticate();
  sim.journal.length = 0;
  return client;
}

describe('retries', () => {
  it('retries two 503s and succeeds on the third request', async () => {
    const client = await warmClient();
    sim.faults.add({ operation: 'listDevices', times: 2, effect: { kind: 'error', status: 503 } });
    await expect(client.getDevice(lineIn(sim, 'active').iccid)).resolves.toBeDefined();
    expect(entries(sim, 'listDevices').map((e) => e.outcome)).toEqual([503, 503, 200]);
  });

  it('waits at least the Retry-After of a 429 (WSO2 throttling fault)', async () => {
    const client = await warmClient();
    sim.faults.add({ times: 1, effect: { kind: 'throttle', retryAfterSeconds: 0.3 } });
    const started = performance.now();
    await client.getDevice(lineIn(sim, 'active').iccid);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(sim.journal.map((e) => e.outcome)).toEqual([429, 200]);
  });

  it('does not retry a business rejection', async () => {
    const client = await warmClient();
    const error = await failure(
      client.changeServicePlan({ iccid: lineIn(sim, 'active').iccid, servicePlan: 'Nope' }),
    );
    expect(error.retryable).toBe(false);
    expect(entries(sim, 'changeServicePlan')).toHaveLength(1);
  });

  it('retries an idempotent read that timed out', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    sim.faults.add({
      operation: 'listDevices',
      times: 1,
      effect: { kind: 'hang', applyWrite: false },
    });
    await expect(client.getDevice(lineIn(sim, 'active').iccid)).resolves.toBeDefined();
    expect(entries(sim, 'listDevices').map((e) => e.outcome)).toEqual(['hang', 200]);
  });

  it('retries an add after a timeout: the repeat answers "already exists"', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    sim.faults.add({
      operation: 'addDevice',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    await expect(client.addDevice(inventorySim())).resolves.toMatchObject({
      outcome: 'already-exists',
    });
    expect(entries(sim, 'addDevice')).toHaveLength(2);
  });
});

describe('non-idempotent provisioning after an ambiguous failure', () => {
  it('finds a suspend that hung after being applied instead of sending it again', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    const line = lineIn(sim, 'active');
    sim.faults.add({ operation: 'suspend', times: 1, effect: { kind: 'hang', applyWrite: true } });
    const result = await client.suspend({ iccid: line.iccid });
    const [request] = sim.requests();
    expect(result).toEqual({ requestId: request?.requestId, recovered: true });
    expect(entries(sim, 'suspend')).toHaveLength(1);
    expect(entries(sim, 'getProvisioningHistory')).toHaveLength(1);
    expect(sim.requests()).toHaveLength(1);
    await sim.whenIdle();
    expect(sim.device(line.iccid)?.state).toBe('suspend');
  });

  it('sends it again when the lookup shows it was not applied', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    const line = lineIn(sim, 'active');
    sim.faults.add({ operation: 'suspend', times: 1, effect: { kind: 'hang', applyWrite: false } });
    const result = await client.suspend({ iccid: line.iccid });
    expect(result.recovered).toBe(false);
    expect(entries(sim, 'suspend').map((e) => e.outcome)).toEqual(['hang', 200]);
    expect(sim.requests()).toHaveLength(1);
  });

  it('looks a 504 up before repeating an activation (the gateway may have passed it on)', async () => {
    const client = await warmClient();
    const line = lineIn(sim, 'preactive');
    sim.faults.add({
      operation: 'activate',
      times: 1,
      effect: { kind: 'respond', status: 504, applyWrite: true, json: { fault: { code: 101504 } } },
    });
    const result = await client.activate({
      iccid: line.iccid,
      servicePlan: 'M2MPlan5MB',
      mdnZipCode: '30301',
    });
    expect(result.recovered).toBe(true);
    expect(entries(sim, 'activate')).toHaveLength(1);
  });

  it('recovers the request id of an applied write whose 2xx body was unreadable', async () => {
    const client = await warmClient();
    const line = lineIn(sim, 'active');
    sim.faults.add({ operation: 'changeServicePlan', times: 1, effect: { kind: 'malformed' } });
    const plan = line.servicePlan === 'M2MPlan1MB' ? 'M2MPlan5MB' : 'M2MPlan1MB';
    const result = await client.changeServicePlan({ iccid: line.iccid, servicePlan: plan });
    expect(result).toEqual({ requestId: sim.requests()[0]?.requestId, recovered: true });
    expect(entries(sim, 'changeServicePlan')).toHaveLength(1);
  });

  it('does not repeat a write it cannot verify (lookup failed)', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    const line = lineIn(sim, 'active');
    sim.faults.add({
      operation: 'deactivate',
      times: 1,
      effect: { kind: 'hang', applyWrite: true },
    });
    sim.faults.add({
      operation: 'getProvisioningHistory',
      times: 1,
      effect: { kind: 'error', status: 503 },
    });
    const error = await failure(client.deactivate({ iccid: line.iccid, reasonCode: 'FF' }));
    expect(error).toMatchObject({ ambiguous: true, retryable: false, operation: 'deactivate' });
    expect(error.message).toContain('checking whether it was applied failed');
    expect(error.message).toMatch(/getProvisioningHistory .*failed: HTTP 503/);
    expect(entries(sim, 'deactivate')).toHaveLength(1);
  });

  it('does not resend when the history shows the action but not its request id', async () => {
    const client = await warmClient({ timeoutMs: 300 });
    const line = lineIn(sim, 'active');
    sim.faults.add({ operation: 'suspend', times: 1, effect: { kind: 'hang', applyWrite: false } });
    sim.faults.add({
      operation: 'getProvisioningHistory',
      times: 1,
      effect: {
        kind: 'respond',
        status: 200,
        json: [
          {
            provisioningHistory: [
              { occurredAt: new Date().toISOString(), status: 'Pending', eventType: 'Suspend' },
            ],
          },
        ],
      },
    });
    const error = await failure(client.suspend({ iccid: line.iccid }));
    expect(error).toMatchObject({ ambiguous: true, retryable: false });
    expect(error.message).toContain('request id is unknown');
    expect(entries(sim, 'suspend')).toHaveLength(1);
  });

  it('fails without retry when no policy is configured', async () => {
    const client = clientFor(baseUrl, { timeoutMs: 300 });
    sim.faults.add({ operation: 'suspend', times: 1, effect: { kind: 'hang', applyWrite: true } });
    const error = await failure(client.suspend({ iccid: lineIn(sim, 'active').iccid }));
    expect(error).toMatchObject({ code: 'INTEGRATION_TIMEOUT', ambiguous: true });
    expect(entries(sim, 'suspend')).toHaveLength(1);
  });
});

describe('caller control', () => {
  it('gives up when the caller aborts, without retrying', async () => {
    const client = await warmClient({ timeoutMs: 5000 });
    sim.faults.add({
      operation: 'listDevices',
      times: 1,
      effect: { kind: 'hang', applyWrite: false },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(
      client.getDevice(lineIn(sim, 'active').iccid, { signal: controller.signal }),
    ).rejects.toThrow('shutting down');
    expect(entries(sim, 'listDevices')).toHaveLength(1);
  });
});

describe('vendor throttling', () => {
  it('answers 429 with the WSO2 fault over the account rate, and the policy rides it out', async () => {
    const throttled = createThingSpaceSimulator({
      seed: 3,
      dataset: DATASET,
      accountRatePerSecond: 2,
    });
    const origin = await throttled.start(0);
    try {
      const client = clientFor(`${origin}/api/m2m/v1`, { policy: fastPolicy({ maxAttempts: 6 }) });
      const iccids = [0, 1, 2].map((i) => lineIn(throttled, 'active', i).iccid);
      const devices = await Promise.all(iccids.map((iccid) => client.getDevice(iccid)));
      expect(devices.every((d) => d !== undefined)).toBe(true);
      const answers = throttled.journal.filter((e) => e.operation === 'listDevices');
      expect(answers.map((e) => e.outcome)).toContain(429);
      expect(answers.filter((e) => e.outcome === 200)).toHaveLength(3);
    } finally {
      await throttled.close();
    }
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures, fails fast without reaching ThingSpace, then recovers', async () => {
    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 200 });
    const client = clientFor(baseUrl, { policy });
    await client.authenticate();
    sim.journal.length = 0;
    const iccid = lineIn(sim, 'active').iccid;
    sim.faults.add({ operation: 'listDevices', times: 3, effect: { kind: 'error', status: 503 } });
    for (let i = 0; i < 3; i++) {
      await expect(client.getDevice(iccid)).rejects.toMatchObject({
        code: 'INTEGRATION_UNAVAILABLE',
      });
    }
    await expect(client.getDevice(iccid)).rejects.toMatchObject({
      code: 'INTEGRATION_CIRCUIT_OPEN',
    });
    expect(sim.journal).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(client.getDevice(iccid)).resolves.toBeDefined();
    expect(sim.journal).toHaveLength(4);
  });
});

describe('rate limiter (measured at the simulator)', () => {
  it('never has more calls in flight than maxConcurrent', async () => {
    const limiter = createTokenBucketLimiter({ ratePerSecond: 1000, maxConcurrent: 3 });
    const client = clientFor(baseUrl, { limiter });
    await client.authenticate();
    sim.faults.add({ operation: 'listDevices', effect: { kind: 'latency', minMs: 60 } });
    const iccids = Array.from({ length: 12 }, (_, i) => lineIn(sim, 'active', i).iccid);
    await Promise.all(iccids.map((iccid) => client.getDevice(iccid)));
    expect(sim.stats().byOperation.listDevices).toBe(12);
    expect(sim.stats().peakConcurrency[ACCOUNT.accountName]).toBe(3);
  });

  it('never exceeds the rate per second', async () => {
    const limiter = createTokenBucketLimiter({ ratePerSecond: 20, burst: 2, maxConcurrent: 4 });
    const client = clientFor(baseUrl, { limiter });
    await client.authenticate();
    const iccids = Array.from({ length: 22 }, (_, i) => lineIn(sim, 'active', i % 8).iccid);
    const started = performance.now();
    await Promise.all(iccids.map((iccid) => client.getDevice(iccid)));
    const elapsedS = (performance.now() - started) / 1000;
    expect(sim.stats().byOperation.listDevices).toBe(22);
    expect(sim.stats().peakPerSecond[ACCOUNT.accountName]).toBeLessThanOrEqual(20 + 2);
    // 22 calls at 20/s with a burst of 2 take at least (22 - 2) / 20 s.
    expect(elapsedS).toBeGreaterThanOrEqual((22 - 2) / 20 - 0.05);
  });
});
