/**
 * IMEI: the identity of a handset or modem (3GPP TS 23.003), 15 digits, the last one a Luhn
 * check digit. A 16-digit IMEISV (14 IMEI digits + 2-digit software version, no check digit)
 * is NOT an IMEI and is rejected with a message saying so.
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
import { isLuhnValid, luhnCheckDigit } from './luhn.ts';

/** Digits in an IMEI, check digit included. */
export const IMEI_LENGTH = 15;

/**
 * Validates and normalises an IMEI.
 *
 * @example
 * validateImei('49-015420-323751-8'); // { ok: true, value: '490154203237518' }
 */
export function validateImei(raw: string): IdentifierResult {
  const shown = raw.trim();
  const normalised = stripSeparators(shown);
  if (normalised === '') return invalid('IMEI is empty');
  const nonDigit = nonDigitReason('IMEI', shown, normalised);
  if (nonDigit !== undefined) return invalid(nonDigit);
  if (normalised.length === 16) {
    return invalid(
      `IMEI ${quote(shown)} has 16 digits: that is an IMEISV (IMEI plus a 2-digit software version), not an IMEI; give the 15-digit IMEI`,
    );
  }
  if (normalised.length !== IMEI_LENGTH) {
    return invalid(`IMEI ${quote(shown)} has ${normalised.length} digits; an IMEI has 15`);
  }
  if (!isLuhnValid(normalised)) {
    const expected = luhnCheckDigit(normalised.slice(0, -1));
    const found = normalised.slice(-1);
    return invalid(
      `IMEI ${quote(shown)} fails the Luhn check digit (expected ${expected}, got ${found})`,
    );
  }
  return valid(normalised);
}

/**
 * Builds a valid IMEI from its first 14 digits (TAC + serial) by appending the Luhn check
 * digit (test fixtures and demo data). Throws a RangeError for any other input.
 *
 * @example
 * makeImei('49015420323751'); // '490154203237518'
 */
export function makeImei(payload: string): string {
  assertDigits('makeImei', payload, [14]);
  return payload + luhnCheckDigit(payload);
}
