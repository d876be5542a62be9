/**
 * Reusable Rev.io steps of one device change (original-system.md §3.7 `CreateRevServiceAsync`,
 * §3.2 `ProcessRevServiceCreation` and the `AccountNumber` customer attachment):
 *
 * - {@link resolveRevioCustomer}: the billing integration and the Rev.io customer of a request;
 * - {@link createRevServiceLine}: the service line, then each product, each exactly once
 *   (non-idempotent creates run as steps with a look-up by number / by service, so neither a
 *   timeout whose write was applied nor a redelivered message creates a second one), the line
 *   recorded in the device database; every product's result reported, and one failed product
 *   fails the line (the original reported success whatever the products did);
 * - the guards and the customer attachment live in `revio-customer-steps.ts`.
 *
 * Used by the CreateRevService and AssociateCustomer handlers, and meant for the status
 * handlers' optional Rev.io steps after a successful status change.
 */
import { AppError, ErrorCode, isAppError } from '../../domain/errors.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type {
  CarrierGateways,
  RevioCreateResult,
  RevioServiceLineInput,
  RevioServiceProductInput,
} from '../ports/carrier-gateways.ts';
import type {
  EngineBillingIntegration,
  EngineRevCustomer,
  EngineStore,
  LogEntry,
} from '../ports/engine-store.ts';

/** The original's log descriptions. */
export const REV_SERVICE_LOG = {
  createService: 'Create Rev.io Service: Rev.io API',
  createServiceDb: 'Create Rev.io Service: Update AMOP',
  createProduct: 'Create Rev.io Service Product: Rev.io API',
  skipped: 'Create Rev.io Service: Skipped',
  customerRatePlan: 'Associate Customer: Update AMOP Customer Rate Plan',
  assignCustomer: 'AMOP Customer Assignment',
  nonRevCustomer: 'AssignNonRevCustomer: Update AMOP',
  preflight: 'Associate Customer: Pre-flight Check',
} as const;

/** The original portal's guard messages. */
export const REV_SERVICE_GUARD = {
  cannotChangeCustomers: 'Active service line. Cannot change customers.',
  lineNotCreated: 'Active service line. New Service line not created.',
} as const;

/**
 * The Rev.io service model fields these steps read: the normalised `BulkChangeAssociateCustomer`
 * (`domain/change-types/rev-service-fields.ts`), e.g. a StatusUpdate's `RevService`.
 */
export interface RevServiceModel {
  RevCustomerId?: string | undefined;
  ServiceTypeId?: number | undefined;
  ProviderId?: number | undefined;
  UsagePlanGroupId?: number | undefined;
  RevPackageId?: number | undefined;
  RevProductIdList?: number[] | undefined;
  RateList?: number[] | undefined;
  RevProductId?: number | undefined;
  Rate?: number | undefined;
  Prorate?: boolean | undefined;
  Description?: string | undefined;
  EffectiveDate?: string | undefined;
  ActivatedDate?: string | undefined;
  /** Line number; default the device's MSISDN, else its identifier. */
  Number?: string | undefined;
  /** Second number; default the device's ICCID. */
  ICCID?: string | undefined;
  /** Billing integration to use; default the service provider's. */
  IntegrationAuthenticationId?: number | undefined;
}

/** What the steps need from the engine. */
export interface RevioStepDeps {
  gateways: CarrierGateways;
  store: Pick<
    EngineStore,
    | 'getBillingIntegration'
    | 'findRevCustomerByExternalId'
    | 'findActiveRevServicesOfDevice'
    | 'linkRevService'
  >;
}

/** The billing integration and customer a request is for. */
export interface RevioCustomerContext {
  billing: EngineBillingIntegration;
  customer: EngineRevCustomer;
}

/** One product's result. */
export interface RevProductResult {
  productId: number;
  rate: number;
  /** Set when created (or found by a look-up after an ambiguous failure). */
  serviceProductId?: number;
  recovered?: boolean;
  /** Set when it failed. */
  error?: string;
}

/** Outcome of {@link createRevServiceLine}. */
export type RevServiceLineOutcome =
  | { ok: true; serviceId: number; recovered: boolean; products: RevProductResult[] }
  | { ok: false; error: string; serviceId: number | null; products: RevProductResult[] };

/** A terminal rejection of a business rule (not retried; fails the device change). */
export class RevServiceRuleError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

/**
 * Finds the billing integration (the request's `IntegrationAuthenticationId`, else the service
 * provider's) and the Rev.io customer `model.RevCustomerId` in it. Returns `{ error }` with a
 * sentence for the device details when either is missing, belongs to another tenant, or — when
 * the caller will write to Rev.io (`forWrite`, default true) — the integration's writes are
 * disabled.
 *
 * @example
 * const resolved = await resolveRevioCustomer(ctx, deps, { RevCustomerId: '100101' });
 * if ('error' in resolved) return { kind: 'failed', details: resolved.error, error: resolved.error };
 */
export async function resolveRevioCustomer(
  ctx: HandlerContext,
  deps: Pick<RevioStepDeps, 'store'>,
  model: Pick<RevServiceModel, 'RevCustomerId' | 'IntegrationAuthenticationId'>,
  options: { forWrite?: boolean } = {},
): Promise<RevioCustomerContext | { error: string }> {
  const billingId = model.IntegrationAuthenticationId ?? ctx.serviceProvider.billingIntegrationId;
  if (billingId === null) {
    return { error: `Service provider ${ctx.serviceProvider.name} has no Rev.io integration` };
  }
  const billing = await deps.store.getBillingIntegration(billingId);
  if (billing === undefined || billing.tenantId !== ctx.bulkChange.tenantId) {
    return { error: `Rev.io integration ${billingId} does not exist for this tenant` };
  }
  if ((options.forWrite ?? true) && !billing.writeEnabled) {
    return { error: `Writes disabled for Rev.io integration ${billing.name}` };
  }
  if (model.RevCustomerId === undefined) return { error: 'RevCustomerId is required' };
  const customer = await deps.store.findRevCustomerByExternalId(billing.id, model.RevCustomerId);
  if (customer === undefined) {
    return {
      error: `Rev.io customer ${model.RevCustomerId} does not exist in Rev.io integration ${billing.name}`,
    };
  }
  return { billing, customer };
}

/** The service line a model creates for the device of `ctx`. */
export function serviceLineInput(
  ctx: HandlerContext,
  model: RevServiceModel,
  customer: EngineRevCustomer,
): RevioServiceLineInput {
  const number = model.Number ?? ctx.change.msisdn ?? ctx.change.identifier;
  const iccid = model.ICCID ?? ctx.change.iccid;
  return {
    CustomerId: Number(customer.externalId),
    Number: number,
    Number2: iccid ?? null,
    ServiceTypeId: model.ServiceTypeId ?? 0,
    ProviderId: model.ProviderId ?? null,
    // The original sent the billing start only when prorating.
    EffectiveDate: model.Prorate === true ? (model.EffectiveDate ?? null) : null,
    ActivatedDate: model.ActivatedDate ?? ctx.now().toISOString().slice(0, 10),
    UsagePlanGroupId: model.UsagePlanGroupId ?? null,
    RevPackageId: model.RevPackageId ?? null,
    Description: model.Description ?? null,
  };
}

/** Products to add: the list with its rates, else the single product; none with a package. */
export function productsOf(model: RevServiceModel): Array<{ productId: number; rate: number }> {
  if (model.RevPackageId !== undefined) return []; // packages already include their products
  const list = model.RevProductIdList ?? [];
  if (list.length > 0) {
    return list.map((productId, i) => ({ productId, rate: model.RateList?.[i] ?? 0 }));
  }
  return model.RevProductId === undefined
    ? []
    : [{ productId: model.RevProductId, rate: model.Rate ?? 0 }];
}

/**
 * Creates the device's Rev.io service line and its products (steps
 * `<prefix>revio.createService` and `<prefix>revio.createServiceProduct.<productId>`), and
 * records the line in the device database. A retryable failure is thrown (the engine retries the
 * device change later; completed steps are not repeated); a terminal one is returned as
 * `{ ok: false }` with the log rows written. Several calls for one device change need different
 * `stepPrefix`es.
 *
 * @example
 * const line = await createRevServiceLine(ctx, deps, request.RevService, resolved);
 * if (!line.ok) ctx.logger.warn({ error: line.error }, 'Rev.io service not created');
 */
export async function createRevServiceLine(
  ctx: HandlerContext,
  deps: RevioStepDeps,
  model: RevServiceModel,
  resolved: RevioCustomerContext,
  options: { stepPrefix?: string } = {},
): Promise<RevServiceLineOutcome> {
  const prefix = options.stepPrefix ?? '';
  const { billing, customer } = resolved;
  const revio = deps.gateways.revio(billing);
  const input = serviceLineInput(ctx, model, customer);
  if (input.ServiceTypeId === 0) {
    return { ok: false, error: 'ServiceTypeId is required', serviceId: null, products: [] };
  }
  let line: RevioCreateResult;
  try {
    line = await ctx.step(
      `${prefix}revio.createService`,
      {
        idempotent: false,
        // An earlier attempt died during the POST: is the line there?
        lookup: () => revio.findService(input, { signal: ctx.signal }),
        log: (outcome) => stepLog(REV_SERVICE_LOG.createService, input, outcome),
      },
      () => revio.createService(input, { signal: ctx.signal }),
    );
  } catch (error) {
    if (mustRethrow(error)) throw error;
    return { ok: false, error: errorText(error), serviceId: null, products: [] };
  }
  await deps.store.linkRevService({
    tenantId: ctx.bulkChange.tenantId,
    billingIntegrationId: billing.id,
    serviceId: line.id,
    revCustomerId: customer.id,
    iccid: input.Number2 ?? null,
    msisdn: ctx.change.msisdn,
    serviceTypeId: input.ServiceTypeId,
    activatedAt: input.ActivatedDate ?? null,
    description: input.Description ?? null,
  });
  ctx.log({
    description: REV_SERVICE_LOG.createServiceDb,
    requestText: JSON.stringify({ serviceId: line.id, number: input.Number, iccid: input.Number2 }),
    responseText: `Rev.io service ${line.id} recorded for the device`,
    responseStatus: 'PROCESSED',
    hasErrors: false,
  });

  const products: RevProductResult[] = [];
  let retryable: unknown;
  for (const { productId, rate } of productsOf(model)) {
    const productInput: RevioServiceProductInput = {
      ServiceId: line.id,
      ProductId: productId,
      CustomerId: input.CustomerId,
      Rate: rate,
      Prorate: model.Prorate ?? null,
      EffectiveDate: input.EffectiveDate ?? null,
      ActivatedDate: input.ActivatedDate ?? null,
      RevPackageId: null,
    };
    try {
      const created = await ctx.step(
        `${prefix}revio.createServiceProduct.${productId}`,
        {
          idempotent: false,
          lookup: () => revio.findServiceProduct(productInput, { signal: ctx.signal }),
          log: (outcome) => stepLog(REV_SERVICE_LOG.createProduct, productInput, outcome),
        },
        () => revio.createServiceProduct(productInput, { signal: ctx.signal }),
      );
      products.push({
        productId,
        rate,
        serviceProductId: created.id,
        recovered: created.recovered,
      });
    } catch (error) {
      if (mustRethrow(error)) retryable ??= error;
      products.push({ productId, rate, error: errorText(error) });
    }
  }
  // Every product was tried; a retryable failure retries the device change (the products that
  // were created are recorded steps and are not created again).
  if (retryable !== undefined) throw retryable;
  const failed = products.filter((p) => p.error !== undefined);
  if (failed.length > 0) {
    return {
      ok: false,
      error: `Rev.io service ${line.id} created, but ${failed.length} of ${products.length} products failed: ${describeProducts(products)}`,
      serviceId: line.id,
      products,
    };
  }
  return { ok: true, serviceId: line.id, recovered: line.recovered, products };
}

/** "3001 → 900004, 3002 failed (…)" for the device details. */
export function describeProducts(products: readonly RevProductResult[]): string {
  return products
    .map((p) =>
      p.error === undefined
        ? `product ${p.productId} → service product ${p.serviceProductId}`
        : `product ${p.productId} failed (${p.error})`,
    )
    .join('; ');
}

/** True for failures the engine should retry (or put back), not report as final. */
export function mustRethrow(error: unknown): boolean {
  if (!isAppError(error)) return true;
  if (error.code === ErrorCode.INTEGRATION_CIRCUIT_OPEN) return true;
  return (error as { retryable?: boolean }).retryable === true;
}

/** Text of an error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stepLog(
  description: string,
  request: unknown,
  outcome: { ok: true; result: unknown } | { ok: false; error: unknown },
): LogEntry {
  return outcome.ok
    ? {
        description,
        requestText: JSON.stringify(request),
        responseText: JSON.stringify(outcome.result),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      }
    : {
        description,
        requestText: JSON.stringify(request),
        responseStatus: 'API_FAILED',
        hasErrors: true,
        errorText: errorText(outcome.error),
      };
}
