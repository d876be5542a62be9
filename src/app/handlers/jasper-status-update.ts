/**
 * StatusUpdate on the Jasper family (Jasper, POD19, T-Mobile Jasper, Rogers), as the original
 * did it (original-system.md §3.2.1) with per-device results:
 *
 * 1. Read the request (`UpdateStatus`, optional `PostUpdateStatusId`); the target is the
 *    Control Center spelling of `UpdateStatus` (case-normalised: `deactivated` → DEACTIVATED).
 *    A `PostUpdateStatusId` must be a status of the provider's integration naming the same
 *    target; the device database then stores that status (else the target itself).
 * 2. Before a DEACTIVATION: move the device to the cheapest rate plan covering its usage
 *    (`jasper-deactivation-rate-plan.ts`); if that fails the status change is skipped.
 * 3. `PUT /devices/{iccid}` `{status}`; success needs `iccid` in the answer (the client turns a
 *    2xx without it into a failure). Carrier rejections (invalid status, forbidden transition)
 *    fail the device with the carrier's message; 5xx, timeouts and throttling are retried by
 *    the client, then by the engine.
 * 4. {@link JasperStatusUpdateDeps.afterStatusChange}: the place where the optional Rev.io
 *    steps of the original (create the Rev.io service, attach the Rev.io customer) run after
 *    a successful status change. They are provided elsewhere and wired by the runtime.
 * 5. The device's status in the device database, with history, in the result's transaction.
 *
 * Every carrier write is an idempotent PUT of absolute values run through `ctx.step`, so a
 * redelivered message or a retried device change never sends a completed write again.
 */

import { JASPER_FAMILY } from '../../domain/change-types/integration-groups.ts';
import { statusUpdateSchema } from '../../domain/change-types/status-update.ts';
import { toValidationIssues } from '../../domain/zod-issues.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { DeviceResult, DeviceUpdate, EngineStore } from '../ports/engine-store.ts';
import {
  moveToDeactivationRatePlan,
  needsDeactivationRatePlan,
} from './jasper-deactivation-rate-plan.ts';

/** Log descriptions of the status part (the original's). */
export const JASPER_STATUS_LOG = {
  api: 'Update Jasper Status: Jasper API',
  preflight: 'Update Jasper Status: Pre-flight Check',
  amop: 'Update Jasper Status: Update AMOP Device Status',
  revio: 'Update Jasper Status: Rev.io steps',
} as const;

/** What a successful Control Center status change did, for the steps that follow it. */
export interface JasperStatusChangeOutcome {
  iccid: string;
  /** Control Center status now set, e.g. `DEACTIVATED`. */
  carrierStatus: string;
  /** Status stored in the device database (from `PostUpdateStatusId`, else `carrierStatus`). */
  deviceStatus: string;
  /** `PostUpdateStatusId` of the request, if any. */
  deviceStatusId: number | undefined;
  /** Rate plan the device was moved to before a deactivation, if it was. */
  deactivationRatePlan: string | undefined;
}

/**
 * Steps run after a successful status change (the original's optional Rev.io service creation
 * and Rev.io customer attachment). Return undefined to finish the device change as succeeded,
 * or a result to end it with (e.g. failed: the Rev.io service could not be created). A thrown
 * error is classified by the engine like any other. Mutations must go through `ctx.step`.
 */
export type AfterJasperStatusChange = (
  ctx: HandlerContext,
  outcome: JasperStatusChangeOutcome,
) => Promise<DeviceResult | undefined>;

/** Dependencies of {@link createJasperStatusUpdateHandler}. */
export interface JasperStatusUpdateDeps {
  gateways: CarrierGateways;
  store: Pick<
    EngineStore,
    'findDeviceStatus' | 'getDeviceState' | 'listCarrierRatePlans' | 'applyDeviceUpdate'
  >;
  /** Rev.io steps after the status change (`status-revio-steps.ts`; none when absent). */
  afterStatusChange?: AfterJasperStatusChange;
}

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createJasperStatusUpdateHandler({ gateways, store })]);
 */
export function createJasperStatusUpdateHandler(deps: JasperStatusUpdateDeps): ChangeHandler {
  return {
    changeType: 'StatusUpdate',
    integrations: JASPER_FAMILY,
    writes: true,
    description: 'Update Jasper Status',
    async handle(ctx) {
      const jasper = deps.gateways.jasper(ctx.serviceProvider);
      const parsed = statusUpdateSchema.safeParse(ctx.request);
      if (!parsed.success) {
        const issues = toValidationIssues(parsed.error.issues)
          .map((i) => `${i.field}: ${i.message}`)
          .join('; ');
        return preflightFailure(ctx, `Invalid StatusUpdate request: ${issues}`);
      }
      const request = parsed.data;
      const target = jasper.normaliseStatus(request.UpdateStatus);
      const deviceStatus = await resolveDeviceStatus(ctx, deps, request, target);
      if (typeof deviceStatus !== 'string') return deviceStatus;
      const device =
        ctx.change.deviceId === null
          ? undefined
          : await deps.store.getDeviceState(ctx.change.deviceId);
      // Control Center knows devices by ICCID only (a row may name its device by MSISDN or EID).
      const iccid =
        ctx.change.iccid ??
        device?.iccid ??
        (ctx.change.identifierKind === 'iccid' ? ctx.change.identifier : null);
      if (iccid === null) {
        return preflightFailure(
          ctx,
          `Device ${ctx.change.identifier} has no ICCID: Control Center identifies devices by ICCID`,
        );
      }

      let deactivationRatePlan: string | undefined;
      if (target === 'DEACTIVATED' && device === undefined) {
        return preflightFailure(
          ctx,
          `Device ${iccid} is not in the device database: its usage and communication plan are needed to choose the rate plan before a deactivation`,
        );
      }
      if (device !== undefined && needsDeactivationRatePlan(ctx, target, device)) {
        const plan = await moveToDeactivationRatePlan(
          ctx,
          { jasper, store: deps.store },
          iccid,
          device,
        );
        deactivationRatePlan = plan.code;
      }

      const fields = { status: target };
      await ctx.step(
        'jasper.editDevice.status',
        {
          idempotent: true,
          log: (outcome) => ({
            description: JASPER_STATUS_LOG.api,
            requestText: JSON.stringify({ iccid, ...fields }),
            responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
            responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
            hasErrors: !outcome.ok,
            errorText: outcome.ok ? undefined : messageOf(outcome.error),
          }),
        },
        async () => {
          const edit = await jasper.editDevice(iccid, fields, { signal: ctx.signal });
          return { iccid: edit.iccid, scheduled: edit.scheduled };
        },
      );

      const statusUpdate: DeviceUpdate | undefined =
        device === undefined
          ? undefined
          : { deviceId: device.id, changes: { status: deviceStatus } };
      const outcome: JasperStatusChangeOutcome = {
        iccid,
        carrierStatus: target,
        deviceStatus,
        deviceStatusId: request.PostUpdateStatusId,
        deactivationRatePlan,
      };
      const after = await runAfterStatusChange(ctx, deps, outcome, statusUpdate);
      if (after !== undefined) return after;

      if (statusUpdate !== undefined) {
        ctx.log({
          description: JASPER_STATUS_LOG.amop,
          requestText: JSON.stringify({ deviceId: statusUpdate.deviceId, status: deviceStatus }),
          responseStatus: 'PROCESSED',
          hasErrors: false,
        });
      }
      const moved =
        deactivationRatePlan === undefined
          ? ''
          : ` (rate plan moved to ${deactivationRatePlan} first)`;
      return {
        kind: 'succeeded',
        details: `Successfully updated device status to ${target}${moved}`,
        ...(statusUpdate === undefined ? {} : { deviceUpdate: statusUpdate }),
      };
    },
  };
}

/**
 * The status the device database stores: the `PostUpdateStatusId`'s status when given (it
 * must belong to the provider's integration and name the same target), else the target.
 */
async function resolveDeviceStatus(
  ctx: HandlerContext,
  deps: JasperStatusUpdateDeps,
  request: { PostUpdateStatusId?: number | undefined },
  target: string,
): Promise<string | DeviceResult> {
  const id = request.PostUpdateStatusId;
  if (id === undefined) return target;
  const status = await deps.store.findDeviceStatus(id);
  const integration = ctx.serviceProvider.integration;
  if (status === undefined) {
    return preflightFailure(ctx, `PostUpdateStatusId ${id} is not a known device status`);
  }
  if (status.integration !== integration) {
    return preflightFailure(
      ctx,
      `PostUpdateStatusId ${id} is a ${status.integration} status (${status.status}), not a ${integration} one`,
    );
  }
  const jasper = deps.gateways.jasper(ctx.serviceProvider);
  const names = [status.status, status.displayName].map((s) => jasper.normaliseStatus(s));
  if (!names.includes(target)) {
    return preflightFailure(
      ctx,
      `PostUpdateStatusId ${id} is ${status.status} but UpdateStatus asks for ${target}`,
    );
  }
  return status.status;
}

/**
 * THE place where the optional Rev.io steps run after a successful status change. When a
 * step ends the device change otherwise than succeeded (or throws), the status change that
 * did happen is still written to the device database first.
 */
async function runAfterStatusChange(
  ctx: HandlerContext,
  deps: JasperStatusUpdateDeps,
  outcome: JasperStatusChangeOutcome,
  statusUpdate: DeviceUpdate | undefined,
): Promise<DeviceResult | undefined> {
  if (deps.afterStatusChange === undefined) return undefined;
  const keepStatus = async () => {
    if (statusUpdate === undefined) return;
    await deps.store.applyDeviceUpdate(statusUpdate, {
      bulkChangeId: ctx.bulkChange.id,
      deviceChangeId: ctx.change.id,
    });
  };
  let result: DeviceResult | undefined;
  try {
    result = await deps.afterStatusChange(ctx, outcome);
  } catch (error) {
    await keepStatus();
    throw error;
  }
  if (result === undefined) return undefined;
  if (result.kind === 'succeeded') {
    if (statusUpdate === undefined) return result;
    const own = result.deviceUpdate;
    if (own !== undefined && own.deviceId !== statusUpdate.deviceId) {
      await keepStatus();
      return result;
    }
    const changes = { ...statusUpdate.changes, ...(own?.changes ?? {}) };
    return { ...result, deviceUpdate: { deviceId: statusUpdate.deviceId, changes } };
  }
  await keepStatus();
  return result;
}

function preflightFailure(ctx: HandlerContext, message: string): DeviceResult {
  ctx.log({
    description: JASPER_STATUS_LOG.preflight,
    requestText: JSON.stringify(ctx.request),
    responseStatus: 'API_FAILED',
    hasErrors: true,
    errorText: message,
  });
  return { kind: 'failed', details: message, error: message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
