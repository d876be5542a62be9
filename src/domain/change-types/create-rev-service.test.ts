import { describe, expect, it } from 'vitest';
import { validateChangeRequest } from './registry.ts';

const validate = (input: unknown) => validateChangeRequest('CreateRevService', input);

function fieldsOf(input: unknown): string[] {
  const result = validate(input);
  return result.ok ? [] : result.issues.map((i) => i.field);
}

describe('CreateRevService request', () => {
  it('implies CreateRevService when it is omitted', () => {
    const result = validate({
      RevCustomerId: '77',
      ServiceTypeId: '3',
      RevProductId: 5,
      Rate: '12.5',
    });
    expect(result.ok && result.value).toMatchObject({
      CreateRevService: true,
      ServiceTypeId: 3,
      RevProductId: 5,
      Rate: 12.5,
    });
  });

  it('requires ServiceTypeId and RevCustomerId', () => {
    expect(fieldsOf({ RevCustomerId: '77' })).toEqual(['ServiceTypeId']);
    expect(fieldsOf({ ServiceTypeId: 3 })).toEqual(['RevCustomerId']);
  });

  it('refuses CreateRevService set to false', () => {
    const result = validate({ RevCustomerId: '77', ServiceTypeId: 3, CreateRevService: false });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          field: 'CreateRevService',
          message: 'CreateRevService must be true (or omitted) for a CreateRevService change',
        },
      ],
    });
  });
});
