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
  /** Reads the audit trail for the outcome of a username edit sent at or after `since` (POD19). */
  verifyUsernameEdit(
    iccid: string,
    username: string,
    since?: Date | number,
    options?: GatewayCallOptions,
  ): Promise<UsernameEditVerification>;
  /**
   * The Control Center spelling of a status, as {@link JasperGateway.editDevice} sends it
   * (`'deactivated'` → `DEACTIVATED`, `'Activation Ready'` → `ACTIVATION_READY`). Pure.
   */
  normaliseStatus(status: string): string;
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

/** Rev.io operations used by handlers (a subset of the Rev.io client). */
export interface RevioGateway {
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
