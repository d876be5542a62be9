/**
 * ICCID: the serial number of a SIM card (ITU-T E.118), 19 or 20 digits, the last one a Luhn
 * check digit computed over all the others.
 *
 * Normalisation: surrounding whitespace is trimmed, inner whitespace and dashes are removed,
 * and ONE trailing `F`/`f` is dropped. Why the `F`: on the SIM the ICCID is stored as BCD
 * nibbles, so a 19-digit ICCID is padded with the filler nibble `F`, and some vendors print or
 * export it that way (`8901…5F`). The normalised value (digits only) is what gets stored.
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
import { isLuhnValid, luhnCheckDigit } from './luhn.ts';

/** Accepted ICCID lengths (digits, check digit included). */
export const ICCID_LENGTHS: readonly number[] = Object.freeze([19, 20]);

/**
 * Validates and normalises an ICCID.
 *
 * @example
 * validateIccid('8901 4103 2111 1851 0720'); // { ok: true, value: '89014103211118510720' }
 */
export function validateIccid(raw: string): IdentifierResult {
  const shown = raw.trim();
  const normalised = stripSeparators(shown).replace(/[Ff]$/, '');
  if (normalised === '') return invalid('ICCID is empty');
  const nonDigit = nonDigitReason('ICCID', shown, normalised);
  if (nonDigit !== undefined) return invalid(nonDigit);
  if (!ICCID_LENGTHS.includes(normalised.length)) {
    return invalid(`ICCID ${quote(shown)} has ${normalised.length} digits; an ICCID has 19 or 20`);
  }
  if (!isLuhnValid(normalised)) {
    const expected = luhnCheckDigit(normalised.slice(0, -1));
    const found = normalised.slice(-1);
    return invalid(
      `ICCID ${quote(shown)} fails the Luhn check digit (expected ${expected}, got ${found})`,
    );
  }
  return valid(normalised);
}

/**
 * Builds a valid ICCID from its first 18 or 19 digits by appending the Luhn check digit
 * (test fixtures and demo data). Throws a RangeError for any other input.
 *
 * @example
 * makeIccid('8901410321111851072'); // '89014103211118510720'
 */
export function makeIccid(prefix: string): string {
  assertDigits('makeIccid', prefix, [18, 19]);
  return prefix + luhnCheckDigit(prefix);
}
