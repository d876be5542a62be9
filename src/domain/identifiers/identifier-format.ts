/**
 * Small helpers shared by the identifier validators: normalisation and message wording.
 * Internal to `domain/identifiers` (not re-exported from the domain index).
 */
import type { IdentifierResult } from './identifier-kind.ts';

const MAX_SHOWN = 40;

/** Quotes a user value for a message, shortening very long input. */
export function quote(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
}

/** A successful result carrying the normalised value. */
export function valid(value: string): IdentifierResult {
  return { ok: true, value };
}

/** A failed result carrying the reason. */
export function invalid(reason: string): IdentifierResult {
  return { ok: false, reason };
}

/** Removes all whitespace and dashes (separators people type or print in long numbers). */
export function stripSeparators(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/**
 * Reason for the first non-digit character of `normalised`, or undefined when it is all
 * digits. The position is counted in `shown` (the trimmed input the user typed).
 */
export function nonDigitReason(
  label: string,
  shown: string,
  normalised: string,
): string | undefined {
  const match = /\D/u.exec(normalised);
  if (match === null) return undefined;
  const char = match[0];
  const position = shown.indexOf(char) + 1;
  return `${label} ${quote(shown)} contains ${JSON.stringify(char)} (character ${position}), which is not a digit`;
}

/** Throws a RangeError unless `payload` is exactly `lengths` ASCII digits (factory helpers). */
export function assertDigits(what: string, payload: string, lengths: readonly number[]): void {
  if (!/^\d+$/.test(payload) || !lengths.includes(payload.length)) {
    throw new RangeError(
      `${what} expects ${lengths.join(' or ')} digits, got ${quote(payload)} (${payload.length} characters)`,
    );
  }
}
