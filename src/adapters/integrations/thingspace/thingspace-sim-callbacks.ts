/**
 * CarrierService callbacks of the ThingSpace simulator: registration routes
 * (`POST/GET /callbacks/{account}`, `DELETE /callbacks/{account}/name/{service}`) and the
 * delivery of one callback per device, POSTed to the registered URL with the registration's
 * username/password in plain text, `callbackCount` and `maxCallbackThreshold`; re-sent until
 * the listener answers 2xx, at most `maxCallbackThreshold` times.
 *
 * Fault knobs (`settings.callbacks`): `delayMs` (late), `duplicates` (extra copies), `drop`
 * (missing), `reorder` (held and delivered pairwise in reverse order; `flushHeld` releases
 * what is held). Every attempt is recorded in `state.deliveries`.
 */
import type { SimRoute } from '../shared/simulator/simulator-server.ts';
import { sessionUser, vendorError } from './thingspace-sim-auth.ts';
import type { ThingSpaceSimRuntime } from './thingspace-sim-runtime.ts';
import type { SimPendingCallback, ThingSpaceSimState } from './thingspace-sim-state.ts';
import { callbackRegistrationRequestSchema, type ThingSpaceDeviceId } from './thingspace-wire.ts';

/** Service names ThingSpace accepts for callback registration. */
const SERVICE_NAMES = new Set([
  'CarrierService',
  'DeviceUsage',
  'DeviceSuspendStatus',
  'ExternalProvisioningChanges',
  'PromoChanges',
  'ResumeTrackingNotification',
  'SMSDeliveryConfirmation',
  'EnhancedConnectivityService',
]);

/** Queues one callback, applying the delivery faults. */
export function queueCallback(rt: ThingSpaceSimRuntime, callback: SimPendingCallback): void {
  const faults = rt.settings.callbacks;
  if (faults.drop) {
    record(rt, callback, 0, 'dropped', false);
    return;
  }
  if (faults.reorder) {
    const held = rt.state().held;
    held.push(callback);
    if (held.length >= 2) flushHeld(rt);
    return;
  }
  rt.later(faults.delayMs, () => deliver(rt, callback, 1, faults.duplicates, false));
}

/** Delivers every held callback, newest first. */
export function flushHeld(rt: ThingSpaceSimRuntime): number {
  const batch = rt.state().held.splice(0).reverse();
  for (const callback of batch) {
    rt.later(rt.settings.callbacks.delayMs, () =>
      deliver(rt, callback, 1, rt.settings.callbacks.duplicates, false),
    );
  }
  return batch.length;
}

async function deliver(
  rt: ThingSpaceSimRuntime,
  callback: SimPendingCallback,
  attempt: number,
  duplicates: number,
  duplicate: boolean,
): Promise<void> {
  const faults = rt.settings.callbacks;
  const registration = rt.state().callbacks.get(callback.accountName)?.get('CarrierService');
  if (registration === undefined) {
    record(rt, callback, attempt, 'no-listener', duplicate);
    return;
  }
  const body = {
    ...(registration.username === undefined ? {} : { username: registration.username }),
    ...(registration.password === undefined ? {} : { password: registration.password }),
    ...callback.body,
    callbackCount: attempt,
    maxCallbackThreshold: faults.maxCallbackThreshold,
  };
  let result: number | 'network-error';
  try {
    const res = await fetch(registration.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(faults.timeoutMs),
    });
    await res.arrayBuffer();
    result = res.status;
  } catch {
    result = 'network-error';
  }
  record(rt, callback, attempt, result, duplicate);
  const delivered = typeof result === 'number' && result >= 200 && result < 300;
  if (!delivered && !duplicate && attempt < faults.maxCallbackThreshold) {
    rt.later(faults.retryIntervalMs, () => deliver(rt, callback, attempt + 1, duplicates, false));
  } else if (delivered && duplicates > 0) {
    rt.later(Math.min(faults.retryIntervalMs, 20), () =>
      deliver(rt, callback, attempt, duplicates - 1, true),
    );
  }
}

function record(
  rt: ThingSpaceSimRuntime,
  callback: SimPendingCallback,
  attempt: number,
  result: number | 'network-error' | 'no-listener' | 'dropped',
  duplicate: boolean,
): void {
  rt.state().deliveries.push({
    at: rt.now(),
    requestId: callback.requestId,
    deviceIds: callback.body.deviceIds as ThingSpaceDeviceId[],
    status: callback.status,
    attempt,
    result,
    duplicate,
  });
}

/** Callback registration routes. */
export function callbackRoutes(m2mPrefix: string): SimRoute<ThingSpaceSimState>[] {
  const allowed = (
    req: Parameters<SimRoute<ThingSpaceSimState>['handle']>[0],
    state: ThingSpaceSimState,
  ) => {
    const account = req.params.accountName ?? '';
    const user = sessionUser(req, state);
    return state.accounts.has(account) && user?.accountNames.includes(account) === true;
  };
  const notFound = () =>
    vendorError(
      'UnifiedWebService.REQUEST_FAILED.AccountNotFound',
      'The account does not exist or is not accessible.',
    );
  return [
    {
      method: 'POST',
      path: `${m2mPrefix}/callbacks/:accountName`,
      operation: 'registerCallback',
      handle: (req, ctx) => {
        if (!allowed(req, ctx.state)) return notFound();
        const body = callbackRegistrationRequestSchema.safeParse(req.body);
        if (!body.success) {
          return vendorError(
            'UnifiedWebService.INPUT_INVALID.RequestBody',
            body.error.issues[0]?.message ?? 'invalid body',
          );
        }
        if (!SERVICE_NAMES.has(body.data.name)) {
          return vendorError(
            'UnifiedWebService.INPUT_INVALID.ServiceName',
            `Unknown callback service ${body.data.name}.`,
          );
        }
        const account = req.params.accountName ?? '';
        const registrations = ctx.state.callbacks.get(account) ?? new Map();
        registrations.set(body.data.name, { ...body.data });
        ctx.state.callbacks.set(account, registrations);
        return { status: 200, json: { accountName: account, serviceName: body.data.name } };
      },
    },
    {
      method: 'GET',
      path: `${m2mPrefix}/callbacks/:accountName`,
      operation: 'listCallbacks',
      handle: (req, ctx) => {
        if (!allowed(req, ctx.state)) return notFound();
        const account = req.params.accountName ?? '';
        const list = [...(ctx.state.callbacks.get(account)?.values() ?? [])].map((r) => ({
          accountName: account,
          name: r.name,
          url: r.url,
        }));
        return { status: 200, json: list };
      },
    },
    {
      method: 'DELETE',
      path: `${m2mPrefix}/callbacks/:accountName/name/:serviceName`,
      operation: 'deleteCallback',
      handle: (req, ctx) => {
        if (!allowed(req, ctx.state)) return notFound();
        const account = req.params.accountName ?? '';
        const name = req.params.serviceName ?? '';
        if (ctx.state.callbacks.get(account)?.delete(name) !== true) {
          return vendorError(
            'UnifiedWebService.REQUEST_FAILED.CallbackNotFound',
            `No ${name} callback is registered.`,
          );
        }
        return { status: 200, json: { accountName: account, serviceName: name } };
      },
    },
  ];
}
