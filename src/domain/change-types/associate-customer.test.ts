import { describe, expect, it } from 'vitest';
import { makeIccid } from '../identifiers/iccid.ts';
import { validateChangeRequest } from './registry.ts';

const validate = (input: unknown) => validateChangeRequest('AssociateCustomer', input);
const ICCID = makeIccid('8901260882215531234');

function fieldsOf(input: unknown): string[] {
  const result = validate(input);
  return result.ok ? [] : result.issues.map((i) => i.field);
}

describe('AssociateCustomer request', () => {
  it('needs only RevCustomerId and fills the flags with false', () => {
    expect(validate({ RevCustomerId: ' 1042 ' })).toEqual({
      ok: true,
      value: {
        RevCustomerId: '1042',
        CreateRevService: false,
        Prorate: false,
        AddCustomerRatePlan: false,
        AddCarrierRatePlan: false,
      },
    });
  });

  it('accepts a whole-number RevCustomerId and rejects one with other characters', () => {
    const numeric = validate({ RevCustomerId: 1042 });
    expect(numeric.ok && numeric.value.RevCustomerId).toBe('1042');
    expect(fieldsOf({ RevCustomerId: 'C-1042' })).toEqual(['RevCustomerId']);
    expect(fieldsOf({})).toEqual(['RevCustomerId']);
  });

  it('normalises a full service creation request in the original shape', () => {
    const result = validate({
      RevCustomerId: '1042',
      CreateRevService: true,
      ServiceTypeId: 3,
      ProviderId: 9,
      UsagePlanGroupId: 2,
      RevProductIdList: [101, '102'],
      RateList: [9.99, '4.5'],
      Prorate: true,
      EffectiveDate: '2024-07-01',
      ActivatedDate: '2024-06-15T12:00:00Z',
      ICCID,
      Number: '5550104477',
      Description: 'Fleet line',
      AddCustomerRatePlan: true,
      CustomerRatePlan: '17',
      IntegrationAuthenticationId: 4,
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).toMatchObject({
        RevProductIdList: [101, 102],
        RateList: [9.99, 4.5],
        ActivatedDate: '2024-06-15T12:00:00.000Z',
        CustomerRatePlan: 17,
        ICCID,
      });
    }
  });

  it('takes SiteId instead of RevCustomerId for a customer without Rev.io (no service line then)', () => {
    const site = validate({ SiteId: '7', AddCustomerRatePlan: true, CustomerRatePlan: 3 });
    expect(site.ok && site.value.SiteId).toBe(7);
    expect(site.ok && site.value.RevCustomerId).toBeUndefined();
    expect(fieldsOf({ RevCustomerId: '  ' })).toEqual(['RevCustomerId']);
    expect(fieldsOf({ SiteId: 7, CreateRevService: true, ServiceTypeId: 101 })).toEqual([
      'CreateRevService',
    ]);
  });

  it('requires ServiceTypeId when CreateRevService is true', () => {
    expect(fieldsOf({ RevCustomerId: '1', CreateRevService: true })).toEqual(['ServiceTypeId']);
    expect(fieldsOf({ RevCustomerId: '1', CreateRevService: false })).toEqual([]);
  });

  it('requires one rate per product and each product once', () => {
    const result = validate({
      RevCustomerId: '1',
      RevProductIdList: [5, 6, 5],
      RateList: [1, 2],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.field).sort()).toEqual(['RateList', 'RevProductIdList.2']);
      expect(result.issues.find((i) => i.field === 'RateList')?.message).toContain(
        '3 products, 2 rates',
      );
    }
    expect(fieldsOf({ RevCustomerId: '1', RateList: [1] })).toEqual(['RateList']);
    expect(fieldsOf({ RevCustomerId: '1', Rate: 3 })).toEqual(['Rate']);
  });

  it('accepts RevProviderId as another name for ProviderId, but not both', () => {
    const renamed = validate({ RevCustomerId: '1', RevProviderId: '12' });
    expect(renamed.ok && renamed.value.ProviderId).toBe(12);
    expect(fieldsOf({ RevCustomerId: '1', RevProviderId: 1, ProviderId: 2 })).toEqual([
      'RevProviderId',
    ]);
  });

  it('requires the plan or pool when AddCustomerRatePlan, and the plan when AddCarrierRatePlan', () => {
    expect(fieldsOf({ RevCustomerId: '1', AddCustomerRatePlan: true })).toEqual([
      'CustomerRatePlan',
    ]);
    expect(fieldsOf({ RevCustomerId: '1', AddCarrierRatePlan: 'yes' })).toEqual([
      'CarrierRatePlan',
    ]);
  });

  it('checks the ICCID and dates it is given', () => {
    expect(
      fieldsOf({ RevCustomerId: '1', ICCID: '1234', EffectiveDate: '2024-02-30' }).sort(),
    ).toEqual(['EffectiveDate', 'ICCID']);
  });
});
