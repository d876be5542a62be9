/**
 * The error thrown by the `parseX` identifier functions.
 */
import { AppError, ErrorCode } from '../errors.ts';
import type { IdentifierKind } from './identifier-kind.ts';

/**
 * An ICCID, IMEI, MSISDN or EID with the wrong format or check digit.
 * Code `INVALID_IDENTIFIER`; context `{ kind, value }` (the raw input); the message is the
 * validator's reason, which names the kind, the value and the rule broken.
 *
 * @example
 * new InvalidIdentifierError('iccid', '8901', 'ICCID "8901" has 4 digits; an ICCID has 19 or 20');
 */
export class InvalidIdentifierError extends AppError {
  /** Which kind of identifier was expected. */
  readonly kind: IdentifierKind;
  /** The raw input that was rejected. */
  readonly value: string;

  constructor(kind: IdentifierKind, value: string, reason: string) {
    super(ErrorCode.INVALID_IDENTIFIER, reason, { context: { kind, value } });
    this.kind = kind;
    this.value = value;
  }
}
