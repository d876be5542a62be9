import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateChangeRequest } from './registry.ts';

const validate = (input: unknown) => validateChangeRequest('CarrierRatePlanChange', input);

describe('CarrierRatePlanChange request', () => {
  it('accepts the flat canonical shape', () => {
    expect(
      validate({ CarrierRatePlan: ' M2M-1GB ', CommPlan: 'CP-Default', RatePlanId: '7' }),
    ).toEqual({
      ok: true,
      value: { CarrierRatePlan: 'M2M-1GB', CommPlan: 'CP-Default', RatePlanId: 7 },
    });
  });

  it('unwraps the M2M portal wrapper CarrierRatePlanUpdate to the same value', () => {
    const plan = fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(plan, fc.option(plan, { nil: undefined }), (CarrierRatePlan, CommPlan) => {
        const flat = { CarrierRatePlan, ...(CommPlan === undefined ? {} : { CommPlan }) };
        const wrapped = validate({ CarrierRatePlanUpdate: flat });
        expect(wrapped.ok).toBe(true);
        expect(wrapped).toEqual(validate(flat));
      }),
    );
  });

  it('accepts the Mobility name RatePlanName for CarrierRatePlan', () => {
    expect(validate({ RatePlanName: 'SUC-10GB', OptimizationGroup: 'G1' })).toEqual({
      ok: true,
      value: { CarrierRatePlan: 'SUC-10GB', OptimizationGroup: 'G1' },
    });
  });

  it('refuses both names at once', () => {
    expect(validate({ RatePlanName: 'A', CarrierRatePlan: 'B' })).toEqual({
      ok: false,
      issues: [
        {
          field: 'RatePlanName',
          message: 'RatePlanName is another name for CarrierRatePlan; give only one of them',
        },
      ],
    });
  });

  it('refuses the wrapper mixed with top-level fields', () => {
    const result = validate({ CarrierRatePlanUpdate: { CarrierRatePlan: 'A' }, CommPlan: 'B' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]?.field).toBe('CarrierRatePlanUpdate');
      expect(result.issues[0]?.message).toContain('CommPlan');
    }
  });

  it('requires CarrierRatePlan', () => {
    expect(validate({ CommPlan: 'x' })).toEqual({
      ok: false,
      issues: [{ field: 'CarrierRatePlan', message: 'CarrierRatePlan is required' }],
    });
  });

  it('normalises EffectiveDate and rejects an impossible one', () => {
    const ok = validate({ CarrierRatePlan: 'A', EffectiveDate: '2024-06-01T09:00:00-05:00' });
    expect(ok.ok && ok.value.EffectiveDate).toBe('2024-06-01T14:00:00.000Z');
    const bad = validate({ CarrierRatePlan: 'A', EffectiveDate: '2024-06-31' });
    expect(bad).toEqual({
      ok: false,
      issues: [
        {
          field: 'EffectiveDate',
          message: 'EffectiveDate is not a real calendar date (2024-06-31)',
        },
      ],
    });
  });

  it('rejects fields of other change types by name', () => {
    const result = validate({ CarrierRatePlan: 'A', CustomerRatePlan: 3 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.field)).toEqual(['CustomerRatePlan']);
  });
});
