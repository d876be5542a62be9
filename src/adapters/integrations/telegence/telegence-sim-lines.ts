/**
 * Line routes of the Telegence simulator: `GET`/`PATCH {base}/service/{subscriberNumber}` and
 * the device list `GET /sp/mobility/api/v1/account`, with the vendor's business rules:
 *
 * - unknown line (or a line of another account) → 404 `{"id","description":"/service/"}`;
 * - a `sim` that requires an eSIM profile → the same 404;
 * - status: suspend only an active line, restore only a suspended line ("cannot restore an
 *   active line"), cancel an active or suspended line; cancelled and reserved lines take no
 *   change → 409;
 * - unknown `singleUserCode`, bad `sim`/`IMEI`, unknown characteristic, bad effectiveDate,
 *   missing reasonCode, nothing to change → 400; SIM on another line → 409; removing an
 *   offering the line does not have → 400;
 * - a change takes effect at `max(effectiveDate, now + applyLagMs)` (reads show the old values
 *   until then); a new pending change of the same kind replaces the earlier one.
 */
import type { SimContext, SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { advanceAll } from './telegence-sim-activation.ts';
import { accountOf, serviceNotFound, vendorError } from './telegence-sim-responses.ts';
import type { TelegenceSimState } from './telegence-sim-state.ts';
import {
  deviceListEntry,
  lineCharacteristics,
  queueChange,
  type SimLine,
  type SimPendingChange,
  settleLine,
  simInUse,
  simUuid,
} from './telegence-sim-state.ts';
import {
  patchLineBodySchema,
  TELEGENCE_PATCH_CHARACTERISTICS,
  TelegenceStatusMode,
  TelegenceSubscriberStatus,
} from './telegence-wire.ts';

type Ctx = SimContext<TelegenceSimState>;

function lineOf(ctx: Ctx, subscriberNumber: string): SimLine | undefined {
  advanceAll(ctx.state, ctx.now, ctx);
  const line = ctx.state.lines.get(subscriberNumber);
  if (line === undefined || line.account !== ctx.account) return undefined;
  return settleLine(line, ctx.now);
}

const STATUS_RULES: Readonly<Record<string, { to: string; from: readonly string[] }>> = {
  [TelegenceStatusMode.suspend]: { to: TelegenceSubscriberStatus.Suspended, from: ['A'] },
  [TelegenceStatusMode.restore]: { to: TelegenceSubscriberStatus.Active, from: ['S'] },
  [TelegenceStatusMode.cancel]: { to: TelegenceSubscriberStatus.Cancelled, from: ['A', 'S'] },
};

const STATUS_NAMES: Readonly<Record<string, string>> = {
  A: 'active',
  S: 'suspended',
  C: 'cancelled',
  R: 'reserved',
};

/** Builds the line routes under `base` (the lineconfig path prefix). */
export function lineRoutes(base: string, deviceListPath: string): SimRoute<TelegenceSimState>[] {
  return [
    {
      method: 'GET',
      path: `${base}/service/:subscriberNumber`,
      operation: 'getLine',
      handle: (req, ctx) => {
        const line = lineOf(ctx, req.params.subscriberNumber ?? '');
        if (line === undefined) return serviceNotFound(ctx);
        return {
          status: 200,
          json: {
            subscriberNumber: line.subscriberNumber,
            serviceCharacteristic: lineCharacteristics(line, accountOf(ctx)),
          },
        };
      },
    },
    {
      method: 'PATCH',
      path: `${base}/service/:subscriberNumber`,
      operation: 'patchLine',
      handle: (req, ctx) => patchLine(req.params.subscriberNumber ?? '', req.body, ctx),
    },
    {
      method: 'GET',
      path: deviceListPath,
      operation: 'listLines',
      handle: (req, ctx) => {
        const page = headerInt(req.headers['current-page'], 1);
        const size = headerInt(req.headers['page-size'], 250);
        if (page === undefined || size === undefined || size > 250) {
          return vendorError(
            ctx,
            400,
            'INVALID_PAGING',
            'current-page and page-size (1-250) must be positive integers',
          );
        }
        const account = accountOf(ctx);
        advanceAll(ctx.state, ctx.now, ctx);
        const lines = [...ctx.state.lines.values()]
          .filter((l) => l.account === account.key)
          .map((l) => settleLine(l, ctx.now))
          .filter((l) => l.status !== TelegenceSubscriberStatus.Cancelled)
          .sort((a, b) => a.subscriberNumber.localeCompare(b.subscriberNumber));
        const pageTotal = Math.max(1, Math.ceil(lines.length / size));
        return {
          status: 200,
          headers: { 'page-total': String(pageTotal) },
          json: lines.slice((page - 1) * size, page * size).map((l) => deviceListEntry(l, account)),
        };
      },
    },
  ];
}

function patchLine(subscriberNumber: string, body: unknown, ctx: Ctx): SimResponse {
  const parsed = patchLineBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return vendorError(
      ctx,
      400,
      'INVALID_REQUEST',
      `Invalid request body: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
    );
  }
  const request = parsed.data;
  const line = lineOf(ctx, subscriberNumber);
  if (line === undefined) return serviceNotFound(ctx);
  const chars = new Map<string, string>();
  for (const c of request.serviceCharacteristic ?? []) {
    if (!(TELEGENCE_PATCH_CHARACTERISTICS as readonly string[]).includes(c.name)) {
      return vendorError(
        ctx,
        400,
        'UNSUPPORTED_CHARACTERISTIC',
        `Characteristic ${c.name} cannot be changed`,
      );
    }
    chars.set(c.name, c.value);
  }
  const sim = chars.get('sim');
  if (sim !== undefined && ctx.state.esimRequired.has(sim)) return serviceNotFound(ctx);
  if (
    line.status === TelegenceSubscriberStatus.Cancelled ||
    line.status === TelegenceSubscriberStatus.Reserved
  ) {
    return vendorError(
      ctx,
      409,
      'LINE_NOT_CHANGEABLE',
      `Subscriber ${subscriberNumber} is ${STATUS_NAMES[line.status]}; no change allowed`,
    );
  }
  let effectiveAt = ctx.now;
  if (request.effectiveDate !== undefined && request.effectiveDate !== '') {
    const at = Date.parse(request.effectiveDate);
    if (Number.isNaN(at)) {
      return vendorError(
        ctx,
        400,
        'INVALID_EFFECTIVE_DATE',
        `effectiveDate ${request.effectiveDate} is not a date`,
      );
    }
    effectiveAt = Math.max(at, ctx.now);
  }
  effectiveAt = Math.max(effectiveAt, ctx.now + ctx.state.config.applyLagMs);
  const changes: SimPendingChange[] = [];

  if (request.mode !== undefined) {
    const rule = STATUS_RULES[request.mode];
    if (rule === undefined) {
      return vendorError(ctx, 400, 'INVALID_MODE', `mode ${request.mode} is not one of S, R, C`);
    }
    if (request.reasonCode === undefined || request.reasonCode.trim() === '') {
      return vendorError(ctx, 400, 'REASON_CODE_REQUIRED', 'reasonCode is required with mode');
    }
    if (!rule.from.includes(line.status)) {
      const why =
        request.mode === TelegenceStatusMode.restore && line.status === 'A'
          ? 'cannot restore an active line'
          : `cannot move a ${STATUS_NAMES[line.status]} line to ${STATUS_NAMES[rule.to]}`;
      return vendorError(
        ctx,
        409,
        'INVALID_STATUS_TRANSITION',
        `Subscriber ${subscriberNumber}: ${why}`,
      );
    }
    changes.push({ kind: 'status', effectiveAt, status: rule.to, reasonCode: request.reasonCode });
  }

  const plan = chars.get('singleUserCode');
  if (plan !== undefined) {
    if (!accountOf(ctx).ratePlans.has(plan)) {
      return vendorError(
        ctx,
        400,
        'INVALID_SINGLE_USER_CODE',
        `singleUserCode ${plan} is not available for this billing account`,
      );
    }
    changes.push({ kind: 'plan', effectiveAt, singleUserCode: plan });
  }

  const imei = chars.get('IMEI');
  if (sim !== undefined || imei !== undefined) {
    if (sim !== undefined && !/^\d{19,20}$/.test(sim)) {
      return vendorError(ctx, 400, 'INVALID_SIM', `sim ${sim} is not a 19-20 digit ICCID`);
    }
    if (imei !== undefined && !/^\d{15}$/.test(imei)) {
      return vendorError(ctx, 400, 'INVALID_IMEI', `IMEI ${imei} is not a 15 digit IMEI`);
    }
    if (sim !== undefined && simInUse(ctx.state, sim, subscriberNumber)) {
      return vendorError(ctx, 409, 'SIM_IN_USE', `sim ${sim} is in use on another subscriber`);
    }
    changes.push({
      kind: 'equipment',
      effectiveAt,
      ...(sim === undefined ? {} : { sim }),
      ...(imei === undefined ? {} : { imei }),
      ...optional('technologyType', chars.get('technologyType')),
      ...optional('serviceZipCode', chars.get('serviceZipCode')),
    });
  }

  const remove = chars.get('removeOfferingCode');
  if (remove !== undefined) {
    if (!line.offerings.some((o) => o.code === remove)) {
      return vendorError(
        ctx,
        400,
        'OFFERING_NOT_FOUND',
        `Offering ${remove} is not on subscriber ${subscriberNumber}`,
      );
    }
    changes.push({ kind: 'removeOffering', effectiveAt, code: remove });
  }

  if (changes.length === 0) {
    return vendorError(ctx, 400, 'NO_CHANGE', 'Request contains nothing to change');
  }
  for (const change of changes) queueChange(line, change, ctx.now);
  return {
    status: 200,
    json: {
      id: simUuid(ctx.random),
      subscriberNumber,
      effectiveDate: new Date(effectiveAt).toISOString(),
      responseMessage: 'Request accepted',
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function headerInt(value: string | string[] | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
