/**
 * CarrierService callbacks: ThingSpace POSTs one per device when an asynchronous request
 * (activate, suspend, restore, deactivate, plan change, identifier change, custom fields)
 * finishes: `{ username, password, requestId, deviceIds, status: "Success" | "Failed",
 * deviceResponse?, faultResponse?, callbackCount, maxCallbackThreshold }` (carrier-apis.md §2.4).
 *
 * ThingSpace re-sends a callback until the listener answers 2xx (up to `maxCallbackThreshold`
 * attempts), so the same message can arrive twice, late, or after a later one. This module
 * parses and checks a message ({@link parseCarrierServiceCallback}) and keeps the first final
 * outcome per request and device ({@link createCallbackInbox}): duplicates are acknowledged
 * and ignored, a contradicting later message is reported as a conflict and ignored.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type CarrierServiceCallbackBody,
  carrierServiceCallbackSchema,
  type ThingSpaceDeviceId,
} from './thingspace-wire.ts';

/** A checked callback (the registration's user name and password are not kept). */
export interface CarrierServiceCallback {
  requestId: string;
  status: 'Success' | 'Failed';
  deviceIds: ThingSpaceDeviceId[];
  /** ICCID of the device, when the message names it. */
  iccid: string | undefined;
  /** MSISDN / MDN / IP address reported by the device response (activations). */
  msisdn: string | undefined;
  mdn: string | undefined;
  ipAddress: string | undefined;
  /** Fault of a failed request: full code, its last segment, and the text. */
  fault: { code: string; reason: string; message: string | undefined } | undefined;
  callbackCount: number | undefined;
  maxCallbackThreshold: number | undefined;
  /** Per-operation device response as sent (e.g. `{ activateResponse: {...} }`). */
  deviceResponse: Record<string, unknown> | undefined;
}

/** Result of {@link parseCarrierServiceCallback}. */
export type ParsedCallback =
  | { ok: true; callback: CarrierServiceCallback }
  | { ok: false; reason: string; unauthorized: boolean };

/** The user name / password registered with the callback URL (sent back in plain text). */
export interface CallbackCredentials {
  username?: string;
  password?: string;
}

/**
 * Parses and checks one callback body.
 *
 * @example
 * const parsed = parseCarrierServiceCallback(body, { username: 'cb', password });
 * if (!parsed.ok) reply.code(parsed.unauthorized ? 401 : 400);
 */
export function parseCarrierServiceCallback(
  body: unknown,
  expected: CallbackCredentials = {},
): ParsedCallback {
  const parsed = carrierServiceCallbackSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || 'body'}: `;
    return { ok: false, reason: `${where}${issue?.message ?? 'invalid'}`, unauthorized: false };
  }
  const data = parsed.data;
  if (!matches(data.username, expected.username) || !matches(data.password, expected.password)) {
    return {
      ok: false,
      reason: 'callback credentials do not match the registration',
      unauthorized: true,
    };
  }
  return { ok: true, callback: toCallback(data) };
}

/** Outcome of one device of a request. */
export interface DeviceOutcome {
  deviceIds: ThingSpaceDeviceId[];
  status: 'Success' | 'Failed';
  callback: CarrierServiceCallback;
}

/** What the inbox knows about one request. */
export interface RequestOutcome {
  requestId: string;
  /** `Failed` when any device failed. */
  status: 'Success' | 'Failed';
  devices: DeviceOutcome[];
}

/** What happened to one received body. */
export interface CallbackReceipt {
  /** Answer 2xx (duplicates and conflicts too, so ThingSpace stops re-sending). */
  accepted: boolean;
  duplicate: boolean;
  /** A later message contradicts the recorded outcome; the first one is kept. */
  conflict: boolean;
  /** Why the body was refused. */
  reason?: string;
  /** Refused because the credentials did not match (answer 401). */
  unauthorized?: boolean;
  callback?: CarrierServiceCallback;
}

/** Collects callbacks, tolerant of duplicates, late and out-of-order delivery. */
export interface CallbackInbox {
  receive(body: unknown): CallbackReceipt;
  outcome(requestId: string): RequestOutcome | undefined;
  /** Resolves with the outcome once a callback for `requestId` arrived. */
  waitFor(
    requestId: string,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<RequestOutcome>;
  /** Distinct device outcomes recorded. */
  readonly size: number;
}

/**
 * Creates an inbox.
 *
 * @example
 * const inbox = createCallbackInbox({ username: 'amop', password });
 * const receipt = inbox.receive(request.body); // answer 2xx when receipt.accepted
 * const outcome = await inbox.waitFor(requestId, { timeoutMs: 60_000 });
 */
export function createCallbackInbox(expected: CallbackCredentials = {}): CallbackInbox {
  const outcomes = new Map<string, Map<string, DeviceOutcome>>();
  const waiters = new Map<string, Set<(outcome: RequestOutcome) => void>>();

  const outcomeOf = (requestId: string): RequestOutcome | undefined => {
    const devices = outcomes.get(requestId);
    if (devices === undefined) return undefined;
    const list = [...devices.values()];
    const failed = list.some((d) => d.status === 'Failed');
    return { requestId, status: failed ? 'Failed' : 'Success', devices: list };
  };

  return {
    receive(body) {
      const parsed = parseCarrierServiceCallback(body, expected);
      if (!parsed.ok) {
        return {
          accepted: false,
          duplicate: false,
          conflict: false,
          reason: parsed.reason,
          unauthorized: parsed.unauthorized,
        };
      }
      const callback = parsed.callback;
      const devices = outcomes.get(callback.requestId) ?? new Map<string, DeviceOutcome>();
      const key = deviceKey(callback);
      const known = devices.get(key);
      if (known !== undefined) {
        const conflict = known.status !== callback.status;
        return { accepted: true, duplicate: !conflict, conflict, callback };
      }
      devices.set(key, { deviceIds: callback.deviceIds, status: callback.status, callback });
      outcomes.set(callback.requestId, devices);
      const outcome = outcomeOf(callback.requestId);
      for (const resolve of waiters.get(callback.requestId) ?? []) {
        if (outcome !== undefined) resolve(outcome);
      }
      waiters.delete(callback.requestId);
      return { accepted: true, duplicate: false, conflict: false, callback };
    },
    outcome: outcomeOf,
    waitFor(requestId, options = {}) {
      const ready = outcomeOf(requestId);
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<RequestOutcome>((resolve, reject) => {
        const set = waiters.get(requestId) ?? new Set();
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(
                () => finish(new Error(`no callback for request ${requestId} yet`)),
                options.timeoutMs,
              );
        const onAbort = () => finish(options.signal?.reason);
        const finish = (error: unknown, outcome?: RequestOutcome) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          set.delete(settle);
          if (outcome === undefined) reject(error);
          else resolve(outcome);
        };
        const settle = (outcome: RequestOutcome) => finish(undefined, outcome);
        if (options.signal?.aborted) {
          onAbort();
          return;
        }
        options.signal?.addEventListener('abort', onAbort, { once: true });
        set.add(settle);
        waiters.set(requestId, set);
      });
    },
    get size() {
      let n = 0;
      for (const devices of outcomes.values()) n += devices.size;
      return n;
    },
  };
}

function toCallback(data: CarrierServiceCallbackBody): CarrierServiceCallback {
  const reported = reportedIds(data.deviceResponse);
  const all = [...data.deviceIds, ...reported.ids];
  const id = (kind: string) => all.find((d) => d.kind.toLowerCase() === kind)?.id;
  const fault = data.faultResponse;
  return {
    requestId: data.requestId,
    status: data.status,
    deviceIds: data.deviceIds,
    iccid: id('iccid'),
    msisdn: id('msisdn'),
    mdn: id('mdn'),
    ipAddress: reported.ipAddress,
    fault:
      fault === undefined
        ? undefined
        : {
            code: fault.faultcode,
            reason: fault.faultcode.split('.').at(-1) ?? fault.faultcode,
            message: fault.faultstring,
          },
    callbackCount: data.callbackCount,
    maxCallbackThreshold: data.maxCallbackThreshold,
    deviceResponse: data.deviceResponse,
  };
}

/** Device ids and IP address found in a per-operation device response (shape varies [INF]). */
function reportedIds(response: Record<string, unknown> | undefined): {
  ids: ThingSpaceDeviceId[];
  ipAddress: string | undefined;
} {
  const ids: ThingSpaceDeviceId[] = [];
  let ipAddress: string | undefined;
  for (const value of Object.values(response ?? {})) {
    if (value === null || typeof value !== 'object') continue;
    const record = value as { deviceIds?: unknown; ipAddress?: unknown };
    if (typeof record.ipAddress === 'string') ipAddress ??= record.ipAddress;
    if (!Array.isArray(record.deviceIds)) continue;
    for (const item of record.deviceIds) {
      const d = item as { id?: unknown; kind?: unknown };
      if (typeof d.id === 'string' && typeof d.kind === 'string')
        ids.push({ id: d.id, kind: d.kind });
    }
  }
  return { ids, ipAddress };
}

function deviceKey(callback: CarrierServiceCallback): string {
  if (callback.iccid !== undefined) return `iccid:${callback.iccid}`;
  return callback.deviceIds
    .map((d) => `${d.kind.toLowerCase()}:${d.id}`)
    .sort()
    .join('|');
}

function matches(actual: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (actual === undefined) return false;
  const a = Buffer.from(actual);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
