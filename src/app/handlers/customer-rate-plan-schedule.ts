/**
 * The customer rate plan / pool part of AssociateCustomer and CreateRevService
 * (original-system.md §3.5, §3.7): checked before anything is written, applied with the device
 * change's result when its effective date has come, otherwise scheduled for EVERY device (the
 * original queued only the first 100 and never marked them).
 *
 * Scheduling parks the device change until the effective date (`not_before`, the engine's own
 * mechanism for waiting): what could be done now (Rev.io line, customer, site) is done and
 * written to the device at once; the device change stays PENDING with the planned change in its
 * park state, and the bulk change finishes when the last scheduled device has its plan. No
 * worker waits: the continuation message is scheduled for the due time.
 */
import type { HandlerContext } from '../engine/change-handler.ts';
import type { DeviceResult, DeviceUpdate, EngineStore } from '../ports/engine-store.ts';
import { REV_SERVICE_LOG } from './revio-service-steps.ts';

/** The request fields of the customer rate plan / pool. */
export interface CustomerRatePlanRequest {
  AddCustomerRatePlan?: boolean | undefined;
  CustomerRatePlan?: number | undefined;
  CustomerRatePool?: number | undefined;
  EffectiveDate?: string | undefined;
}

/** Device fields of the rate plan / pool. */
export type RatePlanChanges = { customer_rate_plan_id?: number; customer_rate_pool_id?: number };

/** What a device change waiting for its effective date saved. */
export interface RatePlanParkState {
  phase: 'customer-rate-plan';
  /** ISO time the plan applies at. */
  effectiveAt: string;
  changes: RatePlanChanges;
  /** Details of the work already done, kept for the final result. */
  done: string;
}

/**
 * Checks the plan / pool ids of the tenant; returns the device fields to set ({} when
 * `AddCustomerRatePlan` is false) or why not.
 */
export async function resolveRatePlanChanges(
  ctx: HandlerContext,
  store: Pick<EngineStore, 'findCustomerRatePlanById' | 'findCustomerRatePoolById'>,
  request: CustomerRatePlanRequest,
): Promise<{ changes: RatePlanChanges } | { error: string }> {
  if (request.AddCustomerRatePlan !== true) return { changes: {} };
  const changes: RatePlanChanges = {};
  const tenantId = ctx.bulkChange.tenantId;
  if (request.CustomerRatePlan !== undefined) {
    const plan = await store.findCustomerRatePlanById(tenantId, request.CustomerRatePlan);
    if (plan === undefined) {
      return { error: `Customer rate plan ${request.CustomerRatePlan} does not exist` };
    }
    changes.customer_rate_plan_id = plan.id;
  }
  if (request.CustomerRatePool !== undefined) {
    const pool = await store.findCustomerRatePoolById(tenantId, request.CustomerRatePool);
    if (pool === undefined) {
      return { error: `Customer rate pool ${request.CustomerRatePool} does not exist` };
    }
    changes.customer_rate_pool_id = pool.id;
  }
  return { changes };
}

/**
 * Ends the device change: the plan now with everything else (`succeeded`), or — effective date
 * in the future — the other fields written now and the device change parked until the date.
 */
export async function finishWithRatePlan(
  ctx: HandlerContext,
  store: Pick<EngineStore, 'applyDeviceUpdate'>,
  input: {
    now: DeviceUpdate['changes'];
    ratePlan: RatePlanChanges;
    effectiveDate: string | undefined;
    done: string;
  },
): Promise<DeviceResult> {
  const hasPlan = Object.keys(input.ratePlan).length > 0;
  const effective = input.effectiveDate === undefined ? undefined : new Date(input.effectiveDate);
  if (hasPlan && effective !== undefined && effective.getTime() > ctx.now().getTime()) {
    if (ctx.change.deviceId !== null && Object.keys(input.now).length > 0) {
      await store.applyDeviceUpdate(
        { deviceId: ctx.change.deviceId, changes: input.now },
        { bulkChangeId: ctx.bulkChange.id, deviceChangeId: ctx.change.id },
      );
    }
    const parkState: RatePlanParkState = {
      phase: 'customer-rate-plan',
      effectiveAt: effective.toISOString(),
      changes: input.ratePlan,
      done: input.done,
    };
    const when = effective.toISOString().slice(0, 10);
    ctx.log({
      description: REV_SERVICE_LOG.customerRatePlan,
      requestText: JSON.stringify({ ...input.ratePlan, effectiveDate: effective.toISOString() }),
      responseText: `Customer Rate Plan/Customer Rate Pool will be changed on ${when}`,
      responseStatus: 'PENDING',
      hasErrors: false,
    });
    return {
      kind: 'parked',
      details: `${input.done}; customer rate plan/pool scheduled for ${when}`,
      notBefore: effective,
      parkState,
    };
  }
  if (hasPlan) logRatePlanApplied(ctx, input.ratePlan);
  const changes = { ...input.now, ...input.ratePlan };
  return succeeded(ctx, input.done + (hasPlan ? '; customer rate plan/pool set' : ''), changes);
}

/**
 * Resumes a device change parked by {@link finishWithRatePlan}: applies the plan when its time
 * has come, parks again otherwise. Undefined when the change was not parked for a plan.
 */
export function resumeRatePlan(ctx: HandlerContext): DeviceResult | undefined {
  const state = readParkState(ctx.change.parkState);
  if (state === undefined) return undefined;
  const effective = new Date(state.effectiveAt);
  if (effective.getTime() > ctx.now().getTime()) {
    return {
      kind: 'parked',
      details: `${state.done}; customer rate plan/pool scheduled for ${state.effectiveAt.slice(0, 10)}`,
      notBefore: effective,
      parkState: state,
    };
  }
  logRatePlanApplied(ctx, state.changes);
  return succeeded(ctx, `${state.done}; customer rate plan/pool set`, state.changes);
}

function logRatePlanApplied(ctx: HandlerContext, changes: RatePlanChanges): void {
  ctx.log({
    description: REV_SERVICE_LOG.customerRatePlan,
    requestText: JSON.stringify(changes),
    responseText: 'Customer Rate Plan/Customer Rate Pool updated',
    responseStatus: 'PROCESSED',
    hasErrors: false,
  });
}

function succeeded(
  ctx: HandlerContext,
  details: string,
  changes: DeviceUpdate['changes'],
): DeviceResult {
  const deviceUpdate =
    ctx.change.deviceId === null || Object.keys(changes).length === 0
      ? undefined
      : { deviceId: ctx.change.deviceId, changes };
  return { kind: 'succeeded', details, ...(deviceUpdate === undefined ? {} : { deviceUpdate }) };
}

function readParkState(value: unknown): RatePlanParkState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<RatePlanParkState>;
  if (state.phase !== 'customer-rate-plan' || typeof state.effectiveAt !== 'string') {
    return undefined;
  }
  return {
    phase: 'customer-rate-plan',
    effectiveAt: state.effectiveAt,
    changes: (state.changes ?? {}) as RatePlanChanges,
    done: typeof state.done === 'string' ? state.done : 'Assigned',
  };
}
