/**
 * Vendor-specific controls of the ThingSpace simulator, from code and over HTTP
 * (`/__admin/thingspace/...`, next to the kit's `/__admin/journal`, `/faults`, `/stats`):
 *
 * | HTTP | code | does |
 * |---|---|---|
 * | `GET  /__admin/thingspace/requests` | `requests()` | asynchronous requests and their status |
 * | `POST /__admin/thingspace/requests/{id}/complete` | `completeRequest(id)` | complete now (rules decide) |
 * | `POST /__admin/thingspace/requests/{id}/fail` `{faultcode?, faultstring?}` | `failRequest(id, fault?)` | fail now |
 * | `GET/POST /__admin/thingspace/settings` | `settings` / `configure(patch)` | delays, limits, callback faults |
 * | `POST /__admin/thingspace/tokens/expire` | `expireAccessTokens()` | next call gets 401 fault 900901 |
 * | `POST /__admin/thingspace/sessions/expire` | `expireSessions()` | next call gets SessionTokenExpired |
 * | `POST /__admin/thingspace/users/{username}/unlock` | `unlockUser(name)` | lift a login lockout |
 * | `POST /__admin/thingspace/callbacks/flush` | `flushCallbacks()` | deliver held (reordered) callbacks |
 * | `GET  /__admin/thingspace/callbacks/deliveries` | `deliveries` | every delivery attempt |
 * | `GET  /__admin/thingspace/devices/{iccid}` | `device(iccid)` | a line's carrier state |
 */
import { z } from 'zod';
import type { SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { settleRequest } from './thingspace-sim-async.ts';
import { flushHeld } from './thingspace-sim-callbacks.ts';
import {
  applySettings,
  settingsPatchSchema,
  type ThingSpaceSimRuntime,
  type ThingSpaceSimSettings,
  type ThingSpaceSimSettingsPatch,
} from './thingspace-sim-runtime.ts';
import type {
  SimAsyncRequest,
  SimDelivery,
  SimDevice,
  SimFault,
  ThingSpaceSimState,
} from './thingspace-sim-state.ts';

/** Outcome of completing or failing a request on demand. */
export type SettleResult = 'settled' | 'not-found' | 'already-complete';

/** The simulator's vendor-specific controls. */
export interface ThingSpaceSimControls {
  readonly settings: Readonly<ThingSpaceSimSettings>;
  /** Changes settings (takes effect for requests accepted or delivered afterwards). */
  configure(patch: ThingSpaceSimSettingsPatch): ThingSpaceSimSettings;
  /** Asynchronous requests, oldest first. */
  requests(): SimAsyncRequest[];
  /** Completes a pending request now; the carrier rules decide success or failure. */
  completeRequest(requestId: string): SettleResult;
  /** Fails a pending request now with a vendor fault. */
  failRequest(requestId: string, fault?: Partial<SimFault>): SettleResult;
  /** The line with this ICCID. */
  device(iccid: string): SimDevice | undefined;
  /** Expires every access token; returns how many. */
  expireAccessTokens(): number;
  /** Ends every session; returns how many. */
  expireSessions(): number;
  /** Unlocks a user locked by failed logins. */
  unlockUser(username: string): boolean;
  /** Delivers callbacks held for out-of-order delivery; returns how many. */
  flushCallbacks(): number;
  /** Every callback delivery attempt. */
  readonly deliveries: readonly SimDelivery[];
  /** Resolves when no completion or delivery is pending. */
  whenIdle(): Promise<void>;
}

/** Default fault of {@link ThingSpaceSimControls.failRequest}. */
export const DEFAULT_FORCED_FAULT: SimFault = {
  faultcode: 'UnifiedWebService.REQUEST_FAILED.ProvisioningFailed',
  faultstring: 'The request could not be completed by the carrier.',
};

/** Creates the controls over the runtime. */
export function createThingSpaceSimControls(rt: ThingSpaceSimRuntime): ThingSpaceSimControls {
  const settle = (requestId: string, fault?: SimFault): SettleResult => {
    const request = rt.state().requests.get(requestId);
    if (request === undefined) return 'not-found';
    return settleRequest(rt, request, fault === undefined ? undefined : { fault })
      ? 'settled'
      : 'already-complete';
  };
  return {
    get settings() {
      return rt.settings;
    },
    configure(patch) {
      rt.settings = applySettings(rt.settings, patch);
      return rt.settings;
    },
    requests: () => [...rt.state().requests.values()],
    completeRequest: (requestId) => settle(requestId),
    failRequest: (requestId, fault) => settle(requestId, { ...DEFAULT_FORCED_FAULT, ...fault }),
    device(iccid) {
      for (const line of rt.state().devices.values()) if (line.iccid === iccid) return line;
      return undefined;
    },
    expireAccessTokens() {
      const tokens = rt.state().tokens;
      for (const info of tokens.values()) info.expiresAt = Math.min(info.expiresAt, rt.now());
      return tokens.size;
    },
    expireSessions() {
      const sessions = rt.state().sessions;
      const count = sessions.size;
      sessions.clear();
      return count;
    },
    unlockUser(username) {
      const user = rt.state().users.get(username);
      if (user === undefined) return false;
      user.locked = false;
      user.failedLogins = 0;
      return true;
    },
    flushCallbacks: () => flushHeld(rt),
    get deliveries() {
      return rt.state().deliveries;
    },
    whenIdle: () => rt.whenIdle(),
  };
}

const faultPatchSchema = z
  .strictObject({ faultcode: z.string().min(1).optional(), faultstring: z.string().optional() })
  .optional();

const settleAnswer = (result: SettleResult, requestId: string): SimResponse => {
  if (result === 'settled') return { status: 200, json: { requestId, result } };
  return { status: result === 'not-found' ? 404 : 409, json: { requestId, result } };
};

/** Admin routes (the kit serves them without auth, faults, journal or stats). */
export function adminRoutes(controls: ThingSpaceSimControls): SimRoute<ThingSpaceSimState>[] {
  const base = '/__admin/thingspace';
  const admin = (
    method: string,
    path: string,
    operation: string,
    handle: SimRoute<ThingSpaceSimState>['handle'],
  ): SimRoute<ThingSpaceSimState> => ({
    method,
    path: `${base}${path}`,
    operation: `admin.${operation}`,
    handle,
  });
  return [
    admin('GET', '/requests', 'requests', () => ({ status: 200, json: controls.requests() })),
    admin('POST', '/requests/:requestId/complete', 'completeRequest', (req) => {
      const id = req.params.requestId ?? '';
      return settleAnswer(controls.completeRequest(id), id);
    }),
    admin('POST', '/requests/:requestId/fail', 'failRequest', (req) => {
      const id = req.params.requestId ?? '';
      const fault = faultPatchSchema.safeParse(req.body);
      if (!fault.success) return { status: 400, json: { error: fault.error.message } };
      return settleAnswer(controls.failRequest(id, fault.data), id);
    }),
    admin('GET', '/settings', 'getSettings', () => ({ status: 200, json: controls.settings })),
    admin('POST', '/settings', 'configure', (req) => {
      const patch = settingsPatchSchema.safeParse(req.body ?? {});
      if (!patch.success) return { status: 400, json: { error: patch.error.message } };
      return { status: 200, json: controls.configure(patch.data) };
    }),
    admin('POST', '/tokens/expire', 'expireTokens', () => ({
      status: 200,
      json: { expired: controls.expireAccessTokens() },
    })),
    admin('POST', '/sessions/expire', 'expireSessions', () => ({
      status: 200,
      json: { expired: controls.expireSessions() },
    })),
    admin('POST', '/users/:username/unlock', 'unlockUser', (req) => {
      const ok = controls.unlockUser(req.params.username ?? '');
      return { status: ok ? 200 : 404, json: { unlocked: ok } };
    }),
    admin('POST', '/callbacks/flush', 'flushCallbacks', () => ({
      status: 200,
      json: { delivered: controls.flushCallbacks() },
    })),
    admin('GET', '/callbacks/deliveries', 'deliveries', () => ({
      status: 200,
      json: controls.deliveries,
    })),
    admin('GET', '/devices/:iccid', 'device', (req) => {
      const line = controls.device(req.params.iccid ?? '');
      return line === undefined
        ? { status: 404, json: { error: 'no such device' } }
        : { status: 200, json: line };
    }),
  ];
}
