/**
 * State of the Rev.io simulator: tenants (client codes) with their credentials, customers,
 * service lines with ordered custom fields, service products, a product catalogue, and the
 * knobs the simulator's controls change (rate limit, permissions, `ok` flag, duplicates).
 *
 * Seeded from the demo dataset (`buildDemoDataset`): the dataset's billing integration is the
 * tenant holding every `revServices` line; extra tenants get the same customers and no lines.
 */
import type { DemoDataset } from '../../../app/demo/demo-dataset.ts';

/** Credentials of one simulated tenant. */
export interface RevioSimAccount {
  clientCode: string;
  login: string;
  password: string;
  subscriptionKey: string;
}

/** A custom field as Rev.io stores it. */
export interface RevioSimField {
  field_id: number;
  label: string;
  value: string;
}

/** A service line as the simulator stores it (wire names). */
export interface RevioSimService {
  service_id: number;
  customer_id: number;
  provider_id: number | null;
  service_type_id: number;
  package_id: number | null;
  usage_plan_group_id: number | null;
  number: string;
  number2: string | null;
  description: string | null;
  status: 'ACTIVE' | 'DISCONNECTED';
  activated_date: string | null;
  disconnected_date: string | null;
  effective_date: string | null;
  fields: RevioSimField[];
}

/** A service product as the simulator stores it. */
export interface RevioSimServiceProduct {
  service_product_id: number;
  service_id: number;
  product_id: number;
  customer_id: number;
  rate: number;
  quantity: number;
  prorate: boolean;
  status: 'ACTIVE';
  package_id: number | null;
  effective_date: string | null;
  activated_date: string | null;
}

/** A customer of a tenant. */
export interface RevioSimCustomer {
  customer_id: number;
  name: string;
  status: string;
}

/** A product of the catalogue. */
export interface RevioSimProduct {
  product_id: number;
  description: string;
  rate: number;
}

/** Everything one tenant holds. */
export interface RevioTenantState {
  account: RevioSimAccount;
  customers: Map<number, RevioSimCustomer>;
  services: Map<number, RevioSimService>;
  serviceProducts: Map<number, RevioSimServiceProduct>;
  /** Simulator-clock times of accepted calls in the last minute (sliding window). */
  recentCalls: number[];
  /** Calls accepted on `day` (UTC day number). */
  daily: { day: number; count: number };
}

/** Rate limit of every tenant (DOC D18: 500 calls/minute, 150,000 calls/day). */
export interface RevioRateLimit {
  perMinute: number;
  perDay: number;
  /** Send `Retry-After` with 429s (the seconds are always in the message). */
  retryAfterHeader: boolean;
}

/** The whole simulator state. */
export interface RevioSimState {
  tenants: Map<string, RevioTenantState>;
  products: Map<number, RevioSimProduct>;
  serviceTypes: Set<number>;
  rateLimit: RevioRateLimit;
  /** Operations answered 403 (API user role lacks permission); `*` = all. */
  deniedOperations: Set<string>;
  /** Services whose GET answers 200 with `ok: false`. */
  okFalseServices: Set<number>;
  /** Reject a create whose number already has an active line of the customer. */
  rejectDuplicateNumbers: boolean;
  nextServiceId: number;
  nextServiceProductId: number;
}

/** Default product catalogue (products are not part of the demo dataset). */
export const DEFAULT_REVIO_PRODUCTS: readonly RevioSimProduct[] = [
  { product_id: 3001, description: 'M2M data access', rate: 5 },
  { product_id: 3002, description: 'Static IP', rate: 2 },
  { product_id: 3003, description: 'Mobility line', rate: 15 },
  { product_id: 3004, description: 'Pooled data 1 GB', rate: 10 },
  { product_id: 3005, description: 'SMS bundle', rate: 1.5 },
];

/** Service types of the demo lines: 101 M2M data, 102 mobility. */
export const DEFAULT_REVIO_SERVICE_TYPES: readonly number[] = [101, 102];

/** Custom fields a new line gets (field ids as in the demo data). */
export const NEW_SERVICE_FIELDS: readonly RevioSimField[] = [
  { field_id: 901, label: 'Username', value: '' },
  { field_id: 902, label: 'Cost Center 1', value: '' },
  { field_id: 903, label: 'Cost Center 2', value: '' },
  { field_id: 904, label: 'Cost Center 3', value: '' },
];

/** Options that shape the initial state. */
export interface RevioStateOptions {
  dataset: DemoDataset;
  /** Extra tenants (empty of lines). */
  extraAccounts?: readonly RevioSimAccount[];
  products?: readonly RevioSimProduct[];
  serviceTypes?: readonly number[];
  rateLimit?: Partial<RevioRateLimit>;
}

/** The tenant of the dataset's billing integration. */
export function datasetAccount(dataset: DemoDataset): RevioSimAccount {
  const b = dataset.billingIntegration;
  return {
    clientCode: b.clientCode,
    login: b.login,
    password: b.secrets.password ?? '',
    subscriptionKey: b.secrets.subscriptionKey ?? '',
  };
}

/**
 * Builds a fresh state from the dataset (deterministic: same dataset, same state).
 *
 * @example
 * const state = createRevioState({ dataset: buildDemoDataset({ devicesPerProvider: 10 }) });
 */
export function createRevioState(options: RevioStateOptions): RevioSimState {
  const { dataset } = options;
  const customers = () =>
    new Map(
      dataset.revCustomers.map((c) => [
        Number(c.externalId),
        { customer_id: Number(c.externalId), name: c.name, status: c.status },
      ]),
    );
  const tenant = (account: RevioSimAccount): RevioTenantState => ({
    account,
    customers: customers(),
    services: new Map(),
    serviceProducts: new Map(),
    recentCalls: [],
    daily: { day: 0, count: 0 },
  });

  const main = tenant(datasetAccount(dataset));
  let maxServiceId = 0;
  for (const s of dataset.revServices) {
    maxServiceId = Math.max(maxServiceId, s.serviceId);
    main.services.set(s.serviceId, {
      service_id: s.serviceId,
      customer_id: Number(s.customerExternalId),
      provider_id: null,
      service_type_id: s.serviceTypeId,
      package_id: null,
      usage_plan_group_id: null,
      number: s.msisdn ?? s.iccid,
      number2: s.iccid,
      description: s.description,
      status: s.disconnectedAt === null ? 'ACTIVE' : 'DISCONNECTED',
      activated_date: s.activatedAt,
      disconnected_date: s.disconnectedAt,
      effective_date: s.activatedAt,
      fields: s.fields.map((f) => ({ field_id: f.id, label: f.label, value: f.value })),
    });
  }
  const tenants = new Map([[main.account.clientCode, main]]);
  for (const account of options.extraAccounts ?? []) {
    tenants.set(account.clientCode, tenant({ ...account }));
  }
  const products = options.products ?? DEFAULT_REVIO_PRODUCTS;
  return {
    tenants,
    products: new Map(products.map((p) => [p.product_id, { ...p }])),
    serviceTypes: new Set(options.serviceTypes ?? DEFAULT_REVIO_SERVICE_TYPES),
    rateLimit: { perMinute: 500, perDay: 150_000, retryAfterHeader: true, ...options.rateLimit },
    deniedOperations: new Set(),
    okFalseServices: new Set(),
    rejectDuplicateNumbers: false,
    nextServiceId: Math.max(maxServiceId, 800_000) + 1,
    nextServiceProductId: 900_001,
  };
}

/** A service as GET/list bodies show it. */
export function serviceView(service: RevioSimService): Record<string, unknown> {
  return { ...service, fields: service.fields.map((f) => ({ ...f })) };
}
