/**
 * EID: the identity of an eUICC (embedded SIM), 32 digits whose last two are check digits
 * (GSMA SGP.29, ISO 7064 MOD 97-10): the whole 32-digit number, taken as an integer, is 1
 * modulo 97. This catches every single mistyped digit and every swap of two adjacent digits.
 *
 * Normalisation: trimmed, inner whitespace and dashes removed.
 */

import {
  assertDigits,
  invalid,
  nonDigitReason,
  quote,
  stripSeparators,
  valid,
} from './identifier-format.ts';
import type { IdentifierResult } from './identifier-kind.ts';

/** Digits in an EID, check digits included. */
export const EID_LENGTH = 32;

/**
 * The two check digits to append to the first 30 digits of an EID: `98 - (payload·100 mod 97)`,
 * left-padded to two digits.
 */
export function eidCheckDigits(payload: string): string {
  assertDigits('eidCheckDigits', payload, [30]);
  const remainder = BigInt(`${payload}00`) % 97n;
  return String(98n - remainder).padStart(2, '0');
}

/**
 * Validates and normalises an EID.
 *
 * @example
 * validateEid(makeEid('890490320000010000000123456789')).ok; // true
 */
export function validateEid(raw: string): IdentifierResult {
  const shown = raw.trim();
  const normalised = stripSeparators(shown);
  if (normalised === '') return invalid('EID is empty');
  const nonDigit = nonDigitReason('EID', shown, normalised);
  if (nonDigit !== undefined) return invalid(nonDigit);
  if (normalised.length !== EID_LENGTH) {
    return invalid(`EID ${quote(shown)} has ${normalised.length} digits; an EID has 32`);
  }
  if (BigInt(normalised) % 97n !== 1n) {
    const expected = eidCheckDigits(normalised.slice(0, 30));
    const found = normalised.slice(30);
    return invalid(
      `EID ${quote(shown)} fails the check digits (expected ${expected}, got ${found}); a digit is probably mistyped`,
    );
  }
  return valid(normalised);
}

/**
 * Builds a valid EID from its first 30 digits by appending the check digits (test fixtures
 * and demo data). Throws a RangeError for any other input.
 *
 * @example
 * makeEid('890490320000010000000123456789'); // 32 digits, passes validateEid
 */
export function makeEid(payload: string): string {
  assertDigits('makeEid', payload, [30]);
  return payload + eidCheckDigits(payload);
}
