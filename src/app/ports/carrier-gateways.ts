/**
 * What handlers need from carrier and billing clients, per service provider. The runtime
 * builds the concrete clients (with the account's resilience policy and rate limiter) from
 * the service provider's settings and credentials; handlers see only these operations.
 */
import type { EngineBillingIntegration, EngineServiceProvider } from './engine-store.ts';

/** Call options every gateway operation accepts. */
export interface GatewayCallOptions {
  signal?: AbortSignal;
}

/** Cisco Control Center operations used by handlers (a subset of the Jasper client). */
export interface JasperGateway {
  readonly usernameTargetField: string;
  editDevice(
    iccid: string,
    fields: { status?: string; ratePlan?: string; communicationPlan?: string } & Record<
      string,
      unknown
    >,
    options?: GatewayCallOptions,
  ): Promise<{ iccid: string; scheduled: boolean; sent: unknown }>;
  /** Writes the username to {@link JasperGateway.usernameTargetField} (idempotent PUT). */
  setUsername(
    iccid: string,
    username: string,
    options?: GatewayCallOptions,
  ): Promise<{ iccid: string; scheduled: boolean }>;
  /**
   * Current value of {@link JasperGateway.usernameTargetField} on the device (`GET /devices/{iccid}`),
   * null when blank. POD19 reads it before an edit: re-setting the same value leaves no audit record.
   */
  readUsername(iccid: string, options?: GatewayCallOptions): Promise<string | null>;
  /** Reads the audit trail for the outcome of a username edit sent at or after `since` (POD19). */
  verifyUsernameEdit(
    iccid: string,
    username: string,
    since?: Date | number,
    options?: GatewayCallOptions,
  ): Promise<UsernameEditVerification>;
}

/** What the audit trail says about a username edit. */
export type UsernameEditVerification =
  | { outcome: 'confirmed' }
  | { outcome: 'failed'; message: string }
  | { outcome: 'not-found-yet' };

/** Values of a username / cost-center change for one Rev.io service; blank = unchanged. */
export interface RevioFieldValues {
  CostCenter1?: string;
  CostCenter2?: string;
  CostCenter3?: string;
  /** Value of the "Username" custom field. */
  username?: string;
  /** Value of the service's root description. */
  description?: string;
}

/** A JSON Patch for a Rev.io service, with the values that have no field on it. */
export interface RevioFieldPatch {
  ops: Array<{ op: 'replace'; path: string; value: string }>;
  mapped: Array<{ input: keyof RevioFieldValues; target: string; index: number }>;
  unmapped: Array<{ input: keyof RevioFieldValues; value: string; reason: string }>;
}

/** A Rev.io service line to create (the original's `CreateServiceLineBody` names). */
export interface RevioServiceLineInput {
  CustomerId: number;
  /** MSISDN, else the device identifier. */
  Number: string;
  /** ICCID; blank is omitted. */
  Number2?: string | null;
  ServiceTypeId: number;
  ProviderId?: number | null;
  /** Billing start (sent only when prorating, as the original). */
  EffectiveDate?: string | null;
  ActivatedDate?: string | null;
  UsagePlanGroupId?: number | null;
  RevPackageId?: number | null;
  Description?: string | null;
}

/** A product to add to a Rev.io service line (the original's `CreateServiceProductBody`). */
export interface RevioServiceProductInput {
  ServiceId: number;
  ProductId: number;
  CustomerId: number;
  Rate: number;
  Prorate?: boolean | null;
  EffectiveDate?: string | null;
  ActivatedDate?: string | null;
  RevPackageId?: number | null;
}

/** A Rev.io create's result; `recovered` when the id came from a lookup after an ambiguous failure. */
export interface RevioCreateResult {
  id: number;
  recovered: boolean;
}

/** Rev.io operations used by handlers (a subset of the Rev.io client). */
export interface RevioGateway {
  /**
   * `POST /v1/Services` (not idempotent: after an ambiguous failure the client looks the line up
   * by customer + number before any re-send).
   */
  createService(
    input: RevioServiceLineInput,
    options?: GatewayCallOptions,
  ): Promise<RevioCreateResult>;
  /**
   * The newest active line of `CustomerId` with this `Number` (and `Number2`, `ServiceTypeId`),
   * if any: what a create with `input` produced. Used as a step lookup.
   */
  findService(
    input: RevioServiceLineInput,
    options?: GatewayCallOptions,
  ): Promise<RevioCreateResult | undefined>;
  /** `POST /v1/ServiceProduct` (not idempotent; looked up by service before a re-send). */
  createServiceProduct(
    input: RevioServiceProductInput,
    options?: GatewayCallOptions,
  ): Promise<RevioCreateResult>;
  /** The product a create with `input` produced on its service, if any (step lookup). */
  findServiceProduct(
    input: RevioServiceProductInput,
    options?: GatewayCallOptions,
  ): Promise<RevioCreateResult | undefined>;
  getService(
    serviceId: number,
    options?: GatewayCallOptions,
  ): Promise<{ serviceId: number; fields: Array<{ label: string; value: string }> }>;
  /** Pure: maps values to the service's fields (original-system.md §3.1 rules). */
  planPatch(
    service: { fields: ReadonlyArray<{ label: string }> },
    values: RevioFieldValues,
  ): RevioFieldPatch;
  /** JSON Patch `replace` of fields / description (idempotent); empty `ops` sends nothing. */
  patchService(
    serviceId: number,
    ops: RevioFieldPatch['ops'],
    options?: GatewayCallOptions,
  ): Promise<{ serviceId: number; applied: number }>;
}

/** Builds (and caches) gateways for service providers. */
export interface CarrierGateways {
  jasper(provider: EngineServiceProvider): JasperGateway;
  /** The Rev.io tenant of a billing integration. */
  revio(billing: EngineBillingIntegration): RevioGateway;
}
