import { describe, expect, it } from 'vitest';
import { ErrorCode, isAppError } from '../errors.ts';
import {
  ChangeType,
  isChangeType,
  parseChangeType,
  UnknownChangeTypeError,
} from './change-type.ts';

const NAMES = [
  'EditUsernameCostCenter',
  'StatusUpdate',
  'CarrierRatePlanChange',
  'ChangeICCIDAndIMEI',
  'AssociateCustomer',
  'CreateRevService',
];

describe('parseChangeType', () => {
  it('accepts every exact name', () => {
    for (const name of NAMES) expect(parseChangeType(name)).toBe(name);
  });

  it('ignores letter case and surrounding whitespace', () => {
    expect(parseChangeType('statusupdate')).toBe('StatusUpdate');
    expect(parseChangeType('  CHANGEICCIDANDIMEI ')).toBe('ChangeICCIDAndIMEI');
  });

  it('accepts the original names CustomerAssignment, EditUsername and ChangeICCIDorIMEI', () => {
    expect(parseChangeType('CustomerAssignment')).toBe('AssociateCustomer');
    expect(parseChangeType('customerassignment')).toBe('AssociateCustomer');
    expect(parseChangeType('EditUsername')).toBe('EditUsernameCostCenter');
    expect(parseChangeType('ChangeICCIDorIMEI')).toBe('ChangeICCIDAndIMEI');
  });

  it('rejects unknown and not-yet-implemented names, listing the accepted ones', () => {
    for (const name of ['Archival', 'ActivateNewService', 'CustomerRatePlanChange', '']) {
      let caught: unknown;
      try {
        parseChangeType(name);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnknownChangeTypeError);
      expect(isAppError(caught, ErrorCode.UNKNOWN_CHANGE_TYPE)).toBe(true);
      const message = (caught as Error).message;
      expect(message).toContain(JSON.stringify(name));
      for (const accepted of NAMES) expect(message).toContain(accepted);
    }
  });
});

describe('ChangeType', () => {
  it('lists exactly the implemented change types', () => {
    expect(Object.values(ChangeType)).toEqual(NAMES);
    expect(isChangeType('StatusUpdate')).toBe(true);
    expect(isChangeType('statusupdate')).toBe(false);
    expect(isChangeType('CustomerAssignment')).toBe(false);
  });
});
