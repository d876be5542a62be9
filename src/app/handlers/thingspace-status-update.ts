/**
 * StatusUpdate on ThingSpace (original-system.md §3.2.2): add (preactive), activate (with the
 * primary place of use), suspend, restore, deactivate (reason code) or inventory (database
 * only), as {@link planThingSpaceStatus} decides. Every provisioning action is sent once
 * (step + provisioning-history lookup) and completes asynchronously: the device change parks
 * on the carrier request and resumes on its CarrierService callback or, when none comes, on
 * a request-status check (the original blocked ≈100 s per device polling). After an
 * activation the MSISDN and IP address are back-filled on the device row (from the callback,
 * else from the device list); the device's status follows the request's `PostUpdateStatusId`.
 * All database changes of a device are one transaction with its result, with history.
 */
import { ErrorCode } from '../../domain/errors.ts';
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways, ThingSpaceGateway } from '../ports/carrier-gateways.ts';
import type { DeviceResult, DeviceUpdate, EngineStore } from '../ports/engine-store.ts';
import {
  awaitCompletion,
  provisioningLog,
  provisionOnce,
  type ThingSpaceCompletion,
  thingSpaceRejection,
} from './thingspace-request.ts';
import { planThingSpaceStatus, type ThingSpaceStatusPlan } from './thingspace-status-plan.ts';
import { errorText } from './username-cost-center.ts';

/**
 * What runs after a successful status change, before the result is recorded: the optional
 * Rev.io steps of the original (create the Rev.io service, attach the Rev.io customer), wired
 * by the composition root. Returns sentences for the device details (e.g. what it created);
 * it must use `ctx.step` for its own writes. Absent: nothing runs.
 */
export type AfterThingSpaceStatusChange = (
  ctx: HandlerContext,
  change: { iccid: string; msisdn: string | null; deviceStatus: string },
) => Promise<string[]>;

type Deps = {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'findCarrierRatePlan' | 'findDeviceStatus'>;
  afterStatusChange?: AfterThingSpaceStatusChange;
};

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createThingSpaceStatusUpdateHandler({ gateways, store })]);
 */
export function createThingSpaceStatusUpdateHandler(deps: Deps): ChangeHandler {
  return {
    changeType: 'StatusUpdate',
    integrations: [Integration.ThingSpace],
    writes: true,
    description: 'ThingSpace Device Status Update',
    async handle(ctx) {
      const plan = await planThingSpaceStatus(ctx, deps.store);
      if ('failed' in plan) return plan.failed;
      if (plan.target === 'inventory') return finish(ctx, deps, plan, {});
      const ts = deps.gateways.thingspace(ctx.serviceProvider);
      if (plan.add) {
        const added = await addDevice(ctx, ts, plan);
        if (added !== undefined) return added;
        if (!plan.activate) return finish(ctx, deps, plan, {});
      }
      const done = await carrierAction(ctx, ts, plan);
      if (done.outcome === 'waiting') return done.result;
      if (done.outcome === 'failure') {
        return { kind: 'failed', details: done.message, error: done.message };
      }
      if (!plan.activate) return finish(ctx, deps, plan, {});
      return finish(ctx, deps, plan, await activationDetails(ctx, ts, plan, done));
    },
  };
}

/** `POST /devices/actions/add` (idempotent: a repeat answers "already exists"). */
async function addDevice(
  ctx: HandlerContext,
  ts: ThingSpaceGateway,
  plan: ThingSpaceStatusPlan,
): Promise<DeviceResult | undefined> {
  const input = { iccid: plan.iccid, imei: plan.imei };
  try {
    await ctx.step(
      'thingspace.addDevice',
      {
        idempotent: true,
        log: (outcome) => ({
          description: 'Add ThingSpace Device: ThingSpace API',
          requestText: JSON.stringify({
            ...input,
            accountName: ts.accountName,
            state: 'preactive',
          }),
          responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
          responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
          hasErrors: !outcome.ok,
          errorText: outcome.ok ? undefined : errorText(outcome.error),
        }),
      },
      () => ts.addDevice(input, { signal: ctx.signal }),
    );
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown })?.code !== ErrorCode.INTEGRATION_REJECTED) throw error;
    const message = `ThingSpace did not add device ${plan.iccid}: ${thingSpaceRejection(error) ?? errorText(error)}`;
    return { kind: 'failed', details: message, error: message };
  }
}

/** Sends the plan's asynchronous action once and resolves its completion. */
async function carrierAction(
  ctx: HandlerContext,
  ts: ThingSpaceGateway,
  plan: ThingSpaceStatusPlan,
): Promise<ThingSpaceCompletion> {
  const iccid = plan.iccid;
  const signal = ctx.signal;
  const device = [{ id: iccid, kind: 'iccid' as const }];
  const spec = (() => {
    if (plan.activate) {
      const input = {
        iccid,
        imei: plan.imei,
        servicePlan: plan.servicePlan ?? '',
        mdnZipCode: plan.mdnZipCode ?? '',
        ...(plan.placeOfUse === undefined ? {} : { primaryPlaceOfUse: plan.placeOfUse }),
      };
      return {
        action: 'activate' as const,
        label: 'Activate ThingSpace Device',
        request: input,
        send: () => ts.activate(input, { signal }),
      };
    }
    if (plan.target === 'deactive') {
      const input = { iccid, reasonCode: plan.reasonCode ?? '' };
      return {
        action: 'deactivate' as const,
        label: 'Deactivate ThingSpace Device',
        request: input,
        send: () => ts.deactivate(input, { signal }),
      };
    }
    const action = plan.target === 'suspend' ? ('suspend' as const) : ('restore' as const);
    return {
      action,
      label: action === 'suspend' ? 'Suspend ThingSpace Device' : 'Restore ThingSpace Device',
      request: { iccid },
      send: () =>
        action === 'suspend'
          ? ts.suspend({ iccid }, { signal })
          : ts.restore({ iccid }, { signal }),
    };
  })();
  const sent = await provisionOnce(ctx, ts, {
    step: `thingspace.${spec.action}`,
    action: spec.action,
    devices: device,
    log: provisioningLog(`${spec.label}: ThingSpace API`, {
      ...spec.request,
      accountName: ts.accountName,
    }),
    send: spec.send,
  });
  if ('failed' in sent) return { outcome: 'waiting', result: sent.failed };
  return awaitCompletion(ctx, ts, {
    phase: `thingspace:${spec.action}`,
    requestId: sent.requestId,
    description: spec.label,
  });
}

/** MSISDN and IP address of an activated device: from the callback, else the device list. */
async function activationDetails(
  ctx: HandlerContext,
  ts: ThingSpaceGateway,
  plan: ThingSpaceStatusPlan,
  done: Extract<ThingSpaceCompletion, { outcome: 'success' }>,
): Promise<DeviceUpdate['changes']> {
  let msisdn = done.msisdn;
  let ipAddress = done.ipAddress;
  if (msisdn === undefined || ipAddress === undefined) {
    const listed = await ts.getDevice(plan.iccid, { signal: ctx.signal });
    msisdn ??= listed?.msisdn;
    ipAddress ??= listed?.ipAddress;
  }
  const changes: DeviceUpdate['changes'] = {};
  if (msisdn !== undefined) changes.msisdn = msisdn;
  if (ipAddress !== undefined) changes.ip_address = ipAddress;
  if (plan.imei !== null) changes.imei = plan.imei;
  if (plan.placeOfUse !== undefined) {
    // As the original: the subscriber's name becomes the device's username.
    const name = plan.placeOfUse.customerName;
    changes.username = `${name.firstName} ${name.lastName}`;
  }
  ctx.log({
    description: 'Activate ThingSpace Device: Update DB with Details',
    requestText: JSON.stringify({ iccid: plan.iccid }),
    responseText: JSON.stringify({ msisdn: msisdn ?? null, ipAddress: ipAddress ?? null }),
    responseStatus: msisdn === undefined ? 'ERROR' : 'PROCESSED',
    hasErrors: msisdn === undefined,
    ...(msisdn === undefined ? { errorText: 'ThingSpace did not report an MSISDN' } : {}),
  });
  return changes;
}

/** The device row update (status + details), the post-status hook, and the result. */
async function finish(
  ctx: HandlerContext,
  deps: Deps,
  plan: ThingSpaceStatusPlan,
  details: DeviceUpdate['changes'],
): Promise<DeviceResult> {
  const changes: DeviceUpdate['changes'] = { ...details, status: plan.deviceStatus };
  ctx.log({
    description: 'Update ThingSpace Device Status: AMOP DB',
    requestText: JSON.stringify({ iccid: plan.iccid, ...changes }),
    responseStatus: 'PROCESSED',
    hasErrors: false,
  });
  const msisdn = typeof details.msisdn === 'string' ? details.msisdn : (ctx.change.msisdn ?? null);
  const extra =
    deps.afterStatusChange === undefined
      ? []
      : await deps.afterStatusChange(ctx, {
          iccid: plan.iccid,
          msisdn,
          deviceStatus: plan.deviceStatus,
        });
  const sentences = [`Device status updated to ${plan.deviceStatus}`];
  if (plan.activate && details.msisdn === undefined) {
    sentences.push('ThingSpace did not report an MSISDN yet');
  }
  if (plan.target === 'active' && !plan.activate) {
    sentences.push('added to ThingSpace; not activated because the request has no IMEI');
  }
  return {
    kind: 'succeeded',
    details: [...sentences, ...extra].join('; '),
    ...(ctx.change.deviceId === null
      ? {}
      : { deviceUpdate: { deviceId: ctx.change.deviceId, changes } }),
  };
}
