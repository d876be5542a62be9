import { describe, expect, it } from 'vitest';
import { makeIccid } from '../identifiers/iccid.ts';
import { makeImei } from '../identifiers/imei.ts';
import { validateChangeRequest } from './registry.ts';

const validate = (input: unknown) => validateChangeRequest('ChangeICCIDAndIMEI', input);
const OLD_ICCID = makeIccid('8901410321111851072');
const NEW_ICCID = makeIccid('8901410321111851073');
const OLD_IMEI = makeImei('49015420323751');
const NEW_IMEI = makeImei('35693803564380');

function fieldsOf(input: unknown): string[] {
  const result = validate(input);
  return result.ok ? [] : result.issues.map((i) => i.field);
}

describe('ChangeICCIDAndIMEI request', () => {
  it('derives IdentifierType IMEI when only NewIMEI is given', () => {
    const result = validate({ OldIMEI: OLD_IMEI, NewIMEI: NEW_IMEI });
    expect(result.ok && result.value.IdentifierType).toBe('IMEI');
  });

  it('derives IdentifierType ICCID when NewICCID is given, with or without NewIMEI', () => {
    const single = validate({ NewICCID: NEW_ICCID });
    const both = validate({ NewICCID: NEW_ICCID, NewIMEI: NEW_IMEI });
    expect(single.ok && single.value.IdentifierType).toBe('ICCID');
    expect(both.ok && both.value.IdentifierType).toBe('ICCID');
  });

  it('normalises identifiers and an explicit IdentifierType in any case', () => {
    const result = validate({
      OldICCID: `${OLD_ICCID}F`,
      NewICCID: NEW_ICCID,
      IdentifierType: 'iccid',
    });
    expect(result.ok && result.value).toMatchObject({
      OldICCID: OLD_ICCID,
      IdentifierType: 'ICCID',
    });
  });

  it('requires NewICCID or NewIMEI', () => {
    const result = validate({ OldICCID: OLD_ICCID });
    expect(result).toEqual({
      ok: false,
      issues: [{ field: '', message: 'Give NewICCID, NewIMEI or both' }],
    });
  });

  it('names the field whose identifier is invalid and why', () => {
    const result = validate({ NewICCID: `${NEW_ICCID.slice(0, -1)}9` });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]?.field).toBe('NewICCID');
      expect(result.issues[0]?.message).toMatch(/^NewICCID is not a valid ICCID: .*Luhn/);
    }
  });

  it('refuses a NewICCID equal to OldICCID, however it is written', () => {
    const spaced = `${OLD_ICCID.slice(0, 4)} ${OLD_ICCID.slice(4)}`;
    expect(fieldsOf({ OldICCID: spaced, NewICCID: OLD_ICCID })).toEqual(['NewICCID']);
  });

  it('requires the New field matching an explicit IdentifierType', () => {
    expect(fieldsOf({ NewICCID: NEW_ICCID, IdentifierType: 'IMEI' })).toEqual(['NewIMEI']);
    expect(fieldsOf({ NewICCID: NEW_ICCID, IdentifierType: 'EID' })).toEqual(['IdentifierType']);
  });

  it('checks the service ZIP code and the customer rate plan option', () => {
    expect(fieldsOf({ NewIMEI: NEW_IMEI, ServiceZipCode: '9021' })).toEqual(['ServiceZipCode']);
    expect(fieldsOf({ NewIMEI: NEW_IMEI, AddCustomerRatePlan: true })).toEqual([
      'CustomerRatePlan',
    ]);
    expect(
      fieldsOf({ NewIMEI: NEW_IMEI, AddCustomerRatePlan: 'true', CustomerRatePool: '5' }),
    ).toEqual([]);
  });
});
