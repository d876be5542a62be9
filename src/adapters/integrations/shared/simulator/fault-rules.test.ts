import { describe, expect, it } from 'vitest';
import { createFaultController } from './fault-rules.ts';

describe('fault rules', () => {
  it('bodyIncludes targets one of two writes to the same path, and times bounds it', () => {
    const faults = createFaultController();
    faults.add({
      operation: 'editDevice',
      bodyIncludes: '"status"',
      times: 1,
      effect: { kind: 'error' },
    });
    const target = (body: string) => ({
      operation: 'editDevice',
      account: 'a',
      path: '/devices/1',
      body,
    });
    const always = () => 0;
    expect(faults.decide(target('{"ratePlan":"P"}'), always).effect).toBeUndefined();
    expect(faults.decide({ ...target(''), body: undefined }, always).effect).toBeUndefined();
    expect(faults.decide(target('{"status":"DEACTIVATED"}'), always).effect).toEqual({
      kind: 'error',
    });
    expect(faults.decide(target('{"status":"DEACTIVATED"}'), always).effect).toBeUndefined();
  });
});
