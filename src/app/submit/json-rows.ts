/**
 * JSON body → submission rows. `devices` is an array whose items are either an identifier
 * (a string: the change type's default kind) or an object with exactly one identifier key
 * (`iccid`, `msisdn`, `imei` or `eid`) and the row's own fields (per-device fields only).
 */
import type { ValidationIssue } from '../../domain/errors.ts';
import {
  type IDENTIFIER_LABELS,
  isIdentifierKind,
} from '../../domain/identifiers/identifier-kind.ts';
import { MAX_SUBMIT_ROWS, type RowSource, type SubmitRow, tooManyRows } from './submit-rows.ts';

function rowOf(item: unknown, rowNumber: number, perDevice: ReadonlySet<string>): SubmitRow {
  if (typeof item === 'string' || typeof item === 'number') {
    return { rowNumber, identifierKind: null, identifier: String(item), fields: {}, issues: [] };
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return {
      rowNumber,
      identifierKind: null,
      identifier: '',
      fields: {},
      issues: [
        {
          row: rowNumber,
          field: 'device',
          message: 'device must be an identifier or an object such as {"iccid": "…"}',
        },
      ],
    };
  }
  const issues: ValidationIssue[] = [];
  const fields: Record<string, unknown> = {};
  const ids: [keyof typeof IDENTIFIER_LABELS, string][] = [];
  for (const [key, value] of Object.entries(item)) {
    const lower = key.toLowerCase();
    if (isIdentifierKind(lower)) {
      ids.push([lower, value === null || value === undefined ? '' : String(value)]);
    } else if (perDevice.has(key)) {
      fields[key] = value;
    } else {
      issues.push({
        row: rowNumber,
        field: key,
        message: `${key} is not a per-device field of this change type (per-device fields: ${[...perDevice].join(', ') || 'none'})`,
      });
    }
  }
  if (ids.length !== 1) {
    issues.push({
      row: rowNumber,
      field: 'identifier',
      message:
        ids.length === 0
          ? 'device has no identifier (give one of iccid, msisdn, imei, eid)'
          : `device has ${ids.length} identifiers (${ids.map(([k]) => k).join(', ')}); give exactly one`,
    });
  }
  const [kind, identifier] = ids[0] ?? [null, ''];
  return { rowNumber, identifierKind: kind, identifier, fields, issues };
}

/**
 * A row source over the `devices` array of a JSON body.
 *
 * @example
 * jsonRowSource(['8901…', { iccid: '8901…', ContactName: 'Truck 2' }]);
 */
export function jsonRowSource(devices: readonly unknown[]): RowSource {
  return (spec) => ({
    async *[Symbol.asyncIterator]() {
      if (devices.length > MAX_SUBMIT_ROWS) throw tooManyRows();
      const perDevice = new Set(spec.perDeviceFields.map((f) => f.split('.')[0] ?? f));
      for (let i = 0; i < devices.length; i++) {
        yield rowOf(devices[i], i + 1, perDevice);
      }
    },
  });
}
