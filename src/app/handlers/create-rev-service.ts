/**
 * CreateRevService (original-system.md §3.8) on every supported integration (Jasper family,
 * ThingSpace, Telegence — Rev.io only, no carrier call): per device, the Rev.io service line,
 * then each product, each exactly once (see `revio-service-steps.ts`); one failed product fails
 * the device (the original always reported success); then the optional customer rate plan /
 * pool (now, or scheduled for its effective date); the device's Rev.io customer with history.
 *
 * No new line where the device already has an active one (the original's portal guard). Rev.io
 * writes are gated by the billing integration's write flag, not the carrier's.
 */
import { validateChangeRequest } from '../../domain/change-types/registry.ts';
import { SUPPORTED_INTEGRATIONS } from '../../domain/integrations.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { DeviceResult, EngineStore } from '../ports/engine-store.ts';
import {
  finishWithRatePlan,
  resolveRatePlanChanges,
  resumeRatePlan,
} from './customer-rate-plan-schedule.ts';
import { checkRevServiceGuards } from './revio-customer-steps.ts';
import {
  createRevServiceLine,
  describeProducts,
  errorText,
  mustRethrow,
  resolveRevioCustomer,
} from './revio-service-steps.ts';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createCreateRevServiceHandler({ gateways, store })]);
 */
export function createCreateRevServiceHandler(deps: {
  gateways: CarrierGateways;
  store: EngineStore;
}): ChangeHandler {
  return {
    changeType: 'CreateRevService',
    integrations: SUPPORTED_INTEGRATIONS,
    writes: false,
    description: 'Create Rev.io Service',
    async handle(ctx): Promise<DeviceResult> {
      const resumed = resumeRatePlan(ctx);
      if (resumed !== undefined) return resumed;
      const parsed = validateChangeRequest('CreateRevService', ctx.request);
      if (!parsed.ok) return failed(parsed.issues.map((i) => `${i.field} ${i.message}`).join('; '));
      const request = parsed.value;
      const ratePlan = await resolveRatePlanChanges(ctx, deps.store, request);
      if ('error' in ratePlan) return failed(ratePlan.error);
      const resolved = await resolveRevioCustomer(ctx, deps, request);
      if ('error' in resolved) return failed(resolved.error);
      try {
        await checkRevServiceGuards(ctx, deps, resolved, { newLine: true });
      } catch (error) {
        if (mustRethrow(error)) throw error;
        return failed(errorText(error));
      }
      const line = await createRevServiceLine(ctx, deps, request, resolved);
      if (!line.ok) return failed(line.error);
      const products = line.products.length === 0 ? '' : `; ${describeProducts(line.products)}`;
      return finishWithRatePlan(ctx, deps.store, {
        now: { rev_customer_id: resolved.customer.id },
        ratePlan: ratePlan.changes,
        effectiveDate: request.EffectiveDate,
        done: `Rev.io service ${line.serviceId} created${line.recovered ? ' (found after an ambiguous failure)' : ''}${products}`,
      });
    },
  };
}

function failed(message: string): DeviceResult {
  return { kind: 'failed', details: message, error: message };
}
