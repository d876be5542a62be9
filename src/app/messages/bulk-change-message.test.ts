import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../domain/errors.ts';
import {
  type BulkChangeMessage,
  parseBulkChangeMessage,
  toMessageAttributes,
} from './bulk-change-message.ts';

const s = (v: string) => ({ DataType: 'String', StringValue: v });

describe('bulk-change message', () => {
  it('reads the original portal attributes', () => {
    const message = parseBulkChangeMessage({
      BulkChangeId: s('42'),
      RetryNumber: s('2'),
      M2MDeviceChangeId: s('7'),
      RequestId: s('req-9'),
      IsFromAutomatedUpdateDeviceStatusLambda: s('True'),
      SomethingElse: s('ignored'),
    });
    expect(message).toEqual({
      bulkChangeId: 42,
      retryNumber: 2,
      m2mDeviceChangeId: 7,
      requestId: 'req-9',
      isFromAutomatedUpdateDeviceStatusLambda: true,
    });
  });

  it('accepts the lower-case attribute spelling of Lambda events', () => {
    expect(
      parseBulkChangeMessage({ BulkChangeId: { dataType: 'String', stringValue: '5' } }),
    ).toEqual({
      bulkChangeId: 5,
      retryNumber: 0,
    });
  });

  it('names every bad attribute', () => {
    let caught: unknown;
    try {
      parseBulkChangeMessage({
        BulkChangeId: s('abc'),
        RetryNumber: s('x'),
        IsRetryUpdateIdentifier: s('maybe'),
      });
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'VALIDATION_FAILED')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toContain('BulkChangeId must be a whole number (got "abc")');
    expect(message).toContain('RetryNumber must be a whole number (got "x")');
    expect(message).toContain('IsRetryUpdateIdentifier must be true or false (got "maybe")');
  });

  it('requires a positive BulkChangeId', () => {
    expect(() => parseBulkChangeMessage({})).toThrow(/BulkChangeId is required/);
    expect(() => parseBulkChangeMessage({ BulkChangeId: s('0') })).toThrow(/greater than 0/);
  });

  it('round-trips through attributes', () => {
    const message = fc.record(
      {
        bulkChangeId: fc.integer({ min: 1, max: 2 ** 40 }),
        retryNumber: fc.integer({ min: 0, max: 3 }),
        m2mDeviceChangeId: fc.integer({ min: 1, max: 2 ** 40 }),
        requestId: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
        isRetryUpdateIdentifier: fc.boolean(),
        carrierRatePool: fc
          .stringMatching(/^[A-Za-z0-9 ]{1,12}$/)
          .filter((v) => v.trim() === v && v !== ''),
      },
      { requiredKeys: ['bulkChangeId', 'retryNumber'] },
    );
    fc.assert(
      fc.property(message, (m) => {
        expect(parseBulkChangeMessage(toMessageAttributes(m as BulkChangeMessage))).toEqual(m);
      }),
    );
  });

  it('writes String attributes with the original names', () => {
    expect(
      toMessageAttributes({ bulkChangeId: 9, retryNumber: 0, isRetryUpdateIdentifier: false }),
    ).toEqual({
      BulkChangeId: s('9'),
      RetryNumber: s('0'),
      IsRetryUpdateIdentifier: s('false'),
    });
  });
});
