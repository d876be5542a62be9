/**
 * State of the Telegence simulator: accounts (app-id/app-secret, billing account, rate plans),
 * lines keyed by 10-digit MDN, pending (future-dated or lagging) line changes, activations,
 * and the fault knobs that are vendor behaviour rather than transport faults (eSIM-required
 * ICCIDs, activation outcomes and progress, apply lag).
 *
 * Seeded from the demo dataset: every service provider of the Telegence family becomes an
 * account, its devices with an MSISDN become lines. Offerings and ZIP codes, which the dataset
 * does not hold, come from a PRNG seeded with the simulator's seed (deterministic).
 */
import type { DemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createPrng, type Prng } from '../../../app/demo/demo-random.ts';
import { integrationFamily } from '../../../domain/integrations.ts';
import { toSubscriberNumber } from './telegence-mapper.ts';
import type {
  TelegenceActivationRequest,
  TelegenceActivationStatus,
  TelegenceDeviceListEntry,
} from './telegence-wire.ts';

/** Vendor behaviour knobs. */
export interface TelegenceSimConfig {
  /** Delay (simulator clock) before a PATCH without a later effectiveDate shows in reads. */
  applyLagMs: number;
  /** Activation progress: a stage ends when both its polls and its time have passed. */
  activation: {
    /** Status GETs that still report `pending`. */
    pendingPolls: number;
    /** Minimum time in `pending` (simulator clock). */
    pendingMs: number;
    /** Status GETs that still report `reserved`. */
    reservedPolls: number;
    /** Minimum time in `reserved`. */
    reservedMs: number;
    /** Probability that a line without a set outcome is rejected (seeded PRNG). */
    rejectRate: number;
  };
  /**
   * How an activation of an eSIM-required ICCID fails: `status` = the line is `rejected` with
   * `service.name: "/service/"`; `http404` = the whole POST answers 404 `/service/`.
   */
  esimOnActivation: 'status' | 'http404';
}

/** Partial knobs, for `configure`. */
export interface TelegenceSimConfigPatch {
  applyLagMs?: number;
  activation?: Partial<TelegenceSimConfig['activation']>;
  esimOnActivation?: TelegenceSimConfig['esimOnActivation'];
}

/** Default knobs: immediate PATCHes; activation pending for 1 poll, reserved for 1 poll. */
export const DEFAULT_TELEGENCE_SIM_CONFIG: TelegenceSimConfig = {
  applyLagMs: 0,
  activation: { pendingPolls: 1, pendingMs: 0, reservedPolls: 1, reservedMs: 0, rejectRate: 0 },
  esimOnActivation: 'status',
};

/** An API account. */
export interface SimAccount {
  key: string;
  appId: string;
  appSecret: string;
  billingAccountNumber: string;
  /** singleUserCode → description. */
  ratePlans: Map<string, string>;
  access: 'ok' | 'forbidden';
}

/** A feature/SOC on a line. */
export interface SimOffering {
  code: string;
  description: string;
  effectiveDate: string;
}

/** A change accepted but not yet in effect. */
export type SimPendingChange =
  | { kind: 'plan'; effectiveAt: number; singleUserCode: string }
  | { kind: 'status'; effectiveAt: number; status: string; reasonCode: string }
  | {
      kind: 'equipment';
      effectiveAt: number;
      sim?: string;
      imei?: string;
      technologyType?: string;
      serviceZipCode?: string;
    }
  | { kind: 'removeOffering'; effectiveAt: number; code: string };

/** A line. */
export interface SimLine {
  subscriberNumber: string;
  account: string;
  status: string;
  statusEffectiveDate: string;
  statusReasonCode: string;
  activationDate: string;
  singleUserCode: string;
  serviceZipCode: string;
  contactName: string;
  sim: string;
  imei: string | null;
  technologyType: string;
  offerings: SimOffering[];
  ipAddress: string | null;
  pending: SimPendingChange[];
}

/** One line of an activation. */
export interface SimActivationLine {
  request: TelegenceActivationRequest;
  iccid: string;
  outcome: 'active' | 'rejected' | 'esim';
  status: TelegenceActivationStatus;
  subscriberNumber: string | null;
  error: string | null;
  completedAt: number | null;
}

/** A batch activation. */
export interface SimActivation {
  id: string;
  account: string;
  createdAt: number;
  stage: 'pending' | 'reserved' | 'done';
  stageSince: number;
  stagePolls: number;
  lines: SimActivationLine[];
}

/** Whole simulator state. */
export interface TelegenceSimState {
  accounts: Map<string, SimAccount>;
  /** app-id → account key. */
  appIds: Map<string, string>;
  lines: Map<string, SimLine>;
  activations: Map<string, SimActivation>;
  esimRequired: Set<string>;
  outcomes: Map<string, 'active' | 'rejected'>;
  config: TelegenceSimConfig;
}

const OFFERINGS: readonly { code: string; description: string }[] = [
  { code: 'NOROAM', description: 'International roaming block' },
  { code: 'DATABLKINTL', description: 'International data block' },
  { code: 'NOVOICE', description: 'Voice blocked' },
  { code: 'NOSMS', description: 'SMS blocked' },
  { code: 'IOTSTATICIP', description: 'Static IP address' },
  { code: 'HOTSPOT', description: 'Mobile hotspot' },
];

const DAY_MS = 86_400_000;

/** Builds the initial state from the dataset (deterministic under `seed`). */
export function createTelegenceState(
  dataset: DemoDataset,
  seed: number,
  options: { config?: TelegenceSimConfigPatch; esimRequiredIccids?: readonly string[] } = {},
): TelegenceSimState {
  const prng = createPrng(seed ^ 0x7e1e);
  const state: TelegenceSimState = {
    accounts: new Map(),
    appIds: new Map(),
    lines: new Map(),
    activations: new Map(),
    esimRequired: new Set(options.esimRequiredIccids ?? []),
    outcomes: new Map(),
    config: mergeConfig(DEFAULT_TELEGENCE_SIM_CONFIG, options.config ?? {}),
  };
  for (const sp of dataset.serviceProviders) {
    if (integrationFamily(sp.integration) !== 'telegence') continue;
    const appId = String(sp.settings.appId ?? '');
    const appSecret = sp.secrets.appSecret ?? '';
    if (appId === '' || appSecret === '') continue;
    const ratePlans = new Map(
      dataset.carrierRatePlans.filter((p) => p.providerKey === sp.key).map((p) => [p.code, p.name]),
    );
    const account: SimAccount = {
      key: sp.key,
      appId,
      appSecret,
      billingAccountNumber: String(sp.settings.billingAccountNumber ?? ''),
      ratePlans,
      access: 'ok',
    };
    state.accounts.set(sp.key, account);
    state.appIds.set(appId, sp.key);
    for (const device of dataset.devices) {
      if (device.providerKey !== sp.key || device.msisdn === null) continue;
      const mdn = toSubscriberNumber(device.msisdn);
      if (mdn === undefined) continue;
      state.lines.set(mdn, seedLine(mdn, sp.key, device, prng));
    }
  }
  return state;
}

function seedLine(
  mdn: string,
  account: string,
  device: DemoDataset['devices'][number],
  prng: Prng,
): SimLine {
  const activated = Date.UTC(2022, 0, 1) + prng.int(0, 900) * DAY_MS;
  const offerings: SimOffering[] = [];
  for (const offering of OFFERINGS) {
    if (offerings.length < 3 && prng.chance(0.3)) {
      offerings.push({ ...offering, effectiveDate: isoDate(activated) });
    }
  }
  return {
    subscriberNumber: mdn,
    account,
    status: device.status,
    statusEffectiveDate: isoDate(activated + prng.int(0, 300) * DAY_MS),
    statusReasonCode: device.status === 'A' ? 'ACT' : device.status === 'S' ? 'SUSP' : 'CANC',
    activationDate: isoDate(activated),
    singleUserCode: device.carrierRatePlan ?? '',
    serviceZipCode: String(prng.int(10_000, 99_999)),
    contactName: device.username ?? '',
    sim: device.iccid,
    imei: device.imei,
    technologyType: 'LTE',
    offerings,
    ipAddress: device.ipAddress,
    pending: [],
  };
}

/** Applies knob changes. */
export function mergeConfig(
  base: TelegenceSimConfig,
  patch: TelegenceSimConfigPatch,
): TelegenceSimConfig {
  return {
    applyLagMs: patch.applyLagMs ?? base.applyLagMs,
    activation: { ...base.activation, ...(patch.activation ?? {}) },
    esimOnActivation: patch.esimOnActivation ?? base.esimOnActivation,
  };
}

/** Applies the pending changes of `line` that are due at `now`. */
export function settleLine(line: SimLine, now: number): SimLine {
  const due = line.pending.filter((c) => c.effectiveAt <= now);
  if (due.length === 0) return line;
  line.pending = line.pending.filter((c) => c.effectiveAt > now);
  for (const change of due.sort((a, b) => a.effectiveAt - b.effectiveAt)) {
    switch (change.kind) {
      case 'plan':
        line.singleUserCode = change.singleUserCode;
        break;
      case 'status':
        line.status = change.status;
        line.statusReasonCode = change.reasonCode;
        line.statusEffectiveDate = isoDate(change.effectiveAt);
        break;
      case 'equipment':
        line.sim = change.sim ?? line.sim;
        line.imei = change.imei ?? line.imei;
        line.technologyType = change.technologyType ?? line.technologyType;
        line.serviceZipCode = change.serviceZipCode ?? line.serviceZipCode;
        break;
      case 'removeOffering':
        line.offerings = line.offerings.filter((o) => o.code !== change.code);
        break;
    }
  }
  return line;
}

/** Queues a change, replacing an earlier pending change of the same kind (and code). */
export function queueChange(line: SimLine, change: SimPendingChange, now: number): void {
  line.pending = line.pending.filter(
    (c) =>
      c.kind !== change.kind ||
      (c.kind === 'removeOffering' && change.kind === 'removeOffering' && c.code !== change.code),
  );
  line.pending.push(change);
  settleLine(line, now);
}

/** The `serviceCharacteristic` list of a line GET. */
export function lineCharacteristics(
  line: SimLine,
  account: SimAccount,
): { name: string; value: string }[] {
  const list: [string, string][] = [
    ['subscriberStatus', line.status],
    ['statusEffectiveDate', line.statusEffectiveDate],
    ['statusReasonCode', line.statusReasonCode],
    ['subscriberActivationDate', line.activationDate],
    ['singleUserCode', line.singleUserCode],
    ['singleUserCodeDescription', account.ratePlans.get(line.singleUserCode) ?? ''],
    ['serviceZipCode', line.serviceZipCode],
    ['billingAccountNumber', account.billingAccountNumber],
    ['contactName', line.contactName],
    ['sim', line.sim],
    ['BLIMEI', line.imei ?? ''],
    ['BLDeviceTechnologyType', line.technologyType],
    ['NWIMEI', line.imei ?? ''],
  ];
  line.offerings.forEach((o, i) => {
    list.push([`offeringCode${i + 1}`, o.code]);
    list.push([`offeringDescription${i + 1}`, o.description]);
    list.push([`offeringEffectiveDate${i + 1}`, o.effectiveDate]);
  });
  if (line.ipAddress !== null) list.push(['ipAddress', line.ipAddress]);
  return list.map(([name, value]) => ({ name, value }));
}

/** A line as the device list shows it. */
export function deviceListEntry(line: SimLine, account: SimAccount): TelegenceDeviceListEntry {
  return {
    subscriberNumber: line.subscriberNumber,
    subscriberStatus: line.status,
    sim: line.sim,
    ...(line.imei === null ? {} : { imei: line.imei }),
    singleUserCode: line.singleUserCode,
    billingAccountNumber: account.billingAccountNumber,
  };
}

/** True when a non-cancelled line (other than `except`) or an open activation holds `iccid`. */
export function simInUse(state: TelegenceSimState, iccid: string, except?: string): boolean {
  for (const line of state.lines.values()) {
    if (line.subscriberNumber === except || line.status === 'C') continue;
    if (line.sim === iccid || line.pending.some((c) => c.kind === 'equipment' && c.sim === iccid)) {
      return true;
    }
  }
  for (const activation of state.activations.values()) {
    if (activation.lines.some((l) => l.iccid === iccid && l.status === 'pending')) return true;
  }
  return false;
}

/** `YYYY-MM-DD` of a timestamp. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A version-4-shaped UUID drawn from the simulator's PRNG (deterministic under the seed). */
export function simUuid(random: Prng): string {
  const hex = (n: number) =>
    Array.from({ length: n }, () => random.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + random.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
}
