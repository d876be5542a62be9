/**
 * Activation routes of the Telegence simulator: `POST {base}/serviceactivation` (a JSON array
 * of at most 200 records, one activation id for the whole batch) and
 * `GET {base}/serviceactivation/{id}` (one record per line).
 *
 * Progress, per batch: `pending` → `reserved` (MDN assigned, line created with status `R`) →
 * `active` (line status `A`); lines whose outcome is `rejected` go from `pending` to
 * `rejected`; eSIM-required ICCIDs are `rejected` at once with `service.name: "/service/"`
 * (or, with `esimOnActivation: 'http404'`, the whole POST answers 404 `/service/`). A stage ends
 * when both its poll count and its time (simulator clock) have passed — see
 * `TelegenceSimConfig.activation`. Outcomes: set per ICCID, else rejected with `rejectRate`
 * (seeded PRNG), else active.
 */
import type { SimContext, SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { accountOf, serviceNotFound, vendorError } from './telegence-sim-responses.ts';
import {
  isoDate,
  type SimActivation,
  type SimActivationLine,
  simInUse,
  simUuid,
  type TelegenceSimState,
} from './telegence-sim-state.ts';
import {
  activationRequestSchema,
  characteristicValue,
  TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
  TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION,
  type TelegenceActivationRequest,
} from './telegence-wire.ts';

type Ctx = SimContext<TelegenceSimState>;

/** Builds the activation routes under `base` + `activationPath`. */
export function activationRoutes(path: string): SimRoute<TelegenceSimState>[] {
  return [
    {
      method: 'POST',
      path,
      operation: 'activateServices',
      handle: (req, ctx) => submit(req.body, ctx),
    },
    {
      method: 'GET',
      path: `${path}/:activationId`,
      operation: 'getActivationStatus',
      handle: (req, ctx) => {
        const activation = ctx.state.activations.get(req.params.activationId ?? '');
        if (activation === undefined || activation.account !== ctx.account) {
          return vendorError(
            ctx,
            404,
            'ACTIVATION_NOT_FOUND',
            `Activation ${req.params.activationId} not found`,
          );
        }
        advanceActivation(ctx.state, activation, ctx.now, ctx, true);
        const response = { status: 200, json: records(activation) };
        activation.stagePolls += 1;
        return response;
      },
    },
  ];
}

function submit(body: unknown, ctx: Ctx): SimResponse {
  if (!Array.isArray(body) || body.length === 0) {
    return vendorError(ctx, 400, 'INVALID_REQUEST', 'Body must be a non-empty array of services');
  }
  if (body.length > TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST) {
    return vendorError(
      ctx,
      400,
      'MAX_SERVICES_EXCEEDED',
      `At most ${TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST} services per request; got ${body.length}`,
    );
  }
  const account = accountOf(ctx);
  const requests: TelegenceActivationRequest[] = [];
  const seen = new Set<string>();
  for (const [i, item] of body.entries()) {
    const parsed = activationRequestSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return vendorError(
        ctx,
        400,
        'INVALID_REQUEST',
        `services[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const request = parsed.data;
    const chars = request.service.serviceCharacteristic;
    if (request.billingAccount.id !== account.billingAccountNumber) {
      return vendorError(
        ctx,
        400,
        'INVALID_BILLING_ACCOUNT',
        `services[${i}]: billing account ${request.billingAccount.id} is not accessible`,
      );
    }
    if (chars.some((c) => c.name === 'removeOfferingCode')) {
      return vendorError(
        ctx,
        400,
        'UNSUPPORTED_CHARACTERISTIC',
        `services[${i}]: removeOfferingCode is not allowed on activation`,
      );
    }
    const plan = characteristicValue(chars, 'singleUserCode');
    if (plan === undefined || !account.ratePlans.has(plan)) {
      return vendorError(
        ctx,
        400,
        'INVALID_SINGLE_USER_CODE',
        `services[${i}]: singleUserCode ${plan ?? '(missing)'} is not available`,
      );
    }
    const sim = characteristicValue(chars, 'sim');
    if (sim === undefined || !/^\d{19,20}$/.test(sim)) {
      return vendorError(
        ctx,
        400,
        'INVALID_SIM',
        `services[${i}]: sim must be a 19-20 digit ICCID`,
      );
    }
    const imei = characteristicValue(chars, 'IMEI');
    if (imei !== undefined && !/^\d{15}$/.test(imei)) {
      return vendorError(ctx, 400, 'INVALID_IMEI', `services[${i}]: IMEI must have 15 digits`);
    }
    if (seen.has(sim) || simInUse(ctx.state, sim)) {
      return vendorError(
        ctx,
        409,
        'DUPLICATE_SIM',
        `services[${i}]: sim ${sim} already has a line or an activation in progress`,
      );
    }
    seen.add(sim);
    requests.push(request);
  }
  const esim = requests.filter((r) => ctx.state.esimRequired.has(simOf(r)));
  if (esim.length > 0 && ctx.state.config.esimOnActivation === 'http404')
    return serviceNotFound(ctx);

  const activation: SimActivation = {
    id: simUuid(ctx.random),
    account: account.key,
    createdAt: ctx.now,
    stage: 'pending',
    stageSince: ctx.now,
    stagePolls: 0,
    lines: requests.map((request) => newLine(request, ctx)),
  };
  ctx.state.activations.set(activation.id, activation);
  advanceActivation(ctx.state, activation, ctx.now, ctx, false);
  return { status: 202, json: records(activation) };
}

function newLine(request: TelegenceActivationRequest, ctx: Ctx): SimActivationLine {
  const iccid = simOf(request);
  const set = ctx.state.outcomes.get(iccid);
  const rate = ctx.state.config.activation.rejectRate;
  const outcome = ctx.state.esimRequired.has(iccid)
    ? 'esim'
    : (set ?? (rate > 0 && ctx.random.next() < rate ? 'rejected' : 'active'));
  const esim = outcome === 'esim';
  return {
    request,
    iccid,
    outcome,
    status: esim ? 'rejected' : 'pending',
    subscriberNumber: null,
    error: esim ? 'Device requires an eSIM profile' : null,
    completedAt: esim ? ctx.now : null,
  };
}

/**
 * Moves an activation through its stages as far as polls and time allow. A stage with a poll
 * count ends only at a status poll (`poll`) that finds the count reached; a stage without one
 * ends on any read once its time has passed (reads of lines and the device list call this
 * too, so that time-only progress shows everywhere).
 */
export function advanceActivation(
  state: TelegenceSimState,
  activation: SimActivation,
  now: number,
  ctx: Pick<Ctx, 'random'>,
  poll: boolean,
): void {
  const cfg = state.config.activation;
  const polled = (required: number) => (poll ? activation.stagePolls >= required : required === 0);
  for (;;) {
    const elapsed = now - activation.stageSince;
    if (activation.stage === 'pending' && polled(cfg.pendingPolls) && elapsed >= cfg.pendingMs) {
      for (const line of activation.lines) {
        if (line.status !== 'pending') continue;
        if (line.outcome === 'active') reserve(state, activation, line, now, ctx);
        else {
          line.status = 'rejected';
          line.error = 'Activation rejected by the carrier';
          line.completedAt = now;
        }
      }
      const reserved = activation.lines.some((l) => l.status === 'reserved');
      activation.stage = reserved ? 'reserved' : 'done';
    } else if (
      activation.stage === 'reserved' &&
      polled(cfg.reservedPolls) &&
      elapsed >= cfg.reservedMs
    ) {
      for (const line of activation.lines) {
        if (line.status !== 'reserved' || line.subscriberNumber === null) continue;
        line.status = 'active';
        line.completedAt = now;
        const created = state.lines.get(line.subscriberNumber);
        if (created !== undefined && created.status === 'R') {
          created.status = 'A';
          created.statusEffectiveDate = isoDate(now);
          created.activationDate = isoDate(now);
        }
      }
      activation.stage = 'done';
    } else {
      return;
    }
    activation.stageSince = now;
    activation.stagePolls = 0;
  }
}

/** Advances every activation by time only (reads that are not status polls). */
export function advanceAll(state: TelegenceSimState, now: number, ctx: Pick<Ctx, 'random'>): void {
  for (const activation of state.activations.values()) {
    if (activation.stage !== 'done') advanceActivation(state, activation, now, ctx, false);
  }
}

function reserve(
  state: TelegenceSimState,
  activation: SimActivation,
  line: SimActivationLine,
  now: number,
  ctx: Pick<Ctx, 'random'>,
): void {
  let mdn: string;
  do {
    mdn = `${ctx.random.int(2, 9)}${ctx.random.int(0, 8)}${ctx.random.int(0, 9)}${ctx.random.int(2, 9)}${ctx.random.digits(6)}`;
  } while (state.lines.has(mdn));
  const chars = line.request.service.serviceCharacteristic;
  const party = line.request.relatedParty[0];
  state.lines.set(mdn, {
    subscriberNumber: mdn,
    account: activation.account,
    status: 'R',
    statusEffectiveDate: isoDate(now),
    statusReasonCode: 'NEWACT',
    activationDate: '',
    singleUserCode: characteristicValue(chars, 'singleUserCode') ?? '',
    serviceZipCode: characteristicValue(chars, 'serviceZipCode') ?? party?.address.zipCode ?? '',
    contactName: party === undefined ? '' : `${party.firstName} ${party.lastName}`,
    sim: line.iccid,
    imei: characteristicValue(chars, 'IMEI') ?? null,
    technologyType: characteristicValue(chars, 'deviceTechnologyType') ?? 'LTE',
    offerings: chars
      .filter((c) => /^offeringCode\d+$/.test(c.name) && c.value !== '')
      .map((c) => ({ code: c.value, description: c.value, effectiveDate: isoDate(now) })),
    ipAddress: null,
    pending: [],
  });
  line.status = 'reserved';
  line.subscriberNumber = mdn;
}

function records(activation: SimActivation): unknown[] {
  return activation.lines.map((line) => ({
    id: activation.id,
    interactionStatus:
      line.status === 'active'
        ? 'completed'
        : line.status === 'rejected'
          ? 'rejected'
          : 'in progress',
    interactionDate: new Date(activation.createdAt).toISOString(),
    interactionDateComplete:
      line.completedAt === null ? null : new Date(line.completedAt).toISOString(),
    billingAccount: line.request.billingAccount,
    relatedParty: line.request.relatedParty,
    service: {
      name:
        line.outcome === 'esim'
          ? TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION
          : line.request.service.name,
      status: line.status,
      subscriberNumber: line.subscriberNumber,
      error: line.error,
      serviceCharacteristic: line.request.service.serviceCharacteristic,
    },
  }));
}

function simOf(request: TelegenceActivationRequest): string {
  return characteristicValue(request.service.serviceCharacteristic, 'sim') ?? '';
}
