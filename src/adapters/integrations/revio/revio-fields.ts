/**
 * Rev.io custom-field rules of the original EditUsernameCostCenter (original-system.md §3.1),
 * as pure functions:
 *
 * - a field is found by label, comparing case-insensitively after removing ALL whitespace
 *   (`" COST  CENTER 3 "` matches `CostCenter3`);
 * - CostCenter1 goes to "Cost Center 1", or, when the service has none, to a single
 *   "Cost Center" field; CostCenter2/3 go to "Cost Center 2"/"Cost Center 3";
 * - a username goes to the "Username" field, a description to the service's root
 *   `/description`;
 * - blank values are never sent (they cannot clear a field).
 *
 * Unlike the original, values that cannot be placed are reported with the reason instead of
 * being dropped silently.
 */
import type { RevioPatchOp } from './revio-wire.ts';

/** Anything with Rev.io custom fields (a client `RevioService` or a wire service). */
export interface RevioFieldHolder {
  fields: readonly { label: string }[];
}

/**
 * Normalises a label for comparison: all whitespace removed, lower case.
 *
 * @example
 * normalizeRevioLabel(' COST  CENTER 3 '); // 'costcenter3'
 */
export function normalizeRevioLabel(label: string): string {
  return label.replace(/\s+/gu, '').toLowerCase();
}

/**
 * Index of the first field whose label matches `label` ignoring whitespace and case, or -1.
 *
 * @example
 * findFieldIndex({ fields: [{ label: 'Username' }, { label: 'cost center 2' }] }, 'CostCenter2'); // 1
 */
export function findFieldIndex(service: RevioFieldHolder, label: string): number {
  const wanted = normalizeRevioLabel(label);
  return service.fields.findIndex((field) => normalizeRevioLabel(field.label) === wanted);
}

/** Values to write; absent, null or blank means "leave unchanged". */
export interface CostCenterPatchInput {
  CostCenter1?: string | null;
  CostCenter2?: string | null;
  CostCenter3?: string | null;
  /** Value of the "Username" custom field. */
  username?: string | null;
  /** Value of the service's root description. */
  description?: string | null;
}

/** One input value and where it went. */
export interface MappedValue {
  input: keyof CostCenterPatchInput;
  /** Label of the field written, or `description`. */
  target: string;
  /** Field index, or -1 for the root description (the original's convention). */
  index: number;
}

/** One input value that could not be placed on the service. */
export interface UnmappedValue {
  input: keyof CostCenterPatchInput;
  value: string;
  reason: string;
}

/** Result of {@link buildCostCenterPatch}. */
export interface CostCenterPatch {
  /** JSON Patch document for `PATCH /v1/Services/{id}` (empty: nothing to send). */
  ops: RevioPatchOp[];
  mapped: MappedValue[];
  unmapped: UnmappedValue[];
}

/** Field labels tried in order for each input (first present wins). */
const TARGETS: ReadonlyArray<{ input: keyof CostCenterPatchInput; labels: readonly string[] }> = [
  { input: 'username', labels: ['Username'] },
  { input: 'CostCenter1', labels: ['Cost Center 1', 'Cost Center'] },
  { input: 'CostCenter2', labels: ['Cost Center 2'] },
  { input: 'CostCenter3', labels: ['Cost Center 3'] },
];

/**
 * Builds the JSON Patch for a username / cost-center change of one service, with the values
 * that have no field on this service and why.
 *
 * @example
 * const service = { fields: [{ label: 'Username' }, { label: 'Cost Center' }] };
 * buildCostCenterPatch(service, { CostCenter1: 'OPS-12', CostCenter2: 'FLEET-A' });
 * // ops:      [{ op: 'replace', path: '/fields/1/value', value: 'OPS-12' }]
 * // unmapped: [{ input: 'CostCenter2', value: 'FLEET-A', reason:
 * //   'the service has no "Cost Center 2" field (labels compared ignoring spaces and case)' }]
 */
export function buildCostCenterPatch(
  service: RevioFieldHolder,
  input: CostCenterPatchInput,
): CostCenterPatch {
  const ops: RevioPatchOp[] = [];
  const mapped: MappedValue[] = [];
  const unmapped: UnmappedValue[] = [];

  const description = input.description;
  if (isPresent(description)) {
    ops.push({ op: 'replace', path: '/description', value: description });
    mapped.push({ input: 'description', target: 'description', index: -1 });
  }
  for (const { input: key, labels } of TARGETS) {
    const value = input[key];
    if (!isPresent(value)) continue;
    const found = labels
      .map((label) => ({ label, index: findFieldIndex(service, label) }))
      .find((candidate) => candidate.index >= 0);
    if (found === undefined) {
      unmapped.push({ input: key, value, reason: missingReason(labels) });
      continue;
    }
    ops.push({ op: 'replace', path: `/fields/${found.index}/value`, value });
    mapped.push({ input: key, target: found.label, index: found.index });
  }
  return { ops, mapped, unmapped };
}

function isPresent(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}

function missingReason(labels: readonly string[]): string {
  const names = labels.map((label) => `"${label}"`).join(' or ');
  return `the service has no ${names} field (labels compared ignoring spaces and case)`;
}
