/**
 * Types of the Control Center client: options, per-call options, operation inputs and results,
 * and the {@link JasperClient} interface itself.
 */
import type { RateLimiter } from '../shared/rate-limiter.ts';
import type { ResiliencePolicy } from '../shared/resilience.ts';
import type { JasperEditVerification, JasperFieldEditQuery } from './jasper-audit.ts';
import type {
  JasperAuditRecord,
  JasperAuditTrailPage,
  JasperDevice,
  JasperDeviceEditRequest,
  JasperSearchPage,
} from './jasper-wire.ts';

/** Paths below the base URL; `{iccid}` is replaced (URL-encoded). */
export interface JasperPaths {
  /** @default '/devices/{iccid}' */
  device: string;
  /** @default '/devices/{iccid}/auditTrails' */
  auditTrail: string;
  /** @default '/devices' */
  search: string;
}

/** Options of {@link createJasperClient}. */
export interface JasperClientOptions {
  /** API base including the version, e.g. `https://restapi1.jasper.com/rws/api/v1`. */
  baseUrl: string;
  /** Control Center API user name. */
  username: string;
  /** That user's API key (plain; the caller opened the secret). */
  apiKey: string;
  /** Device field that holds the username. @default 'accountCustom1' */
  usernameTargetField?: string;
  /** Account key in breaker messages. @default `jasper:<username>` */
  account?: string;
  /** Per-attempt time limit. @default 15000 */
  timeoutMs?: number;
  /** Retry + breaker of the account. @default createJasperPolicy({ account }) */
  policy?: ResiliencePolicy;
  /** Limiter of the account. @default createJasperLimiter() (1 in flight, 5/s) */
  limiter?: RateLimiter;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default see {@link JasperPaths} */
  paths?: Partial<JasperPaths>;
  /** Wait after a throttling answer without Retry-After. @default 1000 */
  throttleWaitMs?: number;
}

/** Per-call options. */
export interface JasperCallOptions {
  signal?: AbortSignal;
}

/** Fields an edit may set; `status` is normalised to Control Center spelling. */
export type JasperDeviceEdit = Omit<JasperDeviceEditRequest, 'effectiveDate'> & {
  /** Omitted = immediately; a future date (≤ 180 days) schedules the change (HTTP 202). */
  effectiveDate?: Date | string;
};

/** Result of an accepted edit. */
export interface JasperEditResult {
  iccid: string;
  /** True when Control Center scheduled the change (HTTP 202) instead of applying it. */
  scheduled: boolean;
  /** The body that was sent. */
  sent: JasperDeviceEditRequest;
}

/** Audit trail query. */
export interface JasperAuditQuery {
  /** ≤ 365. @default 30 */
  daysOfHistory?: number;
  /** ≤ 50. @default 50 */
  pageSize?: number;
  /** @default 1 */
  pageNumber?: number;
}

/** Device search query (`modifiedSince` required by the vendor). */
export interface JasperSearchQuery {
  modifiedSince: Date | string;
  modifiedTill?: Date | string;
  status?: string;
  pageSize?: number;
  pageNumber?: number;
}

/** Operations on one Control Center account. */
export interface JasperClient {
  /** The field usernames are written to. */
  readonly usernameTargetField: string;
  getDevice(iccid: string, options?: JasperCallOptions): Promise<JasperDevice>;
  editDevice(
    iccid: string,
    fields: JasperDeviceEdit,
    options?: JasperCallOptions,
  ): Promise<JasperEditResult>;
  /** Writes `username` to {@link JasperClient.usernameTargetField}. */
  setUsername(
    iccid: string,
    username: string,
    options?: JasperCallOptions,
  ): Promise<JasperEditResult>;
  /** One page of the device's audit trail, most recent first. */
  getAuditTrail(
    iccid: string,
    query?: JasperAuditQuery,
    options?: JasperCallOptions,
  ): Promise<JasperAuditTrailPage>;
  /** Every audit record (newest first), page after page, up to `maxPages` (default 10). */
  iterateAuditTrail(
    iccid: string,
    query?: Omit<JasperAuditQuery, 'pageNumber'> & { maxPages?: number },
    options?: JasperCallOptions,
  ): AsyncGenerator<JasperAuditRecord>;
  /** Finds the outcome of a field edit in the audit trail (POD19 verification). */
  verifyFieldEdit(
    iccid: string,
    query: JasperFieldEditQuery & { daysOfHistory?: number; maxPages?: number },
    options?: JasperCallOptions,
  ): Promise<JasperEditVerification>;
  /** The device's {@link JasperClient.usernameTargetField} (`getDevice`), null when blank. */
  readUsername(iccid: string, options?: JasperCallOptions): Promise<string | null>;
  /** {@link JasperClient.verifyFieldEdit} for a username written by {@link JasperClient.setUsername}. */
  verifyUsernameEdit(
    iccid: string,
    username: string,
    since?: Date | string | number,
    options?: JasperCallOptions,
  ): Promise<JasperEditVerification>;
  /** Control Center spelling of a status, as {@link JasperClient.editDevice} sends it. Pure. */
  normaliseStatus(status: string): string;
  /** Devices modified since a time (ascending), one page. */
  searchDevices(query: JasperSearchQuery, options?: JasperCallOptions): Promise<JasperSearchPage>;
}
