/**
 * Telegence activation of a StatusUpdate (`UpdateStatus` "A"): one batched activation request
 * for up to 200 device changes, then activation-status checks until each device's own line is
 * active or rejected. Every device gets its own result (the original marked every device of
 * the page with the one batch result — defect 10).
 *
 * How a batch works with a per-device engine (see ARCHITECTURE.md "Telegence activation
 * batches"):
 * 1. The first device change of the bulk change that runs without a batch creates one
 *    (`TelegenceStore.activationBatchOf`): itself as leader plus up to 199 other open device
 *    changes not yet in a batch. A device change is in at most one batch.
 * 2. Only the leader sends the batch, through its own step `telegence.activateServices`
 *    (non-idempotent, looked up in the device list by the batch's SIMs). The leader's lease
 *    makes it the only sender at any time; a redelivered message returns the recorded step
 *    result, and a leader that died mid-call is resumed through the lookup. The submission
 *    (activation id, device changes sent, device changes left out and why) is stored on the
 *    batch.
 * 3. Every member (the leader too) then parks on the activation id and checks the activation
 *    status at each wake-up: active ⇒ PROCESSED with the new MSISDN and status; rejected /
 *    eSIM required ⇒ API_FAILED with the carrier's reason; still pending after `maxChecks` ⇒
 *    API_FAILED. Members that run before the submission park briefly and look again; when the
 *    batch cannot be submitted they fail with the reason.
 */
import type { HandlerContext } from '../engine/change-handler.ts';
import type { TelegenceActivationLineView, TelegenceGateway } from '../ports/carrier-gateways.ts';
import type { DeviceResult } from '../ports/engine-store.ts';
import type { TelegenceStore } from '../ports/telegence-store.ts';
import { ACTIVATION_DESCRIPTION, submitActivationBatch } from './telegence-activation-submit.ts';
import { errorText, isRetryable } from './telegence-common.ts';

/** The original's log text for an activation refused because the device needs an eSIM profile. */
export const ESIM_ACTIVATION_DETAILS = 'Activation Failed - eSIM Required';

/** Timing of activations. */
export interface ActivationTiming {
  /** Between two activation-status checks of a device. @default 300000 (the original's) */
  checkIntervalMs: number;
  /** Status checks before a still-pending activation fails. @default 6 (the original's) */
  maxChecks: number;
  /** Before a member looks again for its batch's submission. @default 2000 */
  waitForBatchMs: number;
  /** How long one status answer serves the members woken for the same check. @default 30000 */
  statusCacheMs: number;
}

/** Default timing. */
export const DEFAULT_ACTIVATION_TIMING: Readonly<ActivationTiming> = Object.freeze({
  checkIntervalMs: 300_000,
  maxChecks: 6,
  waitForBatchMs: 2_000,
  statusCacheMs: 30_000,
});

/** What a parked activation device change saved. */
interface ActivationParkState {
  phase: 'telegence-activation';
  batchId: number;
  /** The activation id, when known (the `requestId` the engine indexes parked changes by). */
  requestId?: string;
  iccid?: string;
  /** When the batch was submitted (ISO): checks are due at whole intervals after it. */
  submittedAt?: string;
  /** The request failed ambiguously and was not confirmed (never re-sent). */
  unconfirmed?: boolean;
  /** Status checks done. */
  checks: number;
}

type StatusReader = (
  gateway: TelegenceGateway,
  activationId: string,
  check: number,
  signal: AbortSignal,
) => ReturnType<TelegenceGateway['getActivationStatus']>;

/** The device's activation in context: what it needs to finish. */
export interface ActivationDevice {
  /** Status written to the device database on success (`device_statuses.status`). */
  targetStatus: string;
  /** Runs after a successful activation (the Rev.io steps); returns notes for the details. */
  afterSuccess(msisdn: string | undefined): Promise<string[]>;
}

/** Creates the activation runner of a handler (holds the short-lived status cache). */
export function createActivationRunner(
  deps: {
    telegenceStore: Pick<
      TelegenceStore,
      | 'activationBatchOf'
      | 'activationBatchMembers'
      | 'recordBatchSubmission'
      | 'recordBatchSendFailure'
      | 'recordBatchFailure'
    >;
  },
  timing: ActivationTiming,
) {
  // Members of a batch are checked on the same schedule (submission + k intervals), so the
  // ones that wake up for check k together share one status request (key: activation id + k).
  const cache = new Map<
    string,
    { expires: number; answer: ReturnType<TelegenceGateway['getActivationStatus']> }
  >();
  const statusOf: StatusReader = (gateway, activationId, check, signal) => {
    const key = `${activationId}#${check}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.expires > now) return hit.answer;
    for (const [k, entry] of cache) if (entry.expires <= now) cache.delete(k);
    const answer = gateway.getActivationStatus(activationId, { signal });
    cache.set(key, { expires: now + timing.statusCacheMs, answer });
    answer.catch(() => cache.delete(key));
    return answer;
  };
  /** When check `n` (1-based) of an activation submitted at `submittedAt` is due. */
  const dueAt = (ctx: HandlerContext, submittedAt: string | undefined, n: number): number => {
    const base = submittedAt === undefined ? ctx.now().getTime() : Date.parse(submittedAt);
    return Math.max(ctx.now().getTime() + 1_000, base + n * timing.checkIntervalMs);
  };

  const park = (state: ActivationParkState, details: string, at: number): DeviceResult => ({
    kind: 'parked',
    details,
    notBefore: new Date(at),
    parkState: state,
  });

  const check = async (
    ctx: HandlerContext,
    gateway: TelegenceGateway,
    device: ActivationDevice,
    state: ActivationParkState,
  ): Promise<DeviceResult> => {
    const checks = state.checks + 1;
    const iccid = state.iccid ?? '';
    let line: TelegenceActivationLineView | undefined;
    try {
      line = await lineOf(gateway, state, checks, ctx.signal, statusOf);
    } catch (error) {
      if (!isRetryable(error) || checks >= timing.maxChecks) throw error;
      return park(
        { ...state, checks },
        `Telegence activation status check ${checks} of ${timing.maxChecks} failed (${errorText(error)}); checking again later`,
        dueAt(ctx, state.submittedAt, checks + 1),
      );
    }
    const request = state.requestId ?? `device list (SIM ${iccid})`;
    if (line?.status === 'active') {
      const msisdn = line.subscriberNumber;
      ctx.log({
        description: 'Check Telegence Activation Status: Telegence API',
        requestText: JSON.stringify({ activationId: state.requestId ?? null, iccid }),
        responseText: JSON.stringify(line),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      const notes = await device.afterSuccess(msisdn);
      return {
        kind: 'succeeded',
        details: [
          `ICCID: ${iccid} active${msisdn === undefined ? '' : ` (subscriber ${msisdn})`}. Date Completed: ${ctx.now().toISOString()}`,
          ...notes,
        ].join('. '),
        ...(ctx.change.deviceId === null
          ? {}
          : {
              deviceUpdate: {
                deviceId: ctx.change.deviceId,
                changes: {
                  status: device.targetStatus,
                  ...(msisdn === undefined ? {} : { msisdn: `1${msisdn}` }),
                },
              },
            }),
      };
    }
    if (line !== undefined && (line.status === 'rejected' || line.esimRequired)) {
      const message = line.esimRequired
        ? ESIM_ACTIVATION_DETAILS
        : `Telegence activation of ICCID ${iccid} rejected${line.error === undefined ? '' : `: ${line.error}`}`;
      ctx.log({
        description: 'Parse Telegence Response: Validation',
        requestText: JSON.stringify({ activationId: state.requestId ?? null, iccid }),
        responseText: JSON.stringify(line),
        responseStatus: 'API_FAILED',
        hasErrors: true,
        errorText: message,
      });
      return { kind: 'failed', details: message, error: message };
    }
    const status = line?.status ?? 'not found';
    if (checks >= timing.maxChecks) {
      const message = state.unconfirmed
        ? `Telegence activation of ICCID ${iccid}: the request timed out and no line appeared for the SIM after ${checks} checks; check Telegence before activating it again`
        : `Telegence activation ${request} still ${status} after ${checks} status checks; check the line in Telegence`;
      return { kind: 'failed', details: message, error: message };
    }
    return park(
      { ...state, checks },
      `Waiting for Telegence activation ${request}: ${status} (check ${checks} of ${timing.maxChecks})`,
      dueAt(ctx, state.submittedAt, checks + 1),
    );
  };

  return async function activate(
    ctx: HandlerContext,
    gateway: TelegenceGateway,
    device: ActivationDevice,
  ): Promise<DeviceResult> {
    const parked = asParkState(ctx.change.parkState);
    if (parked?.requestId !== undefined || parked?.iccid !== undefined) {
      return check(ctx, gateway, device, parked);
    }
    let batch = await deps.telegenceStore.activationBatchOf(
      ctx.bulkChange.id,
      ctx.change.id,
      gateway.maxActivationsPerRequest,
    );
    if (
      batch.submission === null &&
      batch.failedError === null &&
      batch.leaderDeviceChangeId === ctx.change.id
    ) {
      const outcome = await submitActivationBatch(ctx, gateway, batch, deps.telegenceStore);
      if ('failed' in outcome) {
        batch = { ...batch, failedError: outcome.failed };
      } else {
        await deps.telegenceStore.recordBatchSubmission(batch.id, outcome);
        batch = { ...batch, submission: outcome };
      }
    }
    if (batch.failedError !== null) {
      return { kind: 'failed', details: batch.failedError, error: batch.failedError };
    }
    const submission = batch.submission;
    if (submission === null) {
      if (['PROCESSED', 'API_FAILED', 'CANCELLED', 'ERROR'].includes(batch.leader.status)) {
        const message = `The activation request of this device's batch was not sent: ${batch.leader.lastError ?? 'its first device change ended without sending it'}`;
        return { kind: 'failed', details: message, error: message };
      }
      return park(
        { phase: 'telegence-activation', batchId: batch.id, checks: 0 },
        'Waiting for the Telegence activation request of this batch to be sent',
        ctx.now().getTime() + timing.waitForBatchMs,
      );
    }
    const mine = submission.sent.find((s) => s.deviceChangeId === ctx.change.id);
    if (mine === undefined) {
      const why =
        submission.excluded.find((e) => e.deviceChangeId === ctx.change.id)?.error ??
        'not part of the activation request';
      return { kind: 'failed', details: why, error: why };
    }
    const id = submission.activationId;
    ctx.log({
      description: ACTIVATION_DESCRIPTION,
      requestText: JSON.stringify({ iccid: mine.iccid, batchSize: submission.sent.length }),
      responseText: JSON.stringify({
        activationId: id ?? null,
        confirmedByLookup: submission.confirmedByLookup,
      }),
      responseStatus: 'PENDING',
      hasErrors: false,
    });
    return park(
      {
        phase: 'telegence-activation',
        batchId: batch.id,
        ...(id === undefined ? {} : { requestId: id }),
        iccid: mine.iccid,
        submittedAt: submission.submittedAt,
        ...(submission.unconfirmed === true ? { unconfirmed: true } : {}),
        checks: 0,
      },
      `Telegence activation ${id ?? (submission.unconfirmed === true ? '(request timed out, unconfirmed)' : '(confirmed through the device list)')} submitted; waiting for it to complete`,
      dueAt(ctx, submission.submittedAt, 1),
    );
  };
}

/** The device's line: from the activation status, or (without an id) from the device list. */
async function lineOf(
  gateway: TelegenceGateway,
  state: ActivationParkState,
  check: number,
  signal: AbortSignal,
  statusOf: StatusReader,
): Promise<TelegenceActivationLineView | undefined> {
  const iccid = state.iccid ?? '';
  if (state.requestId !== undefined) {
    const answer = await statusOf(gateway, state.requestId, check, signal);
    return answer.lines.find((l) => l.iccid === iccid);
  }
  const [listed] = await gateway.findLinesBySim([iccid], { signal });
  if (listed === undefined) return undefined;
  return {
    iccid,
    subscriberNumber: listed.subscriberNumber,
    status: listed.status === 'A' ? 'active' : 'reserved',
    esimRequired: false,
  };
}

function asParkState(value: unknown): ActivationParkState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<ActivationParkState>;
  return state.phase === 'telegence-activation' && typeof state.batchId === 'number'
    ? (state as ActivationParkState)
    : undefined;
}
