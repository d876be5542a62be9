/**
 * Luhn (mod 10) check digit, used by ICCIDs (ITU-T E.118) and IMEIs (3GPP TS 23.003).
 */

/** True when `digits` (ASCII digits only) ends with a correct Luhn check digit. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits) || digits.length < 2) return false;
  return luhnSum(digits, false) % 10 === 0;
}

/** The check digit to append to `payload` (ASCII digits only) to make it Luhn-valid. */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) throw new TypeError('luhnCheckDigit expects digits only');
  return String((10 - (luhnSum(payload, true) % 10)) % 10);
}

/**
 * Sum of the Luhn-weighted digits, walking right to left. When `doubleFirst` is true the
 * rightmost digit is doubled (payload without check digit), otherwise the second from right.
 */
function luhnSum(digits: string, doubleFirst: boolean): number {
  let sum = 0;
  let double = doubleFirst;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}
