/**
 * State of the ThingSpace simulator, seeded from the demo dataset: per ThingSpace account its
 * OAuth app (clientId / clientSecret), UWS user (username / password), service plans and
 * devices; plus tokens, sessions, asynchronous requests, callback registrations, callback
 * deliveries and the per-line business-rule counters.
 *
 * Demo statuses map to carrier states: `active` → active, `suspend` → suspend, `deactive` →
 * deactive, `pending activation` → preactive; `inventory` SIMs are not on the carrier account
 * (the original keeps them in its database only), so adding or activating them works.
 */
import type { DemoDataset } from '../../../app/demo/demo-dataset.ts';
import { createPrng, type Prng } from '../../../app/demo/demo-random.ts';
import { Integration } from '../../../domain/integrations.ts';
import type { ThingSpaceDeviceId } from './thingspace-wire.ts';

/** Carrier states of a line. */
export type SimCarrierState = 'preactive' | 'active' | 'suspend' | 'deactive';

/** One line (device) on a ThingSpace account. */
export interface SimDevice {
  /** Stable line id: counters follow the line across ICCID/IMEI changes. */
  lineId: number;
  accountName: string;
  iccid: string;
  imei: string | null;
  msisdn: string | null;
  /** The MSISDN was released by a deactivation: the next activation gets a new one. */
  msisdnReleased: boolean;
  state: SimCarrierState;
  servicePlan: string | null;
  ipAddress: string | null;
  createdAt: number;
  lastActivationDate: number | null;
  lastActivationBy: string | null;
  customFields: Record<string, string>;
  extendedAttributes: Record<string, string>;
  history: SimProvisioningEvent[];
}

/** One provisioning-history event (one per asynchronous request and device). */
export interface SimProvisioningEvent {
  occurredAt: number;
  eventType: string;
  eventBy: string;
  status: 'Pending' | 'Success' | 'Failed';
  requestId: string;
}

/** Kinds of asynchronous requests. */
export type SimRequestKind =
  | 'activate'
  | 'suspend'
  | 'restore'
  | 'deactivate'
  | 'changeServicePlan'
  | 'changeIdentifier'
  | 'updateCustomFields';

/** A vendor fault (`faultcode` = `<Service>.<CATEGORY>.<Code>`). */
export interface SimFault {
  faultcode: string;
  faultstring: string;
}

/** One asynchronous request. */
export interface SimAsyncRequest {
  requestId: string;
  accountName: string;
  kind: SimRequestKind;
  username: string;
  createdAt: number;
  /** When it completes on its own; undefined = only by an admin control. */
  completeAt: number | undefined;
  status: 'Pending' | 'Success' | 'Failure';
  completedAt: number | undefined;
  /** The request-status endpoint shows the final status from this instant. */
  statusVisibleAt: number | undefined;
  lineIds: number[];
  /** Operation parameters (plan, PPU, new identifier, custom fields, reason code). */
  payload: Record<string, unknown>;
}

/** A registered callback listener. */
export interface SimCallbackRegistration {
  name: string;
  url: string;
  username?: string;
  password?: string;
}

/** One callback delivery attempt (or a callback that was never sent). */
export interface SimDelivery {
  at: number;
  requestId: string;
  deviceIds: ThingSpaceDeviceId[];
  status: 'Success' | 'Failed';
  attempt: number;
  /** HTTP status from the listener, or what happened instead. */
  result: number | 'network-error' | 'no-listener' | 'dropped';
  duplicate: boolean;
}

/** A callback waiting to be delivered. */
export interface SimPendingCallback {
  accountName: string;
  requestId: string;
  status: 'Success' | 'Failed';
  body: Record<string, unknown>;
}

/** A UWS user. */
export interface SimUser {
  username: string;
  password: string;
  accountNames: string[];
  failedLogins: number;
  locked: boolean;
}

/** The whole simulator state. */
export interface ThingSpaceSimState {
  accounts: Map<string, { name: string; plans: Set<string> }>;
  apps: Map<string, { clientSecret: string }>;
  tokens: Map<string, { clientId: string; expiresAt: number; revoked: boolean }>;
  users: Map<string, SimUser>;
  sessions: Map<string, { username: string; lastUsedAt: number }>;
  devices: Map<number, SimDevice>;
  requests: Map<string, SimAsyncRequest>;
  callbacks: Map<string, Map<string, SimCallbackRegistration>>;
  deliveries: SimDelivery[];
  /** Callbacks held back to be delivered out of order. */
  held: SimPendingCallback[];
  /** Business-rule counters: `day:<line>:<day>` and `month:<line>:<yyyy-mm>`. */
  counters: Map<string, number>;
  /** Ids, tokens, MSISDNs: deterministic under the seed. */
  prng: Prng;
  nextLineId: number;
}

/** Demo status → carrier state (inventory SIMs are not on the account). */
const STATE_OF: Readonly<Record<string, SimCarrierState | undefined>> = {
  active: 'active',
  suspend: 'suspend',
  deactive: 'deactive',
  'pending activation': 'preactive',
};

const EPOCH = Date.UTC(2023, 0, 1);

/**
 * Builds a fresh state from the dataset's ThingSpace accounts.
 *
 * @example
 * const state = createThingSpaceSimState(buildDemoDataset({ devicesPerProvider: 20 }), 1);
 */
export function createThingSpaceSimState(dataset: DemoDataset, seed: number): ThingSpaceSimState {
  const state: ThingSpaceSimState = {
    accounts: new Map(),
    apps: new Map(),
    tokens: new Map(),
    users: new Map(),
    sessions: new Map(),
    devices: new Map(),
    requests: new Map(),
    callbacks: new Map(),
    deliveries: [],
    held: [],
    counters: new Map(),
    prng: createPrng((seed ^ 0x7e5ca1e) >>> 0),
    nextLineId: 1,
  };
  for (const sp of dataset.serviceProviders) {
    if (sp.integration !== Integration.ThingSpace) continue;
    const accountName = text(sp.settings.accountName);
    const clientId = text(sp.settings.clientId);
    const username = text(sp.settings.username);
    const plans = dataset.carrierRatePlans.filter((p) => p.providerKey === sp.key);
    state.accounts.set(accountName, {
      name: accountName,
      plans: new Set(plans.map((p) => p.code)),
    });
    state.apps.set(clientId, { clientSecret: text(sp.secrets.clientSecret) });
    const user = state.users.get(username);
    if (user === undefined) {
      state.users.set(username, {
        username,
        password: text(sp.secrets.password),
        accountNames: [accountName],
        failedLogins: 0,
        locked: false,
      });
    } else {
      user.accountNames.push(accountName);
    }
    for (const device of dataset.devices) {
      if (device.providerKey !== sp.key) continue;
      const carrierState = STATE_OF[device.status];
      if (carrierState === undefined) continue;
      const lineId = state.nextLineId++;
      const live = carrierState !== 'preactive';
      state.devices.set(lineId, {
        lineId,
        accountName,
        iccid: device.iccid,
        imei: device.imei,
        msisdn: live ? device.msisdn : null,
        msisdnReleased: carrierState === 'deactive',
        state: carrierState,
        servicePlan: device.carrierRatePlan,
        ipAddress:
          carrierState === 'active' || carrierState === 'suspend' ? device.ipAddress : null,
        createdAt: EPOCH + lineId * 3_600_000,
        lastActivationDate: live ? EPOCH + lineId * 3_600_000 + 60_000 : null,
        lastActivationBy: live ? username : null,
        customFields: device.username === null ? {} : { CustomField1: device.username },
        extendedAttributes: {},
        history: [],
      });
    }
  }
  return state;
}

/** Finds a line of `accountName` by any of its identifiers. */
export function findDevice(
  state: ThingSpaceSimState,
  ids: readonly ThingSpaceDeviceId[],
  accountName?: string,
): SimDevice | undefined {
  for (const device of state.devices.values()) {
    if (accountName !== undefined && device.accountName !== accountName) continue;
    if (ids.some((id) => identifierOf(device, id.kind) === id.id)) return device;
  }
  return undefined;
}

/** True when any line (any account) already uses this identifier. */
export function identifierInUse(state: ThingSpaceSimState, id: ThingSpaceDeviceId): boolean {
  for (const device of state.devices.values()) {
    if (identifierOf(device, id.kind) === id.id) return true;
  }
  return false;
}

/** The device's value of one identifier kind (`mdn` is the MSISDN without the leading 1). */
export function identifierOf(device: SimDevice, kind: string): string | null {
  switch (kind.toLowerCase()) {
    case 'iccid':
      return device.iccid;
    case 'imei':
      return device.imei;
    case 'msisdn':
      return device.msisdn;
    case 'mdn':
      return device.msisdn === null ? null : device.msisdn.slice(-10);
    default:
      return null;
  }
}

/** The identifiers a device is listed with. */
export function deviceIdsOfLine(device: SimDevice): ThingSpaceDeviceId[] {
  const ids: ThingSpaceDeviceId[] = [{ id: device.iccid, kind: 'iccid' }];
  if (device.imei !== null) ids.push({ id: device.imei, kind: 'imei' });
  if (device.msisdn !== null && device.state !== 'deactive') {
    ids.push({ id: device.msisdn, kind: 'msisdn' });
    ids.push({ id: device.msisdn.slice(-10), kind: 'mdn' });
  }
  return ids;
}

/** A UUID-shaped id from the state's PRNG (deterministic under the seed). */
export function nextUuid(state: ThingSpaceSimState): string {
  const hex = (n: number) => {
    let out = '';
    for (let i = 0; i < n; i++) out += state.prng.int(0, 15).toString(16);
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[state.prng.int(0, 3)]}${hex(3)}-${hex(12)}`;
}

/** A fresh US MSISDN not used by any line. */
export function nextMsisdn(state: ThingSpaceSimState): string {
  for (;;) {
    const candidate = `1${state.prng.int(2, 9)}${state.prng.digits(2)}${state.prng.int(2, 9)}${state.prng.digits(6)}`;
    if (!identifierInUse(state, { id: candidate, kind: 'msisdn' })) return candidate;
  }
}

/** Increments a counter and returns its new value. */
export function bump(state: ThingSpaceSimState, key: string): number {
  const value = (state.counters.get(key) ?? 0) + 1;
  state.counters.set(key, value);
  return value;
}

function text(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new Error('ThingSpace demo account is missing a setting or secret');
  }
  return value;
}
