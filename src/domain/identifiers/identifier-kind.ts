/**
 * The kinds of device identifier a bulk change row may carry, and the result type every
 * identifier validator returns.
 */

/** Identifier kinds: SIM card (ICCID), handset (IMEI), phone number (MSISDN), eUICC (EID). */
export const IdentifierKind = {
  ICCID: 'iccid',
  IMEI: 'imei',
  MSISDN: 'msisdn',
  EID: 'eid',
} as const;

/** One identifier kind (`'iccid' | 'imei' | 'msisdn' | 'eid'`). */
export type IdentifierKind = (typeof IdentifierKind)[keyof typeof IdentifierKind];

/** Human label of each kind, as used in messages (`ICCID`, `IMEI`, …). */
export const IDENTIFIER_LABELS: Readonly<Record<IdentifierKind, string>> = {
  iccid: 'ICCID',
  imei: 'IMEI',
  msisdn: 'MSISDN',
  eid: 'EID',
};

/**
 * Outcome of validating an identifier: the normalised value, or a reason that names the
 * kind, the value and the rule broken (a complete sentence, ready to show to a user).
 */
export type IdentifierResult = { ok: true; value: string } | { ok: false; reason: string };

/** True when `value` is one of the {@link IdentifierKind} values (exact spelling). */
export function isIdentifierKind(value: string): value is IdentifierKind {
  return Object.hasOwn(IDENTIFIER_LABELS, value);
}
