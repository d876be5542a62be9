/**
 * Support for the ThingSpace test suites (imported by `*.test.ts` only): a small demo dataset,
 * the demo account's credentials, a simulator on port 0 with fast settings, a client wired to
 * it, a fast resilience policy, and a CarrierService listener (a real HTTP server).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildDemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createResiliencePolicy, type ResilienceOptions } from '../shared/resilience.ts';
import type { JournalEntry } from '../shared/simulator/simulator-server.ts';
import { createThingSpaceClient, type ThingSpaceClientOptions } from './thingspace-client.ts';
import type { ThingSpaceSimSettingsPatch } from './thingspace-sim-runtime.ts';
import type { SimCarrierState, SimDevice } from './thingspace-sim-state.ts';
import {
  createThingSpaceSimulator,
  THINGSPACE_M2M_PREFIX,
  type ThingSpaceSimulator,
} from './thingspace-simulator.ts';

/** A small dataset (40 devices per account). */
export const DATASET = buildDemoDataset({ devicesPerProvider: 40 });

const provider = DATASET.serviceProviders.find((sp) => sp.integration === 'ThingSpace');
const setting = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error('demo ThingSpace account incomplete');
  return value;
};

/** The demo ThingSpace account's credentials, as the caller hands them to the client. */
export const ACCOUNT = {
  accountName: setting(provider?.settings.accountName),
  clientId: setting(provider?.settings.clientId),
  clientSecret: setting(provider?.secrets.clientSecret),
  username: setting(provider?.settings.username),
  password: setting(provider?.secrets.password),
};

/** Fast settings for tests. */
export const FAST_SETTINGS: ThingSpaceSimSettingsPatch = {
  completionDelayMs: 30,
  callbacks: { retryIntervalMs: 20, timeoutMs: 500 },
};

/** Starts a simulator on port 0. */
export async function startThingSpace(
  settings: ThingSpaceSimSettingsPatch = FAST_SETTINGS,
): Promise<{ sim: ThingSpaceSimulator; origin: string; baseUrl: string }> {
  const sim = createThingSpaceSimulator({ seed: 11, dataset: DATASET, settings });
  const origin = await sim.start(0);
  return { sim, origin, baseUrl: `${origin}${THINGSPACE_M2M_PREFIX}` };
}

/** A client of the demo account (2 s timeout: the machine may be busy; hang tests pass less). */
export function clientFor(baseUrl: string, overrides: Partial<ThingSpaceClientOptions> = {}) {
  return createThingSpaceClient({ baseUrl, ...ACCOUNT, timeoutMs: 2000, ...overrides });
}

/** A resilience policy with tiny backoff. */
export function fastPolicy(extra: Partial<ResilienceOptions> = {}) {
  return createResiliencePolicy({
    api: 'thingspace',
    account: `thingspace:${ACCOUNT.accountName}`,
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...extra,
  });
}

/** The `index`-th line of the simulator in `state`. */
export function lineIn(sim: ThingSpaceSimulator, state: SimCarrierState, index = 0): SimDevice {
  const line = [...sim.state.devices.values()].filter((d) => d.state === state)[index];
  if (line === undefined) throw new Error(`no ${state} line #${index} in the test dataset`);
  return line;
}

/** A demo SIM in `inventory` (not on the carrier account). */
export function inventorySim(index = 0): { iccid: string; imei: string | null } {
  const device = DATASET.devices.filter(
    (d) => d.providerKey === provider?.key && d.status === 'inventory',
  )[index];
  if (device === undefined) throw new Error('no inventory SIM in the test dataset');
  return { iccid: device.iccid, imei: device.imei };
}

/** Journal entries of one operation. */
export function entries(sim: ThingSpaceSimulator, operation: string): JournalEntry[] {
  return sim.journal.filter((e) => e.operation === operation);
}

/** A CarrierService listener. */
export interface TestListener {
  url: string;
  /** Bodies received, in arrival order. */
  bodies: Array<Record<string, unknown>>;
  /** Statuses to answer next (then 200). */
  answers: number[];
  /** Resolves once `count` bodies arrived. */
  received(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a listener on port 0 that records bodies and answers `answers`, then 200. */
export async function startListener(): Promise<TestListener> {
  const bodies: Array<Record<string, unknown>> = [];
  const answers: number[] = [];
  let waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(answers.shift() ?? 200).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/carrier-service`,
    bodies,
    answers,
    received(count, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`listener got ${bodies.length} of ${count} callbacks`)),
          timeoutMs,
        );
        const check = () => {
          if (bodies.length < count) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve();
        };
        waiters.push(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
