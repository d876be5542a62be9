/**
 * AssociateCustomer (the original's `CustomerAssignment`, original-system.md §3.7) on every
 * supported integration:
 *
 * - with a Rev.io customer (`RevCustomerId`): the guards (a device with an active line of
 *   another customer cannot change customers; no new line where one is active), then optionally
 *   the Rev.io service line and its products (`CreateRevService`, see `revio-service-steps.ts`),
 *   then the device's customer (and site, when `SiteId` is given) and the optional customer rate
 *   plan / pool — now, or scheduled for its effective date for every device;
 * - without one (`SiteId` only): the customer/site in the device database only, no Rev.io call
 *   (the original's `DEVICE_BULK_CHANGE_ASSIGN_NON_REV_CUSTOMER`).
 *
 * Every changed device field gets a history row. Rev.io writes are gated by the billing
 * integration's write flag, not the carrier's.
 */
import { validateChangeRequest } from '../../domain/change-types/registry.ts';
import { SUPPORTED_INTEGRATIONS } from '../../domain/integrations.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { DeviceResult, DeviceUpdate, EngineStore } from '../ports/engine-store.ts';
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
  REV_SERVICE_LOG,
  resolveRevioCustomer,
} from './revio-service-steps.ts';

type Deps = { gateways: CarrierGateways; store: EngineStore };

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createAssociateCustomerHandler({ gateways, store })]);
 */
export function createAssociateCustomerHandler(deps: Deps): ChangeHandler {
  return {
    changeType: 'AssociateCustomer',
    integrations: SUPPORTED_INTEGRATIONS,
    writes: false,
    description: 'Associate Customer',
    async handle(ctx): Promise<DeviceResult> {
      const resumed = resumeRatePlan(ctx);
      if (resumed !== undefined) return resumed;
      const parsed = validateChangeRequest('AssociateCustomer', ctx.request);
      if (!parsed.ok) return failed(parsed.issues.map((i) => `${i.field} ${i.message}`).join('; '));
      const request = parsed.value;
      const ratePlan = await resolveRatePlanChanges(ctx, deps.store, request);
      if ('error' in ratePlan) return failed(ratePlan.error);
      const now: DeviceUpdate['changes'] = {};
      if (request.SiteId !== undefined) {
        const site = await deps.store.findCustomerSiteById(ctx.bulkChange.tenantId, request.SiteId);
        if (site === undefined) return failed(`Site ${request.SiteId} does not exist`);
        now.site_id = site.id;
      }
      if (request.RevCustomerId === undefined) {
        return assignWithoutRevio(ctx, deps, now, ratePlan.changes, request.EffectiveDate);
      }

      // Assigning the customer in the database writes nothing to Rev.io; only a new line does.
      const resolved = await resolveRevioCustomer(ctx, deps, request, {
        forWrite: request.CreateRevService,
      });
      if ('error' in resolved) return failed(resolved.error);
      try {
        await checkRevServiceGuards(ctx, deps, resolved, { newLine: request.CreateRevService });
      } catch (error) {
        if (mustRethrow(error)) throw error;
        return failed(errorText(error));
      }
      let done = `Assigned to Rev.io customer ${resolved.customer.externalId}`;
      if (request.CreateRevService) {
        const line = await createRevServiceLine(ctx, deps, request, resolved);
        if (!line.ok) return failed(line.error);
        const products = line.products.length === 0 ? '' : `; ${describeProducts(line.products)}`;
        done += `; Rev.io service ${line.serviceId} created${products}`;
      } else {
        ctx.log({
          description: REV_SERVICE_LOG.skipped,
          responseText:
            'Rev.io service creation skipped for the device (CreateRevService is false)',
          responseStatus: 'PROCESSED',
          hasErrors: false,
        });
      }
      now.rev_customer_id = resolved.customer.id;
      ctx.log({
        description: REV_SERVICE_LOG.assignCustomer,
        requestText: JSON.stringify({ revCustomerId: resolved.customer.externalId, ...now }),
        responseText: done,
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      return finishWithRatePlan(ctx, deps.store, {
        now,
        ratePlan: ratePlan.changes,
        effectiveDate: request.EffectiveDate,
        done,
      });
    },
  };
}

async function assignWithoutRevio(
  ctx: HandlerContext,
  deps: Deps,
  now: DeviceUpdate['changes'],
  ratePlan: Parameters<typeof finishWithRatePlan>[2]['ratePlan'],
  effectiveDate: string | undefined,
): Promise<DeviceResult> {
  const done = `Assigned to site ${now.site_id}`;
  ctx.log({
    description: REV_SERVICE_LOG.nonRevCustomer,
    requestText: JSON.stringify(now),
    responseText: done,
    responseStatus: 'PROCESSED',
    hasErrors: false,
  });
  return finishWithRatePlan(ctx, deps.store, { now, ratePlan, effectiveDate, done });
}

function failed(message: string): DeviceResult {
  return { kind: 'failed', details: message, error: message };
}
