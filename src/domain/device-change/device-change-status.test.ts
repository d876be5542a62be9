import { describe, expect, it } from 'vitest';
import { InvalidStatusTransitionError } from '../errors.ts';
import {
  canTransitionDeviceChange,
  DeviceChangeEvent,
  DeviceChangeStatus,
  deviceChangeStatusesAccepting,
  isDeviceChangeStatus,
  isTerminalDeviceChangeStatus,
  transitionDeviceChange,
} from './device-change-status.ts';

// Written from the specification (design.md §4 and the header table), not from the code.
const STATUSES = [
  'NEW',
  'PENDING',
  'PROCESSING',
  'PROCESSED',
  'API_FAILED',
  'ERROR',
  'CANCELLED',
] as const;
const EVENTS = [
  'ENQUEUE',
  'REJECT',
  'CLAIM',
  'SUCCEED',
  'FAIL',
  'RELEASE',
  'PARK',
  'RETRY',
  'CANCEL',
] as const;
const ALLOWED: Record<string, string> = {
  'NEW ENQUEUE': 'PENDING',
  'NEW REJECT': 'ERROR',
  'NEW CANCEL': 'CANCELLED',
  'PENDING CLAIM': 'PROCESSING',
  'PENDING CANCEL': 'CANCELLED',
  'PROCESSING SUCCEED': 'PROCESSED',
  'PROCESSING FAIL': 'API_FAILED',
  'PROCESSING RELEASE': 'PENDING',
  'PROCESSING PARK': 'PENDING',
  'API_FAILED RETRY': 'PENDING',
};
const TERMINAL = ['PROCESSED', 'API_FAILED', 'ERROR', 'CANCELLED'];

describe('device change status machine', () => {
  it('has exactly the documented statuses and events', () => {
    expect([...Object.values(DeviceChangeStatus)].sort()).toEqual([...STATUSES].sort());
    expect([...Object.values(DeviceChangeEvent)].sort()).toEqual([...EVENTS].sort());
  });

  for (const from of STATUSES) {
    for (const event of EVENTS) {
      const expected = ALLOWED[`${from} ${event}`];
      if (expected === undefined) {
        it(`refuses ${event} in ${from}`, () => {
          expect(canTransitionDeviceChange(from, event)).toBe(false);
          expect(() => transitionDeviceChange(from, event)).toThrow(InvalidStatusTransitionError);
        });
      } else {
        it(`moves ${from} to ${expected} on ${event}`, () => {
          expect(canTransitionDeviceChange(from, event)).toBe(true);
          expect(transitionDeviceChange(from, event)).toBe(expected);
        });
      }
    }
  }

  it('treats PROCESSED, API_FAILED, ERROR and CANCELLED as terminal', () => {
    expect(STATUSES.filter((s) => isTerminalDeviceChangeStatus(s))).toEqual(TERMINAL);
  });

  it('lets nothing but RETRY leave a terminal status', () => {
    for (const from of TERMINAL) {
      for (const event of EVENTS) {
        const allowed = canTransitionDeviceChange(from as DeviceChangeStatus, event);
        expect(allowed).toBe(from === 'API_FAILED' && event === 'RETRY');
      }
    }
  });

  it('lists the statuses each event applies to', () => {
    for (const event of EVENTS) {
      const expected = STATUSES.filter((s) => ALLOWED[`${s} ${event}`] !== undefined);
      expect([...deviceChangeStatusesAccepting(event)].sort()).toEqual([...expected].sort());
    }
  });

  it('recognises stored status values and rejects others', () => {
    expect(isDeviceChangeStatus('API_FAILED')).toBe(true);
    expect(isDeviceChangeStatus('api_failed')).toBe(false);
    expect(isDeviceChangeStatus('hasOwnProperty')).toBe(false);
  });
});
