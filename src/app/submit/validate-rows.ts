/**
 * Validation of a chunk of submission rows: identifier format and check digit, duplicates
 * within the request (same identifier, or two identifiers of the same device), the change
 * type's request schema on the merged request (shared fields + the row's own), the
 * type-specific rules, and — with one batched look-up per identifier kind — that the device
 * exists (not archived) for the service provider, plus the "active service line" guard.
 */
import type { ChangeType } from '../../domain/change-types/change-type.ts';
import {
  type ChangeRequestValidation,
  validateChangeRequest,
} from '../../domain/change-types/registry.ts';
import type { ValidationIssue } from '../../domain/errors.ts';
import { validateIdentifier } from '../../domain/identifiers/identifier.ts';
import {
  IDENTIFIER_LABELS,
  type IdentifierKind,
} from '../../domain/identifiers/identifier-kind.ts';
import type {
  SubmitDevice,
  SubmitDeviceChangeRow,
  SubmitLookups,
  SubmitServiceProvider,
} from '../ports/submit-store.ts';
import type { SubmitRow } from './submit-rows.ts';
import { checkTypeRules, createsRevServiceLine, type PreparedReferenceData } from './type-rules.ts';

/** State shared by the chunks of one submission. */
export interface ValidationContext {
  changeType: ChangeType;
  provider: SubmitServiceProvider;
  /** Kinds the change type accepts, preferred first. */
  identifierKinds: readonly IdentifierKind[];
  /** Kind of a row that does not name one (a plain identifier in JSON). */
  defaultKind: IdentifierKind;
  /** Shared request fields. */
  request: Record<string, unknown>;
  reference: PreparedReferenceData;
  /** `kind:value` → first row with it. */
  seenIdentifiers: Map<string, number>;
  /** device id → first row with it. */
  seenDevices: Map<number, number>;
  /** Validation of the shared request alone (rows without own fields reuse it). */
  sharedValidation?: ChangeRequestValidation<unknown>;
}

/** A validated row: what to store, and its issues (none when it is valid). */
export interface ValidatedRow {
  row: SubmitDeviceChangeRow;
  issues: ValidationIssue[];
}

function requestIssues(
  ctx: ValidationContext,
  row: SubmitRow,
): { issues: Omit<ValidationIssue, 'row'>[]; value?: Record<string, unknown> } {
  const own = Object.keys(row.fields).length > 0;
  let result: ChangeRequestValidation<unknown>;
  if (own) {
    result = validateChangeRequest(ctx.changeType, { ...ctx.request, ...row.fields });
  } else {
    ctx.sharedValidation ??= validateChangeRequest(ctx.changeType, ctx.request);
    result = ctx.sharedValidation;
  }
  if (!result.ok) return { issues: result.issues };
  const value = result.value as Record<string, unknown>;
  return { issues: checkTypeRules(ctx.changeType, value, ctx.reference), value };
}

/**
 * Validates one chunk of rows (≤ a few thousand) with batched device look-ups.
 *
 * @example
 * const validated = await validateChunk(ctx, rows, store);
 */
export async function validateChunk(
  ctx: ValidationContext,
  rows: readonly SubmitRow[],
  lookups: SubmitLookups,
): Promise<ValidatedRow[]> {
  const staged = rows.map((row) => {
    const issues: ValidationIssue[] = [...row.issues];
    const kind = row.identifierKind ?? ctx.defaultKind;
    let identifier = row.identifier.trim();
    let identifierOk = false;
    if (!ctx.identifierKinds.includes(kind)) {
      issues.push({
        row: row.rowNumber,
        field: kind,
        message: `${IDENTIFIER_LABELS[kind]} cannot name a device of a ${ctx.changeType} change (use ${ctx.identifierKinds
          .map((k) => IDENTIFIER_LABELS[k])
          .join(', ')})`,
      });
    } else if (row.identifier.trim() !== '' || row.issues.length === 0) {
      const checked = validateIdentifier(kind, row.identifier);
      if (checked.ok) {
        identifier = checked.value;
        const key = `${kind}:${identifier}`;
        const first = ctx.seenIdentifiers.get(key);
        if (first === undefined) {
          ctx.seenIdentifiers.set(key, row.rowNumber);
          identifierOk = true;
        } else {
          issues.push({
            row: row.rowNumber,
            field: kind,
            message: `${IDENTIFIER_LABELS[kind]} ${identifier} is a duplicate of row ${first}`,
          });
        }
      } else {
        issues.push({ row: row.rowNumber, field: kind, message: checked.reason });
      }
    }
    const checked = requestIssues(ctx, row);
    for (const issue of checked.issues) issues.push({ row: row.rowNumber, ...issue });
    return { row, kind, identifier, identifierOk, issues, request: checked.value };
  });

  const byKind = new Map<IdentifierKind, string[]>();
  for (const s of staged) {
    if (!s.identifierOk) continue;
    const values = byKind.get(s.kind) ?? [];
    values.push(s.identifier);
    byKind.set(s.kind, values);
  }
  const found = new Map<string, SubmitDevice>();
  for (const [kind, values] of byKind) {
    const devices = await lookups.findDevices(ctx.provider.id, kind, values);
    for (const device of devices) {
      const value = device[kind];
      const key = `${kind}:${value}`;
      if (value !== null && !found.has(key)) found.set(key, device);
    }
  }

  const guarded = staged.filter(
    (s) => s.request !== undefined && createsRevServiceLine(ctx.changeType, s.request),
  );
  const active =
    guarded.length === 0
      ? new Set<string>()
      : await lookups.withActiveRevService(
          ctx.provider.tenantId,
          guarded.flatMap((s) => {
            const d = found.get(`${s.kind}:${s.identifier}`);
            return d === undefined ? [] : [d.iccid, d.msisdn].filter((v): v is string => !!v);
          }),
        );

  return staged.map((s) => {
    let device: SubmitDevice | null = null;
    if (s.identifierOk) {
      device = found.get(`${s.kind}:${s.identifier}`) ?? null;
      if (device === null) {
        s.issues.push({
          row: s.row.rowNumber,
          field: s.kind,
          message: `${IDENTIFIER_LABELS[s.kind]} ${s.identifier} is not a device of service provider ${ctx.provider.id} (${ctx.provider.name}), or it is archived`,
        });
      } else {
        const first = ctx.seenDevices.get(device.id);
        if (first === undefined) ctx.seenDevices.set(device.id, s.row.rowNumber);
        else {
          s.issues.push({
            row: s.row.rowNumber,
            field: s.kind,
            message: `${IDENTIFIER_LABELS[s.kind]} ${s.identifier} names the same device as row ${first}`,
          });
        }
        const hasActiveLine =
          s.request !== undefined &&
          createsRevServiceLine(ctx.changeType, s.request) &&
          [device.iccid, device.msisdn].some((v) => v !== null && active.has(v));
        if (hasActiveLine) {
          s.issues.push({
            row: s.row.rowNumber,
            field: 'CreateRevService',
            message: 'Active service line. New Service line not created.',
          });
        }
      }
    }
    const ok = s.issues.length === 0;
    return {
      issues: s.issues,
      row: {
        rowNumber: s.row.rowNumber,
        identifierKind: s.kind,
        identifier: s.identifier,
        device,
        changeRequest: Object.keys(s.row.fields).length > 0 ? s.row.fields : null,
        status: ok ? 'NEW' : 'ERROR',
        statusDetails: ok ? null : s.issues.map((i) => i.message).join('; '),
      },
    };
  });
}
