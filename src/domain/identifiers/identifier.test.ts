import { describe, expect, it } from 'vitest';
import { ErrorCode, isAppError } from '../errors.ts';
import { makeEid } from './eid.ts';
import { makeIccid } from './iccid.ts';
import {
  parseEid,
  parseIccid,
  parseIdentifier,
  parseImei,
  parseMsisdn,
  validateIdentifier,
} from './identifier.ts';
import { InvalidIdentifierError } from './identifier-error.ts';
import { IdentifierKind, isIdentifierKind } from './identifier-kind.ts';
import { makeImei } from './imei.ts';

const ICCID = makeIccid('8901410321111851072');
const IMEI = makeImei('49015420323751');
const EID = makeEid('890490320000010000000123456789');

describe('validateIdentifier', () => {
  it('applies the rules of the kind asked for', () => {
    expect(validateIdentifier('iccid', ICCID).ok).toBe(true);
    expect(validateIdentifier('imei', ICCID).ok).toBe(false);
    expect(validateIdentifier('imei', IMEI).ok).toBe(true);
    expect(validateIdentifier('eid', EID).ok).toBe(true);
    expect(validateIdentifier('iccid', EID).ok).toBe(false);
    expect(validateIdentifier('msisdn', '+15550104477')).toEqual({
      ok: true,
      value: '15550104477',
    });
  });
});

describe('parseIdentifier', () => {
  it('returns the normalised value of a valid identifier', () => {
    expect(parseIccid(`${ICCID.slice(0, 10)} ${ICCID.slice(10)}`)).toBe(ICCID);
    expect(parseImei(IMEI)).toBe(IMEI);
    expect(parseEid(EID)).toBe(EID);
    expect(parseMsisdn('+44 7700 900123')).toBe('447700900123');
  });

  it('throws InvalidIdentifierError naming the kind, the value and the rule', () => {
    let caught: unknown;
    try {
      parseIdentifier('iccid', '8901410321111851072X');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidIdentifierError);
    expect(isAppError(caught, ErrorCode.INVALID_IDENTIFIER)).toBe(true);
    const error = caught as InvalidIdentifierError;
    expect(error.message).toContain('ICCID');
    expect(error.message).toContain('"8901410321111851072X"');
    expect(error.message).toContain('not a digit');
    expect(error.context).toEqual({ kind: 'iccid', value: '8901410321111851072X' });
    expect(error.name).toBe('InvalidIdentifierError');
  });
});

describe('IdentifierKind', () => {
  it('lists exactly the four supported kinds', () => {
    expect(Object.values(IdentifierKind).sort()).toEqual(['eid', 'iccid', 'imei', 'msisdn']);
    expect(isIdentifierKind('msisdn')).toBe(true);
    expect(isIdentifierKind('ICCID')).toBe(false);
  });
});
