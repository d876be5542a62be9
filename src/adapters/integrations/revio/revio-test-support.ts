/**
 * Shared set-up of the Rev.io test files: a small demo dataset, a simulator per file, clients
 * with fast resilience settings, and journal helpers. Test-only (imported by `*.test.ts`).
 */
import { buildDemoDataset, type DemoRevService } from '../../../app/demo/demo-dataset.ts';
import type { IntegrationError } from '../shared/integration-error.ts';
import type { RateLimiter } from '../shared/rate-limiter.ts';
import { createResiliencePolicy, type ResilienceOptions } from '../shared/resilience.ts';
import type { JournalEntry } from '../shared/simulator/simulator-server.ts';
import { createRevioClient, type RevioClient, type RevioCredentials } from './revio-client.ts';
import { normalizeRevioLabel } from './revio-fields.ts';
import {
  createRevioSimulator,
  type RevioSimulator,
  type RevioSimulatorOptions,
} from './revio-simulator.ts';

/** The dataset every Rev.io test uses (60 devices, ≈ 50 services). */
export const testDataset = buildDemoDataset({ devicesPerProvider: 10 });

/** A second tenant for isolation tests. */
export const OTHER_ACCOUNT = {
  clientCode: 'OTHER',
  login: 'other-api',
  password: 'other-revio-password',
  subscriptionKey: 'other-revio-subscription-key',
} as const;

/** Creates the simulator of a test file (start it in `beforeAll`). */
export function createTestSimulator(options: RevioSimulatorOptions = {}): RevioSimulator {
  return createRevioSimulator({
    seed: 11,
    dataset: testDataset,
    extraAccounts: [OTHER_ACCOUNT],
    ...options,
  });
}

/** A policy with tiny delays so that retries cost milliseconds. */
export function fastPolicy(overrides: Partial<ResilienceOptions> = {}) {
  return createResiliencePolicy({
    api: 'revio',
    account: 'revio:test',
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...overrides,
  });
}

/** Options of {@link testClient}. */
export interface TestClientOptions {
  credentials?: RevioCredentials;
  timeoutMs?: number;
  policy?: ReturnType<typeof createResiliencePolicy>;
  limiter?: RateLimiter;
}

/** A client of the simulator's dataset tenant (500 ms timeout, fast policy). */
export function testClient(sim: RevioSimulator, options: TestClientOptions = {}): RevioClient {
  return createRevioClient({
    baseUrl: `${sim.url}/v1`,
    credentials: options.credentials ?? { ...sim.controls.account },
    timeoutMs: options.timeoutMs ?? 500,
    policy: options.policy ?? fastPolicy(),
    limiter: options.limiter,
  });
}

/** Vendor calls in the journal (admin calls excluded). */
export function apiCalls(sim: RevioSimulator, operation?: string): JournalEntry[] {
  return sim.journal.filter(
    (e) => e.operation !== 'admin' && (operation === undefined || e.operation === operation),
  );
}

/** The Basic header the dataset tenant must send. */
export function expectedBasic(credentials: RevioCredentials): string {
  const raw = `${credentials.login}@${credentials.clientCode}:${credentials.password}`;
  return `Basic ${Buffer.from(raw).toString('base64')}`;
}

const labels = (s: DemoRevService) => s.fields.map((f) => normalizeRevioLabel(f.label));

/** A seeded active service whose field labels satisfy `predicate` (throws when none). */
export function serviceWhere(predicate: (normalisedLabels: string[]) => boolean): DemoRevService {
  const found = testDataset.revServices.find(
    (s) => s.disconnectedAt === null && predicate(labels(s)),
  );
  if (found === undefined) throw new Error('test dataset has no such service');
  return found;
}

/** Awaits a promise expected to reject and returns the error. */
export async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  try {
    await promise;
  } catch (error) {
    return error as IntegrationError;
  }
  throw new Error('expected the call to fail');
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
