import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateMsisdn } from './msisdn.ts';
import { digits } from './test-digits.ts';

describe('validateMsisdn', () => {
  it('strips a leading plus, spaces, dashes, dots and parentheses', () => {
    expect(validateMsisdn(' +1 (555) 010-4477 ')).toEqual({ ok: true, value: '15550104477' });
    expect(validateMsisdn('555.010.4477')).toEqual({ ok: true, value: '5550104477' });
  });

  it('accepts 10 and 15 digits and rejects 9 and 16, saying how many were found', () => {
    expect(validateMsisdn('5550104477').ok).toBe(true);
    expect(validateMsisdn('445550104477123').ok).toBe(true);
    expect(validateMsisdn('555010447')).toEqual({
      ok: false,
      reason: 'MSISDN "555010447" has 9 digits; an MSISDN has 10 to 15',
    });
    const long = validateMsisdn('4455501044771234');
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.reason).toContain('has 16 digits');
  });

  it('rejects a number starting with 0 (trunk prefix)', () => {
    const result = validateMsisdn('07700900123');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('starts with 0');
  });

  it('rejects a plus sign that is not leading', () => {
    const result = validateMsisdn('1555+0104477');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('"+" (character 5)');
  });

  it('accepts any 10-15 digit number not starting with 0, whatever separators surround it', () => {
    const separator = fc.constantFrom('', ' ', '-', '.', '(', ')');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 9, max: 14 }).chain((n) => digits(n)),
        fc.array(separator, { minLength: 15, maxLength: 15 }),
        fc.boolean(),
        (first, rest, seps, plus) => {
          const number = `${first}${rest}`;
          const formatted = [...number].map((d, i) => `${d}${seps[i] ?? ''}`).join('');
          expect(validateMsisdn(`${plus ? '+' : ''}${formatted}`)).toEqual({
            ok: true,
            value: number,
          });
        },
      ),
    );
  });
});
