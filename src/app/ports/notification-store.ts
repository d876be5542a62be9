/**
 * The notification dispatcher's persistence port: the outbox rows it claims, the facts of a
 * finished bulk change it reports, its device results (paged: a bulk change has up to 100,000
 * devices) and the record of every delivery attempt. Implemented over kysely for PGlite and
 * PostgreSQL (`adapters/db/notification-store.ts`).
 */

/** A claimed outbox row. */
export interface NotificationItem {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  /** Claims so far, this one included (the attempt number). */
  attempts: number;
}

/** A channel row to create when a completion fans out. */
export interface NewNotificationItem {
  kind: string;
  payload: Record<string, unknown>;
  /** Kept once per key: fanning out twice creates nothing new. */
  dedupeKey: string;
}

/** What the tenant asked to be notified at (tenant settings). */
export interface NotificationSettings {
  notificationEmails: readonly string[];
  webhookUrl: string | null;
  /** Also send `bulkChange.progress` webhooks while the bulk change runs. */
  webhookProgress: boolean;
}

/** A finished bulk change as notifications describe it. */
export interface CompletedBulkChange {
  id: number;
  tenantId: number;
  tenantName: string;
  serviceProviderId: number;
  serviceProviderName: string;
  integration: string;
  changeType: string;
  status: string;
  /** Shared request (original field names). */
  request: Record<string, unknown>;
  total: number;
  createdBy: string;
  createdAt: Date;
  processedAt: Date | null;
  errorText: string | null;
  /** Device changes per status (a recount of the rows). */
  counts: Readonly<Record<string, number>>;
  settings: NotificationSettings;
}

/** A device change that did not succeed, with its reason. */
export interface FailedDeviceChange {
  rowNumber: number;
  identifier: string;
  status: string;
  details: string | null;
}

/** One device change's result (a line of the CSV attachment). */
export interface DeviceChangeResult {
  id: number;
  rowNumber: number;
  deviceId: number | null;
  identifierKind: string;
  identifier: string;
  iccid: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  status: string;
  statusDetails: string | null;
  changeRequest: Record<string, unknown> | null;
  processedAt: Date | null;
}

/** One log row of a device change (the original's DetailsLogEntries). */
export interface DeviceChangeLogEntry {
  processedAt: Date;
  description: string;
  responseStatus: string | null;
  requestText: string | null;
  responseText: string | null;
  hasErrors: boolean;
  errorText: string | null;
}

/** A device change with its log, as the status webhook sends it. */
export interface DeviceChangeWithLog extends DeviceChangeResult {
  logEntries: DeviceChangeLogEntry[];
}

/** The username and cost centers of a device at one moment. */
export interface UsernameValues {
  username: string | null;
  costCenter1: string | null;
  costCenter2: string | null;
  costCenter3: string | null;
}

/** One line of the EditUsernameCostCenter report: a device's values before and after. */
export interface UsernameReportLine {
  deviceChangeId: number;
  customer: string | null;
  iccid: string | null;
  msisdn: string | null;
  previous: UsernameValues;
  next: UsernameValues;
  /** Fields of {@link UsernameValues} that the bulk change actually changed. */
  changed: ReadonlyArray<keyof UsernameValues>;
  changedAt: Date | null;
  changedBy: string;
}

/** One delivery attempt, as recorded. */
export interface DeliveryAttempt {
  outboxId: number;
  channel: 'email' | 'webhook';
  /** webhook-id or Message-ID: the same on every attempt of one notification. */
  deliveryId: string;
  attempt: number;
  /** Webhook: URL without its query string; email: the recipients. */
  target: string;
  statusCode: number | null;
  succeeded: boolean;
  error: string | null;
  durationMs: number;
}

/** Options of {@link NotificationStore.claim}. */
export interface NotificationClaimOptions {
  limit: number;
  leaseMs: number;
  now: Date;
}

/** Persistence port of the notification dispatcher. */
export interface NotificationStore {
  /** Leases due PENDING outbox rows of these kinds (a crashed dispatcher's rows come back). */
  claim(kinds: readonly string[], options: NotificationClaimOptions): Promise<NotificationItem[]>;
  /**
   * Enqueues a `bulkChange.progress` webhook row for every PROCESSING bulk change of a tenant
   * with `webhookProgress` that progressed since `since`, at most one per bulk change and
   * `bucket` (its dedupe key); returns how many were created.
   */
  enqueueProgress(since: Date, bucket: number): Promise<number>;
  /** The bulk change with counts and its tenant's settings; undefined when it no longer exists. */
  loadBulkChange(bulkChangeId: number): Promise<CompletedBulkChange | undefined>;
  /**
   * In one transaction: creates the channel rows (each kept once by its dedupe key) and marks
   * the completion row sent, so a completion fans out exactly once whatever crashes.
   */
  fanOut(completionId: number, items: readonly NewNotificationItem[]): Promise<void>;
  markSent(id: number): Promise<void>;
  /** Retried at `retryAt`, or FAILED for good when null. */
  markFailed(id: number, error: string, retryAt: Date | null): Promise<void>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** Device changes that did not succeed (API_FAILED, ERROR, CANCELLED), by row, at most `limit`. */
  listFailures(bulkChangeId: number, limit: number): Promise<FailedDeviceChange[]>;
  /** Every device change's result, in row order, `pageSize` at a time. */
  deviceResults(bulkChangeId: number, pageSize: number): AsyncIterable<DeviceChangeResult[]>;
  /** Page `page` (1-based) of the device changes with their logs, in row order. */
  deviceChangesPage(
    bulkChangeId: number,
    page: number,
    pageSize: number,
  ): Promise<DeviceChangeWithLog[]>;
  /** The username report of a bulk change's PROCESSED device changes, `pageSize` at a time. */
  usernameReport(bulkChangeId: number, pageSize: number): AsyncIterable<UsernameReportLine[]>;
}
