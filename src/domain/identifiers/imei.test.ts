import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeImei, validateImei } from './imei.ts';
import { changeDigit, digits, referenceLuhnValid } from './test-digits.ts';

// The IMEI used as the example in the Wikipedia article; Luhn-valid by the reference check.
const REAL_IMEI = '490154203237518';

describe('validateImei', () => {
  it('accepts a real-world IMEI', () => {
    expect(referenceLuhnValid(REAL_IMEI)).toBe(true);
    expect(validateImei(REAL_IMEI)).toEqual({ ok: true, value: REAL_IMEI });
  });

  it('accepts the printed form with dashes and spaces', () => {
    expect(validateImei(' 49-015420-323751 8 ')).toEqual({ ok: true, value: REAL_IMEI });
  });

  it('rejects a 16-digit IMEISV and says it is not an IMEI', () => {
    const result = validateImei('4901542032375101');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/IMEISV.*not an IMEI/);
  });

  it('reports the number of digits found when the length is wrong', () => {
    const result = validateImei('49015420323751');
    expect(result).toEqual({
      ok: false,
      reason: 'IMEI "49015420323751" has 14 digits; an IMEI has 15',
    });
  });

  it('names a non-digit character', () => {
    const result = validateImei('49015420323751x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('"x" (character 15)');
  });

  it('gives the expected check digit when the Luhn check fails', () => {
    const result = validateImei('490154203237511');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('(expected 8, got 1)');
  });

  it('accepts every generated IMEI, and the reference Luhn agrees', () => {
    fc.assert(
      fc.property(digits(14), (payload) => {
        const imei = makeImei(payload);
        expect(referenceLuhnValid(imei)).toBe(true);
        expect(validateImei(imei)).toEqual({ ok: true, value: imei });
      }),
    );
  });

  it('rejects any single mistyped digit', () => {
    fc.assert(
      fc.property(digits(14), fc.nat(14), fc.integer({ min: 1, max: 9 }), (payload, i, delta) => {
        expect(validateImei(changeDigit(makeImei(payload), i, delta)).ok).toBe(false);
      }),
    );
  });
});

describe('makeImei', () => {
  it('refuses a payload that is not 14 digits', () => {
    expect(() => makeImei('490154203237518')).toThrow(RangeError);
  });
});
