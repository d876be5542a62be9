import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { EngineCarrierRatePlan } from '../ports/engine-store.ts';
import { PrefixedFailureError, withFailurePrefix } from './failure-prefix.ts';
import {
  chooseDeactivationRatePlan,
  DeactivationRatePlanError,
  needsDeactivationRatePlan,
} from './jasper-deactivation-rate-plan.ts';

const plan = (code: string, planMb: number, baseRate: number): EngineCarrierRatePlan => ({
  code,
  planMb,
  baseRate,
  communicationPlan: null,
});

describe('the Jasper deactivation rate-plan rule', () => {
  // Cheapest first, as listCarrierRatePlans returns them.
  const plans = [plan('P-10', 10, 1), plan('P-100', 100, 3), plan('P-1G', 1024, 9)];

  it('takes the cheapest plan whose allowance covers the usage (boundary included)', () => {
    expect(chooseDeactivationRatePlan(plans, 0)?.code).toBe('P-10');
    expect(chooseDeactivationRatePlan(plans, 10)?.code).toBe('P-10');
    expect(chooseDeactivationRatePlan(plans, 10.001)?.code).toBe('P-100');
    expect(chooseDeactivationRatePlan(plans, 1024)?.code).toBe('P-1G');
  });

  it('falls back to the last (most expensive) plan when none covers the usage, and to none without plans', () => {
    expect(chooseDeactivationRatePlan(plans, 5000)?.code).toBe('P-1G');
    expect(chooseDeactivationRatePlan([], 1)).toBeUndefined();
  });

  it('applies only to a deactivation of a device with a communication plan, not for the automated Lambda', () => {
    const flags = (automated?: boolean) => ({
      flags: automated === undefined ? {} : { isFromAutomatedUpdateDeviceStatusLambda: automated },
    });
    const withPlan = { communicationPlan: 'CP_Basic_LTE' };
    expect(needsDeactivationRatePlan(flags(), 'DEACTIVATED', withPlan)).toBe(true);
    expect(needsDeactivationRatePlan(flags(false), 'DEACTIVATED', withPlan)).toBe(true);
    expect(needsDeactivationRatePlan(flags(true), 'DEACTIVATED', withPlan)).toBe(false);
    expect(needsDeactivationRatePlan(flags(), 'ACTIVATED', withPlan)).toBe(false);
    expect(needsDeactivationRatePlan(flags(), 'DEACTIVATED', { communicationPlan: ' ' })).toBe(
      false,
    );
    expect(needsDeactivationRatePlan(flags(), 'DEACTIVATED', { communicationPlan: null })).toBe(
      false,
    );
  });

  it('keeps the retryability of the failure behind the original message', () => {
    const err = new DeactivationRatePlanError('could not move', { retryable: true });
    expect(err.message).toBe('Error Updating Rate Plan for Deactivation: could not move');
    expect(err.retryable).toBe(true);
  });
});

describe('withFailurePrefix', () => {
  it('prefixes the message and keeps code and retryability', () => {
    const cause = Object.assign(new AppError(ErrorCode.INTEGRATION_UNAVAILABLE, 'HTTP 503'), {
      retryable: true,
    });
    const wrapped = withFailurePrefix('Failed:', cause) as PrefixedFailureError;
    expect(wrapped).toBeInstanceOf(PrefixedFailureError);
    expect([wrapped.message, wrapped.code, wrapped.retryable]).toEqual([
      'Failed: HTTP 503',
      ErrorCode.INTEGRATION_UNAVAILABLE,
      true,
    ]);
    const rejected = withFailurePrefix(
      'Failed:',
      new AppError(ErrorCode.INTEGRATION_REJECTED, 'no'),
    );
    expect((rejected as PrefixedFailureError).retryable).toBe(false);
  });

  it('passes an open circuit and an abort through unchanged', () => {
    const open = new AppError(ErrorCode.INTEGRATION_CIRCUIT_OPEN, 'resting');
    expect(withFailurePrefix('Failed:', open)).toBe(open);
    const aborted = AbortSignal.abort();
    const any = new Error('x');
    expect(withFailurePrefix('Failed:', any, aborted)).toBe(any);
  });
});
