/**
 * The operations of the ThingSpace client: request bodies as carrier-apis.md §2.3 lists them,
 * answers checked with the wire schemas, and the success rules of the original (add succeeds
 * on "Success" or "Error. Device already exists."; actions succeed on a 2xx with a non-empty
 * `requestId`). Provisioning actions carry a provisioning-history lookup so that an ambiguous
 * failure is resolved before anything is repeated.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import type { CallRunner } from '../shared/call-runner.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import { type BodyContext, badBody, parseBody, type ThingSpaceCaller } from './thingspace-call.ts';
import { thingSpaceClientError } from './thingspace-errors.ts';
import {
  createProvisioningLookup,
  type ProvisioningAccepted,
  type ProvisioningAction,
} from './thingspace-lookup.ts';
import { deviceIdsOf } from './thingspace-mapper.ts';
import { createThingSpaceQueries } from './thingspace-queries.ts';
import type { CallOptions, ThingSpaceOperations } from './thingspace-types.ts';
import {
  addDevicesResponseSchema,
  requestAcceptedSchema,
  type ThingSpaceDeviceId,
} from './thingspace-wire.ts';

export type * from './thingspace-types.ts';

/** Dependencies of {@link createThingSpaceOperations}. */
export interface ThingSpaceOperationsOptions {
  caller: ThingSpaceCaller;
  /** Runner for lookups (rate limited, no retry policy: they run inside a failed attempt). */
  lookupRunner: CallRunner;
  accountName: string;
  usernameCustomField: string;
  changeIdentifierServiceType: string;
  lookupWindowMs: number;
  now: () => number;
  redact: (text: string) => string;
  addSecret: (secret: string) => void;
}

/** The response text ThingSpace gives for a device that is already in the account. */
export const DEVICE_ALREADY_EXISTS = 'Error. Device already exists.';

/** Builds every operation over a caller. */
export function createThingSpaceOperations(
  opts: ThingSpaceOperationsOptions,
): ThingSpaceOperations {
  const { caller, accountName, redact } = opts;
  const queries = createThingSpaceQueries({
    caller,
    accountName,
    redact,
    addSecret: opts.addSecret,
  });
  const { historyVia, ...reads } = queries;
  const lookup = createProvisioningLookup({
    history: (deviceId, earliest, latest, signal) =>
      historyVia(opts.lookupRunner, deviceId, earliest, latest, signal),
    now: opts.now,
    windowMs: opts.lookupWindowMs,
  });
  const ctx = (operation: string, deviceId: string, write: boolean): BodyContext => ({
    operation,
    deviceId,
    write,
    redact,
  });
  const byIccid = (iccid: string): ThingSpaceDeviceId => ({ id: iccid, kind: 'iccid' });
  const devicesOf = (iccid: string) => [{ deviceIds: [byIccid(iccid)] }];

  /** A non-idempotent provisioning action answered by `{ requestId }`. */
  const provision = async (
    action: ProvisioningAction,
    request: { method: 'POST' | 'PUT'; path: string; json: unknown },
    target: ThingSpaceDeviceId,
    o: CallOptions | undefined,
  ): Promise<ProvisioningAccepted> => {
    const result = await caller.call<ProvisioningAccepted>({
      operation: action,
      deviceId: target.id,
      ...request,
      write: true,
      parse: (res) => accepted(res, ctx(action, target.id, true)),
      lookup: lookup.forAction(action, target, opts.now()),
      signal: o?.signal,
    });
    lookup.remember(result.requestId);
    return result;
  };

  const updateCustomFields: ThingSpaceOperations['updateCustomFields'] = async (input, o) => {
    const result = await caller.call<ProvisioningAccepted>({
      operation: 'updateCustomFields',
      deviceId: input.iccid,
      method: 'PUT',
      path: '/devices/actions/customFields',
      json: {
        customFieldsToUpdate: Object.entries(input.fields).map(([key, value]) => ({ key, value })),
        devices: devicesOf(input.iccid),
      },
      // Setting the same values twice is harmless and costs no provisioning budget.
      write: false,
      parse: (res) => accepted(res, ctx('updateCustomFields', input.iccid, false)),
      signal: o?.signal,
    });
    lookup.remember(result.requestId);
    return result;
  };

  return {
    ...reads,
    async addDevice(input, o) {
      const first = await caller.call({
        operation: 'addDevice',
        deviceId: input.iccid,
        method: 'POST',
        path: '/devices/actions/add',
        json: {
          devicesToAdd: [{ deviceIds: deviceIdsOf(input.iccid, input.imei) }],
          accountName,
          state: 'preactive',
        },
        // A repeated add answers "already exists", which counts as success: safe to retry.
        write: false,
        parse: (res) => {
          const c = ctx('addDevice', input.iccid, false);
          const result = parseBody(addDevicesResponseSchema, res, c)[0];
          if (result === undefined) throw badBody(res, c, 'empty result list');
          return result;
        },
        signal: o?.signal,
      });
      if (first.response === 'Success') return { outcome: 'added', response: first.response };
      if (first.response === DEVICE_ALREADY_EXISTS) {
        return { outcome: 'already-exists', response: first.response };
      }
      throw thingSpaceClientError(
        ErrorCode.INTEGRATION_REJECTED,
        `device ${input.iccid} was not added (${redact(first.response)})`,
        { operation: 'addDevice', deviceId: input.iccid },
      );
    },
    activate: (input, o) =>
      provision(
        'activate',
        {
          method: 'POST',
          path: '/devices/actions/activate',
          json: {
            devices: [{ deviceIds: deviceIdsOf(input.iccid, input.imei) }],
            accountName,
            servicePlan: input.servicePlan,
            mdnZipCode: input.mdnZipCode,
            ...(input.primaryPlaceOfUse ? { primaryPlaceOfUse: input.primaryPlaceOfUse } : {}),
            ...(input.publicIpRestriction
              ? { publicIpRestriction: input.publicIpRestriction }
              : {}),
          },
        },
        byIccid(input.iccid),
        o,
      ),
    suspend: (input, o) =>
      provision(
        'suspend',
        {
          method: 'POST',
          path: '/devices/actions/suspend',
          json: { devices: devicesOf(input.iccid), accountName },
        },
        byIccid(input.iccid),
        o,
      ),
    restore: (input, o) =>
      provision(
        'restore',
        {
          method: 'POST',
          path: '/devices/actions/restore',
          json: { devices: devicesOf(input.iccid), accountName },
        },
        byIccid(input.iccid),
        o,
      ),
    deactivate: (input, o) =>
      provision(
        'deactivate',
        {
          method: 'POST',
          path: '/devices/actions/deactivate',
          json: {
            devices: devicesOf(input.iccid),
            accountName,
            reasonCode: input.reasonCode,
            ...(input.etfWaiver === undefined ? {} : { etfWaiver: input.etfWaiver }),
            ...(input.deleteAfterDeactivation === undefined
              ? {}
              : { deleteAfterDeactivation: input.deleteAfterDeactivation }),
          },
        },
        byIccid(input.iccid),
        o,
      ),
    changeServicePlan: (input, o) =>
      provision(
        'changeServicePlan',
        {
          method: 'PUT',
          path: '/devices/actions/plan',
          json: { devices: devicesOf(input.iccid), servicePlan: input.servicePlan },
        },
        byIccid(input.iccid),
        o,
      ),
    changeIdentifier: (input, o) => {
      const kind = input.option === 'ChangeICCID' ? 'iccid' : 'imei';
      const serviceType = encodeURIComponent(opts.changeIdentifierServiceType);
      return provision(
        'changeIdentifier',
        {
          method: 'PUT',
          path: `/devices/${serviceType}/actions/deviceId`,
          json: {
            deviceIds: [{ id: input.oldId, kind }],
            deviceIdsTo: [{ id: input.newId, kind }],
            change4gOption: input.option,
            ...(input.servicePlan ? { servicePlan: input.servicePlan } : {}),
            ...(input.zipCode ? { zipCode: input.zipCode } : {}),
          },
        },
        { id: input.oldId, kind },
        o,
      );
    },
    updateCustomFields,
    updateUsername: (input, o) =>
      updateCustomFields(
        { iccid: input.iccid, fields: { [opts.usernameCustomField]: input.username } },
        o,
      ),
  };
}

/** `{ requestId }` of an accepted asynchronous action; a missing or empty id is a failure. */
function accepted(res: HttpResponse, c: BodyContext): ProvisioningAccepted {
  const body = parseBody(requestAcceptedSchema, res, c);
  return { requestId: body.requestId, recovered: false };
}
