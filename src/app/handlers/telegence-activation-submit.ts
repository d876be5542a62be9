/**
 * Sending one Telegence activation batch (the leader's part of telegence-activation.ts): each
 * member's record is built and checked on its own (members whose record is invalid or who
 * already have a line are left out with their reason), then the request goes through the
 * leader's step `telegence.activateServices` — non-idempotent, looked up in the device list
 * when an earlier attempt died mid-call, never sent again when that lookup finds nothing.
 */
import type { HandlerContext } from '../engine/change-handler.ts';
import type {
  TelegenceActivationSubmissionView,
  TelegenceGateway,
} from '../ports/carrier-gateways.ts';
import type {
  ActivationBatch,
  ActivationBatchMember,
  ActivationBatchSubmission,
  TelegenceStore,
} from '../ports/telegence-store.ts';
import { apiLog, errorText, isRetryable } from './telegence-common.ts';

/** Description of the activation request's log rows (the original's). */
export const ACTIVATION_DESCRIPTION = 'Update Telegence Device Status: Telegence API';

/**
 * Sends the batch (or records why it cannot be sent) and returns its submission.
 *
 * @example
 * const outcome = await submitActivationBatch(ctx, gateway, batch, telegenceStore);
 */
export async function submitActivationBatch(
  ctx: HandlerContext,
  gateway: TelegenceGateway,
  batch: ActivationBatch,
  store: Pick<
    TelegenceStore,
    'activationBatchMembers' | 'recordBatchSendFailure' | 'recordBatchFailure'
  >,
): Promise<ActivationBatchSubmission | { failed: string }> {
  const sent: ActivationBatchSubmission['sent'] = [];
  const excluded: ActivationBatchSubmission['excluded'] = [];
  const records: Array<Readonly<Record<string, unknown>>> = [];
  for (const member of await store.activationBatchMembers(batch.id)) {
    const reason = exclusionOf(ctx, member);
    if (reason !== undefined) {
      excluded.push({ deviceChangeId: member.deviceChangeId, error: reason });
      continue;
    }
    const request = { ...ctx.bulkChange.request, ...(member.changeRequest ?? {}) };
    const built = gateway.buildActivation(request.Request, {
      iccid: member.iccid ?? '',
      ...(member.imei === null ? {} : { imei: member.imei }),
    });
    if (!built.ok) {
      excluded.push({ deviceChangeId: member.deviceChangeId, error: built.error });
      continue;
    }
    records.push(built.record);
    sent.push({ deviceChangeId: member.deviceChangeId, iccid: member.iccid ?? '' });
  }
  const submittedAt = ctx.now().toISOString();
  if (records.length === 0) return { confirmedByLookup: false, sent, excluded, submittedAt };
  let answer: TelegenceActivationSubmissionView;
  try {
    // A send that failed before reaching the carrier leaves its step in progress; the next
    // send is a fresh step, so that only a send that may have arrived is looked up.
    const stepName =
      batch.sendFailures === 0
        ? 'telegence.activateServices'
        : `telegence.activateServices.${batch.sendFailures + 1}`;
    answer = await ctx.step<TelegenceActivationSubmissionView>(
      stepName,
      {
        idempotent: false,
        // An attempt that died mid-call: the device list shows lines from `reserved` on.
        // Nothing found is reported as unconfirmed, never sent again (see the file header).
        lookup: async () => {
          const found = await gateway.findLinesBySim(
            sent.map((s) => s.iccid),
            { signal: ctx.signal },
          );
          return {
            lines: [],
            confirmedByLookup: found.length > 0,
            foundLines: found,
            unconfirmed: found.length === 0,
          };
        },
        log: (outcome) => apiLog(ACTIVATION_DESCRIPTION, records, outcome),
      },
      () => gateway.activateServices(records, { signal: ctx.signal }),
    );
  } catch (error) {
    if (notSent(error)) await store.recordBatchSendFailure(batch.id);
    if (isRetryable(error)) throw error;
    const message = `Telegence refused the activation request of ${records.length} device(s): ${errorText(error)}`;
    await store.recordBatchFailure(batch.id, message);
    return { failed: message };
  }
  return {
    ...(answer.activationId === undefined ? {} : { activationId: answer.activationId }),
    confirmedByLookup: answer.confirmedByLookup,
    ...(answer.unconfirmed ? { unconfirmed: true } : {}),
    sent,
    excluded,
    submittedAt,
  };
}

/**
 * True for a carrier error that certainly did not reach the carrier's write: an integration
 * error (code `INTEGRATION_…`) not flagged ambiguous (refused, 502/503, throttled, circuit open).
 * Anything else (timeouts after sending, a database failure after the call) may have.
 */
function notSent(error: unknown): boolean {
  const e = error as { code?: unknown; ambiguous?: unknown } | null;
  return typeof e?.code === 'string' && e.code.startsWith('INTEGRATION_') && e.ambiguous === false;
}

/** Why a batch member is left out of the request (checked before anything is sent). */
function exclusionOf(ctx: HandlerContext, member: ActivationBatchMember): string | undefined {
  if (member.iccid === null || member.iccid === '') {
    return 'The device has no ICCID: a Telegence activation needs the SIM';
  }
  const request = { ...ctx.bulkChange.request, ...(member.changeRequest ?? {}) };
  if (request.IsIgnoreCurrentStatus === true) return undefined;
  if (member.deviceStatus === 'A' || member.deviceStatus === 'S') {
    return `The device already has a Telegence line (status ${member.deviceStatus}); activation needs a SIM without a line (restore a suspended line with UpdateStatus "Restore")`;
  }
  return undefined;
}
