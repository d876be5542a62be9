/**
 * Test-only helpers shared by the identifier tests: fast-check arbitraries and a reference
 * Luhn implementation written independently of `luhn.ts` (left-to-right, parity based).
 */
import fc from 'fast-check';

/** Arbitrary string of exactly `length` ASCII digits. */
export function digits(length: number): fc.Arbitrary<string> {
  return fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length })
    .map((ds) => ds.join(''));
}

/** Reference Luhn check: doubles every digit whose distance from the end is odd. */
export function referenceLuhnValid(value: string): boolean {
  let total = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = Number(value[i]);
    const fromRight = value.length - 1 - i;
    const weighted = fromRight % 2 === 1 ? digit * 2 : digit;
    total += weighted > 9 ? weighted - 9 : weighted;
  }
  return total % 10 === 0;
}

/** Replaces the digit at `index` by `(digit + delta) mod 10`, delta in 1..9. */
export function changeDigit(value: string, index: number, delta: number): string {
  const digit = (Number(value[index]) + delta) % 10;
  return value.slice(0, index) + String(digit) + value.slice(index + 1);
}
