/**
 * The dataset of a benchmark or reliability run: the demo tenant, billing integration, carrier
 * accounts and rate plans (from `buildDemoDataset`), with `devices` uniform devices on each
 * chosen account instead of the demo's varied ones — every device ACTIVATED, with one active
 * Rev.io service carrying a "Username" and a "Cost Center 1" field — so that every device
 * change of a scenario makes the same carrier and billing calls and `callsPerChange` is exact.
 * Pure and deterministic (seeded), like the demo dataset it extends.
 */

import type { DemoBaseUrls } from '../app/demo/demo-catalog.ts';
import { DEMO_PROVIDERS } from '../app/demo/demo-catalog.ts';
import { buildDemoDataset, type DemoDataset, type DemoDevice } from '../app/demo/demo-dataset.ts';
import { createIdentifierFactory, createPrng } from '../app/demo/demo-random.ts';

/** Options of {@link buildBenchDataset}. */
export interface BenchDatasetOptions {
  /** Devices per account key (`pod19`, `jasper`, `telegence`, …). */
  devices: Readonly<Record<string, number>>;
  baseUrls: Partial<DemoBaseUrls>;
  /** @default 8 */
  seed?: number;
}

/** First Rev.io service id of a bench dataset. */
const FIRST_SERVICE_ID = 800_001;

/**
 * Builds the dataset.
 *
 * @example
 * const dataset = buildBenchDataset({ devices: { pod19: 2000 }, baseUrls: { jasper, revio } });
 */
export function buildBenchDataset(options: BenchDatasetOptions): DemoDataset {
  const base = buildDemoDataset({ devicesPerProvider: 0, baseUrls: options.baseUrls });
  const prng = createPrng(options.seed ?? 8);
  const ids = createIdentifierFactory(prng);
  const customer = base.revCustomers.find((c) => c.status === 'ACTIVE');
  if (customer === undefined) throw new Error('the demo catalogue has no active Rev.io customer');
  const devices: DemoDevice[] = [];
  const revServices: DemoDataset['revServices'] = [];
  let serviceId = FIRST_SERVICE_ID;
  for (const [key, count] of Object.entries(options.devices)) {
    const profile = DEMO_PROVIDERS.find((p) => p.key === key);
    if (profile === undefined) throw new Error(`no demo carrier account ${key}`);
    const plan = base.carrierRatePlans.find((p) => p.providerKey === key);
    const status =
      profile.family === 'telegence' ? 'A' : profile.family === 'jasper' ? 'ACTIVATED' : 'active';
    for (let i = 0; i < count; i++) {
      const device: DemoDevice = {
        providerKey: key,
        iccid: ids.iccid(profile.iccidPrefix, profile.iccidLength),
        imei: null,
        msisdn: ids.msisdn(),
        eid: null,
        status,
        carrierRatePlan: plan?.code ?? null,
        communicationPlan: plan?.communicationPlan ?? null,
        username: `Bench ${key} ${i + 1}`,
        costCenter1: null,
        costCenter2: null,
        costCenter3: null,
        revCustomerExternalId: customer.externalId,
        dataUsageMb: 0,
        ipAddress: null,
      };
      devices.push(device);
      revServices.push({
        serviceId: serviceId++,
        customerExternalId: customer.externalId,
        iccid: device.iccid,
        msisdn: device.msisdn,
        serviceTypeId: profile.family === 'telegence' ? 102 : 101,
        activatedAt: '2023-06-01T00:00:00.000Z',
        disconnectedAt: null,
        description: device.username ?? '',
        fields: [
          { id: 901, label: 'Username', value: device.username ?? '' },
          { id: 902, label: 'Cost Center 1', value: '' },
        ],
      });
    }
  }
  return { ...base, devices, revServices };
}
