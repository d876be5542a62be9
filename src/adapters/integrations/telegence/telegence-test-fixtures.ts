/**
 * Test fixtures of the Telegence contract tests (not used by production code): a small demo
 * dataset, its Telegence account and lines, a simulator on port 0, clients with fast faults.
 */
import { buildDemoDataset, type DemoDevice } from '../../../app/demo/demo-dataset.ts';
import { createResiliencePolicy, type ResilienceOptions } from '../shared/resilience.ts';
import type { JournalEntry } from '../shared/simulator/simulator-server.ts';
import {
  createTelegenceClient,
  type TelegenceClient,
  type TelegenceClientOptions,
} from './telegence-client.ts';
import { toSubscriberNumber } from './telegence-mapper.ts';
import {
  createTelegenceSimulator,
  TELEGENCE_BASE_PATH,
  type TelegenceSimulator,
  type TelegenceSimulatorOptions,
} from './telegence-simulator.ts';
import type { TelegenceActivationRequest } from './telegence-wire.ts';

/** 24 devices per account: about 19 active, 4 suspended, 1 cancelled Telegence lines. */
export const DATASET = buildDemoDataset({ devicesPerProvider: 24 });

const provider = DATASET.serviceProviders.find((p) => p.integration === 'Telegence');
if (provider === undefined) throw new Error('demo dataset has no Telegence account');

/** The demo Telegence account. */
export const ACCOUNT = provider;
/** Its app-id (settings.appId). */
export const APP_ID = String(ACCOUNT.settings.appId);
/** Its app-secret (secrets.appSecret). */
export const APP_SECRET = ACCOUNT.secrets.appSecret ?? '';
/** Its billing account number. */
export const BAN = String(ACCOUNT.settings.billingAccountNumber);

/** Telegence devices of the dataset. */
export const DEVICES: readonly DemoDevice[] = DATASET.devices.filter(
  (d) => d.providerKey === ACCOUNT.key && d.msisdn !== null,
);

/** The `index`-th device in `status`; throws when there is none. */
export function device(status: 'A' | 'S' | 'C', index = 0): DemoDevice & { mdn: string } {
  const found = DEVICES.filter((d) => d.status === status)[index];
  const mdn = found?.msisdn === null ? undefined : toSubscriberNumber(found?.msisdn ?? '');
  if (found === undefined || mdn === undefined) throw new Error(`no ${status} device #${index}`);
  return { ...found, mdn };
}

/** A 20-digit ICCID that no demo device has. */
export function freshIccid(n: number): string {
  return `89014109990000${String(n).padStart(6, '0')}`;
}

/** Starts a simulator on port 0 seeded from {@link DATASET}. */
export async function startSimulator(
  options: TelegenceSimulatorOptions = {},
): Promise<{ sim: TelegenceSimulator; baseUrl: string }> {
  const sim = createTelegenceSimulator({ seed: 7, dataset: DATASET, ...options });
  const origin = await sim.start(0);
  return { sim, baseUrl: origin + TELEGENCE_BASE_PATH };
}

/** Fast resilience policy for tests. */
export function fastPolicy(overrides: Partial<ResilienceOptions> = {}) {
  return createResiliencePolicy({
    api: 'telegence',
    account: 'telegence:test',
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...overrides,
  });
}

/** A client of the demo account against `baseUrl`. */
export function clientFor(
  baseUrl: string,
  overrides: Partial<TelegenceClientOptions> = {},
): TelegenceClient {
  return createTelegenceClient({
    baseUrl,
    appId: APP_ID,
    appSecret: APP_SECRET,
    timeoutMs: 400,
    ...overrides,
  });
}

/** An activation record for `iccid` on the demo account. */
export function activationRequest(
  iccid: string,
  extra: { name: string; value: string }[] = [],
): TelegenceActivationRequest {
  return {
    billingAccount: { id: BAN },
    relatedParty: [
      {
        role: 'subscriber',
        firstName: 'Dana',
        lastName: 'Fleet',
        address: {
          streetNumber: '100',
          streetName: 'Main',
          streetType: 'St',
          city: 'Dallas',
          state: 'TX',
          zipCode: '75201',
        },
      },
    ],
    service: {
      name: 'Mobility Service',
      category: { id: '1', name: 'Mobility' },
      serviceSpecification: { id: '12', href: 'Mobility Services' },
      serviceQualification: { id: 'QUAL-TOKEN-1' },
      serviceCharacteristic: [
        { name: 'singleUserCode', value: 'IOTDATA25MB' },
        { name: 'serviceZipCode', value: '75201' },
        { name: 'equipmentType', value: 'G' },
        { name: 'deviceTechnologyType', value: 'UMTS' },
        { name: 'IMEI', value: '353325100000017' },
        { name: 'sim', value: iccid },
        ...extra,
      ],
    },
  };
}

/** Journal entries of one simulator operation. */
export function calls(sim: TelegenceSimulator, operation: string): JournalEntry[] {
  return sim.journal.filter((e) => e.operation === operation);
}

/** Runs `fn` and returns what it threw (fails when it did not throw). */
export async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
