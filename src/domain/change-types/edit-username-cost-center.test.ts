import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateChangeRequest } from './registry.ts';

const FIELDS = ['ContactName', 'CostCenter1', 'CostCenter2', 'CostCenter3'] as const;
const validate = (input: unknown) => validateChangeRequest('EditUsernameCostCenter', input);

const nonBlank = fc
  .tuple(
    fc.constantFrom('', ' ', '  '),
    fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''),
  )
  .map(([pad, text]) => `${pad}${text}${pad}`);
const blank = fc.constantFrom('', ' ', '\t', '   ');

describe('EditUsernameCostCenter request', () => {
  it('trims values and drops blank ones ("leave unchanged")', () => {
    const result = validate({ ContactName: ' Truck 12 ', CostCenter1: '', CostCenter2: '  ' });
    expect(result).toEqual({ ok: true, value: { ContactName: 'Truck 12' } });
  });

  it('asks for at least one non-blank field, naming all four', () => {
    const result = validate({ ContactName: ' ', CostCenter3: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.field).toBe('');
    for (const field of FIELDS) expect(result.issues[0]?.message).toContain(field);
  });

  it('rejects an unknown field by name and lists the accepted ones', () => {
    const result = validate({ ContactName: 'x', Username: 'y' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        field: 'Username',
        message:
          'Username is not a known field; accepted fields are ContactName, CostCenter1, CostCenter2, CostCenter3',
      },
    ]);
  });

  it('limits each field to 255 characters', () => {
    expect(validate({ CostCenter2: 'x'.repeat(255) }).ok).toBe(true);
    const result = validate({ CostCenter2: 'x'.repeat(256) });
    expect(result).toEqual({
      ok: false,
      issues: [
        { field: 'CostCenter2', message: 'CostCenter2 must be at most 255 characters long' },
      ],
    });
  });

  it('rejects a value that is not text', () => {
    const result = validate({ ContactName: 12 });
    expect(result).toEqual({
      ok: false,
      issues: [{ field: 'ContactName', message: 'ContactName must be text' }],
    });
  });

  it('accepts any combination with at least one non-blank field, keeping only those', () => {
    const value = fc.oneof(nonBlank, blank);
    const request = fc.record(
      { ContactName: value, CostCenter1: value, CostCenter2: value, CostCenter3: value },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(request, (input) => {
        const entries = Object.entries(input);
        const expected = Object.fromEntries(
          entries.filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]),
        );
        const result = validate(input);
        if (Object.keys(expected).length === 0) {
          expect(result.ok).toBe(false);
        } else {
          expect(result).toEqual({ ok: true, value: expected });
        }
      }),
    );
  });
});
