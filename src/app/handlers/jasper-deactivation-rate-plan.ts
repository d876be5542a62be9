/**
 * The Jasper "deactivate ⇒ cheapest rate plan" step of StatusUpdate (original-system.md
 * §3.2.1, ADBC:3477-3565): before a SIM is DEACTIVATED, a device that has a communication plan
 * is moved to the cheapest carrier rate plan of its service provider whose allowance covers
 * the device's usage, so that it is not billed on an expensive plan while idle.
 *
 * The original's rule, kept exactly:
 * - plans of the service provider ordered by base rate; the first whose `PlanMB` ≥ the
 *   device's `DataUsageMB` **as the device database holds it** (the original reads
 *   `Device.DataUsageMB`, not Control Center), else the last (most expensive) one;
 * - only when the device has a non-empty communication plan, and not for messages of the
 *   automated status Lambda (`IsFromAutomatedUpdateDeviceStatusLambda`);
 * - only `ratePlan` is sent (not the communication plan);
 * - if the move fails, the status change is skipped with "Error Updating Rate Plan for
 *   Deactivation" (the original's text, kept as the prefix of the device's details so that
 *   the rate-plan error report of §6.1 can find these devices).
 */
import { AppError, ErrorCode, isAppError } from '../../domain/errors.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type { JasperGateway } from '../ports/carrier-gateways.ts';
import type {
  EngineCarrierRatePlan,
  EngineDeviceState,
  EngineStore,
} from '../ports/engine-store.ts';

/** Log descriptions of the step (the original's). */
export const JASPER_RATE_PLAN_LOG = {
  api: 'Update Jasper Rate Plan: Jasper API',
  amop: 'Update Jasper Rate Plan: Update AMOP Device Details',
  general: 'Update Jasper Rate Plan: General',
} as const;

/**
 * Prefix of the details of a device whose status change was skipped because the rate-plan
 * move failed (the original's `"Error Updating Rate Plan for Deactivation"`). The original
 * e-mailed these failures (service provider id and name, and per device the ICCID, the plan
 * and the carrier's error); the details carry all of it after this prefix:
 * `Error Updating Rate Plan for Deactivation: could not move <iccid> to rate plan <code>: <error>`
 * (the failed "Update Jasper Rate Plan: Jasper API" log row of the device change holds the same
 * facts as JSON in its request text and the carrier's error in its error text). The other form,
 * `…: no carrier rate plans for service provider <name>`, made no carrier call; the original
 * did not e-mail that case.
 */
export const DEACTIVATION_RATE_PLAN_ERROR = 'Error Updating Rate Plan for Deactivation';

/** The move failed; the status change of the device is skipped. */
export class DeactivationRatePlanError extends AppError {
  /** Whether a later attempt may succeed (copied from the carrier's failure). */
  readonly retryable: boolean;

  constructor(message: string, options: { code?: ErrorCode; retryable: boolean; cause?: unknown }) {
    super(
      options.code ?? ErrorCode.INTEGRATION_REJECTED,
      `${DEACTIVATION_RATE_PLAN_ERROR}: ${message}`,
      {
        cause: options.cause,
      },
    );
    this.retryable = options.retryable;
  }
}

/**
 * The original's choice: the first plan (cheapest first) whose allowance covers `usageMb`,
 * else the last one; undefined when the service provider has no plans.
 *
 * @example
 * chooseDeactivationRatePlan(plans, 180); // the cheapest plan with planMb ≥ 180
 */
export function chooseDeactivationRatePlan(
  plans: readonly EngineCarrierRatePlan[],
  usageMb: number,
): EngineCarrierRatePlan | undefined {
  return plans.find((p) => p.planMb >= usageMb) ?? plans.at(-1);
}

/** Whether the step applies to this device change (see the module comment). */
export function needsDeactivationRatePlan(
  ctx: Pick<HandlerContext, 'flags'>,
  target: string,
  device: Pick<EngineDeviceState, 'communicationPlan'>,
): boolean {
  if (target !== 'DEACTIVATED') return false;
  if (ctx.flags.isFromAutomatedUpdateDeviceStatusLambda === true) return false;
  return (device.communicationPlan ?? '').trim() !== '';
}

/**
 * Moves the device to the chosen plan (idempotent PUT through `ctx.step`), then records the
 * plan in the device database with history right away (a step too): the carrier has it even
 * if the status change fails afterwards. Throws {@link DeactivationRatePlanError} when the move fails (a
 * retryable failure is retried by the engine; the status change is not attempted before the
 * move succeeded), or the carrier's circuit-open error unchanged (the account is resting).
 */
export async function moveToDeactivationRatePlan(
  ctx: HandlerContext,
  deps: {
    jasper: JasperGateway;
    store: Pick<EngineStore, 'listCarrierRatePlans' | 'applyDeviceUpdate'>;
  },
  iccid: string,
  device: EngineDeviceState,
): Promise<EngineCarrierRatePlan> {
  const plans = await deps.store.listCarrierRatePlans(ctx.serviceProvider.id);
  const plan = chooseDeactivationRatePlan(plans, device.dataUsageMb);
  if (plan === undefined) {
    const message = `no carrier rate plans for service provider ${ctx.serviceProvider.name}`;
    ctx.log({
      description: JASPER_RATE_PLAN_LOG.general,
      requestText: JSON.stringify({ iccid, dataUsageMb: device.dataUsageMb }),
      responseStatus: 'ERROR',
      hasErrors: true,
      errorText: `${DEACTIVATION_RATE_PLAN_ERROR}: ${message}`,
    });
    throw new DeactivationRatePlanError(message, { retryable: false });
  }
  const fields = { ratePlan: plan.code };
  let sent: { iccid: string; scheduled: boolean; ratePlan: string };
  try {
    sent = await ctx.step(
      'jasper.editDevice.deactivationRatePlan',
      {
        idempotent: true,
        log: (outcome) => ({
          description: JASPER_RATE_PLAN_LOG.api,
          requestText: JSON.stringify({
            iccid,
            ...fields,
            planMb: plan.planMb,
            dataUsageMb: device.dataUsageMb,
          }),
          responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
          responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
          hasErrors: !outcome.ok,
          errorText: outcome.ok ? undefined : messageOf(outcome.error),
        }),
      },
      async () => {
        const edit = await deps.jasper.editDevice(iccid, fields, { signal: ctx.signal });
        return { iccid: edit.iccid, scheduled: edit.scheduled, ratePlan: plan.code };
      },
    );
  } catch (error) {
    if (isAppError(error, ErrorCode.INTEGRATION_CIRCUIT_OPEN) || ctx.signal.aborted) throw error;
    const retryable = isAppError(error)
      ? (error as { retryable?: boolean }).retryable === true
      : true;
    throw new DeactivationRatePlanError(
      `could not move ${iccid} to rate plan ${plan.code}: ${messageOf(error)}`,
      { retryable, cause: error, ...(isAppError(error) ? { code: error.code } : {}) },
    );
  }
  // An earlier attempt may have sent another plan (plans or usage changed since): that one counts.
  const moved = plans.find((p) => p.code === sent.ratePlan) ?? { ...plan, code: sent.ratePlan };
  // A step of its own: written once with its log row, in order, even across retries.
  await ctx.step(
    'amop.deactivationRatePlan',
    {
      idempotent: true,
      log: (outcome) => ({
        description: JASPER_RATE_PLAN_LOG.amop,
        requestText: JSON.stringify({ deviceId: device.id, carrierRatePlan: moved.code }),
        responseText: outcome.ok ? JSON.stringify({ changedFields: outcome.result }) : undefined,
        responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
        hasErrors: !outcome.ok,
        errorText: outcome.ok ? undefined : messageOf(outcome.error),
      }),
    },
    () =>
      deps.store.applyDeviceUpdate(
        { deviceId: device.id, changes: { carrier_rate_plan: moved.code } },
        { bulkChangeId: ctx.bulkChange.id, deviceChangeId: ctx.change.id },
      ),
  );
  return moved;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
