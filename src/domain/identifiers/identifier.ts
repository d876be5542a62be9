/**
 * One entry point over the four identifier validators: validate by kind, or parse (validate
 * and throw {@link InvalidIdentifierError}).
 *
 * Every validator trims the input and removes the separators people type (see each file for
 * the exact rules), then checks characters, length and check digits, in that order, and
 * returns the digits-only normalised value.
 */
import { validateEid } from './eid.ts';
import { validateIccid } from './iccid.ts';
import { InvalidIdentifierError } from './identifier-error.ts';
import type { IdentifierKind, IdentifierResult } from './identifier-kind.ts';
import { validateImei } from './imei.ts';
import { validateMsisdn } from './msisdn.ts';

const VALIDATORS: Readonly<Record<IdentifierKind, (raw: string) => IdentifierResult>> = {
  iccid: validateIccid,
  imei: validateImei,
  msisdn: validateMsisdn,
  eid: validateEid,
};

/**
 * Validates `raw` as an identifier of the given kind.
 *
 * @example
 * validateIdentifier('imei', '490154203237518'); // { ok: true, value: '490154203237518' }
 */
export function validateIdentifier(kind: IdentifierKind, raw: string): IdentifierResult {
  return VALIDATORS[kind](raw);
}

/**
 * Returns the normalised identifier or throws {@link InvalidIdentifierError}.
 *
 * @example
 * parseIdentifier('msisdn', '+1 555 010 4477'); // '15550104477'
 */
export function parseIdentifier(kind: IdentifierKind, raw: string): string {
  const result = VALIDATORS[kind](raw);
  if (!result.ok) throw new InvalidIdentifierError(kind, raw, result.reason);
  return result.value;
}

/** Normalised ICCID, or throws {@link InvalidIdentifierError}. */
export function parseIccid(raw: string): string {
  return parseIdentifier('iccid', raw);
}

/** Normalised IMEI, or throws {@link InvalidIdentifierError}. */
export function parseImei(raw: string): string {
  return parseIdentifier('imei', raw);
}

/** Normalised MSISDN, or throws {@link InvalidIdentifierError}. */
export function parseMsisdn(raw: string): string {
  return parseIdentifier('msisdn', raw);
}

/** Normalised EID, or throws {@link InvalidIdentifierError}. */
export function parseEid(raw: string): string {
  return parseIdentifier('eid', raw);
}
