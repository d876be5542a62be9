import { describe, expect, it } from 'vitest';
import { failedCount, orderedCounts } from './completion-email.ts';
import { csvChunks, csvField, csvLine } from './csv.ts';
import { escapeHtml } from './html.ts';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt } from './retry-schedule.ts';

describe('notification formatting', () => {
  it('CSV fields are quoted only when needed, and formulas are neutralised', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(csvField(new Date('2030-01-02T03:04:05Z'))).toBe('2030-01-02T03:04:05.000Z');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('CSV chunks: the header, then one chunk per non-empty page', async () => {
    async function* pages() {
      yield [1, 2];
      yield [];
      yield [3];
    }
    const chunks: string[] = [];
    for await (const c of csvChunks(['n'], pages(), (n) => [n])) chunks.push(c);
    expect(chunks).toEqual(['n\r\n', '1\r\n2\r\n', '3\r\n']);
  });

  it('HTML escaping covers markup and quotes', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
  });

  it('counts list failures first and skip zeroes', () => {
    expect(orderedCounts({ PROCESSED: 5, API_FAILED: 2, ERROR: 1, CANCELLED: 0 })).toEqual([
      ['API_FAILED', 2],
      ['ERROR', 1],
      ['PROCESSED', 5],
    ]);
    expect(failedCount({ PROCESSED: 5, API_FAILED: 2, ERROR: 1, CANCELLED: 3 })).toBe(6);
  });

  it('retries back off exponentially with jitter, capped, and stop at the last attempt', () => {
    const now = new Date(0);
    const at = (attempt: number, random = 0.5) =>
      nextAttemptAt(attempt, true, now, DEFAULT_RETRY_SCHEDULE, () => random)?.getTime();
    expect(at(1)).toBe(10_000);
    expect(at(2)).toBe(20_000);
    expect(at(3)).toBe(40_000);
    expect(at(1, 0)).toBe(8_000);
    expect(at(1, 1)).toBe(12_000);
    expect(at(9)).toBe(2_560_000);
    expect(at(10)).toBeUndefined();
    const schedule = { ...DEFAULT_RETRY_SCHEDULE, maxAttempts: 20 };
    expect(nextAttemptAt(15, true, now, schedule, () => 0.5)?.getTime()).toBe(3_600_000);
    expect(nextAttemptAt(1, false, now, schedule)).toBeNull();
  });
});
