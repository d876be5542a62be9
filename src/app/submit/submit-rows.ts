/**
 * The rows of a submission, whatever their source (JSON body or CSV upload): one device each,
 * named by an identifier, with the row's own request fields. Parsing problems that concern a
 * single row (an unknown field in a device object) travel with the row as issues, so that the
 * row becomes an ERROR device change (or a 422 entry in strict mode) like any other bad row.
 */
import { AppError, ErrorCode, type ValidationIssue } from '../../domain/errors.ts';
import type { IdentifierKind } from '../../domain/identifiers/identifier-kind.ts';

/** Most rows one bulk change may have. */
export const MAX_SUBMIT_ROWS = 100_000;
/** Largest request body accepted, in bytes (JSON or CSV). */
export const MAX_SUBMIT_BYTES = 20 * 1024 * 1024;

/** One device row of a submission. */
export interface SubmitRow {
  /** 1-based position in the list / CSV (header excluded). */
  rowNumber: number;
  /** Identifier kind given by the row; null means the change type's default kind. */
  identifierKind: IdentifierKind | null;
  /** Identifier as given (validated and normalised later). */
  identifier: string;
  /** The row's own request fields (blank CSV cells are left out). */
  fields: Record<string, unknown>;
  /** Problems found while parsing this row. */
  issues: ValidationIssue[];
}

/** What a row source needs to know about the change type. */
export interface RowSpec {
  /** Identifier kinds the change type accepts, preferred first. */
  identifierKinds: readonly IdentifierKind[];
  /** Request fields that may vary per row (dotted paths). */
  perDeviceFields: readonly string[];
}

/** A source of rows, opened once the change type is known. */
export type RowSource = (spec: RowSpec) => AsyncIterable<SubmitRow>;

/** The submission is larger than {@link MAX_SUBMIT_ROWS} rows or {@link MAX_SUBMIT_BYTES}. */
export class PayloadTooLargeError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message, { context });
  }
}

/** The error for a submission with more than {@link MAX_SUBMIT_ROWS} rows. */
export function tooManyRows(): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `A bulk change may have at most ${MAX_SUBMIT_ROWS.toLocaleString('en-US')} devices; split the file into several bulk changes`,
    { maxRows: MAX_SUBMIT_ROWS },
  );
}

/** The error for a body larger than {@link MAX_SUBMIT_BYTES}. */
export function tooManyBytes(): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The request body is larger than ${MAX_SUBMIT_BYTES / (1024 * 1024)} MB; split the file into several bulk changes`,
    { maxBytes: MAX_SUBMIT_BYTES },
  );
}

/** Sets `value` at a dotted `path` of `target`, creating intermediate objects. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts.at(-1) ?? path] = value;
}
