/**
 * EditUsernameCostCenter on ThingSpace — never implemented by the original, which reported
 * success without doing anything (original-system.md §9 item 4). The username goes to a
 * ThingSpace custom field (the service provider's `usernameCustomField` setting, default
 * `CustomField1`) through the custom-fields action; its completion comes by CarrierService
 * callback or request status (the device change parks meanwhile, no worker waits). Then the
 * cost centers go to the device's Rev.io service exactly as on the Jasper family, and the
 * device row changes only when every step it needed succeeded.
 */
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { DeviceResult, EngineStore } from '../ports/engine-store.ts';
import { awaitCompletion, provisioningLog, thingSpaceRejection } from './thingspace-request.ts';
import {
  costCenterValues,
  finishUsernameChange,
  isEmptyRequest,
  pushToRevio,
  readUsernameRequest,
  unpushedValuesPolicy,
} from './username-cost-center.ts';

/** Log description of the ThingSpace step (in the style of the original's Jasper one). */
export const THINGSPACE_USERNAME_LOG = 'Update Username of device: ThingSpace API';

type Deps = {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'getBillingIntegration' | 'findRevService' | 'getTenantSettings'>;
};

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createThingSpaceEditUsernameHandler({ gateways, store })]);
 */
export function createThingSpaceEditUsernameHandler(deps: Deps): ChangeHandler {
  return {
    changeType: 'EditUsernameCostCenter',
    integrations: [Integration.ThingSpace],
    writes: true,
    description: 'Update Username/Cost Center of devices',
    async handle(ctx) {
      const request = readUsernameRequest(ctx.request);
      if (isEmptyRequest(request)) {
        const message =
          'At least one of ContactName, CostCenter1, CostCenter2, CostCenter3 is required';
        return { kind: 'failed', details: message, error: message };
      }
      const iccid = ctx.change.iccid ?? ctx.change.identifier;
      if (request.username !== undefined) {
        const verdict = await writeUsername(ctx, deps, iccid, request.username);
        if (verdict !== undefined) return verdict;
      }
      const pushed = await pushToRevio(ctx, deps, costCenterValues(request), { iccid });
      const settings = await deps.store.getTenantSettings(ctx.bulkChange.tenantId);
      return finishUsernameChange(ctx, request, pushed.warnings, unpushedValuesPolicy(settings));
    },
  };
}

/** Writes the username and waits for ThingSpace to apply it; a result ends the device change. */
async function writeUsername(
  ctx: HandlerContext,
  deps: Deps,
  iccid: string,
  username: string,
): Promise<DeviceResult | undefined> {
  const ts = deps.gateways.thingspace(ctx.serviceProvider);
  let requestId: string;
  try {
    const sent = await ctx.step(
      'thingspace.setUsername',
      {
        // Setting the same custom field value twice is harmless and costs no provisioning budget.
        idempotent: true,
        log: provisioningLog(THINGSPACE_USERNAME_LOG, {
          iccid,
          customFieldsToUpdate: [{ key: ts.usernameCustomField, value: username }],
        }),
      },
      () => ts.setUsername({ iccid, username }, { signal: ctx.signal }),
    );
    requestId = sent.requestId;
  } catch (error) {
    const message = thingSpaceRejection(error);
    if (message === undefined) throw error;
    return { kind: 'failed', details: message, error: message };
  }
  const done = await awaitCompletion(ctx, ts, {
    phase: 'thingspace:setUsername',
    requestId,
    description: 'Update Username of device',
  });
  if (done.outcome === 'waiting') return done.result;
  if (done.outcome === 'failure') {
    const message = `Unsuccessfully updated the Username (${username}): ${done.message}`;
    return { kind: 'failed', details: message, error: message };
  }
  return undefined;
}
