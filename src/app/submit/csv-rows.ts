/**
 * CSV upload → submission rows, streamed (csv-parse): one header row, then one device per
 * line. Header names are matched case-insensitively; a UTF-8 byte order mark is ignored;
 * blank lines are skipped; quoted fields may hold commas, quotes and line breaks.
 *
 * Columns: at least one identifier column (`iccid`, `msisdn`, `imei`, `eid`) and any of the
 * change type's per-device fields (e.g. `ContactName`, `CostCenter1`; nested fields with a dot:
 * `Request.ICCID`). When a line fills several identifier columns, the change type's preferred
 * kind is used. An unknown column, a missing identifier column or an empty file refuses the
 * whole upload (400) naming what is accepted; a blank cell means "not given".
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ValidationError } from '../../domain/errors.ts';
import {
  IDENTIFIER_LABELS,
  type IdentifierKind,
  isIdentifierKind,
} from '../../domain/identifiers/identifier-kind.ts';
import {
  MAX_SUBMIT_ROWS,
  type RowSource,
  type RowSpec,
  type SubmitRow,
  setPath,
  tooManyRows,
} from './submit-rows.ts';

type Column =
  | { kind: 'identifier'; identifierKind: IdentifierKind }
  | { kind: 'field'; path: string };

function headerError(message: string, spec: RowSpec): ValidationError {
  const accepted = [...spec.identifierKinds, ...spec.perDeviceFields].join(', ');
  return new ValidationError(`${message}; accepted columns: ${accepted}`, [
    { row: 0, field: 'header', message },
  ]);
}

function mapHeader(header: readonly string[], spec: RowSpec): Column[] {
  const fields = new Map(spec.perDeviceFields.map((f) => [f.toLowerCase(), f]));
  const seen = new Set<string>();
  const columns = header.map((raw, index): Column => {
    const name = raw.trim().toLowerCase();
    if (name === '') throw headerError(`CSV header column ${index + 1} is empty`, spec);
    if (seen.has(name)) throw headerError(`CSV header repeats column "${raw.trim()}"`, spec);
    seen.add(name);
    if (isIdentifierKind(name)) {
      if (!spec.identifierKinds.includes(name)) {
        throw headerError(
          `CSV column "${raw.trim()}": this change type names devices by ${spec.identifierKinds
            .map((k) => IDENTIFIER_LABELS[k])
            .join(', ')}`,
          spec,
        );
      }
      return { kind: 'identifier', identifierKind: name };
    }
    const path = fields.get(name);
    if (path === undefined) throw headerError(`CSV column "${raw.trim()}" is not known`, spec);
    return { kind: 'field', path };
  });
  if (!columns.some((c) => c.kind === 'identifier')) {
    throw headerError(
      `CSV header has no identifier column (one of ${spec.identifierKinds.join(', ')})`,
      spec,
    );
  }
  return columns;
}

function toRow(
  record: readonly string[],
  columns: readonly Column[],
  rowNumber: number,
  spec: RowSpec,
): SubmitRow {
  const identifiers = new Map<IdentifierKind, string>();
  const fields: Record<string, unknown> = {};
  const issues: SubmitRow['issues'] = [];
  if (record.length !== columns.length) {
    issues.push({
      row: rowNumber,
      field: 'row',
      message: `row has ${record.length} cells but the header has ${columns.length} columns`,
    });
  }
  columns.forEach((column, index) => {
    const cell = (record[index] ?? '').trim();
    if (cell === '') return;
    if (column.kind === 'identifier') identifiers.set(column.identifierKind, cell);
    else setPath(fields, column.path, cell);
  });
  const kind = spec.identifierKinds.find((k) => identifiers.has(k));
  if (kind === undefined) {
    issues.push({
      row: rowNumber,
      field: 'identifier',
      message: 'row has no identifier (every identifier cell is blank)',
    });
  }
  const identifierKind = kind ?? spec.identifierKinds[0] ?? 'iccid';
  return {
    rowNumber,
    identifierKind,
    identifier: identifiers.get(identifierKind) ?? '',
    fields,
    issues,
  };
}

/**
 * A row source reading a CSV stream.
 *
 * @example
 * const rows = csvRowSource(request.raw);
 * for await (const row of rows({ identifierKinds: ['iccid'], perDeviceFields: ['ContactName'] })) …
 */
export function csvRowSource(input: Readable): RowSource {
  return (spec) => ({
    async *[Symbol.asyncIterator]() {
      const parser = input.pipe(
        parse({
          bom: true,
          skip_empty_lines: true,
          relax_column_count: true,
          trim: false,
        }),
      );
      // A failure of the input stream (size limit, client gone) must end the parse too,
      // including one that happened before reading started.
      if (input.errored !== null) throw input.errored;
      input.on('error', (error) => parser.destroy(error));
      let columns: Column[] | undefined;
      let rowNumber = 0;
      try {
        for await (const record of parser as AsyncIterable<string[]>) {
          if (columns === undefined) {
            columns = mapHeader(record, spec);
            continue;
          }
          rowNumber += 1;
          if (rowNumber > MAX_SUBMIT_ROWS) throw tooManyRows();
          yield toRow(record, columns, rowNumber, spec);
        }
      } catch (error) {
        if (isCsvError(error)) {
          throw new ValidationError(`The CSV cannot be read: ${error.message}`, [
            { row: rowNumber + 1, field: 'csv', message: error.message },
          ]);
        }
        throw error;
      } finally {
        parser.destroy();
      }
      if (columns === undefined) {
        throw headerError('The CSV is empty: expected a header row and one row per device', spec);
      }
    },
  });
}

function isCsvError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    ((error as { code?: unknown }).code as string).startsWith('CSV_')
  );
}
