import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../domain/errors.ts';
import {
  describeThingSpaceFault,
  readThingSpaceParkState,
  THINGSPACE_RECHECK_DELAYS_MS,
  thingSpaceRejection,
} from './thingspace-request.ts';

// Shaped like the client's IntegrationError (the app layer reads errors structurally).
const rejected = (vendorCode: string, vendorMessage?: string) =>
  Object.assign(new Error('thingspace x failed: HTTP 400'), {
    code: ErrorCode.INTEGRATION_REJECTED,
    vendorCode,
    vendorMessage,
    retryable: false,
  });

describe('ThingSpace vendor rules as per-device messages', () => {
  it('names the rule for known codes, matching on the last segment only', () => {
    expect(
      describeThingSpaceFault(
        'UnifiedWebService.REQUEST_FAILED.ServicePlanChangeLimitExceeded',
        'x',
      ),
    ).toBe(
      'ThingSpace: ThingSpace allows at most 4 service plan changes per device per calendar month, and this device has reached that limit (ServicePlanChangeLimitExceeded: x)',
    );
    expect(describeThingSpaceFault('Other.SERVICE.DeviceSuspended', undefined)).toBe(
      'ThingSpace: ThingSpace does not change the service plan of a suspended device; restore it first (DeviceSuspended)',
    );
    expect(describeThingSpaceFault('A.B.SomethingNew', 'vendor text')).toBe(
      'ThingSpace: SomethingNew: vendor text',
    );
  });

  it('turns only business-rule rejections into messages; other failures stay errors', () => {
    expect(
      thingSpaceRejection(rejected('UnifiedWebService.REQUEST_FAILED.ProvisioningLimitExceeded')),
    ).toMatch(/at most 5 provisioning actions/);
    const unavailable = Object.assign(new Error('HTTP 503'), {
      code: ErrorCode.INTEGRATION_UNAVAILABLE,
      vendorCode: '101503',
      retryable: true,
    });
    expect(thingSpaceRejection(unavailable)).toBeUndefined();
    expect(thingSpaceRejection(new Error('boom'))).toBeUndefined();
    expect(thingSpaceRejection(undefined)).toBeUndefined();
  });
});

describe('ThingSpace park state', () => {
  it('reads what a handler saved, with the callback the store added', () => {
    expect(
      readThingSpaceParkState({ phase: 'p', requestId: 'r', checks: 2, callback: { a: 1 } }),
    ).toEqual({
      phase: 'p',
      requestId: 'r',
      checks: 2,
      callback: { a: 1 },
    });
    expect(readThingSpaceParkState({ phase: 'p', requestId: 'r' })).toEqual({
      phase: 'p',
      requestId: 'r',
      checks: 0,
    });
  });

  it('ignores other park states (e.g. the POD19 audit re-check)', () => {
    expect(readThingSpaceParkState({ phase: 'pod19-audit', since: 1, checks: 0 })).toBeUndefined();
    expect(readThingSpaceParkState(null)).toBeUndefined();
  });

  it('re-checks are bounded (about two hours in all)', () => {
    const total = THINGSPACE_RECHECK_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(90 * 60_000);
    expect(total).toBeLessThan(3 * 3_600_000);
  });
});
