/**
 * The store port behind the REST API's read and act routes: API key authentication, the
 * tenant's service providers and devices, its bulk changes with their device changes and log,
 * and the two user actions (retry failed device changes, cancel those not started). Every
 * method is scoped to one tenant: another tenant's records are simply not found.
 */
import type { BulkChangeStatus } from '../../domain/bulk-change/bulk-change-status.ts';
import type { DeviceChangeStatus } from '../../domain/device-change/device-change-status.ts';
import type { IdentifierKind } from '../../domain/identifiers/identifier-kind.ts';
import type { BulkChangeFacts, DeviceChangeCounts } from '../bulk-changes/bulk-change-view.ts';

/** Page request: `limit` 1–1000 (default 100), `cursor` from the previous page. */
export interface ApiPageRequest {
  limit?: number;
  cursor?: string;
}

/** One page; `nextCursor` is null on the last page. */
export interface ApiPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** The tenant an API key belongs to. */
export interface AuthenticatedTenant {
  tenantId: number;
  tenantName: string;
}

/** A service provider as the API shows it (no settings, no credentials). */
export interface ServiceProviderSummary {
  id: number;
  name: string;
  integration: string;
  writeEnabled: boolean;
}

/** A device as the API shows it. */
export interface DeviceSummary {
  id: number;
  serviceProviderId: number;
  iccid: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  status: string;
  carrierRatePlan: string | null;
  username: string | null;
  costCenter1: string | null;
  costCenter2: string | null;
  costCenter3: string | null;
}

/** Filters of the device listing. */
export interface DeviceListFilter {
  serviceProviderId?: number;
  status?: string;
  iccid?: string;
}

/** Filters of the bulk change listing. */
export interface BulkChangeListFilter {
  status?: BulkChangeStatus;
  serviceProviderId?: number;
  changeType?: string;
}

/** A device change as the API shows it. */
export interface DeviceChangeSummary {
  id: number;
  rowNumber: number;
  identifierKind: IdentifierKind;
  identifier: string;
  deviceId: number | null;
  iccid: string | null;
  msisdn: string | null;
  status: DeviceChangeStatus;
  statusDetails: string | null;
  attempt: number;
  changeRequest: Record<string, unknown> | null;
  lastError: string | null;
  processedAt: string | null;
}

/** A log row. */
export interface LogEntrySummary {
  id: number;
  deviceChangeId: number | null;
  description: string;
  requestText: string | null;
  responseText: string | null;
  responseStatus: string | null;
  hasErrors: boolean;
  errorText: string | null;
  processedBy: string;
  processedAt: string;
}

/** A status change applied to many device changes at once (computed by the domain machines). */
export interface DeviceChangeBulkTransition {
  from: readonly DeviceChangeStatus[];
  to: DeviceChangeStatus;
}

/** Retry: failed device changes back to the queue, the bulk change reopened when finished. */
export interface RetryPlan {
  deviceChanges: DeviceChangeBulkTransition;
  /** Bulk statuses that RETRY reopens, and where to. */
  reopen: { from: readonly BulkChangeStatus[]; to: BulkChangeStatus };
}

/** Result of an action: null when the bulk change is not the tenant's. */
export interface ActionResult {
  status: BulkChangeStatus;
  affected: number;
}

/** The store port of the REST API. */
export interface BulkChangeApiStore {
  authenticate(apiKey: string): Promise<AuthenticatedTenant | undefined>;
  listServiceProviders(tenantId: number): Promise<ServiceProviderSummary[]>;
  listDevices(
    tenantId: number,
    filter: DeviceListFilter,
    page: ApiPageRequest,
  ): Promise<ApiPage<DeviceSummary>>;
  listBulkChanges(
    tenantId: number,
    filter: BulkChangeListFilter,
    page: ApiPageRequest,
  ): Promise<ApiPage<{ facts: BulkChangeFacts; counts: DeviceChangeCounts }>>;
  getBulkChange(
    tenantId: number,
    id: number,
  ): Promise<{ facts: BulkChangeFacts; counts: DeviceChangeCounts } | undefined>;
  listDeviceChanges(
    bulkChangeId: number,
    filter: { status?: readonly DeviceChangeStatus[] },
    page: ApiPageRequest,
  ): Promise<ApiPage<DeviceChangeSummary>>;
  listLogs(
    bulkChangeId: number,
    filter: { deviceChangeId?: number },
    page: ApiPageRequest,
  ): Promise<ApiPage<LogEntrySummary>>;
  /**
   * In one transaction: moves the device changes in `plan.deviceChanges.from` to its `to`,
   * reopens the bulk change when it is in `plan.reopen.from` and something was moved, and
   * writes the outbox row of a queue message. Undefined when not the tenant's bulk change.
   */
  retry(tenantId: number, id: number, plan: RetryPlan): Promise<ActionResult | undefined>;
  /**
   * In one transaction: moves the device changes in `transition.from` to `transition.to` and
   * writes the outbox row of a queue message (the engine then completes the bulk change).
   */
  cancel(
    tenantId: number,
    id: number,
    transition: DeviceChangeBulkTransition,
  ): Promise<ActionResult | undefined>;
}
