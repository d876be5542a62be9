import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidStatusTransitionError } from '../errors.ts';
import {
  BulkChangeEvent,
  BulkChangeStatus,
  bulkChangeStatusesAccepting,
  canTransitionBulkChange,
  isBulkChangeStatus,
  isTerminalBulkChangeStatus,
  transitionBulkChange,
} from './bulk-change-status.ts';

// Written from the specification (design.md §4 and the header table), not from the code.
const STATUSES = ['NEW', 'PROCESSING', 'PROCESSED', 'ERROR'] as const;
const EVENTS = ['START', 'COMPLETE', 'FAIL', 'RETRY'] as const;
const ALLOWED: Record<string, string> = {
  'NEW START': 'PROCESSING',
  'NEW COMPLETE': 'PROCESSED',
  'NEW FAIL': 'ERROR',
  'PROCESSING COMPLETE': 'PROCESSED',
  'PROCESSING FAIL': 'ERROR',
  'PROCESSED RETRY': 'PROCESSING',
  'ERROR RETRY': 'PROCESSING',
};

describe('bulk change status machine', () => {
  it('has exactly the documented statuses and events', () => {
    expect(Object.values(BulkChangeStatus)).toEqual([...STATUSES]);
    expect(Object.values(BulkChangeEvent)).toEqual([...EVENTS]);
  });

  for (const from of STATUSES) {
    for (const event of EVENTS) {
      const expected = ALLOWED[`${from} ${event}`];
      if (expected === undefined) {
        it(`refuses ${event} in ${from}`, () => {
          expect(canTransitionBulkChange(from, event)).toBe(false);
          expect(() => transitionBulkChange(from, event)).toThrow(InvalidStatusTransitionError);
        });
      } else {
        it(`moves ${from} to ${expected} on ${event}`, () => {
          expect(canTransitionBulkChange(from, event)).toBe(true);
          expect(transitionBulkChange(from, event)).toBe(expected);
        });
      }
    }
  }

  it('explains a refused transition with a stable code and context', () => {
    let caught: unknown;
    try {
      transitionBulkChange('PROCESSING', 'START');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidStatusTransitionError);
    const error = caught as InvalidStatusTransitionError;
    expect(error.code).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
    expect(error.context).toEqual({ machine: 'BulkChange', from: 'PROCESSING', event: 'START' });
    expect(error.message).toContain('START');
  });

  it('treats PROCESSED and ERROR as terminal', () => {
    const terminal = STATUSES.filter((s) => isTerminalBulkChangeStatus(s));
    expect(terminal).toEqual(['PROCESSED', 'ERROR']);
  });

  it('lists the statuses each event applies to', () => {
    for (const event of EVENTS) {
      const expected = STATUSES.filter((s) => ALLOWED[`${s} ${event}`] !== undefined);
      expect([...bulkChangeStatusesAccepting(event)].sort()).toEqual([...expected].sort());
    }
  });

  it('recognises stored status values and rejects others', () => {
    expect(isBulkChangeStatus('PROCESSED')).toBe(true);
    expect(isBulkChangeStatus('Error')).toBe(false);
    expect(isBulkChangeStatus('')).toBe(false);
    expect(isBulkChangeStatus('toString')).toBe(false);
  });
});
