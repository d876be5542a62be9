/**
 * Turns zod issues into {@link ValidationIssue}s whose messages read as sentences that name
 * the field: `CarrierRatePlan is required`, `RevService.ServiceTypeId must be greater than 0`.
 *
 * Convention used by every domain schema: an issue on a field carries a *predicate* ("is
 * required", "must be …"); {@link toValidationIssues} prefixes it with the field's dotted
 * path. A rule on the whole object (empty path, custom issue) carries a complete sentence and
 * gets field `''`; a built-in issue on the whole object reads "The request must be …". Parse with {@link predicateErrorMap} so that zod's built-in checks follow the
 * same convention.
 */
import type { z } from 'zod';
import type { ValidationIssue } from './errors.ts';

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

function bound(origin: string, n: unknown, unit: 'least' | 'most', inclusive: boolean): string {
  if (origin === 'string') {
    if (unit === 'least' && n === 1) return 'must not be blank';
    return `must be at ${unit} ${String(n)} characters long`;
  }
  if (origin === 'array' || origin === 'set') return `must have at ${unit} ${String(n)} items`;
  if (inclusive) return `must be at ${unit} ${String(n)}`;
  return `must be ${unit === 'least' ? 'greater' : 'less'} than ${String(n)}`;
}

/**
 * Error map giving predicate messages for zod's built-in issues. Pass it to `safeParse`:
 * `schema.safeParse(input, { error: predicateErrorMap })`.
 */
export const predicateErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return bound(issue.origin, issue.minimum, 'least', issue.inclusive !== false);
    case 'too_big':
      return bound(issue.origin, issue.maximum, 'most', issue.inclusive !== false);
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return '';
    case 'invalid_union':
      return 'does not match any accepted form';
    default:
      return 'is invalid';
  }
};

/** Dotted path of an issue: `['RevProductIdList', 2]` → `RevProductIdList.2`. */
export function issueField(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key)).join('.');
}

/** A field issue's predicate prefixed by the field; a whole-object issue as a sentence. */
function sentence(field: string, issue: z.core.$ZodIssue): string {
  if (field !== '') return `${field} ${issue.message}`;
  return issue.code === 'custom' ? issue.message : `The request ${issue.message}`;
}

/**
 * Converts zod issues (field predicates, object sentences) into validation issues. An
 * unrecognized-keys issue becomes one issue per unknown field.
 */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  const result: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = issueField([...issue.path, key]);
        const hint = issue.message === '' ? '' : `; ${issue.message}`;
        result.push({ field, message: `${field} is not a known field${hint}` });
      }
      continue;
    }
    const field = issueField(issue.path);
    result.push({ field, message: sentence(field, issue) });
  }
  return result;
}
