import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './iso-date.ts';

describe('parseIsoDate', () => {
  it('keeps a calendar date as YYYY-MM-DD', () => {
    expect(parseIsoDate(' 2024-02-29 ')).toEqual({ ok: true, value: '2024-02-29' });
  });

  it('converts a date-time with an offset to the UTC instant', () => {
    expect(parseIsoDate('2024-05-01T14:30+02:00')).toEqual({
      ok: true,
      value: '2024-05-01T12:30:00.000Z',
    });
    expect(parseIsoDate('2024-05-01 00:15:00-0130')).toEqual({
      ok: true,
      value: '2024-05-01T01:45:00.000Z',
    });
  });

  it('takes a date-time without a zone as UTC', () => {
    expect(parseIsoDate('2024-05-01T08:00:00.5')).toEqual({
      ok: true,
      value: '2024-05-01T08:00:00.500Z',
    });
  });

  it('rejects dates that do not exist', () => {
    expect(parseIsoDate('2023-02-29').ok).toBe(false);
    expect(parseIsoDate('2024-13-01').ok).toBe(false);
    expect(parseIsoDate('2024-04-31')).toEqual({
      ok: false,
      reason: 'is not a real calendar date (2024-04-31)',
    });
  });

  it('rejects impossible times and other formats', () => {
    expect(parseIsoDate('2024-05-01T24:00').ok).toBe(false);
    expect(parseIsoDate('2024-05-01T10:00+15:00').ok).toBe(false);
    expect(parseIsoDate('05/01/2024').ok).toBe(false);
    expect(parseIsoDate('0024-05-01').ok).toBe(false);
  });

  it('agrees with the built-in Date for any UTC instant', () => {
    const instant = fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, (date) => {
        const iso = date.toISOString();
        expect(parseIsoDate(iso)).toEqual({ ok: true, value: iso });
        expect(parseIsoDate(iso.slice(0, 10))).toEqual({ ok: true, value: iso.slice(0, 10) });
      }),
    );
  });
});
