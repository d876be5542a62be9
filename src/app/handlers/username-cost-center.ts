/**
 * Shared parts of the EditUsernameCostCenter handlers (original-system.md §3.1): reading the
 * request, pushing username / cost centers to the device's Rev.io service, and the device
 * database update.
 */
import type { HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways, RevioFieldValues } from '../ports/carrier-gateways.ts';
import type { DeviceResult, DeviceUpdate, EngineStore } from '../ports/engine-store.ts';

/** The original's log descriptions. */
export const EDIT_USERNAME_LOG = {
  jasper: 'Update Username of device: Jasper API',
  revio: 'Update Username/Cost Center of devices: Rev.IO API',
  database: 'Update Username/Cost Center of devices',
} as const;

/** The request of one device; absent or blank values mean "leave unchanged". */
export interface UsernameCostCenterRequest {
  username?: string;
  costCenter1?: string;
  costCenter2?: string;
  costCenter3?: string;
}

/** Labels tried for each value, for the device details when a value cannot be placed. */
const LABELS: Record<keyof RevioFieldValues, string> = {
  username: "'Username'",
  CostCenter1: "'Cost Center 1' or 'Cost Center'",
  CostCenter2: "'Cost Center 2'",
  CostCenter3: "'Cost Center 3'",
  description: "'description'",
};

/** Request names of the values (as the user submitted them). */
const REQUEST_NAMES: Record<keyof RevioFieldValues, string> = {
  username: 'ContactName',
  description: 'ContactName',
  CostCenter1: 'CostCenter1',
  CostCenter2: 'CostCenter2',
  CostCenter3: 'CostCenter3',
};

/** Reads `ContactName` and `CostCenter1..3`, trimmed; blank values are dropped. */
export function readUsernameRequest(request: Record<string, unknown>): UsernameCostCenterRequest {
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  const result: UsernameCostCenterRequest = {};
  const username = text(request.ContactName);
  const cc1 = text(request.CostCenter1);
  const cc2 = text(request.CostCenter2);
  const cc3 = text(request.CostCenter3);
  if (username !== undefined) result.username = username;
  if (cc1 !== undefined) result.costCenter1 = cc1;
  if (cc2 !== undefined) result.costCenter2 = cc2;
  if (cc3 !== undefined) result.costCenter3 = cc3;
  return result;
}

/** True when the request changes nothing. */
export function isEmptyRequest(request: UsernameCostCenterRequest): boolean {
  return Object.keys(request).length === 0;
}

/** The cost-center values of a request, as Rev.io field values. */
export function costCenterValues(request: UsernameCostCenterRequest): RevioFieldValues {
  const values: RevioFieldValues = {};
  if (request.costCenter1 !== undefined) values.CostCenter1 = request.costCenter1;
  if (request.costCenter2 !== undefined) values.CostCenter2 = request.costCenter2;
  if (request.costCenter3 !== undefined) values.CostCenter3 = request.costCenter3;
  return values;
}

/** What the Rev.io step did, for the device details. */
export interface RevioPushOutcome {
  /** Sentences for the device details (values not pushed and why); empty when all went. */
  warnings: string[];
  serviceId: number | null;
}

/**
 * Pushes values to the device's Rev.io service (step `revio.patchService`, idempotent JSON
 * Patch). Values without a service or without a field are reported, not pushed.
 */
export async function pushToRevio(
  ctx: HandlerContext,
  deps: {
    gateways: CarrierGateways;
    store: Pick<EngineStore, 'getBillingIntegration' | 'findRevService'>;
  },
  values: RevioFieldValues,
  match: { iccid?: string; msisdn?: string },
): Promise<RevioPushOutcome> {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined) as Array<
    [keyof RevioFieldValues, string]
  >;
  if (entries.length === 0) return { warnings: [], serviceId: null };
  const key = match.iccid !== undefined ? `ICCID ${match.iccid}` : `MSISDN ${match.msisdn}`;
  const notPushed = (reason: string) =>
    entries.map(([input, value]) => `${REQUEST_NAMES[input]} '${value}' not pushed: ${reason}`);
  const billingId = ctx.serviceProvider.billingIntegrationId;
  const billing =
    billingId === null ? undefined : await deps.store.getBillingIntegration(billingId);
  if (billing === undefined) {
    return {
      warnings: notPushed(`service provider ${ctx.serviceProvider.name} has no Rev.io integration`),
      serviceId: null,
    };
  }
  if (!billing.writeEnabled) {
    return {
      warnings: notPushed(`writes disabled for Rev.io integration ${billing.name}`),
      serviceId: null,
    };
  }
  const service = await deps.store.findRevService({
    tenantId: ctx.bulkChange.tenantId,
    billingIntegrationId: billing.id,
    ...match,
  });
  if (service === undefined) {
    return { warnings: notPushed(`no Rev.io service for ${key}`), serviceId: null };
  }
  const revio = deps.gateways.revio(billing);
  const serviceId = service.serviceId;
  const result = await ctx.step(
    'revio.patchService',
    {
      idempotent: true,
      log: (outcome) => ({
        description: EDIT_USERNAME_LOG.revio,
        requestText: JSON.stringify({ serviceId, values }),
        responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
        responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
        hasErrors: !outcome.ok,
        errorText: outcome.ok ? undefined : errorText(outcome.error),
      }),
    },
    async () => {
      const current = await revio.getService(serviceId, { signal: ctx.signal });
      const patch = revio.planPatch(current, values);
      const sent = await revio.patchService(serviceId, patch.ops, { signal: ctx.signal });
      return { serviceId, applied: sent.applied, ops: patch.ops, unmapped: patch.unmapped };
    },
  );
  const warnings = result.unmapped.map(
    (u) =>
      `${REQUEST_NAMES[u.input]} '${u.value}' not pushed: no field ${LABELS[u.input]} on Rev.io service ${serviceId}`,
  );
  return { warnings, serviceId };
}

/** The device row change (username, cost centers) of a fully successful device change. */
export function usernameDeviceUpdate(
  ctx: HandlerContext,
  request: UsernameCostCenterRequest,
): DeviceUpdate | undefined {
  if (ctx.change.deviceId === null) return undefined;
  const changes: DeviceUpdate['changes'] = {};
  if (request.username !== undefined) changes.username = request.username;
  if (request.costCenter1 !== undefined) changes.cost_center_1 = request.costCenter1;
  if (request.costCenter2 !== undefined) changes.cost_center_2 = request.costCenter2;
  if (request.costCenter3 !== undefined) changes.cost_center_3 = request.costCenter3;
  return { deviceId: ctx.change.deviceId, changes };
}

/**
 * What a tenant wants when some values could not be pushed to Rev.io (no service, no field):
 * `warning` (default) — PROCESSED with the reasons in the details; `fail` — API_FAILED with
 * the reasons, and the device row is not changed. Tenant setting `unpushedValues`.
 */
export type UnpushedValuesPolicy = 'warning' | 'fail';

/** Reads the tenant's `unpushedValues` setting; anything else is 'warning'. */
export function unpushedValuesPolicy(settings: Record<string, unknown>): UnpushedValuesPolicy {
  return settings.unpushedValues === 'fail' ? 'fail' : 'warning';
}

/** Writes the final database log entry and builds the device change's result. */
export function finishUsernameChange(
  ctx: HandlerContext,
  request: UsernameCostCenterRequest,
  warnings: readonly string[],
  policy: UnpushedValuesPolicy = 'warning',
): DeviceResult {
  if (warnings.length > 0 && policy === 'fail') {
    const details = `Not every value reached Rev.io: ${warnings.join('; ')}`;
    ctx.log({
      description: EDIT_USERNAME_LOG.database,
      requestText: JSON.stringify(request),
      responseText: 'The device was not updated: values could not be pushed to Rev.io',
      responseStatus: 'API_FAILED',
      hasErrors: true,
      errorText: details,
    });
    return { kind: 'failed', details, error: details };
  }
  ctx.log({
    description: EDIT_USERNAME_LOG.database,
    requestText: JSON.stringify(request),
    responseText: 'The username and cost center were updated successfully',
    responseStatus: 'PROCESSED',
    hasErrors: false,
  });
  const base = 'The username and cost center were updated successfully';
  const details = warnings.length === 0 ? base : `${base}; ${warnings.join('; ')}`;
  const deviceUpdate = usernameDeviceUpdate(ctx, request);
  return { kind: 'succeeded', details, ...(deviceUpdate === undefined ? {} : { deviceUpdate }) };
}

/** Text of an error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
