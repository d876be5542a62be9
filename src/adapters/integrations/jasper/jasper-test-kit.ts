/**
 * Test helpers of the Control Center suites: a small demo dataset, a started simulator, clients
 * built from the dataset's service providers, fast resilience settings, and device pickers.
 * Used only by the co-located `*.test.ts` files.
 */
import { buildDemoDataset, type DemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createTokenBucketLimiter, type RateLimiter } from '../shared/rate-limiter.ts';
import {
  createResiliencePolicy,
  type ResilienceOptions,
  type ResiliencePolicy,
} from '../shared/resilience.ts';
import {
  createJasperClient,
  type JasperClient,
  type JasperClientOptions,
} from './jasper-client.ts';
import { createJasperSimulator, type JasperSimulator } from './jasper-simulator.ts';

/** 40 devices per provider: every Jasper status occurs. */
export const TEST_DATASET: DemoDataset = buildDemoDataset({ devicesPerProvider: 40 });

/** Fast policy for tests (5–20 ms backoff, no jitter randomness). */
export function fastPolicy(overrides: Partial<ResilienceOptions> = {}): ResiliencePolicy {
  return createResiliencePolicy({
    api: 'jasper',
    account: 'jasper:test',
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...overrides,
  });
}

/** A limiter that never waits. */
export function noLimit(): RateLimiter {
  return createTokenBucketLimiter({ ratePerSecond: Number.POSITIVE_INFINITY });
}

/** A started simulator and client factories. */
export interface JasperTestBed {
  sim: JasperSimulator;
  /** `http://127.0.0.1:port` + the demo base URL's path (`/rws/api/v1`). */
  baseUrl: string;
  /** Client of a demo provider (default `pod19`) with fast test settings. */
  client(key?: string, overrides?: Partial<JasperClientOptions>): JasperClient;
  /** Credentials of a demo provider. */
  credentials(key?: string): { username: string; apiKey: string };
  /** First device of a provider matching a predicate over its API view. */
  device(key: string, match?: (d: Record<string, string | null>) => boolean): string;
}

/** Starts a simulator on port 0 with the test dataset. */
export async function startJasperTestBed(seed = 11): Promise<JasperTestBed> {
  const sim = createJasperSimulator({ seed, dataset: TEST_DATASET });
  const url = await sim.start(0);
  const provider = (key: string) => {
    const p = TEST_DATASET.serviceProviders.find((s) => s.key === key);
    if (p === undefined) throw new Error(`no provider ${key}`);
    return p;
  };
  const credentials = (key = 'pod19') => {
    const p = provider(key);
    return { username: String(p.settings.username), apiKey: String(p.secrets.apiKey) };
  };
  const baseUrl = url + new URL(String(provider('pod19').settings.baseUrl)).pathname;
  return {
    sim,
    baseUrl,
    credentials,
    client(key = 'pod19', overrides = {}) {
      const p = provider(key);
      return createJasperClient({
        baseUrl: url + new URL(String(p.settings.baseUrl)).pathname,
        ...credentials(key),
        usernameTargetField: String(p.settings.usernameTargetField),
        timeoutMs: 2000,
        policy: fastPolicy({ maxAttempts: 1 }),
        limiter: noLimit(),
        throttleWaitMs: 10,
        ...overrides,
      });
    },
    device(key, match = () => true) {
      const account = sim.accounts().find((a) => a.key === key);
      const iccid = account?.devices.find((i) => {
        const view = sim.device(i);
        return view !== undefined && match(view);
      });
      if (iccid === undefined) throw new Error(`no matching device for ${key}`);
      return iccid;
    },
  };
}

/** Captures the rejection of a promise (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
