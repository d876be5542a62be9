/**
 * State of the Control Center simulator, seeded from the demo dataset: one account per
 * Jasper-family service provider (Jasper, POD19, TMobileJasper, Rogers) with the provider's
 * API user and key, its rate plans and communication plans, and its devices with every
 * DeviceDetails field; an audit trail per device; edits scheduled for later; and the
 * vendor-specific fault controls.
 */
import { z } from 'zod';
import type { DemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createPrng, type Prng } from '../../../app/demo/demo-random.ts';
import { formatJasperDate } from './jasper-wire.ts';

/** Vendor-specific fault and behaviour controls (settable from code and `/__admin/jasper/controls`). */
export const jasperSimControlsSchema = z.strictObject({
  /** Audit records become visible this long after the edit (eventual consistency). */
  auditLagMs: z.number().min(0),
  /** Edits of these ICCIDs answer 200 `{iccid}` but are not applied: the audit trail shows Error. */
  auditErrorIccids: z.array(z.string()),
  /** Same, for a random share of all edits (seeded). */
  auditErrorProbability: z.number().min(0).max(1),
  /** Edits of these ICCIDs are applied but answer 200 without `iccid` (`{}`). */
  missingIccidIccids: z.array(z.string()),
  /** Same, for a random share of all edits (seeded). */
  missingIccidProbability: z.number().min(0).max(1),
  /** HTTP status of a `40000029` throttling answer (undocumented: 429, 400 or 403). */
  throttleHttpStatus: z.union([z.literal(429), z.literal(400), z.literal(403)]),
  /** `Retry-After` seconds sent with detector throttling; null sends none. */
  throttleRetryAfterSeconds: z.number().min(0).nullable(),
  /** A second call of an account while one is being processed gets `40000029`. */
  detectConcurrency: z.boolean(),
  /** Calls per second per account before `40000029`; null uses each provider's `rateLimitPerSecond`. */
  ratePerSecond: z.number().positive().nullable(),
  /** Vendor processing time of each call (uniform, seeded): the window the detector watches. */
  processingMs: z.object({ min: z.number().min(0), max: z.number().min(0) }),
  /** Reject statuses not spelled exactly as Control Center does (default: accept any case). */
  strictStatusCase: z.boolean(),
});

/** Simulator controls. */
export type JasperSimControls = z.infer<typeof jasperSimControlsSchema>;

/** Defaults: no faults, no lag, detector on, rates from the dataset. */
export const DEFAULT_JASPER_SIM_CONTROLS: Readonly<JasperSimControls> = Object.freeze({
  auditLagMs: 0,
  auditErrorIccids: [],
  auditErrorProbability: 0,
  missingIccidIccids: [],
  missingIccidProbability: 0,
  throttleHttpStatus: 429,
  throttleRetryAfterSeconds: null,
  detectConcurrency: true,
  ratePerSecond: null,
  processingMs: { min: 0, max: 0 },
  strictStatusCase: false,
});

/** One Control Center account (a demo service provider of the Jasper family). */
export interface JasperSimAccount {
  /** Service provider key (`jasper`, `pod19`, `tmobile`, `rogers`). */
  key: string;
  integration: string;
  username: string;
  apiKey: string;
  accountId: string;
  usernameTargetField: string;
  ratePerSecond: number | undefined;
  ratePlans: Set<string>;
  communicationPlans: Set<string>;
}

/** One device: its account and its DeviceDetails fields. */
export interface JasperSimDevice {
  account: string;
  /** Set once the SIM has been ACTIVATED (it may not go back to a pre-activation status). */
  everActivated: boolean;
  fields: Record<string, string | null>;
}

/** One audit record with the simulator's bookkeeping. */
export interface JasperSimAuditRecord {
  seq: number;
  field: string;
  priorValue: string | null;
  value: string | null;
  effectiveDate: string;
  status: 'Executed' | 'Pending' | 'Error';
  userName: string;
  ipAddress: string;
  delegatedUser: string | null;
  /** Simulator time when it becomes visible in `auditTrails`. */
  visibleAt: number;
}

/** An edit with a future effectiveDate (answered 202). */
export interface JasperSimPendingEdit {
  iccid: string;
  effectiveAt: number;
  changes: Array<{ field: string; value: string; auditSeq: number }>;
}

/** Whole simulator state. */
export interface JasperSimState {
  /** By API user name. */
  accountsByUser: Map<string, JasperSimAccount>;
  /** By service provider key. */
  accounts: Map<string, JasperSimAccount>;
  devices: Map<string, JasperSimDevice>;
  audit: Map<string, JasperSimAuditRecord[]>;
  pending: JasperSimPendingEdit[];
  controls: JasperSimControls;
  inFlight: Map<string, number>;
  buckets: Map<string, { tokens: number; at: number }>;
  /** Throttling answers given by the detector, per reason. */
  throttled: { rate: number; concurrency: number };
  seq: number;
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2021, 0, 1);
const PRE_ACTIVATION = new Set(['INVENTORY', 'ACTIVATION_READY', 'TEST_READY']);
const MCC_MNC: Record<string, string> = { rogers: '302720', tmobile: '310260' };

/** Every DeviceDetails key, in the vendor's order. */
export const DEVICE_FIELD_ORDER: readonly string[] = [
  'iccid',
  'imsi',
  'msisdn',
  'imei',
  'status',
  'ratePlan',
  'communicationPlan',
  'customer',
  'endConsumerId',
  'dateActivated',
  'dateAdded',
  'dateUpdated',
  'dateShipped',
  'accountId',
  'fixedIPAddress',
  'fixedIpv6Address',
  ...Array.from({ length: 5 }, (_, i) => `operatorCustom${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `accountCustom${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `customerCustom${i + 1}`),
  'simNotes',
  'deviceID',
  'modemID',
  'globalSimType',
  'eid',
  'simProfileId',
  'overageLimitOverride',
];

/**
 * Builds a fresh state from the dataset (deterministic under `seed`).
 *
 * @example
 * const state = createJasperSimState(buildDemoDataset({ devicesPerProvider: 20 }), 7);
 */
export function createJasperSimState(
  dataset: DemoDataset,
  seed: number,
  controls: Partial<JasperSimControls> = {},
): JasperSimState {
  const prng = createPrng(seed);
  const accounts = new Map<string, JasperSimAccount>();
  const accountsByUser = new Map<string, JasperSimAccount>();
  const providers = dataset.serviceProviders.filter(
    (p) => typeof p.settings.username === 'string' && typeof p.secrets.apiKey === 'string',
  );
  providers.forEach((p, index) => {
    const plans = dataset.carrierRatePlans.filter((r) => r.providerKey === p.key);
    const devices = dataset.devices.filter((d) => d.providerKey === p.key);
    const account: JasperSimAccount = {
      key: p.key,
      integration: p.integration,
      username: String(p.settings.username),
      apiKey: String(p.secrets.apiKey),
      accountId: String(100020620 + index),
      usernameTargetField: String(p.settings.usernameTargetField ?? 'accountCustom1'),
      ratePerSecond:
        typeof p.settings.rateLimitPerSecond === 'number'
          ? p.settings.rateLimitPerSecond
          : undefined,
      ratePlans: new Set(plans.map((r) => r.code)),
      communicationPlans: new Set(
        [
          ...plans.map((r) => r.communicationPlan),
          ...devices.map((d) => d.communicationPlan),
        ].filter((c): c is string => c !== null),
      ),
    };
    accounts.set(account.key, account);
    accountsByUser.set(account.username, account);
  });

  const devices = new Map<string, JasperSimDevice>();
  for (const d of dataset.devices) {
    const account = accounts.get(d.providerKey);
    if (account === undefined) continue;
    devices.set(d.iccid, {
      account: account.key,
      everActivated: !PRE_ACTIVATION.has(d.status),
      fields: deviceFields(d, account, prng),
    });
  }

  return {
    accountsByUser,
    accounts,
    devices,
    audit: new Map(),
    pending: [],
    controls: { ...DEFAULT_JASPER_SIM_CONTROLS, ...structuredClone(controls) },
    inFlight: new Map(),
    buckets: new Map(),
    throttled: { rate: 0, concurrency: 0 },
    seq: 0,
  };
}

function deviceFields(
  d: DemoDataset['devices'][number],
  account: JasperSimAccount,
  prng: Prng,
): Record<string, string | null> {
  const added = EPOCH + prng.int(0, 300) * DAY_MS + prng.int(0, DAY_MS - 1);
  const activated = PRE_ACTIVATION.has(d.status) ? null : added + prng.int(5, 200) * DAY_MS;
  const updated = (activated ?? added) + prng.int(1, 400) * DAY_MS;
  const fields: Record<string, string | null> = Object.fromEntries(
    DEVICE_FIELD_ORDER.map((k) => [k, k.includes('Custom') ? '' : null]),
  );
  Object.assign(fields, {
    iccid: d.iccid,
    imsi: `${MCC_MNC[account.key] ?? '310410'}${prng.digits(9)}`,
    msisdn: d.msisdn ?? '',
    imei: d.imei ?? '',
    status: d.status,
    ratePlan: d.carrierRatePlan,
    communicationPlan: d.communicationPlan,
    dateActivated: activated === null ? null : formatJasperDate(activated),
    dateAdded: formatJasperDate(added),
    dateUpdated: formatJasperDate(updated),
    dateShipped: formatJasperDate(added - prng.int(1, 30) * DAY_MS),
    accountId: account.accountId,
    fixedIPAddress: d.ipAddress,
    modemID: '',
    globalSimType: '',
    eid: d.eid,
    simProfileId: '',
    overageLimitOverride: 'DEFAULT',
  });
  fields[account.usernameTargetField] = d.username ?? '';
  return fields;
}
