/**
 * The Rev.io guards of the original portal and the customer attachment of one device change
 * (original-system.md §3.7 and the StatusUpdate `AccountNumber` step):
 *
 * - {@link checkRevServiceGuards}: an active line of another customer, or any active line when a
 *   new one is wanted, refuses the change (recorded as a step, so a later attempt does not trip
 *   over the line it created itself);
 * - {@link attachRevCustomer}: the device's Rev.io customer, refused over an active line of
 *   another customer.
 */
import type { HandlerContext } from '../engine/change-handler.ts';
import type { EngineRevCustomer } from '../ports/engine-store.ts';
import {
  errorText,
  mustRethrow,
  REV_SERVICE_GUARD,
  REV_SERVICE_LOG,
  type RevioCustomerContext,
  type RevioStepDeps,
  RevServiceRuleError,
  resolveRevioCustomer,
} from './revio-service-steps.ts';

/**
 * Checks the original's guards against the device's active Rev.io lines in the billing
 * integration: a line of another customer ⇒ {@link REV_SERVICE_GUARD.cannotChangeCustomers};
 * when a new line is wanted, any active line ⇒ {@link REV_SERVICE_GUARD.lineNotCreated}. Runs as
 * the recorded step `<prefix>revio.guards`, so an attempt after our own line was created does not
 * trip over it; a rejection is thrown as {@link RevServiceRuleError} (terminal).
 */
export async function checkRevServiceGuards(
  ctx: HandlerContext,
  deps: Pick<RevioStepDeps, 'store'>,
  resolved: RevioCustomerContext,
  options: { newLine: boolean; stepPrefix?: string },
): Promise<void> {
  await ctx.step(
    `${options.stepPrefix ?? ''}revio.guards`,
    {
      idempotent: true,
      log: (outcome) =>
        outcome.ok
          ? {
              description: REV_SERVICE_LOG.preflight,
              responseText: 'No active service line in the way',
              responseStatus: 'PROCESSED',
              hasErrors: false,
            }
          : {
              description: REV_SERVICE_LOG.preflight,
              responseStatus: 'API_FAILED',
              hasErrors: true,
              errorText: errorText(outcome.error),
            },
    },
    async () => {
      const lines = await deps.store.findActiveRevServicesOfDevice({
        tenantId: ctx.bulkChange.tenantId,
        billingIntegrationId: resolved.billing.id,
        iccid: ctx.change.iccid,
        msisdn: ctx.change.msisdn,
      });
      const other = lines.find((l) => l.customerExternalId !== resolved.customer.externalId);
      if (other !== undefined) {
        throw new RevServiceRuleError(
          `${REV_SERVICE_GUARD.cannotChangeCustomers} (Rev.io service ${other.serviceId} of customer ${other.customerExternalId})`,
        );
      }
      if (options.newLine && lines.length > 0) {
        throw new RevServiceRuleError(
          `${REV_SERVICE_GUARD.lineNotCreated} (Rev.io service ${lines[0]?.serviceId})`,
        );
      }
      return { activeLines: lines.map((l) => l.serviceId) };
    },
  );
}

/**
 * The optional "attach the Rev.io customer" step after a successful status change (§3.2
 * `AccountNumber`): resolves the customer and checks that the device has no active line of
 * another customer. Returns the device fields to add to the caller's `deviceUpdate` (the
 * device's `rev_customer_id`, with history when the result is recorded) or why not.
 *
 * @example
 * const attached = await attachRevCustomer(ctx, deps, request.AccountNumber);
 * const changes = attached.ok ? attached.deviceChanges : {};
 */
export async function attachRevCustomer(
  ctx: HandlerContext,
  deps: Pick<RevioStepDeps, 'store'>,
  accountNumber: string,
  options: { integrationAuthenticationId?: number; stepPrefix?: string } = {},
): Promise<
  | { ok: true; deviceChanges: { rev_customer_id: number }; customer: EngineRevCustomer }
  | { ok: false; error: string }
> {
  const resolved = await resolveRevioCustomer(
    ctx,
    deps,
    {
      RevCustomerId: accountNumber,
      IntegrationAuthenticationId: options.integrationAuthenticationId,
    },
    { forWrite: false },
  );
  if ('error' in resolved) return { ok: false, error: resolved.error };
  try {
    await checkRevServiceGuards(ctx, deps, resolved, {
      newLine: false,
      stepPrefix: options.stepPrefix ?? 'attach.',
    });
  } catch (error) {
    if (mustRethrow(error)) throw error;
    return { ok: false, error: errorText(error) };
  }
  return {
    ok: true,
    deviceChanges: { rev_customer_id: resolved.customer.id },
    customer: resolved.customer,
  };
}
