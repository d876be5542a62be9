/**
 * Shared parts of the ThingSpace handlers: a provisioning action sent at most once per device
 * change, and waiting for its asynchronous completion without blocking a worker.
 *
 * - {@link provisionOnce}: the action runs as a non-idempotent step whose `lookup` reads the
 *   device's provisioning history since the step started (a worker that died during the call,
 *   or a redelivered message, never sends it twice). The start time is itself a step, so the
 *   lookup window survives a crash.
 * - {@link awaitCompletion}: the first time, the device change parks on the carrier request id
 *   (`parkState.requestId`); a CarrierService callback wakes it at once (`parkState.callback`),
 *   otherwise the delayed re-check asks the request status. Bounded: after
 *   {@link THINGSPACE_RECHECK_DELAYS_MS} checks the device change fails with a clear message.
 * - {@link thingSpaceRejection}: the vendor business rules (4 plan changes a month, no plan
 *   change while suspended, 5 provisioning actions a day, …) as clear per-device messages.
 */
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type {
  ThingSpaceAccepted,
  ThingSpaceAction,
  ThingSpaceDeviceRef,
  ThingSpaceGateway,
} from '../ports/carrier-gateways.ts';
import type { DeviceResult, LogEntry } from '../ports/engine-store.ts';
import { errorText } from './username-cost-center.ts';

/** Waits before each re-check of a request that has not completed (about 2 h in all). */
export const THINGSPACE_RECHECK_DELAYS_MS: readonly number[] = Object.freeze([
  30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 900_000, 900_000, 900_000, 900_000, 900_000,
]);

/** What a device change parked on a ThingSpace request saved. */
export interface ThingSpaceParkState {
  /** Which wait of the handler (one device change may wait for several requests in turn). */
  phase: string;
  requestId: string;
  /** Request-status checks that found it still pending. */
  checks: number;
  /** The CarrierService callback, added when it arrives (credentials removed). */
  callback?: unknown;
}

/** How a ThingSpace request ended. */
export type ThingSpaceCompletion =
  | {
      outcome: 'success';
      via: 'callback' | 'request-status';
      msisdn: string | undefined;
      ipAddress: string | undefined;
    }
  | { outcome: 'failure'; via: 'callback' | 'request-status'; message: string }
  /** Not finished: return this result (parked, or failed after the last check). */
  | { outcome: 'waiting'; result: DeviceResult };

/** Vendor rule (last segment of the ThingSpace error/fault code) → what it means for the user. */
const RULES: Readonly<Record<string, string>> = {
  ServicePlanChangeLimitExceeded:
    'ThingSpace allows at most 4 service plan changes per device per calendar month, and this device has reached that limit',
  DeviceSuspended:
    'ThingSpace does not change the service plan of a suspended device; restore it first',
  ProvisioningLimitExceeded:
    'ThingSpace allows at most 5 provisioning actions (activate, suspend, restore, deactivate) per line per day, and this line has reached that limit',
  InvalidServicePlan: 'the service plan is not available to the ThingSpace account',
  DeviceNotFound: 'the device is not on the ThingSpace account',
  DeviceAlreadyExists: 'the new identifier is already known to ThingSpace',
  DeviceAlreadyActive: 'the device is already active',
  DeviceNotActive: 'the device is not active',
  DeviceNotSuspended: 'the device is not suspended',
  DeviceAlreadyDeactive: 'the device is already deactivated',
  InvalidDeviceState: 'the device is not in a state that allows this change',
  InvalidName: 'the custom field name is not CustomField1..CustomField5',
};

/** A clear message for a vendor code and text, naming the rule when it is a known one. */
export function describeThingSpaceFault(code: string, vendorMessage: string | undefined): string {
  const suffix = code.split('.').at(-1) ?? code;
  const rule = RULES[suffix];
  const tail = vendorMessage === undefined ? suffix : `${suffix}: ${vendorMessage}`;
  return rule === undefined ? `ThingSpace: ${tail}` : `ThingSpace: ${rule} (${tail})`;
}

/**
 * The clear message of a synchronous business-rule rejection (HTTP 400 from ThingSpace), or
 * undefined for any other failure (which the engine retries or fails as usual).
 */
export function thingSpaceRejection(error: unknown): string | undefined {
  const e = error as { code?: unknown; vendorCode?: unknown; vendorMessage?: unknown };
  if (e?.code !== ErrorCode.INTEGRATION_REJECTED || typeof e.vendorCode !== 'string') {
    return undefined;
  }
  return describeThingSpaceFault(
    e.vendorCode,
    typeof e.vendorMessage === 'string' ? e.vendorMessage : undefined,
  );
}

/** The log entry of a provisioning step. */
export function provisioningLog(
  description: string,
  request: unknown,
): (outcome: { ok: true; result: ThingSpaceAccepted } | { ok: false; error: unknown }) => LogEntry {
  return (outcome) => ({
    description,
    requestText: JSON.stringify(request),
    responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
    responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
    hasErrors: !outcome.ok,
    errorText: outcome.ok ? undefined : errorText(outcome.error),
  });
}

/**
 * Sends a provisioning action at most once for this device change (see the file header).
 * A business-rule rejection is returned as a failed result; other failures are thrown.
 */
export async function provisionOnce(
  ctx: HandlerContext,
  ts: ThingSpaceGateway,
  spec: {
    step: string;
    action: ThingSpaceAction;
    /** Where the lookup reads the history (the device before the change). */
    devices: readonly ThingSpaceDeviceRef[];
    log: ReturnType<typeof provisioningLog>;
    send: () => Promise<ThingSpaceAccepted>;
  },
): Promise<ThingSpaceAccepted | { failed: DeviceResult }> {
  const started = await ctx.step(`${spec.step}.started`, { idempotent: true }, async () => ({
    at: ctx.now().getTime(),
  }));
  try {
    return await ctx.step(
      spec.step,
      {
        idempotent: false,
        lookup: async () => {
          for (const device of spec.devices) {
            const found = await ts
              .findProvisioning(spec.action, device, new Date(started.at), { signal: ctx.signal })
              .catch((error: unknown) => {
                // The device may be known only by its other identifier by now.
                if (thingSpaceRejection(error) !== undefined) return undefined;
                throw error;
              });
            if (found === 'applied-without-id') {
              throw new AppError(
                ErrorCode.CONFLICT,
                `ThingSpace ${spec.action} of device ${device.id} was applied by an attempt that did not finish, but its request id is unknown; check the device at ThingSpace`,
              );
            }
            if (found !== undefined) return found;
          }
          return undefined;
        },
        log: spec.log,
      },
      spec.send,
    );
  } catch (error) {
    const message = thingSpaceRejection(error);
    if (message === undefined) throw error;
    return { failed: { kind: 'failed', details: message, error: message } };
  }
}

/** Reads a saved park state (undefined when it is not a ThingSpace one). */
export function readThingSpaceParkState(value: unknown): ThingSpaceParkState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<ThingSpaceParkState>;
  if (typeof s.phase !== 'string' || typeof s.requestId !== 'string') return undefined;
  return {
    phase: s.phase,
    requestId: s.requestId,
    checks: typeof s.checks === 'number' ? s.checks : 0,
    ...(s.callback === undefined ? {} : { callback: s.callback }),
  };
}

/**
 * Resolves a ThingSpace request of this device change: by its callback, by its request
 * status, or by parking until one of them can tell (see the file header).
 */
export async function awaitCompletion(
  ctx: HandlerContext,
  ts: ThingSpaceGateway,
  spec: { phase: string; requestId: string; description: string },
): Promise<ThingSpaceCompletion> {
  const saved = readThingSpaceParkState(ctx.change.parkState);
  const mine =
    saved?.phase === spec.phase && saved.requestId === spec.requestId ? saved : undefined;
  if (mine === undefined) return park(ctx, spec, 0);
  const callback = readCallback(mine.callback, spec.requestId);
  if (callback !== undefined) {
    ctx.log({
      description: `${spec.description}: ThingSpace Callback`,
      requestText: `requestId ${spec.requestId}`,
      responseText: JSON.stringify(mine.callback),
      responseStatus: callback.outcome === 'success' ? 'PROCESSED' : 'API_FAILED',
      hasErrors: callback.outcome !== 'success',
      ...(callback.outcome === 'failure' ? { errorText: callback.message } : {}),
    });
    return callback;
  }
  let status: Awaited<ReturnType<ThingSpaceGateway['requestStatus']>>;
  try {
    status = await ts.requestStatus(spec.requestId, { signal: ctx.signal });
  } catch (error) {
    // A status check that failed for a passing reason counts as one more check: the request
    // itself is not affected, and parking keeps the device change's retry budget for its writes.
    if (!passing(error)) throw error;
    return park(ctx, spec, mine.checks + 1, errorText(error));
  }
  if (status === 'Pending') return park(ctx, spec, mine.checks + 1);
  const ok = status === 'Success';
  const message = `ThingSpace reported request ${spec.requestId} as Failure`;
  ctx.log({
    description: `${spec.description}: ThingSpace Request Status`,
    requestText: `requestId ${spec.requestId}`,
    responseText: JSON.stringify({ requestId: spec.requestId, status }),
    responseStatus: ok ? 'PROCESSED' : 'API_FAILED',
    hasErrors: !ok,
    ...(ok ? {} : { errorText: message }),
  });
  return ok
    ? { outcome: 'success', via: 'request-status', msisdn: undefined, ipAddress: undefined }
    : { outcome: 'failure', via: 'request-status', message };
}

/** Retryable carrier failures (network, timeout, throttling, 5xx, circuit open). */
function passing(error: unknown): boolean {
  const e = error as { retryable?: unknown; code?: unknown };
  return e?.retryable === true || e?.code === ErrorCode.INTEGRATION_CIRCUIT_OPEN;
}

function park(
  ctx: HandlerContext,
  spec: { phase: string; requestId: string; description: string },
  checks: number,
  lastError?: string,
): ThingSpaceCompletion {
  const delay = THINGSPACE_RECHECK_DELAYS_MS[checks];
  if (delay === undefined) {
    const message = `ThingSpace did not complete request ${spec.requestId} after ${checks} status checks; check the device at ThingSpace`;
    ctx.log({
      description: `${spec.description}: ThingSpace Request Status`,
      requestText: `requestId ${spec.requestId}`,
      responseStatus: 'API_FAILED',
      hasErrors: true,
      errorText: message,
    });
    return { outcome: 'waiting', result: { kind: 'failed', details: message, error: message } };
  }
  const parkState: ThingSpaceParkState = {
    phase: spec.phase,
    requestId: spec.requestId,
    checks,
  };
  return {
    outcome: 'waiting',
    result: {
      kind: 'parked',
      details: `Waiting for ThingSpace to complete request ${spec.requestId} (${spec.description})${lastError === undefined ? '' : `; last status check failed: ${lastError}`}`,
      notBefore: new Date(ctx.now().getTime() + delay),
      parkState,
    },
  };
}

/** The outcome a stored callback reports, if it is one for this request. */
function readCallback(
  value: unknown,
  requestId: string,
): Exclude<ThingSpaceCompletion, { outcome: 'waiting' }> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as {
    requestId?: unknown;
    status?: unknown;
    msisdn?: unknown;
    mdn?: unknown;
    ipAddress?: unknown;
    fault?: { code?: unknown; message?: unknown };
  };
  if (c.requestId !== requestId) return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  if (c.status === 'Success') {
    return {
      outcome: 'success',
      via: 'callback',
      msisdn: str(c.msisdn),
      ipAddress: str(c.ipAddress),
    };
  }
  if (c.status !== 'Failed') return undefined;
  const code = str(c.fault?.code) ?? 'Failed';
  return {
    outcome: 'failure',
    via: 'callback',
    message: describeThingSpaceFault(code, str(c.fault?.message)),
  };
}
