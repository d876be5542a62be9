import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { createCallRunner } from './call-runner.ts';
import { createHttpTransport, type HttpResponse } from './http-transport.ts';
import { IntegrationError, isIntegrationError, parseRetryAfter } from './integration-error.ts';
import { createTokenBucketLimiter } from './rate-limiter.ts';
import { createResiliencePolicy } from './resilience.ts';
import { createSimulator } from './simulator/simulator-server.ts';
import { testSimulatorDefinition } from './test-simulator.ts';

const sim = createSimulator(testSimulatorDefinition, { seed: 3 });
let url: string;

beforeAll(async () => {
  url = await sim.start(0);
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

/** The test API's error table: 429/5xx retryable, the rest terminal. */
function check(res: HttpResponse, operation: string): HttpResponse {
  if (res.status < 400) return res;
  const retryable = res.status === 429 || res.status >= 500;
  throw new IntegrationError(
    res.status === 429
      ? ErrorCode.INTEGRATION_THROTTLED
      : res.status >= 500
        ? ErrorCode.INTEGRATION_UNAVAILABLE
        : ErrorCode.INTEGRATION_REJECTED,
    `test ${operation} failed with HTTP ${res.status}`,
    {
      api: 'revio',
      operation,
      httpStatus: res.status,
      retryable,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    },
  );
}

function client(
  opts: {
    timeoutMs?: number;
    policy?: ReturnType<typeof createResiliencePolicy>;
    limiter?: ReturnType<typeof createTokenBucketLimiter>;
  } = {},
) {
  const http = createHttpTransport({
    api: 'revio',
    baseUrl: url,
    timeoutMs: opts.timeoutMs ?? 2000,
  });
  const runner = createCallRunner({ policy: opts.policy, limiter: opts.limiter });
  const headers = { 'x-key': 'good' };
  const list = (signal?: AbortSignal) =>
    runner.run(
      async (s) =>
        check(
          await http.request({
            method: 'GET',
            path: '/items',
            headers,
            operation: 'listItems',
            signal: s,
          }),
          'listItems',
        ).json as { items: string[] },
      { idempotent: true, signal },
    );
  return {
    list,
    add: (name: string) =>
      runner.run(
        async (signal) =>
          check(
            await http.request({
              method: 'POST',
              path: '/items',
              headers,
              json: { name },
              operation: 'addItem',
              signal,
            }),
            'addItem',
          ).json,
        {
          idempotent: false,
          lookup: async () =>
            (await list()).items.includes(name) ? { name, found: true } : undefined,
        },
      ),
  };
}

const fastPolicy = (extra: Partial<Parameters<typeof createResiliencePolicy>[0]> = {}) =>
  createResiliencePolicy({
    api: 'revio',
    account: 'acct-1',
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...extra,
  });

describe('simulator kit', () => {
  it('journals exactly what the client sent, auth header included', async () => {
    await client().add('a');
    const entry = sim.journal.at(-1);
    expect(entry).toMatchObject({
      method: 'POST',
      path: '/items',
      operation: 'addItem',
      account: 'acct-1',
      body: { name: 'a' },
      outcome: 201,
    });
    expect(entry?.headers['x-key']).toBe('good');
    expect(entry?.headers['content-type']).toBe('application/json');
  });

  it('answers the vendor auth failure and serves faults from the admin endpoint', async () => {
    const unauth = await fetch(`${url}/items`);
    expect(unauth.status).toBe(401);
    const added = await fetch(`${url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'listItems',
        times: 1,
        effect: { kind: 'error', status: 502 },
      }),
    });
    expect(added.status).toBe(201);
    await expect(client().list()).rejects.toMatchObject({
      code: 'INTEGRATION_UNAVAILABLE',
      httpStatus: 502,
    });
    await expect(client().list()).resolves.toEqual({ items: [] });
    const journal = (await (await fetch(`${url}/__admin/journal`)).json()) as unknown[];
    expect(journal).toHaveLength(3);
  });

  it('is deterministic under its seed', async () => {
    const outcomes = async () => {
      sim.reset();
      sim.faults.add({ probability: 0.5, effect: { kind: 'error' } });
      const results: string[] = [];
      for (let i = 0; i < 12; i++)
        results.push(
          await client()
            .list()
            .then(
              () => 'ok',
              () => 'err',
            ),
        );
      return results.join(',');
    };
    const first = await outcomes();
    expect(first).toContain('ok');
    expect(first).toContain('err');
    expect(await outcomes()).toBe(first);
  });

  it('reports malformed bodies and connection resets', async () => {
    sim.faults.add({ times: 1, effect: { kind: 'malformed' } });
    const http = createHttpTransport({ api: 'revio', baseUrl: url });
    const res = await http.request({
      method: 'GET',
      path: '/items',
      headers: { 'x-key': 'good' },
      operation: 'listItems',
    });
    expect(res.status).toBe(200);
    expect(res.malformed).toBe(true);
    sim.faults.add({ times: 1, effect: { kind: 'reset', applyWrite: false } });
    await expect(client().list()).rejects.toMatchObject({
      code: 'INTEGRATION_NETWORK',
      retryable: true,
    });
  });
});

describe('transport', () => {
  it('times out a hung call with INTEGRATION_TIMEOUT, ambiguous for writes', async () => {
    sim.faults.add({ times: 1, effect: { kind: 'hang', applyWrite: true } });
    const started = Date.now();
    const error = await client({ timeoutMs: 150 })
      .add('x')
      .catch((e: unknown) => e);
    expect(isIntegrationError(error) && error.code).toBe('INTEGRATION_TIMEOUT');
    // Without a policy nothing retries or looks up: the ambiguity stays visible to the caller.
    expect((error as IntegrationError).ambiguous).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('says a refused connection was not applied', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const http = createHttpTransport({ api: 'jasper', baseUrl: `http://127.0.0.1:${port}` });
    const error = await http
      .request({ method: 'PUT', path: '/x', operation: 'editDevice' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTEGRATION_NETWORK', retryable: true, ambiguous: false });
  });

  it('passes the caller abort through untouched', async () => {
    sim.faults.add({ times: 1, effect: { kind: 'hang', applyWrite: false } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 50);
    await expect(client({ timeoutMs: 5000 }).list(controller.signal)).rejects.toThrow('shutdown');
  });
});

describe('resilience policy', () => {
  it('retries retryable failures and counts them in the journal', async () => {
    sim.faults.add({ times: 2, effect: { kind: 'error', status: 503 } });
    await expect(client({ policy: fastPolicy() }).list()).resolves.toEqual({ items: [] });
    expect(sim.journal).toHaveLength(3);
  });

  it('does not retry terminal failures', async () => {
    const c = client({ policy: fastPolicy() });
    await expect(
      createCallRunner({ policy: fastPolicy() }).run(
        async () => {
          throw new IntegrationError(ErrorCode.INTEGRATION_REJECTED, 'no', {
            api: 'revio',
            operation: 'x',
            retryable: false,
          });
        },
        { idempotent: true },
      ),
    ).rejects.toMatchObject({ code: 'INTEGRATION_REJECTED' });
    await c.list();
    expect(sim.journal).toHaveLength(1);
  });

  it('waits at least the Retry-After the server asked for', async () => {
    sim.faults.add({ times: 1, effect: { kind: 'throttle', retryAfterSeconds: 0.3 } });
    const started = Date.now();
    await client({ policy: fastPolicy() }).list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sim.journal.map((e) => e.outcome)).toEqual([429, 200]);
  });

  it('finds a non-idempotent write that hung after being applied instead of repeating it', async () => {
    sim.faults.add({ operation: 'addItem', times: 1, effect: { kind: 'hang', applyWrite: true } });
    const result = await client({ timeoutMs: 150, policy: fastPolicy() }).add('once');
    expect(result).toEqual({ name: 'once', found: true });
    expect(sim.state.items).toEqual(['once']);
    expect(sim.journal.filter((e) => e.operation === 'addItem')).toHaveLength(1);
  });

  it('retries a non-idempotent write whose lookup shows it was not applied', async () => {
    sim.faults.add({ operation: 'addItem', times: 1, effect: { kind: 'hang', applyWrite: false } });
    await client({ timeoutMs: 150, policy: fastPolicy() }).add('twice-sent');
    expect(sim.state.items).toEqual(['twice-sent']);
    expect(sim.journal.filter((e) => e.operation === 'addItem')).toHaveLength(2);
  });

  it('does not resend a write whose lookup failed, and says why', async () => {
    sim.faults.add({ operation: 'addItem', times: 1, effect: { kind: 'hang', applyWrite: true } });
    sim.faults.add({ operation: 'listItems', times: 1, effect: { kind: 'error', status: 500 } });
    const error = await client({ timeoutMs: 150, policy: fastPolicy({ maxAttempts: 1 }) })
      .add('maybe')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTEGRATION_TIMEOUT', ambiguous: true, retryable: false });
    expect((error as Error).message).toContain('checking whether it was applied failed');
    expect(sim.journal.filter((e) => e.operation === 'addItem')).toHaveLength(1);
  });

  it('opens the breaker after repeated failures, fails fast, then recovers', async () => {
    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 200 });
    const c = client({ policy });
    sim.faults.add({ effect: { kind: 'error', status: 503 }, times: 3 });
    for (let i = 0; i < 3; i++)
      await expect(c.list()).rejects.toMatchObject({ code: 'INTEGRATION_UNAVAILABLE' });
    expect(policy.breakerState).toBe('open');
    await expect(c.list()).rejects.toMatchObject({ code: 'INTEGRATION_CIRCUIT_OPEN' });
    expect(sim.journal).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 250));
    await expect(c.list()).resolves.toEqual({ items: [] });
    expect(policy.breakerState).toBe('closed');
  });
});

describe('token bucket limiter', () => {
  it('never exceeds the rate or the concurrency, measured at the simulator', async () => {
    sim.faults.add({ effect: { kind: 'latency', minMs: 20, maxMs: 40 } });
    const limiter = createTokenBucketLimiter({ ratePerSecond: 40, burst: 5, maxConcurrent: 3 });
    const c = client({ limiter });
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, () => c.list()));
    const elapsed = (Date.now() - started) / 1000;
    const stats = sim.stats();
    expect(stats.requests).toBe(60);
    expect(stats.peakConcurrency['acct-1']).toBeLessThanOrEqual(3);
    expect(stats.peakPerSecond['acct-1']).toBeLessThanOrEqual(45);
    // 60 calls at 40/s with a burst of 5 take at least (60 - 5) / 40 s.
    expect(elapsed).toBeGreaterThanOrEqual((60 - 5) / 40 - 0.05);
  });

  it('lets an aborted waiter go without taking a token', async () => {
    const limiter = createTokenBucketLimiter({ ratePerSecond: 1, burst: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    release();
  });
});
