import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eidCheckDigits, makeEid, validateEid } from './eid.ts';
import { changeDigit, digits } from './test-digits.ts';

/** Reference check straight from SGP.29: the number mod 97 is 1. */
function referenceEidValid(eid: string): boolean {
  return eid.length === 32 && BigInt(eid) % 97n === 1n;
}

describe('validateEid', () => {
  it('accepts the EID printed with spaces and returns 32 digits', () => {
    const eid = makeEid('890490320000010000000123456789');
    const spaced = eid.replace(/(\d{4})/g, '$1 ');
    expect(validateEid(spaced)).toEqual({ ok: true, value: eid });
  });

  it('reports the number of digits found when the length is wrong', () => {
    const result = validateEid('8904903200000100000001234567');
    expect(result).toEqual({
      ok: false,
      reason: 'EID "8904903200000100000001234567" has 28 digits; an EID has 32',
    });
  });

  it('tells the user when a digit is mistyped, giving the expected check digits', () => {
    const eid = makeEid('890490320000010000000123456789');
    const typo = changeDigit(eid, 10, 3);
    const result = validateEid(typo);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('fails the check digits');
      expect(result.reason).toContain(`got ${eid.slice(30)}`);
    }
  });

  it('accepts every generated EID, and the reference mod-97 check agrees', () => {
    fc.assert(
      fc.property(digits(30), (payload) => {
        const eid = makeEid(payload);
        expect(eid).toHaveLength(32);
        expect(referenceEidValid(eid)).toBe(true);
        expect(validateEid(eid)).toEqual({ ok: true, value: eid });
      }),
    );
  });

  it('rejects any single mistyped digit', () => {
    fc.assert(
      fc.property(digits(30), fc.nat(31), fc.integer({ min: 1, max: 9 }), (payload, i, delta) => {
        expect(validateEid(changeDigit(makeEid(payload), i, delta)).ok).toBe(false);
      }),
    );
  });

  it('rejects any swap of two different adjacent digits', () => {
    fc.assert(
      fc.property(digits(30), fc.nat(30), (payload, i) => {
        const eid = makeEid(payload);
        fc.pre(eid[i] !== eid[i + 1]);
        const swapped = eid.slice(0, i) + eid[i + 1] + eid[i] + eid.slice(i + 2);
        expect(validateEid(swapped).ok).toBe(false);
      }),
    );
  });
});

describe('eidCheckDigits', () => {
  it('always gives two digits between 02 and 98', () => {
    fc.assert(
      fc.property(digits(30), (payload) => {
        const check = eidCheckDigits(payload);
        expect(check).toMatch(/^\d\d$/);
        expect(Number(check)).toBeGreaterThanOrEqual(2);
        expect(Number(check)).toBeLessThanOrEqual(98);
      }),
    );
  });
});
