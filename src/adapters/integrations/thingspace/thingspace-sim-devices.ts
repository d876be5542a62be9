/**
 * Device routes of the ThingSpace simulator: add, activate, suspend, restore, deactivate,
 * service plan, identifier change, custom fields (asynchronous, `{ requestId }`), device list
 * and provisioning history. Synchronous rules answer HTTP 400 `{ errorCode, errorMessage }`:
 * malformed body, unknown account/device/plan, the per-line limits (5 provisioning actions a
 * day, 4 plan changes a month), plan change while suspended, new identifier already known,
 * bad custom-field name. State-machine rules are decided at completion (callback `Failed`).
 */
import { createAsyncRequest, settleDue } from './thingspace-sim-async.ts';
import { vendorError } from './thingspace-sim-auth.ts';
import { renderDevice, renderHistory } from './thingspace-sim-render.ts';
import {
  accountOf,
  failed,
  isFailure,
  linesOf,
  newLine,
  parse,
  type Route,
  route,
  spendDailyActions,
} from './thingspace-sim-rules.ts';
import type { ThingSpaceSimRuntime } from './thingspace-sim-runtime.ts';
import {
  bump,
  findDevice,
  identifierInUse,
  type SimDevice,
  type SimRequestKind,
} from './thingspace-sim-state.ts';
import {
  activateRequestSchema,
  addDevicesRequestSchema,
  changeDeviceIdRequestSchema,
  customFieldsRequestSchema,
  deactivateRequestSchema,
  deviceActionRequestSchema,
  deviceListRequestSchema,
  provisioningHistoryRequestSchema,
  servicePlanRequestSchema,
} from './thingspace-wire.ts';

/** The device routes. */
export function deviceRoutes(rt: ThingSpaceSimRuntime, p: string): Route[] {
  const action = (kind: Extract<SimRequestKind, 'suspend' | 'restore' | 'deactivate'>) =>
    route('POST', `${p}/devices/actions/${kind}`, kind, (req, ctx) => {
      const body = parse(
        kind === 'deactivate' ? deactivateRequestSchema : deviceActionRequestSchema,
        req,
      );
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, body.accountName);
      if (isFailure(who)) return who;
      const lines = linesOf(ctx.state, body.devices, who.accountName);
      if (isFailure(lines)) return lines;
      const spent = spendDailyActions(rt, lines);
      if (spent !== undefined) return spent;
      const payload = 'reasonCode' in body ? { reasonCode: body.reasonCode } : {};
      return createAsyncRequest(rt, {
        accountName: who.accountName,
        kind,
        username: who.user.username,
        lines,
        payload,
      });
    });

  return [
    route('POST', `${p}/devices/actions/add`, 'addDevice', (req, ctx) => {
      const body = parse(addDevicesRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, body.accountName);
      if (isFailure(who)) return who;
      const results = body.devicesToAdd.map((entry) => {
        if (entry.deviceIds.some((id) => identifierInUse(ctx.state, id))) {
          return { deviceIds: entry.deviceIds, response: 'Error. Device already exists.' };
        }
        const line = newLine(ctx.state, entry.deviceIds, who.accountName, ctx.now);
        return {
          deviceIds: entry.deviceIds,
          response: line === undefined ? 'Error. An ICCID is required.' : 'Success',
        };
      });
      return { status: 200, json: results };
    }),
    route('POST', `${p}/devices/actions/activate`, 'activate', (req, ctx) => {
      const body = parse(activateRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, body.accountName);
      if (isFailure(who)) return who;
      if (ctx.state.accounts.get(who.accountName)?.plans.has(body.servicePlan) !== true) {
        return failed(
          'InvalidServicePlan',
          `Service plan ${body.servicePlan} is not available to the account.`,
        );
      }
      const lines: SimDevice[] = [];
      for (const entry of body.devices) {
        // Activation adds devices that are not on the account yet [DOC].
        const found = findDevice(ctx.state, entry.deviceIds, who.accountName);
        if (found === undefined && entry.deviceIds.some((id) => identifierInUse(ctx.state, id))) {
          return failed('DeviceNotFound', 'The device belongs to another account.');
        }
        const line = found ?? newLine(ctx.state, entry.deviceIds, who.accountName, ctx.now);
        if (line === undefined)
          return failed('DeviceNotFound', 'An ICCID is required to activate a new device.');
        lines.push(line);
      }
      const spent = spendDailyActions(rt, lines);
      if (spent !== undefined) return spent;
      const imei = body.devices[0]?.deviceIds.find((d) => d.kind.toLowerCase() === 'imei')?.id;
      return createAsyncRequest(rt, {
        accountName: who.accountName,
        kind: 'activate',
        username: who.user.username,
        lines,
        payload: { servicePlan: body.servicePlan, primaryPlaceOfUse: body.primaryPlaceOfUse, imei },
      });
    }),
    action('suspend'),
    action('restore'),
    action('deactivate'),
    route('PUT', `${p}/devices/actions/plan`, 'changeServicePlan', (req, ctx) => {
      const body = parse(servicePlanRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, body.accountName);
      if (isFailure(who)) return who;
      if (ctx.state.accounts.get(who.accountName)?.plans.has(body.servicePlan) !== true) {
        return failed(
          'InvalidServicePlan',
          `Service plan ${body.servicePlan} is not available to the account.`,
        );
      }
      const lines = linesOf(ctx.state, body.devices, who.accountName);
      if (isFailure(lines)) return lines;
      const month = new Date(rt.now()).toISOString().slice(0, 7);
      for (const line of lines) {
        if (line.state === 'suspend')
          return failed(
            'DeviceSuspended',
            `Device ${line.iccid} is suspended; its plan cannot change.`,
          );
        if (line.state === 'deactive')
          return failed('DeviceNotActive', `Device ${line.iccid} is deactivated.`);
        if (
          (ctx.state.counters.get(`month:${line.lineId}:${month}`) ?? 0) >=
          rt.settings.monthlyPlanChangeLimit
        ) {
          return failed(
            'ServicePlanChangeLimitExceeded',
            `Device ${line.iccid} reached ${rt.settings.monthlyPlanChangeLimit} plan changes this month.`,
          );
        }
      }
      for (const line of lines) bump(ctx.state, `month:${line.lineId}:${month}`);
      return createAsyncRequest(rt, {
        accountName: who.accountName,
        kind: 'changeServicePlan',
        username: who.user.username,
        lines,
        payload: { servicePlan: body.servicePlan },
      });
    }),
    route('PUT', `${p}/devices/:serviceType/actions/deviceId`, 'changeIdentifier', (req, ctx) => {
      const body = parse(changeDeviceIdRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, undefined);
      if (isFailure(who)) return who;
      const kind =
        body.change4gOption === 'ChangeICCID'
          ? 'iccid'
          : body.change4gOption === 'ChangeIMEI'
            ? 'imei'
            : undefined;
      const target = body.deviceIdsTo.find((d) => d.kind.toLowerCase() === kind);
      if (kind === undefined || target === undefined) {
        return {
          response: vendorError(
            'UnifiedWebService.INPUT_INVALID.Change4gOption',
            `The simulator supports ChangeICCID and ChangeIMEI with a matching deviceIdsTo (got ${body.change4gOption}).`,
          ),
        };
      }
      const lines = linesOf(ctx.state, [{ deviceIds: body.deviceIds }], who.accountName);
      if (isFailure(lines)) return lines;
      if (identifierInUse(ctx.state, target)) {
        return failed(
          'DeviceAlreadyExists',
          `The new ${kind.toUpperCase()} is already in the ThingSpace database.`,
        );
      }
      return createAsyncRequest(rt, {
        accountName: who.accountName,
        kind: 'changeIdentifier',
        username: who.user.username,
        lines,
        payload: { kind, newId: target.id },
      });
    }),
    route('PUT', `${p}/devices/actions/customFields`, 'updateCustomFields', (req, ctx) => {
      const body = parse(customFieldsRequestSchema, req);
      if (isFailure(body)) return body;
      const bad = body.customFieldsToUpdate.find((f) => !/^CustomField[1-5]$/.test(f.key));
      if (bad !== undefined) {
        return {
          response: vendorError(
            'DeviceService.INPUT_INVALID.CustomField.InvalidName',
            `${bad.key} is not a custom field name (CustomField1..CustomField5).`,
          ),
        };
      }
      const who = accountOf(req, ctx.state, undefined);
      if (isFailure(who)) return who;
      const lines = linesOf(ctx.state, body.devices, who.accountName);
      if (isFailure(lines)) return lines;
      const fields = Object.fromEntries(body.customFieldsToUpdate.map((f) => [f.key, f.value]));
      return createAsyncRequest(rt, {
        accountName: who.accountName,
        kind: 'updateCustomFields',
        username: who.user.username,
        lines,
        payload: { fields },
      });
    }),
    route('POST', `${p}/devices/actions/list`, 'listDevices', (req, ctx) => {
      const body = parse(deviceListRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, body.accountName);
      if (isFailure(who)) return who;
      settleDue(rt);
      const one = body.deviceId && findDevice(ctx.state, [body.deviceId], who.accountName);
      const devices =
        body.deviceId === undefined
          ? [...ctx.state.devices.values()].filter((d) => d.accountName === who.accountName)
          : one === undefined
            ? []
            : [one];
      return {
        status: 200,
        json: { hasMoreData: false, devices: devices.map((d) => renderDevice(d, ctx.now)) },
      };
    }),
    route('POST', `${p}/devices/history/actions/list`, 'getProvisioningHistory', (req, ctx) => {
      const body = parse(provisioningHistoryRequestSchema, req);
      if (isFailure(body)) return body;
      const who = accountOf(req, ctx.state, undefined);
      if (isFailure(who)) return who;
      const from = Date.parse(body.earliest);
      const to = Date.parse(body.latest);
      if (Number.isNaN(from) || Number.isNaN(to)) {
        return {
          response: vendorError(
            'UnifiedWebService.INPUT_INVALID.DateRange',
            'earliest and latest must be ISO date-times.',
          ),
        };
      }
      settleDue(rt);
      const line = findDevice(ctx.state, [body.deviceId], who.accountName);
      if (line === undefined)
        return failed('DeviceNotFound', `Device ${body.deviceId.id} is not on the account.`);
      return {
        status: 200,
        json: [{ hasMoreData: false, provisioningHistory: renderHistory(line, from, to) }],
      };
    }),
  ];
}
