/**
 * The store port of the submit use case: what validating and creating a bulk change needs from
 * the database. Lookups are batched (one call per chunk of rows); creation happens in one
 * transaction that the use case drives chunk by chunk, so a 100,000-row upload is never held
 * in memory as a whole and nothing is stored unless everything is.
 */
import type { IdentifierKind } from '../../domain/identifiers/identifier-kind.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { PortalType } from '../../domain/portal-type.ts';

/** The service provider a bulk change targets (only the caller's tenant's are found). */
export interface SubmitServiceProvider {
  id: number;
  tenantId: number;
  name: string;
  integration: Integration;
}

/** A device found for a row. */
export interface SubmitDevice {
  id: number;
  iccid: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  status: string;
}

/** Reference data the type-specific rules check rows against (loaded once per request). */
export interface SubmitReferenceData {
  /** Device statuses of the integration (`device_statuses.status`). */
  deviceStatuses: readonly string[];
  /** Carrier rate plan codes of the service provider. */
  carrierRatePlanCodes: readonly string[];
  /** Rev.io customer external ids of the tenant. */
  revCustomerIds: readonly string[];
}

/** Batched look-ups, usable inside and outside the creating transaction. */
export interface SubmitLookups {
  /** Non-archived devices of the service provider whose `kind` is one of `values`. */
  findDevices(
    serviceProviderId: number,
    kind: IdentifierKind,
    values: readonly string[],
  ): Promise<SubmitDevice[]>;
  /**
   * ICCIDs / MSISDNs among `identifiers` that already have an active Rev.io service line
   * (activated, not disconnected) in the tenant.
   */
  withActiveRevService(tenantId: number, identifiers: readonly string[]): Promise<Set<string>>;
}

/** One device change row to store. */
export interface SubmitDeviceChangeRow {
  rowNumber: number;
  identifierKind: IdentifierKind;
  identifier: string;
  device: SubmitDevice | null;
  /** The row's own fields (null: the bulk change's request applies as is). */
  changeRequest: Record<string, unknown> | null;
  status: 'NEW' | 'ERROR';
  statusDetails: string | null;
}

/** Header of the bulk change being created. */
export interface SubmitBulkChangeHeader {
  tenantId: number;
  serviceProviderId: number;
  changeType: string;
  portalType: PortalType;
  request: Record<string, unknown>;
  createdBy: string;
  idempotencyKey: string | null;
}

/** What the transaction records when the bulk change is complete. */
export interface SubmitFinalization {
  total: number;
  /** Hash of the request, stored with the Idempotency-Key to recognise a replay. */
  idempotency: { key: string; payloadHash: string } | null;
}

/** Writes of one creating transaction. */
export interface SubmitTransaction extends SubmitLookups {
  /**
   * Inserts the bulk change row (status NEW, total 0) and returns its id.
   *
   * @throws {AppError} CONFLICT when the tenant already used the idempotency key.
   */
  createBulkChange(header: SubmitBulkChangeHeader): Promise<number>;
  /** Inserts device change rows (multi-row statements). */
  addDeviceChanges(
    bulkChangeId: number,
    portalType: PortalType,
    rows: readonly SubmitDeviceChangeRow[],
  ): Promise<void>;
  /**
   * Sets the total, stores the idempotency record and writes the outbox row that makes the
   * first queue message be sent once the transaction has committed.
   */
  finalize(bulkChangeId: number, finalization: SubmitFinalization): Promise<void>;
}

/** An Idempotency-Key already used by the tenant. */
export interface StoredIdempotentSubmission {
  bulkChangeId: number;
  payloadHash: string | null;
}

/** The store port of the submit use case. */
export interface SubmitStore extends SubmitLookups {
  findServiceProvider(tenantId: number, id: number): Promise<SubmitServiceProvider | undefined>;
  loadReferenceData(provider: SubmitServiceProvider): Promise<SubmitReferenceData>;
  findIdempotentSubmission(
    tenantId: number,
    key: string,
  ): Promise<StoredIdempotentSubmission | undefined>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SubmitTransaction) => Promise<T>): Promise<T>;
}
