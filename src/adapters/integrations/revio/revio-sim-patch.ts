/**
 * JSON Patch (RFC 6902) on a simulated Rev.io service, as `PATCH /v1/Services/{id}` applies it.
 *
 * - Paths are accepted with or without the leading slash: the docs (DOC D19) use
 *   `/fields/2/value`, the original sent `fields/2/value` (carrier-apis.md §4.2).
 * - Patchable: `description` and `fields/{index}/value`; `op` must be `replace`.
 * - The document is atomic: one bad operation rejects all of them (400), nothing is applied.
 * - Error messages follow ASP.NET Core JsonPatch's wording (Rev.io is a .NET API).
 */

import type { RevioSimService } from './revio-sim-state.ts';
import { JSON_PATCH_OPS } from './revio-wire.ts';

/** Outcome of {@link applyServicePatch}. */
export type PatchOutcome =
  | { ok: true; service: RevioSimService; applied: number }
  | { ok: false; message: string };

/**
 * Applies a patch document to a copy of `service`.
 *
 * @example
 * applyServicePatch(service, [{ op: 'replace', path: 'fields/1/value', value: 'OPS-12' }]);
 */
export function applyServicePatch(service: RevioSimService, document: unknown): PatchOutcome {
  if (!Array.isArray(document)) {
    return { ok: false, message: 'The JSON patch document was malformed and could not be parsed.' };
  }
  const next: RevioSimService = { ...service, fields: service.fields.map((f) => ({ ...f })) };
  for (const [position, raw] of document.entries()) {
    const where = `Operation ${position}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, message: `${where}: the JSON patch operation must be an object.` };
    }
    const { op, path, value } = raw as { op?: unknown; path?: unknown; value?: unknown };
    if (typeof op !== 'string' || !(JSON_PATCH_OPS as readonly string[]).includes(op)) {
      return { ok: false, message: `${where}: invalid JsonPatch operation '${String(op)}'.` };
    }
    if (op !== 'replace') {
      return {
        ok: false,
        message: `${where}: the '${op}' operation is not supported on services.`,
      };
    }
    if (typeof path !== 'string' || path.trim() === '') {
      return { ok: false, message: `${where}: the 'path' property is required.` };
    }
    if (!('value' in (raw as object)) || (value !== null && typeof value !== 'string')) {
      return {
        ok: false,
        message: `${where}: the value '${JSON.stringify(value)}' is invalid for target location.`,
      };
    }
    const text = value ?? '';
    const segments = path.replace(/^\//, '').split('/');
    const [head, index, leaf] = segments;
    if (segments.length === 1 && head?.toLowerCase() === 'description') {
      next.description = text;
      continue;
    }
    if (head?.toLowerCase() !== 'fields' || segments.length !== 3) {
      return {
        ok: false,
        message: `${where}: the target location specified by path segment '${path}' was not found.`,
      };
    }
    const i = /^\d+$/.test(index ?? '') ? Number(index) : Number.NaN;
    const field = Number.isInteger(i) ? next.fields[i] : undefined;
    if (field === undefined) {
      return {
        ok: false,
        message: `${where}: the index value provided by path segment '${index}' is out of bounds of the array size.`,
      };
    }
    if (leaf?.toLowerCase() !== 'value') {
      return {
        ok: false,
        message: `${where}: the target location specified by path segment '${leaf}' was not found.`,
      };
    }
    field.value = text;
  }
  return { ok: true, service: next, applied: document.length };
}
