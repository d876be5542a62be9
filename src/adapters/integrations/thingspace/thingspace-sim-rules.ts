/**
 * Building blocks of the ThingSpace simulator's device routes: body parsing with ThingSpace's
 * input error, account resolution from the session, line lookup, the per-line daily
 * provisioning budget, and routes whose handlers may answer a vendor error.
 */
import type { ZodType } from 'zod';
import type { SimRequest, SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { sessionUser, vendorError } from './thingspace-sim-auth.ts';
import type { ThingSpaceSimRuntime } from './thingspace-sim-runtime.ts';
import {
  bump,
  findDevice,
  type SimDevice,
  type SimUser,
  type ThingSpaceSimState,
} from './thingspace-sim-state.ts';
import type { ThingSpaceDeviceId } from './thingspace-wire.ts';

/** A simulator route. */
export type Route = SimRoute<ThingSpaceSimState>;
type Ctx = Parameters<Route['handle']>[1];
/** A vendor error answer, returned instead of a value. */
export type Failure = { response: SimResponse };

/** A `UnifiedWebService.REQUEST_FAILED.<code>` answer. */
export const failed = (code: string, message: string): Failure => ({
  response: vendorError(`UnifiedWebService.REQUEST_FAILED.${code}`, message),
});
/** True for a {@link Failure}. */
export const isFailure = (value: unknown): value is Failure =>
  typeof value === 'object' && value !== null && 'response' in value;

/** Parses a body or answers ThingSpace's input error. */
export function parse<T>(schema: ZodType<T>, req: SimRequest): T | Failure {
  const result = schema.safeParse(req.body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined ? '' : `${issue.path.join('.') || 'body'}: `;
  return {
    response: vendorError(
      'UnifiedWebService.INPUT_INVALID.RequestBody',
      `${where}${issue?.message ?? 'invalid'}`,
    ),
  };
}

/** The account of a request: the body's, else the session user's first; must be accessible. */
export function accountOf(
  req: SimRequest,
  state: ThingSpaceSimState,
  named: string | undefined,
): { user: SimUser; accountName: string } | Failure {
  const user = sessionUser(req, state);
  const accountName = named ?? user?.accountNames[0];
  if (user === undefined || accountName === undefined || !user.accountNames.includes(accountName)) {
    return failed('AccountNotFound', 'The account does not exist or is not accessible.');
  }
  return { user, accountName };
}

/** The lines named by device entries, all on `accountName`. */
export function linesOf(
  state: ThingSpaceSimState,
  entries: ReadonlyArray<{ deviceIds: ThingSpaceDeviceId[] }>,
  accountName: string,
): SimDevice[] | Failure {
  const lines: SimDevice[] = [];
  for (const entry of entries) {
    const line = findDevice(state, entry.deviceIds, accountName);
    if (line === undefined) {
      return failed(
        'DeviceNotFound',
        `Device ${entry.deviceIds[0]?.id ?? ''} is not on the account.`,
      );
    }
    lines.push(line);
  }
  return lines;
}

/** Checks and consumes the per-line daily provisioning budget. */
export function spendDailyActions(
  rt: ThingSpaceSimRuntime,
  lines: SimDevice[],
): Failure | undefined {
  const state = rt.state();
  const day = Math.floor(rt.now() / 86_400_000);
  const key = (line: SimDevice) => `day:${line.lineId}:${day}`;
  const over = lines.find((l) => (state.counters.get(key(l)) ?? 0) >= rt.settings.dailyActionLimit);
  if (over !== undefined) {
    return failed(
      'ProvisioningLimitExceeded',
      `Device ${over.iccid} reached ${rt.settings.dailyActionLimit} provisioning actions today.`,
    );
  }
  for (const line of lines) bump(state, key(line));
  return undefined;
}

/** Adds a new line in state `preactive` (needs an ICCID). */
export function newLine(
  state: ThingSpaceSimState,
  ids: ThingSpaceDeviceId[],
  accountName: string,
  now: number,
): SimDevice | undefined {
  const iccid = ids.find((d) => d.kind.toLowerCase() === 'iccid')?.id;
  if (iccid === undefined) return undefined;
  const lineId = state.nextLineId++;
  const line: SimDevice = {
    lineId,
    accountName,
    iccid,
    imei: ids.find((d) => d.kind.toLowerCase() === 'imei')?.id ?? null,
    msisdn: null,
    msisdnReleased: false,
    state: 'preactive',
    servicePlan: null,
    ipAddress: null,
    createdAt: now,
    lastActivationDate: null,
    lastActivationBy: null,
    customFields: {},
    extendedAttributes: {},
    history: [],
  };
  state.devices.set(lineId, line);
  return line;
}

/** A route whose handler may answer a {@link Failure}. */
export function route(
  method: string,
  path: string,
  operation: string,
  handle: (req: SimRequest, ctx: Ctx) => SimResponse | Failure,
): Route {
  return {
    method,
    path,
    operation,
    handle: (req, ctx) => {
      const out = handle(req, ctx);
      return isFailure(out) ? out.response : out;
    },
  };
}
