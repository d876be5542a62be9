/**
 * CarrierRatePlanChange on ThingSpace (original-system.md §3.3): the plan code is checked
 * against the service provider's carrier rate plans, the service plan change is sent once
 * (`PUT /devices/actions/plan`, asynchronous), its completion comes by callback or request
 * status, and then the device's rate plan is updated in the database with history.
 * ThingSpace's rules — at most 4 plan changes per device a month, none while suspended — give
 * clear per-device errors, whether ThingSpace refuses at once or when completing the request.
 */
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { EngineStore } from '../ports/engine-store.ts';
import { awaitCompletion, provisioningLog, provisionOnce } from './thingspace-request.ts';

const DESCRIPTION = 'Update ThingSpace Rate Plan';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createThingSpaceCarrierRatePlanHandler({ gateways, store })]);
 */
export function createThingSpaceCarrierRatePlanHandler(deps: {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'findCarrierRatePlan'>;
}): ChangeHandler {
  return {
    changeType: 'CarrierRatePlanChange',
    integrations: [Integration.ThingSpace],
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const ratePlan = String(ctx.request.CarrierRatePlan ?? '').trim();
      if (ratePlan === '') {
        const message = 'CarrierRatePlan is required';
        return { kind: 'failed', details: message, error: message };
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
      const iccid = ctx.change.iccid ?? ctx.change.identifier;
      const ts = deps.gateways.thingspace(ctx.serviceProvider);
      const request = { iccid, servicePlan: ratePlan };
      const sent = await provisionOnce(ctx, ts, {
        step: 'thingspace.changeServicePlan',
        action: 'changeServicePlan',
        devices: [{ id: iccid, kind: 'iccid' }],
        log: provisioningLog(`${DESCRIPTION}: ThingSpace API`, request),
        send: () => ts.changeServicePlan(request, { signal: ctx.signal }),
      });
      if ('failed' in sent) return sent.failed;
      const done = await awaitCompletion(ctx, ts, {
        phase: 'thingspace:changeServicePlan',
        requestId: sent.requestId,
        description: DESCRIPTION,
      });
      if (done.outcome === 'waiting') return done.result;
      if (done.outcome === 'failure') {
        return { kind: 'failed', details: done.message, error: done.message };
      }
      ctx.log({
        description: `${DESCRIPTION}: AMOP Update`,
        requestText: JSON.stringify({ carrierRatePlan: ratePlan }),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      return {
        kind: 'succeeded',
        details: `Successfully updated carrier rate plan to ${ratePlan}`,
        ...(ctx.change.deviceId === null
          ? {}
          : {
              deviceUpdate: {
                deviceId: ctx.change.deviceId,
                changes: { carrier_rate_plan: ratePlan },
              },
            }),
      };
    },
  };
}
