/**
 * Asynchronous requests of the ThingSpace simulator (carrier-apis.md §2.4): every state change
 * answers `{ requestId }` at once and completes later. Until then the device list shows the old
 * state and the request status is `Pending`; at completion the carrier state machine decides
 * (preactive → active ↔ suspend, active/suspend → deactive, deactive → active with a new MDN),
 * the provisioning history records the outcome, the status endpoint flips (after `statusLagMs`)
 * and one CarrierService callback per device is queued.
 */
import type { SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { PPU_ATTRIBUTE_KEYS } from './thingspace-mapper.ts';
import { vendorError } from './thingspace-sim-auth.ts';
import { queueCallback } from './thingspace-sim-callbacks.ts';
import type { ThingSpaceSimRuntime } from './thingspace-sim-runtime.ts';
import {
  deviceIdsOfLine,
  identifierInUse,
  nextMsisdn,
  nextUuid,
  type SimAsyncRequest,
  type SimDevice,
  type SimFault,
  type SimRequestKind,
  type ThingSpaceSimState,
} from './thingspace-sim-state.ts';
import type { PrimaryPlaceOfUse } from './thingspace-wire.ts';

/** Provisioning-history event type per request kind. */
const EVENT_TYPE: Readonly<Record<SimRequestKind, string>> = {
  activate: 'Activate',
  suspend: 'Suspend',
  restore: 'Restore',
  deactivate: 'Deactivate',
  changeServicePlan: 'Change Service Plan',
  changeIdentifier: 'Change Device Identifier',
  updateCustomFields: 'Update Custom Fields',
};

/** Accepts a request for some lines and schedules its completion. */
export function createAsyncRequest(
  rt: ThingSpaceSimRuntime,
  input: {
    accountName: string;
    kind: SimRequestKind;
    username: string;
    lines: SimDevice[];
    payload: Record<string, unknown>;
  },
): SimResponse {
  const state = rt.state();
  const now = rt.now();
  const requestId = nextUuid(state);
  const delay = rt.settings.completionDelayMs;
  const request: SimAsyncRequest = {
    requestId,
    accountName: input.accountName,
    kind: input.kind,
    username: input.username,
    createdAt: now,
    completeAt: rt.settings.autoComplete ? now + delay : undefined,
    status: 'Pending',
    completedAt: undefined,
    statusVisibleAt: undefined,
    lineIds: input.lines.map((l) => l.lineId),
    payload: input.payload,
  };
  state.requests.set(requestId, request);
  for (const line of input.lines) {
    line.history.push({
      occurredAt: now,
      eventType: EVENT_TYPE[input.kind],
      eventBy: input.username,
      status: 'Pending',
      requestId,
    });
  }
  if (request.completeAt !== undefined)
    rt.later(delay, () => {
      settleRequest(rt, request);
    });
  return { status: 200, json: { requestId } };
}

/** Completes every request whose time has come (after a clock shift, or lazily on reads). */
export function settleDue(rt: ThingSpaceSimRuntime): void {
  const now = rt.now();
  for (const request of rt.state().requests.values()) {
    if (
      request.status === 'Pending' &&
      request.completeAt !== undefined &&
      request.completeAt <= now
    ) {
      settleRequest(rt, request);
    }
  }
}

/**
 * Completes a request: on its own (business rules decide), or forced to fail with `fault`.
 * Returns false when it was already complete.
 */
export function settleRequest(
  rt: ThingSpaceSimRuntime,
  request: SimAsyncRequest,
  forced?: { fault: SimFault },
): boolean {
  if (request.status !== 'Pending') return false;
  const state = rt.state();
  const now = rt.now();
  let failed = false;
  for (const lineId of request.lineIds) {
    const line = state.devices.get(lineId);
    if (line === undefined) continue;
    const result: Outcome = forced ?? transition(rt, state, line, request);
    failed ||= result.fault !== undefined;
    const event = line.history.find((e) => e.requestId === request.requestId);
    if (event !== undefined) event.status = result.fault === undefined ? 'Success' : 'Failed';
    queueCallback(rt, {
      accountName: request.accountName,
      requestId: request.requestId,
      status: result.fault === undefined ? 'Success' : 'Failed',
      body: {
        requestId: request.requestId,
        deviceIds: deviceIdsOfLine(line),
        status: result.fault === undefined ? 'Success' : 'Failed',
        ...(result.fault === undefined
          ? { deviceResponse: result.response ?? {} }
          : { faultResponse: result.fault }),
      },
    });
  }
  request.status = failed ? 'Failure' : 'Success';
  request.completedAt = now;
  request.statusVisibleAt = now + rt.settings.statusLagMs;
  return true;
}

type Outcome = { fault?: SimFault; response?: Record<string, unknown> };

const fault = (code: string, faultstring: string): Outcome => ({
  fault: { faultcode: `UnifiedWebService.REQUEST_FAILED.${code}`, faultstring },
});

/** The carrier state machine, applied at completion. */
function transition(
  rt: ThingSpaceSimRuntime,
  state: ThingSpaceSimState,
  line: SimDevice,
  request: SimAsyncRequest,
): Outcome {
  const p = request.payload;
  const now = rt.now();
  switch (request.kind) {
    case 'activate': {
      if (line.state === 'active')
        return fault('DeviceAlreadyActive', 'The device is already active.');
      if (line.state === 'suspend')
        return fault('InvalidDeviceState', 'A suspended device cannot be activated; restore it.');
      if (line.msisdn === null || line.msisdnReleased) line.msisdn = nextMsisdn(state);
      line.msisdnReleased = false;
      line.state = 'active';
      line.servicePlan = String(p.servicePlan);
      line.ipAddress = `10.40.${state.prng.int(0, 255)}.${state.prng.int(1, 254)}`;
      line.lastActivationDate = now;
      line.lastActivationBy = request.username;
      if (typeof p.imei === 'string' && line.imei === null) line.imei = p.imei;
      applyPpu(line, p.primaryPlaceOfUse as PrimaryPlaceOfUse | undefined);
      return {
        response: {
          activateResponse: { deviceIds: deviceIdsOfLine(line), ipAddress: line.ipAddress },
        },
      };
    }
    case 'suspend':
      if (line.state !== 'active')
        return fault(
          'DeviceNotActive',
          `Only an active device can be suspended (state ${line.state}).`,
        );
      line.state = 'suspend';
      return { response: { suspendResponse: { deviceIds: deviceIdsOfLine(line) } } };
    case 'restore':
      if (line.state !== 'suspend')
        return fault(
          'DeviceNotSuspended',
          `Only a suspended device can be restored (state ${line.state}).`,
        );
      line.state = 'active';
      return { response: { restoreResponse: { deviceIds: deviceIdsOfLine(line) } } };
    case 'deactivate':
      if (line.state === 'deactive')
        return fault('DeviceAlreadyDeactive', 'The device is already deactivated.');
      if (line.state === 'preactive')
        return fault(
          'InvalidDeviceState',
          'A device that was never activated cannot be deactivated.',
        );
      line.state = 'deactive';
      line.msisdnReleased = true;
      line.ipAddress = null;
      return {
        response: {
          deactivateResponse: { deviceIds: deviceIdsOfLine(line), reasonCode: p.reasonCode },
        },
      };
    case 'changeServicePlan':
      if (line.state === 'suspend')
        return fault(
          'DeviceSuspended',
          'The service plan of a suspended device cannot be changed.',
        );
      line.servicePlan = String(p.servicePlan);
      return {
        response: {
          servicePlanResponse: { deviceIds: deviceIdsOfLine(line), servicePlan: line.servicePlan },
        },
      };
    case 'changeIdentifier': {
      if (line.state !== 'active' || line.msisdn === null) {
        return fault(
          'DeviceNotActive',
          'The device must be active with an MDN to change its identifier.',
        );
      }
      const kind = String(p.kind);
      const newId = String(p.newId);
      if (identifierInUse(state, { id: newId, kind })) {
        return fault(
          'DeviceAlreadyExists',
          'The new identifier is already in the ThingSpace database.',
        );
      }
      if (kind === 'iccid') line.iccid = newId;
      else line.imei = newId;
      return { response: { changeDeviceIdResponse: { deviceIds: deviceIdsOfLine(line) } } };
    }
    case 'updateCustomFields':
      Object.assign(line.customFields, p.fields as Record<string, string>);
      return { response: { customFieldsResponse: { deviceIds: deviceIdsOfLine(line) } } };
  }
}

function applyPpu(line: SimDevice, ppu: PrimaryPlaceOfUse | undefined): void {
  if (ppu === undefined) return;
  const k = PPU_ATTRIBUTE_KEYS;
  Object.assign(line.extendedAttributes, {
    [k.firstName]: ppu.customerName.firstName,
    [k.lastName]: ppu.customerName.lastName,
    [k.addressLine1]: ppu.address.addressLine1,
    [k.city]: ppu.address.city,
    [k.state]: ppu.address.state,
    [k.zip]: ppu.address.zip,
    [k.country]: ppu.address.country,
  });
}

/** `GET /accounts/{account}/requests/{requestId}/status`. */
export function requestStatusRoute(
  rt: ThingSpaceSimRuntime,
  m2mPrefix: string,
): SimRoute<ThingSpaceSimState> {
  return {
    method: 'GET',
    path: `${m2mPrefix}/accounts/:accountName/requests/:requestId/status`,
    operation: 'getRequestStatus',
    handle: (req, ctx) => {
      settleDue(rt);
      const request = ctx.state.requests.get(req.params.requestId ?? '');
      if (request === undefined || request.accountName !== req.params.accountName) {
        return vendorError(
          'UnifiedWebService.REQUEST_FAILED.RequestNotFound',
          'No such request for this account.',
        );
      }
      const visible = request.statusVisibleAt !== undefined && ctx.now >= request.statusVisibleAt;
      return {
        status: 200,
        json: { requestId: request.requestId, status: visible ? request.status : 'Pending' },
      };
    },
  };
}
