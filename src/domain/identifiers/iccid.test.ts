import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeIccid, validateIccid } from './iccid.ts';
import { changeDigit, digits, referenceLuhnValid } from './test-digits.ts';

// An ICCID of the form printed on real SIM cards (89 01 410 …: telecom, US, AT&T issuer);
// Luhn-valid by the reference check below.
const REAL_ICCID = '89014103211118510720';

describe('validateIccid', () => {
  it('accepts a real-world 20-digit ICCID', () => {
    expect(referenceLuhnValid(REAL_ICCID)).toBe(true);
    expect(validateIccid(REAL_ICCID)).toEqual({ ok: true, value: REAL_ICCID });
  });

  it('removes surrounding whitespace, inner spaces and dashes', () => {
    expect(validateIccid('  8901 4103-2111 1851 0720 ')).toEqual({ ok: true, value: REAL_ICCID });
  });

  it('drops one trailing F filler printed by some SIM vendors', () => {
    const nineteen = makeIccid('890141032111185107');
    expect(validateIccid(`${nineteen}F`)).toEqual({ ok: true, value: nineteen });
    expect(validateIccid(`${nineteen}f`)).toEqual({ ok: true, value: nineteen });
  });

  it('reports the number of digits found when the length is wrong', () => {
    const result = validateIccid('890141032111185107');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('has 18 digits');
  });

  it('names the first non-digit character and its position', () => {
    const result = validateIccid('8901O103211118510720');
    expect(result).toEqual({
      ok: false,
      reason: 'ICCID "8901O103211118510720" contains "O" (character 5), which is not a digit',
    });
  });

  it('gives the expected check digit when the Luhn check fails', () => {
    const result = validateIccid('89014103211118510725');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(
        'ICCID "89014103211118510725" fails the Luhn check digit (expected 0, got 5)',
      );
    }
  });

  it('rejects empty input', () => {
    expect(validateIccid('  ')).toEqual({ ok: false, reason: 'ICCID is empty' });
  });

  it('accepts every generated ICCID, and the reference Luhn agrees', () => {
    fc.assert(
      fc.property(fc.oneof(digits(18), digits(19)), (prefix) => {
        const iccid = makeIccid(prefix);
        expect(iccid.startsWith(prefix)).toBe(true);
        expect(referenceLuhnValid(iccid)).toBe(true);
        expect(validateIccid(iccid)).toEqual({ ok: true, value: iccid });
      }),
    );
  });

  it('rejects any single mistyped digit', () => {
    fc.assert(
      fc.property(
        fc.oneof(digits(18), digits(19)),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (prefix, position, delta) => {
          const iccid = makeIccid(prefix);
          const typo = changeDigit(iccid, position % iccid.length, delta);
          expect(validateIccid(typo).ok).toBe(false);
        },
      ),
    );
  });
});

describe('makeIccid', () => {
  it('refuses a prefix that is not 18 or 19 digits', () => {
    expect(() => makeIccid('12345')).toThrow(RangeError);
    expect(() => makeIccid('89014103211118510A')).toThrow(RangeError);
  });
});
