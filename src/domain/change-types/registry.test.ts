import { describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../errors.ts';
import { ALL_INTEGRATIONS, SUPPORTED_INTEGRATIONS } from '../integrations.ts';
import { ALL_CHANGE_TYPES, CHANGE_TYPE_ALIASES, parseChangeType } from './change-type.ts';
import {
  CHANGE_TYPES,
  getChangeTypeDefinition,
  isChangeTypeSupportedFor,
  parseChangeRequest,
  validateChangeRequest,
} from './registry.ts';

/** Builds `{ a: { b: value } }` from `'a.b'`. */
function nest(path: string, value: unknown): Record<string, unknown> {
  const [head = '', ...rest] = path.split('.');
  return { [head]: rest.length === 0 ? value : nest(rest.join('.'), value) };
}

describe('change type registry', () => {
  it('has one definition per change type, under its own name, with its aliases', () => {
    expect(Object.keys(CHANGE_TYPES).sort()).toEqual([...ALL_CHANGE_TYPES].sort());
    for (const type of ALL_CHANGE_TYPES) {
      const definition = getChangeTypeDefinition(type);
      expect(definition.name).toBe(type);
      expect(definition.aliases).toEqual(CHANGE_TYPE_ALIASES[type]);
      for (const alias of definition.aliases) expect(parseChangeType(alias)).toBe(type);
      expect(definition.identifierKinds.length).toBeGreaterThan(0);
      expect(definition.description.length).toBeGreaterThan(10);
    }
  });

  it('lists per-device fields that the request schema knows', () => {
    for (const type of ALL_CHANGE_TYPES) {
      for (const field of CHANGE_TYPES[type].perDeviceFields) {
        const result = validateChangeRequest(type, nest(field, 'x'));
        const unknown = result.ok
          ? []
          : result.issues.filter((i) => i.message.includes('is not a known field'));
        expect(unknown, `${type}.${field}`).toEqual([]);
      }
    }
  });

  it('supports a change type only on the integrations it lists, and never on unsupported ones', () => {
    expect(isChangeTypeSupportedFor('ChangeICCIDAndIMEI', 'ThingSpace')).toBe(true);
    expect(isChangeTypeSupportedFor('ChangeICCIDAndIMEI', 'Telegence')).toBe(true);
    expect(isChangeTypeSupportedFor('ChangeICCIDAndIMEI', 'Jasper')).toBe(false);
    expect(isChangeTypeSupportedFor('EditUsernameCostCenter', 'POD19')).toBe(true);
    for (const integration of SUPPORTED_INTEGRATIONS) {
      expect(isChangeTypeSupportedFor('AssociateCustomer', integration)).toBe(true);
      expect(isChangeTypeSupportedFor('CreateRevService', integration)).toBe(true);
    }
    const unsupported = ALL_INTEGRATIONS.filter((i) => !SUPPORTED_INTEGRATIONS.includes(i));
    expect(unsupported.length).toBeGreaterThan(0);
    for (const type of ALL_CHANGE_TYPES) {
      for (const integration of unsupported) {
        expect(isChangeTypeSupportedFor(type, integration)).toBe(false);
      }
    }
  });

  it('reports a request that is not an object as a sentence about the request', () => {
    expect(validateChangeRequest('StatusUpdate', 'Active')).toEqual({
      ok: false,
      issues: [{ field: '', message: 'The request must be an object' }],
    });
  });

  it('throws a ValidationError carrying every issue from parseChangeRequest', () => {
    expect(parseChangeRequest('CarrierRatePlanChange', { CarrierRatePlan: 'A' })).toEqual({
      CarrierRatePlan: 'A',
    });
    let caught: unknown;
    try {
      parseChangeRequest('CreateRevService', { Foo: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.issues.map((i) => i.field).sort()).toEqual(['Foo', 'RevCustomerId']);
    expect(error.message).toContain('CreateRevService');
  });
});
