/**
 * EditUsernameCostCenter on the Jasper family (Jasper, POD19, T-Mobile Jasper, Rogers):
 * the username to the Control Center device, on POD19 confirmed in the device's audit trail
 * (re-checked later while the trail lags, never by sleeping), then the cost centers to the
 * device's Rev.io service, and the device row only when every step succeeded
 * (original-system.md §3.1; unlike the original, a Rev.io success cannot hide a Jasper failure).
 */
import { JASPER_FAMILY } from '../../domain/change-types/integration-groups.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { DeviceResult, EngineStore } from '../ports/engine-store.ts';
import {
  costCenterValues,
  EDIT_USERNAME_LOG,
  errorText,
  finishUsernameChange,
  isEmptyRequest,
  pushToRevio,
  readUsernameRequest,
  unpushedValuesPolicy,
} from './username-cost-center.ts';

/** Re-checks of a lagging POD19 audit trail before giving up. */
export const POD19_AUDIT_MAX_RECHECKS = 5;
/** Wait between audit trail checks. */
export const POD19_AUDIT_RECHECK_MS = 30_000;
/** Message when the audit trail never showed the edit. */
export const POD19_AUDIT_MISSING = 'audit trail did not show the username edit';
/** Audit records may carry a slightly earlier time than our clock (seconds, clock skew). */
const SINCE_TOLERANCE_MS = 5_000;

/** What a device change parked on the POD19 audit trail saved. */
export interface Pod19AuditParkState {
  phase: 'pod19-audit';
  /** When the username edit was sent (ms since epoch). */
  since: number;
  /** Checks that found nothing so far. */
  checks: number;
}

type Deps = {
  gateways: CarrierGateways;
  store: Pick<EngineStore, 'getBillingIntegration' | 'findRevService' | 'getTenantSettings'>;
};

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createJasperEditUsernameHandler({ gateways, store })]);
 */
export function createJasperEditUsernameHandler(deps: Deps): ChangeHandler {
  return {
    changeType: 'EditUsernameCostCenter',
    integrations: JASPER_FAMILY,
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

/** Sets the username (and on POD19 checks the audit trail); a result ends the device change. */
async function writeUsername(
  ctx: HandlerContext,
  deps: Deps,
  iccid: string,
  username: string,
): Promise<DeviceResult | undefined> {
  const jasper = deps.gateways.jasper(ctx.serviceProvider);
  const pod19 = ctx.serviceProvider.integration === 'POD19';
  let firstSentAt: number | undefined;
  if (pod19) {
    // Control Center writes an audit record only when a value changes, so re-setting the same
    // username could never be confirmed. Read it first (recorded as a step, so a later attempt
    // sees the value from before our edit, not the one our edit wrote); unchanged ⇒ confirmed.
    // Its time is recorded too: the audit check looks for records from then on, so an edit
    // applied by an earlier attempt whose answer was lost (the repeated PUT changes nothing and
    // leaves no record of its own) is still found.
    const before = await ctx.step('jasper.readUsername', { idempotent: true }, async () => ({
      readAt: ctx.now().getTime(),
      value: await jasper.readUsername(iccid, { signal: ctx.signal }),
    }));
    firstSentAt = typeof before.readAt === 'number' ? before.readAt : undefined;
    if (before.value === username) {
      ctx.log({
        description: EDIT_USERNAME_LOG.jasper,
        requestText: JSON.stringify({ iccid, [jasper.usernameTargetField]: username }),
        responseText: 'The device already has this username; no edit sent',
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      return undefined;
    }
  }
  const edit = await ctx.step(
    'jasper.setUsername',
    {
      idempotent: true,
      log: (outcome) => ({
        description: EDIT_USERNAME_LOG.jasper,
        requestText: JSON.stringify({ iccid, [jasper.usernameTargetField]: username }),
        responseText: outcome.ok
          ? JSON.stringify({ iccid: outcome.result.iccid, scheduled: outcome.result.scheduled })
          : undefined,
        responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
        hasErrors: !outcome.ok,
        errorText: outcome.ok ? undefined : errorText(outcome.error),
      }),
    },
    async () => {
      const sentAt = ctx.now().getTime();
      const result = await jasper.setUsername(iccid, username, { signal: ctx.signal });
      return { iccid: result.iccid, scheduled: result.scheduled, sentAt };
    },
  );
  if (!pod19) return undefined;

  const parked = readParkState(ctx.change.parkState);
  const since = parked?.since ?? firstSentAt ?? edit.sentAt;
  const checks = parked?.checks ?? 0;
  const verdict = await jasper.verifyUsernameEdit(iccid, username, since - SINCE_TOLERANCE_MS, {
    signal: ctx.signal,
  });
  if (verdict.outcome === 'confirmed') return undefined;
  if (verdict.outcome === 'failed' || checks >= POD19_AUDIT_MAX_RECHECKS) {
    const message = verdict.outcome === 'failed' ? verdict.message : POD19_AUDIT_MISSING;
    ctx.log({
      description: EDIT_USERNAME_LOG.jasper,
      requestText: JSON.stringify({ iccid, username, auditChecks: checks + 1 }),
      responseStatus: 'API_FAILED',
      hasErrors: true,
      errorText: message,
    });
    return { kind: 'failed', details: message, error: message };
  }
  const parkState: Pod19AuditParkState = { phase: 'pod19-audit', since, checks: checks + 1 };
  return {
    kind: 'parked',
    details: `Waiting for the POD19 audit trail to show the username edit (check ${checks + 1} of ${POD19_AUDIT_MAX_RECHECKS + 1})`,
    notBefore: new Date(ctx.now().getTime() + POD19_AUDIT_RECHECK_MS),
    parkState,
  };
}

function readParkState(value: unknown): Pod19AuditParkState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<Pod19AuditParkState>;
  if (state.phase !== 'pod19-audit') return undefined;
  if (typeof state.since !== 'number' || typeof state.checks !== 'number') return undefined;
  return { phase: 'pod19-audit', since: state.since, checks: state.checks };
}
