/**
 * EditUsernameCostCenter on Telegence: no carrier call (as in the original); the username goes
 * to the device's Rev.io service (found by MSISDN) as the "Username" custom field, the service
 * description, or both, following the tenant's `pushUsernameUpdate` setting; the cost centers
 * as on the Jasper family (original-system.md §3.1).
 */
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways, RevioFieldValues } from '../ports/carrier-gateways.ts';
import type { EngineStore } from '../ports/engine-store.ts';
import {
  costCenterValues,
  finishUsernameChange,
  isEmptyRequest,
  pushToRevio,
  readUsernameRequest,
  unpushedValuesPolicy,
} from './username-cost-center.ts';

/** Where a tenant wants the username in Rev.io. @default 'field' */
export type PushUsernameMode = 'field' | 'service_description' | 'both';

/** Reads the tenant's push-username setting; anything unknown is 'field' (as the original). */
export function pushUsernameMode(settings: Record<string, unknown>): PushUsernameMode {
  const raw = settings.pushUsernameUpdate;
  return raw === 'service_description' || raw === 'both' ? raw : 'field';
}

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createTelegenceEditUsernameHandler({ gateways, store })]);
 */
export function createTelegenceEditUsernameHandler(deps: {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'getBillingIntegration' | 'findRevService' | 'getTenantSettings'>;
}): ChangeHandler {
  return {
    changeType: 'EditUsernameCostCenter',
    integrations: [Integration.Telegence],
    writes: true,
    description: 'Update Username/Cost Center of devices',
    async handle(ctx) {
      const request = readUsernameRequest(ctx.request);
      if (isEmptyRequest(request)) {
        const message =
          'At least one of ContactName, CostCenter1, CostCenter2, CostCenter3 is required';
        return { kind: 'failed', details: message, error: message };
      }
      const values: RevioFieldValues = costCenterValues(request);
      const settings = await deps.store.getTenantSettings(ctx.bulkChange.tenantId);
      if (request.username !== undefined) {
        const mode = pushUsernameMode(settings);
        if (mode !== 'service_description') values.username = request.username;
        if (mode !== 'field') values.description = request.username;
      }
      const msisdn = ctx.change.msisdn ?? ctx.change.identifier;
      const pushed = await pushToRevio(ctx, deps, values, { msisdn });
      return finishUsernameChange(ctx, request, pushed.warnings, unpushedValuesPolicy(settings));
    },
  };
}
