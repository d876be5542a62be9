/**
 * Fixed parts of the demo dataset: one carrier account per supported integration, their rate
 * plans, the customer rate plans and the Rev.io customers.
 */
import type { Integration } from '../../domain/integrations.ts';

/** Base URLs of the carrier and billing simulators the demo accounts point at. */
export interface DemoBaseUrls {
  jasper: string;
  thingspace: string;
  telegence: string;
  revio: string;
}

/** Default simulator base URLs (the simulators issue may pass others). */
export const DEFAULT_DEMO_BASE_URLS: Readonly<DemoBaseUrls> = Object.freeze({
  jasper: 'http://127.0.0.1:4010/rws/api/v1',
  thingspace: 'http://127.0.0.1:4011/api/m2m/v1',
  telegence: 'http://127.0.0.1:4012/sp/mobility/lineconfig/api/v1',
  revio: 'http://127.0.0.1:4013/v1',
});

/** How devices of one demo carrier account look. */
export interface DemoProviderProfile {
  key: string;
  name: string;
  integration: Integration;
  family: 'jasper' | 'thingspace' | 'telegence';
  iccidPrefix: string;
  iccidLength: 19 | 20;
  /** Device status → relative weight. */
  statuses: Readonly<Record<string, number>>;
  /** Statuses of devices that are not in service (no usage, usually no Rev.io service). */
  idleStatuses: readonly string[];
  planPrefix: string;
}

const JASPER_STATUSES = {
  ACTIVATED: 70,
  DEACTIVATED: 9,
  INVENTORY: 5,
  ACTIVATION_READY: 5,
  TEST_READY: 5,
  RETIRED: 4,
  PURGED: 2,
};
const JASPER_IDLE = ['INVENTORY', 'ACTIVATION_READY', 'TEST_READY', 'RETIRED', 'PURGED'];

/** The six demo carrier accounts, one per supported integration. */
export const DEMO_PROVIDERS: readonly DemoProviderProfile[] = [
  {
    key: 'jasper',
    name: 'AT&T Control Center (Jasper)',
    integration: 'Jasper',
    family: 'jasper',
    iccidPrefix: '8901410',
    iccidLength: 19,
    statuses: JASPER_STATUSES,
    idleStatuses: JASPER_IDLE,
    planPrefix: 'ATT',
  },
  {
    key: 'pod19',
    name: 'AT&T Control Center POD19',
    integration: 'POD19',
    family: 'jasper',
    iccidPrefix: '8901170',
    iccidLength: 20,
    statuses: JASPER_STATUSES,
    idleStatuses: JASPER_IDLE,
    planPrefix: 'P19',
  },
  {
    key: 'tmobile',
    name: 'T-Mobile Control Center',
    integration: 'TMobileJasper',
    family: 'jasper',
    iccidPrefix: '8901260',
    iccidLength: 19,
    statuses: JASPER_STATUSES,
    idleStatuses: JASPER_IDLE,
    planPrefix: 'TMO',
  },
  {
    key: 'rogers',
    name: 'Rogers Control Center',
    integration: 'Rogers',
    family: 'jasper',
    iccidPrefix: '8930272',
    iccidLength: 20,
    statuses: JASPER_STATUSES,
    idleStatuses: JASPER_IDLE,
    planPrefix: 'RGR',
  },
  {
    key: 'thingspace',
    name: 'Verizon ThingSpace',
    integration: 'ThingSpace',
    family: 'thingspace',
    iccidPrefix: '891480',
    iccidLength: 20,
    statuses: { active: 72, suspend: 8, deactive: 8, 'pending activation': 6, inventory: 6 },
    idleStatuses: ['pending activation', 'inventory'],
    planPrefix: 'VZW',
  },
  {
    key: 'telegence',
    name: 'AT&T Mobility (Telegence)',
    integration: 'Telegence',
    family: 'telegence',
    iccidPrefix: '8901410',
    iccidLength: 20,
    statuses: { A: 80, S: 15, C: 5 },
    idleStatuses: ['C'],
    planPrefix: 'MOB',
  },
];

/** Data allowances (MB) and monthly base rates of every provider's plans. */
export const DEMO_PLAN_TIERS: readonly { mb: number; label: string; rate: number }[] = [
  { mb: 1, label: '1MB', rate: 0.9 },
  { mb: 5, label: '5MB', rate: 2.5 },
  { mb: 25, label: '25MB', rate: 5 },
  { mb: 100, label: '100MB', rate: 9 },
  { mb: 500, label: '500MB', rate: 18 },
  { mb: 2048, label: '2GB', rate: 35 },
  { mb: 10240, label: '10GB', rate: 75 },
];

/** Communication plans of the Jasper family (ThingSpace and Telegence have none). */
export const DEMO_COMMUNICATION_PLANS = ['CP_Basic_LTE', 'CP_Static_IP_LTE'] as const;

/** Customer (retail) rate plans of the demo tenant. */
export const DEMO_CUSTOMER_RATE_PLANS: readonly {
  code: string;
  name: string;
  planMb: number;
  baseRate: number;
}[] = [
  { code: 'CUST-IOT-10', name: 'IoT Starter 10 MB', planMb: 10, baseRate: 4.99 },
  { code: 'CUST-IOT-100', name: 'IoT Plus 100 MB', planMb: 100, baseRate: 12.99 },
  { code: 'CUST-IOT-1G', name: 'IoT Pro 1 GB', planMb: 1024, baseRate: 29.99 },
  { code: 'CUST-MOB-5G', name: 'Mobility 5 GB', planMb: 5120, baseRate: 45 },
  { code: 'CUST-POOL', name: 'Shared pool member', planMb: 0, baseRate: 2 },
];

/** Customer rate pools of the demo tenant. */
export const DEMO_CUSTOMER_RATE_POOLS: readonly string[] = [
  'Fleet shared 50 GB',
  'Utilities pool 10 GB',
];

/** Rev.io customers of the demo tenant (the last one is closed). */
export const DEMO_REV_CUSTOMERS: readonly { externalId: string; name: string; status: string }[] = [
  'Acme Logistics',
  'Blue River Utilities',
  'Cascade Vending',
  'Delta Cold Chain',
  'Evergreen Security',
  'Frontier Agritech',
  'Granite Construction Rentals',
  'Harbor Marine Telemetry',
  'Ironwood Transit',
  'Juniper Health Devices',
  'Keystone Parking',
  'Lakeside Retired Fleet',
].map((name, i) => ({
  externalId: String(100101 + i),
  name,
  status: i === 11 ? 'CLOSED' : 'ACTIVE',
}));

/** Typical IMEI TACs (8 digits) of IoT modules and handsets. */
export const DEMO_TACS: readonly string[] = [
  '35332510',
  '35891409',
  '86730903',
  '01326300',
  '35473911',
];

/** Words used to build device user names. */
export const DEMO_NAME_WORDS: readonly string[] = [
  'Truck',
  'Van',
  'Meter',
  'Kiosk',
  'Tracker',
  'Gateway',
  'Sensor',
  'Camera',
];

/** Cost center values. */
export const DEMO_COST_CENTERS: readonly string[] = [
  'FLEET-A',
  'FLEET-B',
  'OPS-12',
  'OPS-40',
  'FIELD-SVC',
  'RETAIL-7',
  'CC-1001',
  'CC-2040',
];
