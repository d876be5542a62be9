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
  /** The Verizon ThingSpace account of a service provider. */
  thingspace(provider: EngineServiceProvider): ThingSpaceGateway;
  /** The AT&T Telegence account of a service provider. */
  telegence(provider: EngineServiceProvider): TelegenceGateway;
}

/** A ThingSpace device identifier (`kind`: `iccid`, `imei`, …). */
export interface ThingSpaceDeviceRef {
  id: string;
  kind: 'iccid' | 'imei';
}

/** An asynchronous ThingSpace request accepted by the carrier. */
export interface ThingSpaceAccepted {
  requestId: string;
  /** Recovered by a provisioning-history lookup after an ambiguous failure. */
  recovered: boolean;
}

/** Provisioning actions of ThingSpace (each has a provisioning-history event). */
export type ThingSpaceAction =
  | 'activate'
  | 'suspend'
  | 'restore'
  | 'deactivate'
  | 'changeServicePlan'
  | 'changeIdentifier'
  | 'updateCustomFields';

/** A device as ThingSpace lists it (flattened). */
export interface ThingSpaceDeviceState {
  iccid: string | undefined;
  imei: string | undefined;
  msisdn: string | undefined;
  /** Carrier state: `active`, `suspend`, `deactive`, `preactive`, … */
  state: string | undefined;
  servicePlan: string | undefined;
  ipAddress: string | undefined;
  customFields: Record<string, string>;
}

/** Primary place of use of an activation. */
export interface ThingSpacePlaceOfUse {
  customerName: { firstName: string; lastName: string };
  address: { addressLine1: string; city: string; state: string; zip: string; country: string };
}

/** Verizon ThingSpace operations used by handlers (a subset of the ThingSpace client). */
export interface ThingSpaceGateway {
  readonly accountName: string;
  /** Custom field holding the username (`CustomField1`..`CustomField5`). */
  readonly usernameCustomField: string;
  /** Adds a SIM to the account (`preactive`); a repeat answers "already exists" (idempotent). */
  addDevice(
    input: { iccid: string; imei?: string | null },
    options?: GatewayCallOptions,
  ): Promise<{ outcome: 'added' | 'already-exists'; response: string }>;
  activate(
    input: {
      iccid: string;
      imei?: string | null;
      servicePlan: string;
      mdnZipCode: string;
      primaryPlaceOfUse?: ThingSpacePlaceOfUse;
    },
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted>;
  suspend(input: { iccid: string }, options?: GatewayCallOptions): Promise<ThingSpaceAccepted>;
  restore(input: { iccid: string }, options?: GatewayCallOptions): Promise<ThingSpaceAccepted>;
  deactivate(
    input: { iccid: string; reasonCode: string },
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted>;
  changeServicePlan(
    input: { iccid: string; servicePlan: string },
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted>;
  changeIdentifier(
    input: { option: 'ChangeICCID' | 'ChangeIMEI'; oldId: string; newId: string },
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted>;
  /** Writes the username to {@link ThingSpaceGateway.usernameCustomField} (idempotent). */
  setUsername(
    input: { iccid: string; username: string },
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted>;
  /** `Pending`, `Success` or `Failure` of an asynchronous request. */
  requestStatus(
    requestId: string,
    options?: GatewayCallOptions,
  ): Promise<'Pending' | 'Success' | 'Failure'>;
  getDevice(
    iccid: string,
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceDeviceState | undefined>;
  /**
   * Looks for a provisioning action on the device at or after `since` in its provisioning
   * history (a write whose outcome was lost): its request, `'applied-without-id'` when the
   * history shows it without a request id, undefined when it did not happen.
   */
  findProvisioning(
    action: ThingSpaceAction,
    device: ThingSpaceDeviceRef,
    since: Date,
    options?: GatewayCallOptions,
  ): Promise<ThingSpaceAccepted | 'applied-without-id' | undefined>;
}

/** Acknowledgement of a Telegence line PATCH. */
export interface TelegenceWriteOutcome {
  /** 10-digit MDN. */
  subscriberNumber: string;
  /** Vendor interaction id (absent when the write was confirmed by a read). */
  interactionId?: string;
  /** Effective date the vendor acknowledged. */
  effectiveDate?: string;
  /** The PATCH failed ambiguously and a read showed it applied. */
  confirmedByLookup: boolean;
}

/** One line of a Telegence activation, as the POST or the status check reports it. */
export interface TelegenceActivationLineView {
  iccid?: string;
  /** MDN once assigned (from `reserved` on). */
  subscriberNumber?: string;
  /** `pending`, `reserved`, `active`, `rejected`, … (lower case). */
  status: string;
  error?: string;
  /** The vendor answered `service.name == "/service/"`: the device needs an eSIM profile. */
  esimRequired: boolean;
}

/** A line of the Telegence device list, found by its SIM. */
export interface TelegenceListedLineView {
  iccid: string;
  subscriberNumber: string;
  /** `A`, `S`, `R` (reserved). */
  status: string;
}

/** Result of a batch activation POST (JSON-serialisable: it is recorded as a step result). */
export interface TelegenceActivationSubmissionView {
  /** Id to check the activation with; absent when it was confirmed through the device list. */
  activationId?: string;
  lines: TelegenceActivationLineView[];
  /** The POST failed ambiguously and the device list showed lines for the batch's SIMs. */
  confirmedByLookup: boolean;
  foundLines: TelegenceListedLineView[];
  /**
   * The POST failed ambiguously and the device list showed none of the SIMs: it may have been
   * accepted (pending activations are not listed). It is never sent again.
   */
  unconfirmed: boolean;
}

/** An activation record ready to send, or why the device's record is not valid. */
export type TelegenceActivationBuild =
  | { ok: true; record: Readonly<Record<string, unknown>> }
  | { ok: false; error: string };

/** AT&T Telegence operations used by handlers (a subset of the Telegence client). */
export interface TelegenceGateway {
  /** Most activation records one request may carry (200). */
  readonly maxActivationsPerRequest: number;
  /** Reads a line (idempotent): its status (`A`, `S`, `C`, `R`), SIM, IMEI and plan. */
  getLine(
    msisdn: string,
    options?: GatewayCallOptions,
  ): Promise<{
    subscriberNumber: string;
    status: string;
    iccid?: string;
    imei?: string;
    ratePlanCode?: string;
  }>;
  /** Suspend / restore / cancel through the subscriber PATCH (looked up before any re-send). */
  changeStatus(
    msisdn: string,
    change: {
      action: 'suspend' | 'restore' | 'cancel';
      reasonCode: string;
      effectiveDate?: string;
    },
    options?: GatewayCallOptions,
  ): Promise<TelegenceWriteOutcome>;
  /** `singleUserCode` PATCH with the effective date (idempotent). */
  changeRatePlan(
    msisdn: string,
    change: { ratePlanCode: string; effectiveDate?: string },
    options?: GatewayCallOptions,
  ): Promise<TelegenceWriteOutcome>;
  /** SIM / IMEI swap PATCH (idempotent); eSIM-required answers are INTEGRATION_ESIM_REQUIRED. */
  swapEquipment(
    msisdn: string,
    swap: {
      iccid?: string;
      imei?: string;
      reasonCode: string;
      serviceZipCode?: string;
      technologyType?: string;
    },
    options?: GatewayCallOptions,
  ): Promise<TelegenceWriteOutcome>;
  /**
   * Pure: one device's activation record from the request's template (`billingAccount`,
   * `relatedParty`, `service`) with the device's SIM (and IMEI) filled in, validated.
   */
  buildActivation(
    template: unknown,
    device: { iccid: string; imei?: string },
  ): TelegenceActivationBuild;
  /**
   * Batch activation POST (≤ {@link TelegenceGateway.maxActivationsPerRequest}); non-idempotent:
   * after an ambiguous failure it is looked up in the device list and never sent again.
   */
  activateServices(
    records: ReadonlyArray<Readonly<Record<string, unknown>>>,
    options?: GatewayCallOptions,
  ): Promise<TelegenceActivationSubmissionView>;
  /** Activation status by id (idempotent read). */
  getActivationStatus(
    activationId: string,
    options?: GatewayCallOptions,
  ): Promise<{ activationId: string; lines: TelegenceActivationLineView[]; processed: boolean }>;
  /** Lines of the device list holding these SIMs (reads; used to look activations up). */
  findLinesBySim(
    iccids: readonly string[],
    options?: GatewayCallOptions,
  ): Promise<TelegenceListedLineView[]>;
}
