/**
 * CarrierRatePlanChange on the Jasper family (Jasper, POD19, T-Mobile Jasper, Rogers):
 * Control Center `PUT /devices/{iccid}` with `ratePlan` (and `communicationPlan` when given),
 * then the device's rate plan in the device database, with history — as the original did
 * (original-system.md §3.3), but the plan code is checked first and every device gets its
 * own result.
 */
import { JASPER_FAMILY } from '../../domain/change-types/integration-groups.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { EngineStore } from '../ports/engine-store.ts';
import { withFailurePrefix } from './failure-prefix.ts';

const DESCRIPTION = 'Update Jasper Rate Plan';
/** The original's device-change text when Control Center refused or failed the change. */
export const JASPER_API_FAILED = 'Failed to update Carrier Rate Plan: Jasper API.';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createJasperCarrierRatePlanHandler({ gateways, store })]);
 */
export function createJasperCarrierRatePlanHandler(deps: {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'findCarrierRatePlan' | 'getDeviceState'>;
}): ChangeHandler {
  return {
    changeType: 'CarrierRatePlanChange',
    integrations: JASPER_FAMILY,
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const ratePlan = String(ctx.request.CarrierRatePlan ?? '').trim();
      const commPlanRaw = ctx.request.CommPlan;
      const communicationPlan =
        typeof commPlanRaw === 'string' && commPlanRaw.trim() !== ''
          ? commPlanRaw.trim()
          : undefined;
      // Control Center knows devices by ICCID only (a row may name its device by MSISDN or EID).
      const iccid =
        ctx.change.iccid ??
        (ctx.change.deviceId === null
          ? undefined
          : (await deps.store.getDeviceState(ctx.change.deviceId))?.iccid) ??
        (ctx.change.identifierKind === 'iccid' ? ctx.change.identifier : null);
      if (iccid === null) {
        const message = `Device ${ctx.change.identifier} has no ICCID: Control Center identifies devices by ICCID`;
        return { kind: 'failed', details: message, error: message };
      }
      if (ratePlan === '') {
        return {
          kind: 'failed',
          details: 'CarrierRatePlan is required',
          error: 'CarrierRatePlan is required',
        };
      }
      const plan = await deps.store.findCarrierRatePlan(ctx.serviceProvider.id, ratePlan);
      if (plan === undefined) {
        const message = `Carrier rate plan ${ratePlan} does not exist for service provider ${ctx.serviceProvider.name}`;
        ctx.log({
          description: `${DESCRIPTION}: Pre-flight Check`,
          hasErrors: true,
          errorText: message,
          responseStatus: 'API_FAILED',
        });
        return { kind: 'failed', details: message, error: message };
      }
      const fields = {
        ratePlan,
        ...(communicationPlan === undefined ? {} : { communicationPlan }),
      };
      const jasper = deps.gateways.jasper(ctx.serviceProvider);
      const edit = await ctx
        .step(
          'jasper.editDevice.ratePlan',
          {
            idempotent: true,
            log: (outcome) => ({
              description: `${DESCRIPTION}: Jasper API`,
              requestText: JSON.stringify({ iccid, ...fields }),
              responseText: outcome.ok
                ? JSON.stringify({
                    iccid: outcome.result.iccid,
                    scheduled: outcome.result.scheduled,
                  })
                : undefined,
              responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
              hasErrors: !outcome.ok,
              errorText: outcome.ok
                ? undefined
                : outcome.error instanceof Error
                  ? outcome.error.message
                  : String(outcome.error),
            }),
          },
          () => jasper.editDevice(iccid, fields, { signal: ctx.signal }),
        )
        .catch((error: unknown) => {
          throw withFailurePrefix(JASPER_API_FAILED, error, ctx.signal);
        });
      ctx.log({
        description: `${DESCRIPTION}: AMOP Update`,
        requestText: JSON.stringify({
          carrierRatePlan: ratePlan,
          communicationPlan: communicationPlan ?? null,
        }),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      const details = edit.scheduled
        ? `Carrier rate plan ${ratePlan} scheduled by Control Center`
        : `Successfully updated carrier rate plan to ${ratePlan}`;
      return {
        kind: 'succeeded',
        details,
        ...(ctx.change.deviceId === null
          ? {}
          : {
              deviceUpdate: {
                deviceId: ctx.change.deviceId,
                changes: {
                  carrier_rate_plan: ratePlan,
                  ...(communicationPlan === undefined
                    ? {}
                    : { communication_plan: communicationPlan }),
                },
              },
            }),
      };
    },
  };
}
