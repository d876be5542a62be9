/**
 * Building blocks shared by the change-type request schemas.
 *
 * Conventions (see `zod-issues.ts`): field messages are predicates ("is required", "must …");
 * the field name is added when issues are reported.
 *
 * Normalisation rules, the same for every change type:
 * - text is trimmed; an optional text that is blank counts as absent ("leave unchanged");
 * - whole numbers and booleans may also be given as text (`"12"`, `"true"`, `"yes"`, `"1"`),
 *   because CSV cells are text; a blank optional cell counts as absent;
 * - identifiers (ICCID, IMEI, …) are validated and normalised by `domain/identifiers`;
 * - dates are validated and normalised by `parseIsoDate`.
 */
import { z } from 'zod';
import { validateIdentifier } from '../identifiers/identifier.ts';
import { IDENTIFIER_LABELS, type IdentifierKind } from '../identifiers/identifier-kind.ts';
import { parseIsoDate } from '../iso-date.ts';

/** Longest free text accepted in a request field unless a field says otherwise. */
export const MAX_TEXT_LENGTH = 255;

/** Blank text → undefined; everything else unchanged. */
function blankToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/**
 * A strict object (unknown fields rejected) whose unknown-field issue lists the accepted
 * field names.
 */
export function strictRequest<Shape extends z.ZodRawShape>(shape: Shape) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `accepted fields are ${accepted}` : undefined,
  });
}

/** Required text: trimmed, not blank, at most `max` characters. */
export function requiredText(max = MAX_TEXT_LENGTH) {
  return z.string().trim().min(1).max(max);
}

/** Optional text: trimmed; blank means absent; at most `max` characters. */
export function optionalText(max = MAX_TEXT_LENGTH) {
  return z
    .string()
    .trim()
    .max(max)
    .transform((value) => (value === '' ? undefined : value))
    .optional();
}

function integerText(value: unknown): unknown {
  return typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

/** Required positive whole number (an id); digit text accepted. */
export function positiveInt() {
  return z.preprocess(integerText, z.number().int().positive());
}

/** Optional positive whole number (an id); digit text accepted; blank means absent. */
export function optionalPositiveInt() {
  return z.preprocess(
    (value) => integerText(blankToUndefined(value)),
    z.number().int().positive().optional(),
  );
}

function decimalText(value: unknown): unknown {
  return typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** Required decimal number (a price); numeric text accepted. */
export function decimal() {
  return z.preprocess(decimalText, z.number());
}

/** Optional decimal number (a price); numeric text accepted; blank means absent. */
export function optionalDecimal() {
  return z.preprocess((value) => decimalText(blankToUndefined(value)), z.number().optional());
}

const TRUE_TEXT = new Set(['true', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'no', 'n', '0']);

/**
 * Boolean flag with a default; `true/false`, `yes/no`, `y/n`, `1/0` text (any case) and the
 * numbers 1/0 are accepted.
 */
export function flag(defaultValue = false) {
  return z.preprocess((value) => {
    const v = blankToUndefined(value);
    if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
    if (typeof v !== 'string') return v;
    const text = v.trim().toLowerCase();
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
    return v;
  }, z.boolean().default(defaultValue));
}

/** Optional date or date-time, normalised by `parseIsoDate`; blank means absent. */
export function optionalIsoDate() {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((value, ctx) => {
        const parsed = parseIsoDate(value);
        if (parsed.ok) return parsed.value;
        ctx.issues.push({ code: 'custom', message: parsed.reason, input: value });
        return z.NEVER;
      })
      .optional(),
  );
}

/** Optional identifier of the given kind, normalised; blank means absent. */
export function optionalIdentifier(kind: IdentifierKind) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((value, ctx) => {
        const result = validateIdentifier(kind, value);
        if (result.ok) return result.value;
        const label = IDENTIFIER_LABELS[kind];
        ctx.issues.push({
          code: 'custom',
          message: `is not a valid ${label}: ${result.reason}`,
          input: value,
        });
        return z.NEVER;
      })
      .optional(),
  );
}

/** Optional US ZIP code (`12345`); blank means absent. */
export function optionalZipCode() {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d{5}$/, 'must be a 5-digit ZIP code')
      .optional(),
  );
}

/**
 * A Rev.io customer id: digits, given as text or as a whole number; normalised to text
 * (the original's type).
 */
export function revCustomerId() {
  return z.preprocess(
    (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
    z.string().trim().min(1).regex(/^\d+$/, 'must be a Rev.io customer id (digits only)'),
  );
}
