/**
 * The optional Rev.io steps of a StatusUpdate, run after a successful status change on every
 * integration (original-system.md §3.2 `ProcessRevServiceCreation` and the `AccountNumber`
 * customer attachment):
 *
 * - `RevService` and/or `RevServiceProductCreateModel`: a Rev.io service line with its products
 *   for each model given (each exactly once, through {@link createRevServiceLine});
 * - `AccountNumber`: the device attached to that Rev.io customer (refused when the device has an
 *   active line of another customer).
 *
 * The status change has happened by then, so a final failure of these steps does not undo or
 * fail it: it is reported in the device change's details (the original only logged it, so users
 * never saw it). Retryable failures are rethrown: the engine retries the device change, and the
 * carrier step, already recorded, is not sent again.
 */
import {
  type StatusUpdateRequest,
  statusUpdateSchema,
} from '../../domain/change-types/status-update.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type { DeviceUpdate, EngineStore } from '../ports/engine-store.ts';
import type { AfterJasperStatusChange } from './jasper-status-update.ts';
import { attachRevCustomer, checkRevServiceGuards } from './revio-customer-steps.ts';
import {
  createRevServiceLine,
  describeProducts,
  errorText,
  mustRethrow,
  type RevioStepDeps,
  type RevServiceModel,
  resolveRevioCustomer,
} from './revio-service-steps.ts';

/** The request fields these steps read. */
export type StatusRevioRequest = Pick<
  StatusUpdateRequest,
  'AccountNumber' | 'RevService' | 'RevServiceProductCreateModel' | 'IntegrationAuthenticationId'
>;

/** What the steps did. */
export interface StatusRevioOutcome {
  /** Sentences for the device change's details (one per step asked for). */
  notes: string[];
  /** Device fields to record with the status (`rev_customer_id` after an attachment). */
  deviceChanges: DeviceUpdate['changes'];
}

/** Runs the steps a request asks for after its status change succeeded. */
export type StatusRevioSteps = (
  ctx: HandlerContext,
  request: StatusRevioRequest,
) => Promise<StatusRevioOutcome>;

/** True when the request asks for any Rev.io step after the status change. */
export function asksForRevioSteps(request: StatusRevioRequest): boolean {
  return (
    request.RevService !== undefined ||
    request.RevServiceProductCreateModel !== undefined ||
    request.AccountNumber !== undefined
  );
}

/**
 * Creates the steps over the Rev.io gateway and the engine store.
 *
 * @example
 * const steps = createStatusRevioSteps({ gateways, store });
 * const { notes, deviceChanges } = await steps(ctx, request);
 */
export function createStatusRevioSteps(deps: RevioStepDeps): StatusRevioSteps {
  return async (ctx, request) => {
    const notes: string[] = [];
    const deviceChanges: DeviceUpdate['changes'] = {};
    // The original: the RevService's own integration, overridden by the top-level id when a
    // RevServiceProductCreateModel is present.
    const models: Array<[string, RevServiceModel]> = [];
    if (request.RevService !== undefined) models.push(['revService.', request.RevService]);
    if (request.RevServiceProductCreateModel !== undefined) {
      models.push(['revServiceProducts.', request.RevServiceProductCreateModel]);
    }
    const override =
      request.RevServiceProductCreateModel !== undefined
        ? request.IntegrationAuthenticationId
        : undefined;
    for (const [prefix, model] of models) {
      notes.push(await createLine(ctx, deps, { ...model, ...overrideId(override) }, prefix));
    }
    if (request.AccountNumber !== undefined) {
      const integrationId =
        override ?? request.RevService?.IntegrationAuthenticationId ?? undefined;
      const attached = await attachRevCustomer(ctx, deps, request.AccountNumber, {
        ...(integrationId === undefined ? {} : { integrationAuthenticationId: integrationId }),
        stepPrefix: 'status.attach.',
      });
      if (attached.ok) {
        Object.assign(deviceChanges, attached.deviceChanges);
        notes.push(`attached to Rev.io customer ${request.AccountNumber}`);
      } else {
        notes.push(`Rev.io customer ${request.AccountNumber} not attached: ${attached.error}`);
      }
    }
    return { notes, deviceChanges };
  };
}

function overrideId(id: number | undefined): { IntegrationAuthenticationId?: number } {
  return id === undefined ? {} : { IntegrationAuthenticationId: id };
}

/** One service line with its products; the sentence for the details. */
async function createLine(
  ctx: HandlerContext,
  deps: RevioStepDeps,
  model: RevServiceModel,
  prefix: string,
): Promise<string> {
  const resolved = await resolveRevioCustomer(ctx, deps, model);
  if ('error' in resolved) return `Rev.io service not created: ${resolved.error}`;
  try {
    await checkRevServiceGuards(ctx, deps, resolved, { newLine: true, stepPrefix: prefix });
  } catch (error) {
    if (mustRethrow(error)) throw error;
    return `Rev.io service not created: ${errorText(error)}`;
  }
  const line = await createRevServiceLine(ctx, deps, model, resolved, { stepPrefix: prefix });
  if (!line.ok) return `Rev.io service not created: ${line.error}`;
  const products = line.products.length === 0 ? '' : ` (${describeProducts(line.products)})`;
  return `Rev.io service ${line.serviceId} created${products}`;
}

/** The request's Rev.io fields (the handler has validated the whole request already). */
function readRevioRequest(ctx: HandlerContext): StatusRevioRequest | undefined {
  const parsed = statusUpdateSchema.safeParse(ctx.request);
  return parsed.success && asksForRevioSteps(parsed.data) ? parsed.data : undefined;
}

/**
 * The steps as the Jasper family's status hook: the device change succeeds with the status
 * sentence plus the steps' notes, and `rev_customer_id` joins the status in the device row.
 */
export function jasperStatusRevioHook(steps: StatusRevioSteps): AfterJasperStatusChange {
  return async (ctx, outcome) => {
    const request = readRevioRequest(ctx);
    if (request === undefined) return undefined;
    const { notes, deviceChanges } = await steps(ctx, request);
    const moved =
      outcome.deactivationRatePlan === undefined
        ? ''
        : ` (rate plan moved to ${outcome.deactivationRatePlan} first)`;
    const deviceId = ctx.change.deviceId;
    return {
      kind: 'succeeded',
      details: [
        `Successfully updated device status to ${outcome.carrierStatus}${moved}`,
        ...notes,
      ].join('; '),
      ...(deviceId === null ? {} : { deviceUpdate: { deviceId, changes: deviceChanges } }),
    };
  };
}

/**
 * The steps as a hook that returns notes (ThingSpace, Telegence): the attachment's device
 * fields are written at once, with history (absolute values, so a repeat changes nothing).
 */
export function notesStatusRevioHook(
  steps: StatusRevioSteps,
  store: Pick<EngineStore, 'applyDeviceUpdate'>,
): (ctx: HandlerContext) => Promise<string[]> {
  return async (ctx) => {
    const request = readRevioRequest(ctx);
    if (request === undefined) return [];
    const { notes, deviceChanges } = await steps(ctx, request);
    const deviceId = ctx.change.deviceId;
    if (deviceId !== null && Object.keys(deviceChanges).length > 0) {
      await store.applyDeviceUpdate(
        { deviceId, changes: deviceChanges },
        { bulkChangeId: ctx.bulkChange.id, deviceChangeId: ctx.change.id },
      );
    }
    return notes;
  };
}
