/**
 * The engine's persistence port: bulk changes, leased device changes, results, logs, step
 * idempotency, completion. Implemented over kysely for PGlite and PostgreSQL
 * (`adapters/db/engine-store.ts`).
 *
 * Leases: a claimed device change is PROCESSING with `lease_owner` and `lease_expires_at`.
 * Every write of its result is fenced by the owner: a worker whose lease expired (and was
 * reclaimed by another) cannot overwrite the newer worker's result.
 */
import type { BulkChangeStatus } from '../../domain/bulk-change/bulk-change-status.ts';
import type { ChangeType } from '../../domain/change-types/change-type.ts';
import type { IdentifierKind } from '../../domain/identifiers/identifier-kind.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { SecretRefs } from '../../domain/secret-ref.ts';

/** A bulk change as the engine sees it. */
export interface EngineBulkChange {
  id: number;
  tenantId: number;
  serviceProviderId: number;
  changeType: ChangeType;
  portalType: number;
  status: BulkChangeStatus;
  /** Shared request (original field names). */
  request: Record<string, unknown>;
  retryNumber: number;
}

/** The carrier account a bulk change is for. */
export interface EngineServiceProvider {
  id: number;
  tenantId: number;
  name: string;
  integration: Integration;
  writeEnabled: boolean;
  settings: Record<string, unknown>;
  credentials: SecretRefs;
  billingIntegrationId: number | null;
}

/** A billing (Rev.io) tenant linked to service providers. */
export interface EngineBillingIntegration {
  id: number;
  tenantId: number;
  name: string;
  baseUrl: string;
  clientCode: string;
  login: string;
  /** `password` and `subscriptionKey`. */
  credentials: SecretRefs;
  writeEnabled: boolean;
  /**
   * Non-secret settings; `rateLimitPerSecond` and `maxConcurrent` override the Rev.io
   * client's default limits. Absent on stores that predate them.
   */
  settings?: Record<string, unknown>;
}

/** A Rev.io service line known to the device database. */
export interface EngineRevService {
  /** Rev.io service id. */
  serviceId: number;
  iccid: string | null;
  msisdn: string | null;
  activatedAt: Date | null;
}

/** A device change claimed by a worker. */
export interface ClaimedDeviceChange {
  id: number;
  bulkChangeId: number;
  rowNumber: number;
  deviceId: number | null;
  identifierKind: IdentifierKind;
  identifier: string;
  iccid: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  /** Per-device fields, or null to use the bulk request. */
  changeRequest: Record<string, unknown> | null;
  /** Claims so far, this one included. */
  attempt: number;
  /** What a parked change saved to resume with. */
  parkState: unknown;
}

/** One row of the bulk change log (the original's DeviceBulkChangeLog). */
export interface LogEntry {
  description: string;
  requestText?: string;
  responseText?: string;
  /** PROCESSED / ERROR / PENDING / API_FAILED or an HTTP status as text. */
  responseStatus?: string;
  hasErrors: boolean;
  errorText?: string;
}

/** A change to the device database row, written with history in the result's transaction. */
export interface DeviceUpdate {
  deviceId: number;
  changes: Record<string, string | number | null>;
}

/** The outcome of one device change attempt. */
export type DeviceResult =
  /** Done: PROCESSED. */
  | { kind: 'succeeded'; details: string; deviceUpdate?: DeviceUpdate }
  /** Done, failed for good: API_FAILED. */
  | { kind: 'failed'; details: string; error: string }
  /** Retry later (retryable failure under the attempt limit): back to PENDING. */
  | { kind: 'retry'; details: string; error: string; notBefore: Date }
  /** Waiting for an asynchronous carrier completion: back to PENDING, resumed at `notBefore`. */
  | { kind: 'parked'; details: string; notBefore: Date; parkState: unknown }
  /** Not attempted (circuit open): back to PENDING without counting the attempt. */
  | { kind: 'released'; details: string; notBefore: Date };

/** State of one idempotent step. */
export type StepRecord =
  | { state: 'new' }
  | { state: 'in-progress' }
  | { state: 'completed'; result: unknown };

/** Step idempotency records, keyed by (device change, step). */
export interface StepStore {
  /** Marks the step in progress unless a record exists; returns what was there. */
  begin(key: string): Promise<StepRecord>;
  /** Records the step's result (and its log rows) in one transaction. */
  complete(
    key: string,
    result: unknown,
    log?: { bulkChangeId: number; deviceChangeId: number; entries: LogEntry[] },
  ): Promise<void>;
}

/** Remaining work of a bulk change. */
export interface OpenWork {
  /** Device changes not yet terminal. */
  open: number;
  /** Earliest moment one of them can be worked on (null when none is waiting on time). */
  dueAt: Date | null;
}

/** A Rev.io customer known to the device database. */
export interface EngineRevCustomer {
  /** Row id (`rev_customers.id`, what devices point at). */
  id: number;
  /** Rev.io's customer id. */
  externalId: string;
  name: string;
  status: string;
}

/** An active Rev.io service line of a device, with its customer. */
export interface EngineActiveRevService {
  serviceId: number;
  /** Rev.io id of the line's customer. */
  customerExternalId: string;
}

/** A Rev.io service line created for a device, to record in the device database. */
export interface EngineRevServiceLink {
  tenantId: number;
  billingIntegrationId: number;
  serviceId: number;
  /** `rev_customers.id` of the line's customer. */
  revCustomerId: number;
  iccid: string | null;
  msisdn: string | null;
  serviceTypeId: number | null;
  activatedAt: string | null;
  description: string | null;
}

/**
 * What the Rev.io change types (CreateRevService, AssociateCustomer) and the optional Rev.io
 * steps after a status change read and write besides results (`engine-revio-store.ts`).
 */
export interface EngineRevServiceStore {
  /** A Rev.io customer of the billing integration by its Rev.io id. */
  findRevCustomerByExternalId(
    billingIntegrationId: number,
    externalId: string,
  ): Promise<EngineRevCustomer | undefined>;
  /** Active (not disconnected) Rev.io lines of the device in the billing integration. */
  findActiveRevServicesOfDevice(query: {
    tenantId: number;
    billingIntegrationId: number;
    iccid?: string | null;
    msisdn?: string | null;
  }): Promise<EngineActiveRevService[]>;
  /** A customer rate plan of the tenant by id. */
  findCustomerRatePlanById(
    tenantId: number,
    id: number,
  ): Promise<{ id: number; code: string } | undefined>;
  /** A customer rate pool of the tenant by id. */
  findCustomerRatePoolById(
    tenantId: number,
    id: number,
  ): Promise<{ id: number; name: string } | undefined>;
  /** A site (the tenant's own customer, migration 0006) by id. */
  findCustomerSiteById(
    tenantId: number,
    id: number,
  ): Promise<{ id: number; name: string; revCustomerId: number | null } | undefined>;
  /** Records a created Rev.io line (once: a second call with the same service id does nothing). */
  linkRevService(link: EngineRevServiceLink): Promise<void>;
}

/** Everything the engine persists. */
export interface EngineStore extends EngineRevServiceStore {
  readonly steps: StepStore;
  getBulkChange(id: number): Promise<EngineBulkChange | undefined>;
  getServiceProvider(id: number): Promise<EngineServiceProvider | undefined>;
  /** NEW → PROCESSING and its NEW device changes → PENDING; no-op when already started. */
  startBulkChange(id: number): Promise<void>;
  /** Claims up to `limit` workable device changes (pending and due, or with an expired lease). */
  claimPage(
    bulkChangeId: number,
    options: { limit: number; owner: string; leaseMs: number },
  ): Promise<ClaimedDeviceChange[]>;
  /** Writes a result and its logs in one transaction; false when the lease was lost. */
  recordResult(
    change: ClaimedDeviceChange,
    owner: string,
    result: DeviceResult,
    logs: LogEntry[],
  ): Promise<boolean>;
  /** Fails every device change not yet terminal (unsupported, writes disabled, bulk error). */
  failOpenDeviceChanges(bulkChangeId: number, details: string, log: LogEntry): Promise<number>;
  openWork(bulkChangeId: number): Promise<OpenWork>;
  /** Records that a continuation is scheduled at `at`; false when one is already due earlier. */
  scheduleWakeup(bulkChangeId: number, at: Date): Promise<boolean>;
  /** Forgets a wakeup that is due (the message carrying it arrived). */
  clearDueWakeup(bulkChangeId: number): Promise<void>;
  /** PROCESSING → PROCESSED when every device change is terminal, with the outbox row; once. */
  finishIfComplete(bulkChangeId: number): Promise<boolean>;
  /** The bulk change failed for good: ERROR, open device changes API_FAILED. */
  markBulkChangeError(bulkChangeId: number, errorText: string): Promise<void>;
  /** A carrier rate plan of the service provider by code (case-sensitive), if it exists. */
  findCarrierRatePlan(
    serviceProviderId: number,
    code: string,
  ): Promise<{ code: string; communicationPlan: string | null; planMb: number | null } | undefined>;
  /** A billing integration by id, if it exists. */
  getBillingIntegration(id: number): Promise<EngineBillingIntegration | undefined>;
  /**
   * The device's Rev.io service: the earliest activated, not disconnected service of the
   * tenant and billing integration with this ICCID (or MSISDN).
   */
  findRevService(query: {
    tenantId: number;
    billingIntegrationId: number;
    iccid?: string;
    msisdn?: string;
  }): Promise<EngineRevService | undefined>;
  /** The tenant's settings (`tenants.settings`), `{}` when unknown. */
  getTenantSettings(tenantId: number): Promise<Record<string, unknown>>;
  /**
   * Stores a carrier callback and makes the device changes parked on its request id due now
   * (the callback is added to their `parkState.callback`); returns their bulk change ids.
   */
  recordCarrierCallback(
    integration: string,
    requestId: string,
    payload: unknown,
  ): Promise<number[]>;
  /** Extends the lease of a claimed device change; false when this owner lost it. */
  renewLease(deviceChangeId: number, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * Bulk changes still PROCESSING whose continuation is overdue by `graceMs` (a lost message,
   * or a worker that died between the last device result and completion).
   */
  findStalled(graceMs: number, limit: number): Promise<number[]>;
  /**
   * Carrier rate plans of a service provider, cheapest first (base rate, then allowance, then
   * code): the order of the Jasper "deactivate ⇒ cheapest plan covering the usage" rule.
   */
  listCarrierRatePlans(serviceProviderId: number): Promise<EngineCarrierRatePlan[]>;
  /** A device status of the device status table by id, if it exists. */
  findDeviceStatus(id: number): Promise<EngineDeviceStatus | undefined>;
  /** The device's current status, plans and usage in the device database, if it exists. */
  getDeviceState(deviceId: number): Promise<EngineDeviceState | undefined>;
  /**
   * Writes a device update now, with one history row per changed field, in its own transaction
   * (for a carrier change that must be recorded even if a later step of the device change
   * fails). Idempotent: values already stored write nothing. Returns the changed fields.
   */
  applyDeviceUpdate(
    update: DeviceUpdate,
    audit: { bulkChangeId: number; deviceChangeId: number },
  ): Promise<string[]>;
}

/** A carrier rate plan of a service provider. */
export interface EngineCarrierRatePlan {
  code: string;
  communicationPlan: string | null;
  /** Data allowance in MB. */
  planMb: number;
  baseRate: number;
}

/** A row of the device status table (the original's DeviceStatus). */
export interface EngineDeviceStatus {
  id: number;
  integration: Integration;
  /** Carrier spelling, e.g. `DEACTIVATED` (Jasper family). */
  status: string;
  displayName: string;
}

/** What a handler reads of a device before changing it. */
export interface EngineDeviceState {
  id: number;
  iccid: string | null;
  status: string;
  carrierRatePlan: string | null;
  communicationPlan: string | null;
  /** Usage of the current cycle in MB, as the device database holds it. */
  dataUsageMb: number;
}
