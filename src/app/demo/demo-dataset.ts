/**
 * The demo dataset seeded on first start: a PURE, deterministic generator (seeded PRNG, fixed
 * dates, no I/O). The Rev.io simulator can rebuild the same dataset to serve the services'
 * custom fields, which the store does not keep.
 *
 * Shape: one tenant (`demo`), one Rev.io billing integration, one carrier account per supported
 * integration, `devicesPerProvider` devices each with valid identifiers, carrier rate plans with
 * allowances and rates ("cheapest plan covering the usage" is meaningful), customer rate plans
 * and pools, Rev.io customers, and Rev.io services for most devices. Some devices deliberately
 * have no service, a few have two (one disconnected). Services' custom fields vary on purpose
 * so that the original's mapping rules are exercised: "Cost Center 1/2/3" or a single
 * "Cost Center", a "Username" field or none, labels with odd spacing and case, and fields in
 * varying positions.
 */
import type { Integration } from '../../domain/integrations.ts';
import {
  DEFAULT_DEMO_BASE_URLS,
  DEMO_COMMUNICATION_PLANS,
  DEMO_COST_CENTERS,
  DEMO_CUSTOMER_RATE_PLANS,
  DEMO_CUSTOMER_RATE_POOLS,
  DEMO_NAME_WORDS,
  DEMO_PLAN_TIERS,
  DEMO_PROVIDERS,
  DEMO_REV_CUSTOMERS,
  DEMO_TACS,
  type DemoBaseUrls,
  type DemoProviderProfile,
} from './demo-catalog.ts';
import {
  createIdentifierFactory,
  createPrng,
  type IdentifierFactory,
  type Prng,
} from './demo-random.ts';
import { buildRevFields, type DemoRevField } from './demo-rev-fields.ts';

export type { DemoRevField } from './demo-rev-fields.ts';

/** A carrier account of the demo tenant. `secrets` are sealed by the seeder before storage. */
export interface DemoServiceProvider {
  key: string;
  name: string;
  integration: Integration;
  writeEnabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** A carrier rate plan of one demo account. */
export interface DemoCarrierRatePlan {
  providerKey: string;
  code: string;
  name: string;
  communicationPlan: string | null;
  planMb: number;
  baseRate: number;
}

/** A device of the demo device database. */
export interface DemoDevice {
  providerKey: string;
  iccid: string;
  imei: string | null;
  msisdn: string | null;
  eid: string | null;
  status: string;
  carrierRatePlan: string | null;
  communicationPlan: string | null;
  username: string | null;
  costCenter1: string | null;
  costCenter2: string | null;
  costCenter3: string | null;
  revCustomerExternalId: string | null;
  dataUsageMb: number;
  ipAddress: string | null;
}

/** A Rev.io service line, with its custom fields (for the Rev.io simulator). */
export interface DemoRevService {
  serviceId: number;
  customerExternalId: string;
  iccid: string;
  msisdn: string | null;
  serviceTypeId: number;
  activatedAt: string;
  disconnectedAt: string | null;
  description: string;
  fields: DemoRevField[];
}

/** Everything seeded for the demo tenant. */
export interface DemoDataset {
  tenant: {
    name: string;
    slug: 'demo';
    settings: { pushUsernameUpdate: 'field'; notificationEmails: string[]; webhookUrl: null };
  };
  billingIntegration: {
    name: string;
    baseUrl: string;
    clientCode: string;
    login: string;
    writeEnabled: boolean;
    secrets: Record<string, string>;
  };
  serviceProviders: DemoServiceProvider[];
  carrierRatePlans: DemoCarrierRatePlan[];
  customerRatePlans: { code: string; name: string; planMb: number; baseRate: number }[];
  customerRatePools: { name: string }[];
  revCustomers: { externalId: string; name: string; status: string }[];
  devices: DemoDevice[];
  revServices: DemoRevService[];
}

/** Options of {@link buildDemoDataset}. */
export interface DemoDatasetOptions {
  /** @default 500 (≈ 3,000 devices over six accounts) */
  devicesPerProvider?: number;
  /** Where the demo accounts point. @default DEFAULT_DEMO_BASE_URLS */
  baseUrls?: Partial<DemoBaseUrls>;
  /** PRNG seed. @default 20240501 */
  seed?: number;
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2022, 0, 1);

/**
 * Builds the demo dataset; the same options always give the same dataset.
 *
 * @example
 * const dataset = buildDemoDataset();            // ≈ 3,000 devices
 * const small = buildDemoDataset({ devicesPerProvider: 20 });
 */
export function buildDemoDataset(options: DemoDatasetOptions = {}): DemoDataset {
  const perProvider = options.devicesPerProvider ?? 500;
  const urls = { ...DEFAULT_DEMO_BASE_URLS, ...options.baseUrls };
  const prng = createPrng(options.seed ?? 20240501);
  const ids = createIdentifierFactory(prng);

  const carrierRatePlans = DEMO_PROVIDERS.flatMap((p) => plansOf(p));
  const devices: DemoDevice[] = [];
  const revServices: DemoRevService[] = [];
  let nextServiceId = 700_001;
  const activeCustomers = DEMO_REV_CUSTOMERS.filter((c) => c.status === 'ACTIVE');

  DEMO_PROVIDERS.forEach((profile, providerIndex) => {
    const plans = carrierRatePlans.filter((p) => p.providerKey === profile.key);
    for (let i = 0; i < perProvider; i++) {
      const device = buildDevice(profile, providerIndex, i, plans, prng, ids);
      const idle = profile.idleStatuses.includes(device.status);
      const variant = idle ? 'none' : prng.weighted({ one: 90, none: 6, two: 4 });
      if (variant !== 'none') {
        const customer = prng.pick(activeCustomers);
        const activatedAt = EPOCH + prng.int(400, 900) * DAY_MS;
        if (variant === 'two') {
          const oldCustomer = prng.pick(activeCustomers);
          revServices.push(
            service(nextServiceId++, oldCustomer.externalId, device, profile, prng, {
              activatedAt: EPOCH + prng.int(0, 200) * DAY_MS,
              disconnectedAt: EPOCH + prng.int(250, 390) * DAY_MS,
            }),
          );
        }
        revServices.push(
          service(nextServiceId++, customer.externalId, device, profile, prng, {
            activatedAt,
            disconnectedAt: null,
          }),
        );
        device.revCustomerExternalId = customer.externalId;
      }
      devices.push(device);
    }
  });

  return {
    tenant: {
      name: 'Demo Fleet Operator',
      slug: 'demo',
      settings: {
        pushUsernameUpdate: 'field',
        notificationEmails: ['ops@demo.example'],
        webhookUrl: null,
      },
    },
    billingIntegration: {
      name: 'Rev.io (demo)',
      baseUrl: urls.revio,
      clientCode: 'DEMO',
      login: 'demo-api',
      writeEnabled: true,
      secrets: { password: 'demo-revio-password', subscriptionKey: 'demo-revio-subscription-key' },
    },
    serviceProviders: DEMO_PROVIDERS.map((p) => providerAccount(p, urls)),
    carrierRatePlans,
    customerRatePlans: DEMO_CUSTOMER_RATE_PLANS.map((p) => ({ ...p })),
    customerRatePools: DEMO_CUSTOMER_RATE_POOLS.map((name) => ({ name })),
    revCustomers: DEMO_REV_CUSTOMERS.map((c) => ({ ...c })),
    devices,
    revServices,
  };
}

function providerAccount(p: DemoProviderProfile, urls: DemoBaseUrls): DemoServiceProvider {
  const base = { key: p.key, name: p.name, integration: p.integration, writeEnabled: true };
  switch (p.family) {
    case 'jasper':
      return {
        ...base,
        settings: {
          baseUrl: urls.jasper,
          accountName: `demo-${p.key}`,
          username: `demo-${p.key}-api`,
          usernameTargetField: 'accountCustom1',
          rateLimitPerSecond: 20,
        },
        secrets: { apiKey: `demo-${p.key}-api-key` },
      };
    case 'thingspace':
      return {
        ...base,
        settings: {
          baseUrl: urls.thingspace,
          accountName: '0000123456-00001',
          clientId: 'demo-thingspace-client',
          username: 'demo-thingspace-user',
          callbackEnabled: true,
          rateLimitPerSecond: 10,
        },
        secrets: { clientSecret: 'demo-thingspace-secret', password: 'demo-thingspace-password' },
      };
    case 'telegence':
      return {
        ...base,
        settings: {
          baseUrl: urls.telegence,
          appId: 'demo-telegence-app',
          billingAccountNumber: '287304581234',
          rateLimitPerSecond: 10,
        },
        secrets: { appSecret: 'demo-telegence-app-secret' },
      };
  }
}

function plansOf(p: DemoProviderProfile): DemoCarrierRatePlan[] {
  return DEMO_PLAN_TIERS.map((tier) => {
    const code =
      p.family === 'thingspace'
        ? `M2MPlan${tier.label}`
        : p.family === 'telegence'
          ? `IOTDATA${tier.label}`
          : `${p.planPrefix}-M2M-${tier.label}`;
    return {
      providerKey: p.key,
      code,
      name: `${p.name} ${tier.label}`,
      communicationPlan: p.family === 'jasper' ? DEMO_COMMUNICATION_PLANS[0] : null,
      planMb: tier.mb,
      baseRate: tier.rate,
    };
  });
}

function buildDevice(
  profile: DemoProviderProfile,
  providerIndex: number,
  index: number,
  plans: readonly DemoCarrierRatePlan[],
  prng: Prng,
  ids: IdentifierFactory,
): DemoDevice {
  const status = prng.weighted(profile.statuses);
  const idle = profile.idleStatuses.includes(status);
  const usage = idle ? 0 : Math.round(prng.next() ** 3 * 4000 * 1000) / 1000;
  const cheapest = plans.find((p) => p.planMb >= usage) ?? plans.at(-1);
  // Most devices sit on the cheapest plan covering their usage; some are over-provisioned.
  const plan = prng.chance(0.25) ? prng.pick(plans) : cheapest;
  const noMsisdn = profile.family === 'thingspace' && idle;
  const hasImei = profile.family !== 'jasper' || prng.chance(0.8);
  const hasEid = profile.family !== 'telegence' && prng.chance(0.2);
  const named = prng.chance(0.65);
  return {
    providerKey: profile.key,
    iccid: ids.iccid(profile.iccidPrefix, profile.iccidLength),
    imei: hasImei ? ids.imei(prng.pick(DEMO_TACS)) : null,
    msisdn: noMsisdn ? null : ids.msisdn(),
    eid: hasEid ? ids.eid() : null,
    status,
    carrierRatePlan: plan?.code ?? null,
    communicationPlan:
      profile.family === 'jasper'
        ? prng.chance(0.8)
          ? DEMO_COMMUNICATION_PLANS[0]
          : DEMO_COMMUNICATION_PLANS[1]
        : null,
    username: named ? `${prng.pick(DEMO_NAME_WORDS)} ${String(index + 1).padStart(4, '0')}` : null,
    costCenter1: prng.chance(0.5) ? prng.pick(DEMO_COST_CENTERS) : null,
    costCenter2: prng.chance(0.3) ? prng.pick(DEMO_COST_CENTERS) : null,
    costCenter3: prng.chance(0.15) ? prng.pick(DEMO_COST_CENTERS) : null,
    revCustomerExternalId: null,
    dataUsageMb: usage,
    ipAddress: idle ? null : `10.${providerIndex + 10}.${index >> 8}.${index & 255}`,
  };
}

function service(
  serviceId: number,
  customerExternalId: string,
  device: DemoDevice,
  profile: DemoProviderProfile,
  prng: Prng,
  dates: { activatedAt: number; disconnectedAt: number | null },
): DemoRevService {
  return {
    serviceId,
    customerExternalId,
    iccid: device.iccid,
    msisdn: device.msisdn,
    serviceTypeId: profile.family === 'telegence' ? 102 : 101,
    activatedAt: new Date(dates.activatedAt).toISOString(),
    disconnectedAt:
      dates.disconnectedAt === null ? null : new Date(dates.disconnectedAt).toISOString(),
    description: device.username ?? `Line ${device.msisdn ?? device.iccid}`,
    fields: buildRevFields(device, prng),
  };
}
