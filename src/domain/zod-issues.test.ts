import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { issueField, predicateErrorMap, toValidationIssues } from './zod-issues.ts';

function issuesOf(schema: z.ZodType, input: unknown) {
  const parsed = schema.safeParse(input, { error: predicateErrorMap });
  return parsed.success ? [] : toValidationIssues(parsed.error.issues);
}

describe('toValidationIssues', () => {
  it('joins nested paths with dots', () => {
    expect(issueField(['RevService', 'RevProductIdList', 2])).toBe('RevService.RevProductIdList.2');
  });

  it('prefixes a field predicate with the field', () => {
    const schema = z.object({ list: z.array(z.number().max(5)), name: z.string().min(1) });
    expect(issuesOf(schema, { list: [1, 9], name: '' })).toEqual([
      { field: 'list.1', message: 'list.1 must be at most 5' },
      { field: 'name', message: 'name must not be blank' },
    ]);
  });

  it('reports a missing field as required and a wrong type by the expected kind', () => {
    const schema = z.object({ a: z.string(), b: z.boolean() });
    expect(issuesOf(schema, { b: 'no' })).toEqual([
      { field: 'a', message: 'a is required' },
      { field: 'b', message: 'b must be true or false' },
    ]);
  });

  it('splits unknown fields into one issue each', () => {
    const schema = z.strictObject({ a: z.string().optional() });
    expect(issuesOf(schema, { x: 1, y: 2 }).map((i) => i.field)).toEqual(['x', 'y']);
  });

  it('keeps a whole-object rule as the sentence it is', () => {
    const schema = z.object({}).refine(() => false, { message: 'Give at least one field' });
    expect(issuesOf(schema, {})).toEqual([{ field: '', message: 'Give at least one field' }]);
  });
});
