import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import {
  describeProducts,
  mustRethrow,
  productsOf,
  RevServiceRuleError,
} from './revio-service-steps.ts';

describe('revio-service-steps (pure parts)', () => {
  it('pairs the product list with its rates, else takes the single product; none with a package', () => {
    expect(productsOf({ RevProductIdList: [3001, 3002], RateList: [9.5, 2] })).toEqual([
      { productId: 3001, rate: 9.5 },
      { productId: 3002, rate: 2 },
    ]);
    expect(productsOf({ RevProductId: 3003, Rate: 25 })).toEqual([{ productId: 3003, rate: 25 }]);
    expect(productsOf({ RevProductId: 3003 })).toEqual([{ productId: 3003, rate: 0 }]);
    expect(productsOf({ RevPackageId: 7, RevProductIdList: [3001], RateList: [1] })).toEqual([]);
    expect(productsOf({})).toEqual([]);
  });

  it('describes each product result', () => {
    expect(
      describeProducts([
        { productId: 3001, rate: 1, serviceProductId: 900001 },
        { productId: 9999, rate: 2, error: 'product 9999 does not exist' },
      ]),
    ).toBe(
      'product 3001 → service product 900001; product 9999 failed (product 9999 does not exist)',
    );
  });

  it('rethrows what the engine should retry, returns what is final', () => {
    const retryable = Object.assign(new AppError(ErrorCode.INTEGRATION_UNAVAILABLE, 'busy'), {
      retryable: true,
    });
    const rejected = Object.assign(new AppError(ErrorCode.INTEGRATION_REJECTED, 'no'), {
      retryable: false,
    });
    expect(mustRethrow(retryable)).toBe(true);
    expect(mustRethrow(new AppError(ErrorCode.INTEGRATION_CIRCUIT_OPEN, 'open'))).toBe(true);
    expect(mustRethrow(new Error('database hiccup'))).toBe(true);
    expect(mustRethrow(rejected)).toBe(false);
    expect(mustRethrow(new RevServiceRuleError('Active service line.'))).toBe(false);
  });
});
