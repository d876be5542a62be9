import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/adapters/db/database.ts';
import {
  createPgRateLimiter,
  UNBOUNDED_CONCURRENCY,
  UNBOUNDED_RATE_PER_SECOND,
} from '../../src/adapters/db/pg-rate-limiter.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { DB_TYPE, useTestDatabase } from '../support/test-database.ts';
import { testDatabaseUrl } from '../support/test-database-url.ts';

/**
 * Several limiter instances stand for several worker processes: on PostgreSQL each has its own
 * connection pool (as separate processes would); on PGlite they share the one instance.
 */
describe('createPgRateLimiter', () => {
  const testDb = useTestDatabase();
  const extra: Array<{ close(): Promise<void> }> = [];
  let connections: Kysely<Database>[] = [];

  beforeAll(async () => {
    const { db, schema } = testDb();
    connections = [db];
    if (DB_TYPE === 'postgres' && schema !== undefined) {
      for (let i = 0; i < 2; i++) {
        const other = await createDatabase({
          kind: 'postgres',
          url: testDatabaseUrl(),
          poolSize: 2,
          searchPath: schema,
        });
        extra.push(other);
        connections.push(other.db);
      }
    }
  });
  afterAll(async () => {
    for (const c of extra) await c.close();
  });

  const workers = (
    key: string,
    opts: { ratePerSecond: number; burst?: number; maxConcurrent?: number },
  ) =>
    [0, 1, 2].map((i) =>
      createPgRateLimiter(connections[i % connections.length] as Kysely<Database>, {
        key,
        ...opts,
      }),
    );

  it('keeps all workers together under the rate', async () => {
    const limiters = workers('acct-rate', { ratePerSecond: 20, burst: 2 });
    const grants: number[] = [];
    const started = Date.now();
    await Promise.all(
      limiters.map(async (limiter) => {
        for (let i = 0; i < 10; i++) {
          const release = await limiter.acquire();
          grants.push(Date.now());
          release();
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    // 30 grants at 20/s with a burst of 2 need at least (30 - 2) / 20 = 1.4 s.
    expect(elapsed).toBeGreaterThanOrEqual(1.35);
    grants.sort((a, b) => a - b);
    for (let i = 0; i < grants.length; i++) {
      const inWindow = grants.filter(
        (t) => t >= (grants[i] as number) && t < (grants[i] as number) + 1000,
      ).length;
      expect(inWindow).toBeLessThanOrEqual(20 + 2);
    }
  });

  it('holds the concurrency cap across workers and frees slots on release', async () => {
    const limiters = workers('acct-conc', { ratePerSecond: 1000, maxConcurrent: 1 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      limiters.map(async (limiter) => {
        for (let i = 0; i < 5; i++) {
          const release = await limiter.acquire();
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight -= 1;
          release();
        }
      }),
    );
    expect(peak).toBe(1);
  });

  it('takes over the slot of a holder that died when its lease expires', async () => {
    const [, alive] = workers('acct-lease', { ratePerSecond: 1000, maxConcurrent: 1 });
    const deadLimiter = createPgRateLimiter(connections[0] as Kysely<Database>, {
      key: 'acct-lease',
      ratePerSecond: 1000,
      maxConcurrent: 1,
      slotLeaseMs: 200,
    });
    await deadLimiter.acquire(); // never released: its process "died"
    const started = Date.now();
    const release = await (alive as NonNullable<typeof alive>).acquire();
    release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('stops waiting when the caller aborts', async () => {
    const [limiter] = workers('acct-abort', { ratePerSecond: 0.5, burst: 1 });
    const l = limiter as NonNullable<typeof limiter>;
    (await l.acquire())();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 50);
    await expect(l.acquire(controller.signal)).rejects.toThrow('deadline');
  });

  it('spends no statements on limits that cannot bind, and still shares any that can', async () => {
    const db = connections[0] as Kysely<Database>;
    const rows = async (key: string) => {
      const buckets = await sql<{ n: number }>`
        select count(*)::int as n from rate_limit_buckets where key = ${key}`.execute(db);
      const slots = await sql<{ n: number }>`
        select count(*)::int as n from rate_limit_slots where key = ${key}`.execute(db);
      return { buckets: buckets.rows[0]?.n, slots: slots.rows[0]?.n };
    };
    const unbounded = createPgRateLimiter(db, {
      key: 'acct-unbounded',
      ratePerSecond: UNBOUNDED_RATE_PER_SECOND,
      maxConcurrent: UNBOUNDED_CONCURRENCY,
    });
    const held = await Promise.all([unbounded.acquire(), unbounded.acquire()]);
    expect(await rows('acct-unbounded')).toEqual({ buckets: 0, slots: 0 });
    for (const release of held) release();

    const justBelow = createPgRateLimiter(db, {
      key: 'acct-just-below',
      ratePerSecond: UNBOUNDED_RATE_PER_SECOND - 1,
      maxConcurrent: UNBOUNDED_CONCURRENCY - 1,
    });
    const release = await justBelow.acquire();
    expect(await rows('acct-just-below')).toEqual({ buckets: 1, slots: 1 });
    release();
  });
});
