/**
 * Parsing of the dates users give in requests (EffectiveDate, ActivatedDate, …).
 *
 * Accepted: an ISO 8601 calendar date `YYYY-MM-DD`, or a date-time
 * `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (a space may replace the `T`) with an optional zone
 * `Z`, `±HH:MM` or `±HHMM`. A date-time without a zone is taken as UTC (the original used the
 * server's local time, which made results depend on where the Lambda ran). Years 1900 to 2999.
 *
 * Normalised value: a date stays `YYYY-MM-DD`; a date-time becomes the UTC instant in
 * `Date.prototype.toISOString` form (`2024-05-01T12:00:00.000Z`, milliseconds precision).
 */

/** Outcome of {@link parseIsoDate}: the normalised text or a reason (a predicate phrase). */
export type IsoDateResult = { ok: true; value: string } | { ok: false; reason: string };

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

const FORMAT_REASON = 'must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)';

/**
 * Validates and normalises a date or date-time.
 *
 * @example
 * parseIsoDate('2024-05-01'); // { ok: true, value: '2024-05-01' }
 * parseIsoDate('2024-05-01T14:00+02:00'); // { ok: true, value: '2024-05-01T12:00:00.000Z' }
 * parseIsoDate('2024-02-30'); // { ok: false, reason: 'is not a real calendar date (2024-02-30)' }
 */
export function parseIsoDate(text: string): IsoDateResult {
  const trimmed = text.trim();
  const match = PATTERN.exec(trimmed);
  if (match === null)
    return { ok: false, reason: `${FORMAT_REASON}, got ${JSON.stringify(trimmed)}` };
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1900 || year > 2999) {
    return { ok: false, reason: `has a year out of range (${year}; expected 1900 to 2999)` };
  }
  const dayStart = Date.UTC(year, month - 1, day);
  const check = new Date(dayStart);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || month < 1) {
    return { ok: false, reason: `is not a real calendar date (${y}-${mo}-${d})` };
  }
  if (h === undefined) return { ok: true, value: `${y}-${mo}-${d}` };
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s ?? '0');
  if (hours > 23 || minutes > 59 || seconds > 59) {
    return { ok: false, reason: `has an impossible time of day (${h}:${mi}${s ? `:${s}` : ''})` };
  }
  const millis = Number((fraction ?? '0').padEnd(3, '0').slice(0, 3));
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return { ok: false, reason: `has an impossible zone offset (${zone})` };
  const instant = dayStart + ((hours * 60 + minutes - offset) * 60 + seconds) * 1000 + millis;
  return { ok: true, value: new Date(instant).toISOString() };
}

/** Minutes east of UTC for `Z` / `±HH:MM` / `±HHMM`; 0 when absent; undefined when impossible. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
