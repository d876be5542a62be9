/**
 * The {@link RateLimiter} port over PostgreSQL (or PGlite), so that every worker process
 * calling one carrier account shares one limit.
 *
 * Tokens: one row per account in `rate_limit_buckets`; taking a token is a single atomic
 * upsert that refills by elapsed time and takes one token only when at least one is there
 * (row lock = serialisation across processes). When none is there, the caller learns how long
 * until the next token and sleeps that long. Concurrency: a slot row per call in flight in
 * `rate_limit_slots`, taken under a transaction-scoped advisory lock on the account key so
 * that the count-then-insert is atomic; slots are leases and expire if their holder dies.
 *
 * A limit so high that it cannot bind ({@link UNBOUNDED_RATE_PER_SECOND},
 * {@link UNBOUNDED_CONCURRENCY}) costs no statements: sharing it would spend round trips on
 * every carrier call to enforce nothing.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { RateLimiter } from '../integrations/shared/rate-limiter.ts';
import type { Database } from './schema.ts';

/**
 * A rate at or above this (calls per second per account) is treated as no rate limit: no
 * token row is taken. It is two orders of magnitude above any carrier's documented limit.
 */
export const UNBOUNDED_RATE_PER_SECOND = 100_000;

/**
 * Calls in flight at or above this (per account, across all processes) are treated as no
 * concurrency limit: no slot rows. A fleet of workers cannot reach it (each worker's pool
 * caps its own calls in flight far below it).
 */
export const UNBOUNDED_CONCURRENCY = 1_000;

/** Options of {@link createPgRateLimiter}. */
export interface PgRateLimiterOptions {
  /** Account key shared by all processes, e.g. `jasper:sp-7`. */
  key: string;
  ratePerSecond: number;
  /** @default max(1, ratePerSecond) */
  burst?: number;
  /** Calls in flight across all processes. @default Infinity (no slot rows) */
  maxConcurrent?: number;
  /** Slot lease; a call running longer than this loses its slot. @default 60000 */
  slotLeaseMs?: number;
  /** Poll interval while waiting for a free slot. @default 5 */
  slotPollMs?: number;
}

/**
 * Creates a limiter shared through the database.
 *
 * @example
 * const limiter = createPgRateLimiter(db, { key: 'jasper:sp-7', ratePerSecond: 50, maxConcurrent: 1 });
 * const release = await limiter.acquire(signal);
 */
export function createPgRateLimiter(
  db: Kysely<Database>,
  options: PgRateLimiterOptions,
): RateLimiter {
  const rate = options.ratePerSecond;
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new RangeError('ratePerSecond must be a positive number');
  const burst = options.burst ?? Math.max(1, rate);
  const rateBinds = rate < UNBOUNDED_RATE_PER_SECOND;
  const maxConcurrent =
    (options.maxConcurrent ?? Number.POSITIVE_INFINITY) >= UNBOUNDED_CONCURRENCY
      ? Number.POSITIVE_INFINITY
      : (options.maxConcurrent ?? Number.POSITIVE_INFINITY);
  const leaseMs = options.slotLeaseMs ?? 60_000;
  const pollMs = options.slotPollMs ?? 5;
  const holder = `${process.pid}:${randomUUID()}`;

  /** Takes a token, or returns the seconds to wait for the next one. */
  const takeToken = async (): Promise<number> => {
    if (!rateBinds) return 0;
    const taken = await sql<{ tokens: number }>`
      insert into rate_limit_buckets as b (key, tokens, updated_at)
      values (${options.key}, ${burst - 1}::double precision, clock_timestamp())
      on conflict (key) do update
        set tokens = least(${burst}::double precision,
              b.tokens + extract(epoch from clock_timestamp() - b.updated_at)::double precision * ${rate}::double precision) - 1,
            updated_at = clock_timestamp()
        where least(${burst}::double precision,
              b.tokens + extract(epoch from clock_timestamp() - b.updated_at)::double precision * ${rate}::double precision) >= 1
      returning tokens`.execute(db);
    if (taken.rows.length > 0) return 0;
    const current = await sql<{ available: number }>`
      select least(${burst}::double precision,
             tokens + extract(epoch from clock_timestamp() - updated_at)::double precision * ${rate}::double precision) as available
      from rate_limit_buckets where key = ${options.key}`.execute(db);
    const available = Number(current.rows[0]?.available ?? 0);
    return Math.max(0.001, (1 - available) / rate);
  };

  /** Takes a concurrency slot; returns its id or undefined when all are busy. */
  const takeSlot = (): Promise<number | undefined> =>
    db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`rate-limit:${options.key}`}))`.execute(
        trx,
      );
      // One statement under the lock (it runs after the lock is granted, so its snapshot sees
      // every slot committed before): drop expired slots, count the live ones, insert a slot
      // when there is room. The CTE's delete is invisible to the count, which therefore counts
      // only unexpired slots itself.
      const inserted = await sql<{ id: number }>`
        with expired as (
          delete from rate_limit_slots
          where key = ${options.key} and expires_at < clock_timestamp()
        )
        insert into rate_limit_slots (key, holder, expires_at)
        select ${options.key}, ${holder}, clock_timestamp() + ${`${leaseMs} milliseconds`}::interval
        where (
          select count(*) from rate_limit_slots
          where key = ${options.key} and expires_at >= clock_timestamp()
        ) < ${maxConcurrent}
        returning id`.execute(trx);
      return inserted.rows[0]?.id;
    });

  return {
    async acquire(signal) {
      let slot: number | undefined;
      if (Number.isFinite(maxConcurrent)) {
        slot = await takeSlot();
        while (slot === undefined) {
          await sleep(pollMs, signal);
          slot = await takeSlot();
        }
      }
      try {
        for (let wait = await takeToken(); wait > 0; wait = await takeToken()) {
          await sleep(wait * 1000, signal);
        }
      } catch (error) {
        if (slot !== undefined) await releaseSlot(db, slot);
        throw error;
      }
      let released = false;
      return () => {
        if (released || slot === undefined) return;
        released = true;
        void releaseSlot(db, slot);
      };
    },
  };
}

async function releaseSlot(db: Kysely<Database>, id: number): Promise<void> {
  await sql`delete from rate_limit_slots where id = ${id}`.execute(db).catch(() => undefined);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
