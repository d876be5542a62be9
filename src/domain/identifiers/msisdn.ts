/**
 * MSISDN: the phone number of a subscription, in international form (ITU-T E.164): at most 15
 * digits, never starting with 0 (no trunk prefix). At least 10 digits are required (a North
 * American number without its country code, as AT&T Telegence uses, has 10).
 *
 * Normalisation: trimmed; spaces, dashes, dots and parentheses removed; one leading `+`
 * removed. `+1 (555) 010-4477` becomes `15550104477`.
 */

import { invalid, nonDigitReason, quote, valid } from './identifier-format.ts';
import type { IdentifierResult } from './identifier-kind.ts';

/** Fewest digits accepted in an MSISDN. */
export const MSISDN_MIN_LENGTH = 10;
/** Most digits in an MSISDN (E.164). */
export const MSISDN_MAX_LENGTH = 15;

/**
 * Validates and normalises an MSISDN.
 *
 * @example
 * validateMsisdn('+1 (555) 010-4477'); // { ok: true, value: '15550104477' }
 */
export function validateMsisdn(raw: string): IdentifierResult {
  const shown = raw.trim();
  const normalised = shown.replace(/[\s\-.()]/g, '').replace(/^\+/, '');
  if (normalised === '') return invalid('MSISDN is empty');
  const nonDigit = nonDigitReason('MSISDN', shown, normalised);
  if (nonDigit !== undefined) return invalid(nonDigit);
  if (normalised.length < MSISDN_MIN_LENGTH || normalised.length > MSISDN_MAX_LENGTH) {
    return invalid(
      `MSISDN ${quote(shown)} has ${normalised.length} digits; an MSISDN has ${MSISDN_MIN_LENGTH} to ${MSISDN_MAX_LENGTH}`,
    );
  }
  if (normalised.startsWith('0')) {
    return invalid(
      `MSISDN ${quote(shown)} starts with 0; give it in international form without the trunk prefix (e.g. 15550104477)`,
    );
  }
  return valid(normalised);
}
