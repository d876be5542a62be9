/**
 * Reading the outcome of a field edit from a device's audit trail (the POD19 check).
 *
 * Control Center may answer an edit with 2xx and still fail it later; the failure then shows
 * up as an audit record with status `Error`. The original (`IsEditUsernamePOD19Success`) reads
 * the trail after a username edit and turns such a record into the device change message
 * "Unsuccessfully updated the Username. The Username (X) not exists.". Records appear with a
 * lag, so "nothing yet" is an outcome of its own: the caller checks again later.
 */
import { type JasperAuditRecord, parseJasperDate } from './jasper-wire.ts';

/** The edit being looked for. */
export interface JasperFieldEditQuery {
  /** Field name as the audit trail spells it (compared ignoring case and whitespace). */
  field: string;
  /** The value the edit set. */
  value: string;
  /** Only records effective at or after this time count (the time the edit was sent). */
  since?: Date | string | number;
}

/** What the audit trail says about an edit. */
export type JasperEditVerification =
  | { outcome: 'confirmed'; record: JasperAuditRecord }
  | { outcome: 'failed'; record: JasperAuditRecord; message: string }
  | { outcome: 'not-found-yet'; record?: JasperAuditRecord };

/** The original's device change message for a username edit that the audit trail shows failed. */
export function pod19UsernameFailureMessage(username: string): string {
  return `Unsuccessfully updated the Username. The Username (${username}) not exists.`;
}

const squash = (value: string) => value.replace(/\s+/g, '').toLowerCase();

/** Milliseconds of a `since` value; undefined when absent or unparsable. */
export function sinceMs(since: JasperFieldEditQuery['since']): number | undefined {
  if (since === undefined) return undefined;
  if (typeof since === 'number') return since;
  if (since instanceof Date) return since.getTime();
  return parseJasperDate(since);
}

/** True when a record is older than `since` (records without a date are never older). */
export function isBefore(record: JasperAuditRecord, since: number | undefined): boolean {
  if (since === undefined) return false;
  const at = parseJasperDate(record.effectiveDate);
  return at !== undefined && at < since;
}

/**
 * Judges an edit from audit records, newest first: the newest record of the field with the
 * expected value decides. `Error`/`Failed` → failed; `Pending`/`Scheduled` → not yet;
 * anything else (`Executed`, `Success`, empty) → confirmed.
 *
 * @example
 * judgeFieldEdit(records, { field: 'accountCustom1', value: 'Truck 0007' });
 * // { outcome: 'failed', record, message: 'Control Center shows Error for accountCustom1 …' }
 */
export function judgeFieldEdit(
  records: Iterable<JasperAuditRecord>,
  query: JasperFieldEditQuery,
  failureMessage?: (query: JasperFieldEditQuery, record: JasperAuditRecord) => string,
): JasperEditVerification {
  const field = squash(query.field);
  const since = sinceMs(query.since);
  for (const record of records) {
    if (isBefore(record, since)) break;
    if (squash(record.field) !== field || (record.value ?? '') !== query.value) continue;
    const status = (record.status ?? '').trim().toLowerCase();
    if (status === 'error' || status === 'failed') {
      const message =
        failureMessage?.(query, record) ??
        `Control Center shows ${record.status} for ${query.field} = "${query.value}"`;
      return { outcome: 'failed', record, message };
    }
    if (status === 'pending' || status === 'scheduled') return { outcome: 'not-found-yet', record };
    return { outcome: 'confirmed', record };
  }
  return { outcome: 'not-found-yet' };
}
