/**
 * The read-only and registration operations of the ThingSpace client: device list, request
 * status, provisioning history, and CarrierService callback registration. All idempotent.
 */
import type { CallRunner } from '../shared/call-runner.ts';
import type { HttpResponse } from '../shared/http-transport.ts';
import { type BodyContext, parseBody, type ThingSpaceCaller } from './thingspace-call.ts';
import type { CallOptions, ThingSpaceOperations } from './thingspace-types.ts';
import {
  callbackActionResponseSchema,
  deviceListResponseSchema,
  type ProvisioningEvent,
  provisioningHistoryResponseSchema,
  registeredCallbacksResponseSchema,
  requestStatusResponseSchema,
  type ThingSpaceDeviceId,
} from './thingspace-wire.ts';

/** Operations built by {@link createThingSpaceQueries}. */
export type ThingSpaceQueries = Pick<
  ThingSpaceOperations,
  | 'listDevices'
  | 'getDevice'
  | 'getRequestStatus'
  | 'getProvisioningHistory'
  | 'registerCallback'
  | 'listCallbacks'
  | 'deleteCallback'
> & {
  /** Provisioning history through a given runner (lookups run without the retry policy). */
  historyVia(
    runner: CallRunner,
    deviceId: ThingSpaceDeviceId,
    earliest: Date,
    latest: Date,
    signal: AbortSignal,
  ): Promise<ProvisioningEvent[]>;
};

/** Dependencies of {@link createThingSpaceQueries}. */
export interface ThingSpaceQueriesOptions {
  caller: ThingSpaceCaller;
  accountName: string;
  redact: (text: string) => string;
  /** Registers a secret (callback password) so that errors redact it. */
  addSecret: (secret: string) => void;
}

/** Builds the read and registration operations. */
export function createThingSpaceQueries(opts: ThingSpaceQueriesOptions): ThingSpaceQueries {
  const { caller, redact } = opts;
  const account = encodeURIComponent(opts.accountName);
  const ctx = (operation: string, deviceId?: string): BodyContext => ({
    operation,
    deviceId,
    write: false,
    redact,
  });

  const read = <T>(
    operation: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    json: unknown,
    parse: (res: HttpResponse) => T,
    o: CallOptions | undefined,
    extra: { deviceId?: string; runner?: CallRunner } = {},
  ) =>
    caller.call(
      {
        operation,
        deviceId: extra.deviceId,
        method,
        path,
        json,
        write: false,
        parse,
        signal: o?.signal,
      },
      extra.runner,
    );

  const history = (
    deviceId: ThingSpaceDeviceId,
    earliest: Date,
    latest: Date,
    o: CallOptions | undefined,
    runner?: CallRunner,
  ) =>
    read(
      'getProvisioningHistory',
      'POST',
      '/devices/history/actions/list',
      { deviceId, earliest: earliest.toISOString(), latest: latest.toISOString() },
      (res) =>
        parseBody(
          provisioningHistoryResponseSchema,
          res,
          ctx('getProvisioningHistory', deviceId.id),
        ).flatMap((entry) => entry.provisioningHistory),
      o,
      { deviceId: deviceId.id, runner },
    );

  const listDevices: ThingSpaceOperations['listDevices'] = (input, o) => {
    const deviceId = 'iccid' in input ? { id: input.iccid, kind: 'iccid' } : input.deviceId;
    return read(
      'listDevices',
      'POST',
      '/devices/actions/list',
      { deviceId },
      (res) => parseBody(deviceListResponseSchema, res, ctx('listDevices', deviceId.id)).devices,
      o,
      { deviceId: deviceId.id },
    );
  };

  const actionResult = (operation: string) => (res: HttpResponse) => {
    const body = parseBody(callbackActionResponseSchema, res, ctx(operation));
    return { accountName: body.accountName, serviceName: body.serviceName };
  };

  return {
    listDevices,
    async getDevice(iccid, o) {
      const devices = await listDevices({ iccid }, o);
      return devices.find((d) =>
        d.deviceIds.some((id) => id.kind.toLowerCase() === 'iccid' && id.id === iccid),
      );
    },
    getRequestStatus: (requestId, o) =>
      read(
        'getRequestStatus',
        'GET',
        `/accounts/${account}/requests/${encodeURIComponent(requestId)}/status`,
        undefined,
        (res) => {
          const body = parseBody(requestStatusResponseSchema, res, ctx('getRequestStatus'));
          return { requestId: body.requestId, status: body.status };
        },
        o,
      ),
    getProvisioningHistory: (input, o) => history(input.deviceId, input.earliest, input.latest, o),
    historyVia: (runner, deviceId, earliest, latest, signal) =>
      history(deviceId, earliest, latest, { signal }, runner),
    registerCallback(input, o) {
      if (input.password !== undefined) opts.addSecret(input.password);
      const json = {
        name: input.name ?? 'CarrierService',
        url: input.url,
        ...(input.username === undefined ? {} : { username: input.username }),
        ...(input.password === undefined ? {} : { password: input.password }),
      };
      return read(
        'registerCallback',
        'POST',
        `/callbacks/${account}`,
        json,
        actionResult('registerCallback'),
        o,
      );
    },
    listCallbacks: (o) =>
      read(
        'listCallbacks',
        'GET',
        `/callbacks/${account}`,
        undefined,
        (res) =>
          parseBody(registeredCallbacksResponseSchema, res, ctx('listCallbacks')).map((c) => ({
            accountName: c.accountName,
            name: c.name,
            url: c.url,
          })),
        o,
      ),
    deleteCallback: (serviceName = 'CarrierService', o) =>
      read(
        'deleteCallback',
        'DELETE',
        `/callbacks/${account}/name/${encodeURIComponent(serviceName)}`,
        undefined,
        actionResult('deleteCallback'),
        o,
      ),
  };
}
