/**
 * CarrierRatePlanChange on Telegence (AT&T Mobility), original-system.md §3.3: the subscriber
 * PATCH `{ effectiveDate, serviceCharacteristic: [{ name: "singleUserCode", value }] }` per
 * device (devices run in parallel, up to the engine's MAX_PARALLEL_REQUESTS, under the
 * account's rate limiter), then the device's rate plan in the device database with history.
 * The plan code is checked against the service provider's carrier rate plans first; the
 * effective date defaults to now (UTC, not the original's local time).
 */
import { carrierRatePlanChangeSchema } from '../../domain/change-types/carrier-rate-plan-change.ts';
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { EngineStore } from '../ports/engine-store.ts';
import type { TelegenceStore } from '../ports/telegence-store.ts';
import { apiLog, preflightFailure, readRequest, subscriberOf } from './telegence-common.ts';

const DESCRIPTION = 'Carrier Rate Plan Change';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createTelegenceCarrierRatePlanHandler({ gateways, store, telegenceStore })]);
 */
export function createTelegenceCarrierRatePlanHandler(deps: {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'findCarrierRatePlan'>;
  telegenceStore: Pick<TelegenceStore, 'getDevice'>;
}): ChangeHandler {
  return {
    changeType: 'CarrierRatePlanChange',
    integrations: [Integration.Telegence],
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const read = readRequest(carrierRatePlanChangeSchema, ctx.request);
      if (!read.ok) return preflightFailure(ctx, DESCRIPTION, read.error);
      const { CarrierRatePlan: ratePlan, EffectiveDate: effectiveDate } = read.value;
      const plan = await deps.store.findCarrierRatePlan(ctx.serviceProvider.id, ratePlan);
      if (plan === undefined) {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `Carrier rate plan ${ratePlan} does not exist for service provider ${ctx.serviceProvider.name}`,
        );
      }
      const device =
        ctx.change.deviceId === null
          ? undefined
          : await deps.telegenceStore.getDevice(ctx.change.deviceId);
      const msisdn = subscriberOf(ctx, device);
      if (msisdn === undefined) {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `Device ${ctx.change.identifier} has no MSISDN: Telegence changes rate plans by subscriber number`,
        );
      }
      const telegence = deps.gateways.telegence(ctx.serviceProvider);
      // The date is fixed before the step, so that a re-run of the step sends the same body.
      const change = {
        ratePlanCode: ratePlan,
        effectiveDate:
          effectiveDate ??
          ctx
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
      };
      const ack = await ctx.step(
        'telegence.changeRatePlan',
        {
          idempotent: true,
          log: (outcome) =>
            apiLog(
              `${DESCRIPTION}: Telegence API`,
              { subscriberNumber: msisdn, ...change },
              outcome,
            ),
        },
        () => telegence.changeRatePlan(msisdn, change, { signal: ctx.signal }),
      );
      ctx.log({
        description: `${DESCRIPTION}: AMOP Update`,
        requestText: JSON.stringify({
          phoneNumber: msisdn,
          carrierRatePlan: ratePlan,
          optimizationGroup: read.value.OptimizationGroup ?? null,
        }),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      const when = ack.effectiveDate ?? change.effectiveDate;
      return {
        kind: 'succeeded',
        details: `Telegence carrier rate plan updated to ${ratePlan} for ${msisdn} (effective ${when})`,
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
