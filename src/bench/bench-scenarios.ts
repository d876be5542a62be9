/**
 * The benchmark scenarios of design.md §6 and issue 8: what each runs (change type, account,
 * devices, latency, concurrency, workers, database, limits) and the target it is judged by.
 * Pure data plus the ceiling arithmetic; `bench-run.ts` runs them.
 */
import type { ChangeType } from '../domain/change-types/change-type.ts';
import type { AccountLimits } from './bench-environment.ts';

/** How a scenario is judged. */
export type BenchTarget =
  /** measured / ceiling ≥ value. */
  | { kind: 'ratio'; value: number }
  /** device changes per second ≥ value. */
  | { kind: 'perSecond'; value: number };

/** One scenario, fully resolved (defaults and flags applied). */
export interface BenchScenario {
  name: BenchScenarioName;
  description: string;
  database: 'pglite' | 'postgres';
  changeType: ChangeType;
  accountKey: string;
  request: Record<string, unknown>;
  devices: number;
  /** Simulated latency of every carrier and billing call (ms). */
  latencyMs: number;
  /** `MAX_PARALLEL_REQUESTS` per message. */
  concurrency: number;
  /** Worker processes (0: the engine runs inside the bench process, PGlite). */
  workers: number;
  /** Messages sent at the start (one per worker, so that every worker works). */
  messages: number;
  pageSize: number;
  jasperLimits: AccountLimits;
  revioLimits: AccountLimits;
  /** Jasper-family calls and Rev.io calls each device change makes. */
  callsPerChange: { jasper: number; revio: number };
  /** True when the Jasper account's rate limit is what the scenario is about. */
  rateLimited: boolean;
  target: BenchTarget;
  /** Peak RSS target (MB), when the scenario has one. */
  rssTargetMb?: number;
  /**
   * Node flags of the worker processes. scale-100k caps V8's old space the way a deployment
   * bounds a worker's memory: garbage is then collected before the heap grows, and a leak
   * would end the worker (out of memory) instead of passing unnoticed.
   */
  nodeFlags?: string[];
}

/** Scenario names. */
export const BENCH_SCENARIO_NAMES = [
  'pod19-username',
  'original-design',
  'shared-rate-limit',
  'engine-overhead-pglite',
  'engine-overhead-postgres',
  'scale-100k',
] as const;

/** A scenario name. */
export type BenchScenarioName = (typeof BENCH_SCENARIO_NAMES)[number];

/** Flags that override scenario defaults. */
export interface BenchOverrides {
  devices?: number;
  concurrency?: number;
  latencyMs?: number;
  quick?: boolean;
}

/** Limits that never bind (the engine-overhead scenarios): the limiter still runs. */
const UNBOUNDED: AccountLimits = { ratePerSecond: 1_000_000, maxConcurrent: 1000 };

const USERNAME_REQUEST = { ContactName: 'Bench Fleet 7', CostCenter1: 'CC-BENCH-7' };
const RATE_PLAN_REQUEST = { CarrierRatePlan: 'ATT-M2M-2GB' };

/**
 * The scenario `name` with `overrides` applied.
 *
 * @example
 * resolveScenario('pod19-username', { devices: 1000, latencyMs: 0 });
 */
export function resolveScenario(
  name: BenchScenarioName,
  overrides: BenchOverrides = {},
): BenchScenario {
  const quick = overrides.quick === true;
  const pick = (full: number, small: number) => overrides.devices ?? (quick ? small : full);
  switch (name) {
    case 'pod19-username':
    case 'original-design': {
      const original = name === 'original-design';
      const concurrency = overrides.concurrency ?? (original ? 1 : 10);
      return {
        name,
        description: original
          ? 'EditUsernameCostCenter on POD19, one device at a time (the original design)'
          : 'EditUsernameCostCenter on POD19: username, audit check, Rev.io lookup and patch',
        database: 'postgres',
        changeType: 'EditUsernameCostCenter',
        accountKey: 'pod19',
        request: USERNAME_REQUEST,
        devices: original ? pick(200, 20) : pick(2000, 100),
        latencyMs: overrides.latencyMs ?? 50,
        concurrency,
        workers: 1,
        messages: 1,
        pageSize: 100,
        // The account allows as many calls in flight as the engine makes; its rate limit is
        // set above what C/(k·L) needs so that the latency ceiling is the one measured.
        jasperLimits: { ratePerSecond: 1000, maxConcurrent: concurrency },
        revioLimits: { ratePerSecond: 1000, maxConcurrent: concurrency },
        callsPerChange: { jasper: 3, revio: 2 },
        rateLimited: false,
        target: { kind: 'ratio', value: 0.9 },
      };
    }
    case 'shared-rate-limit':
      return {
        name,
        description:
          'EditUsernameCostCenter on POD19, 4 worker processes sharing one account limited to 50 calls/s',
        database: 'postgres',
        changeType: 'EditUsernameCostCenter',
        accountKey: 'pod19',
        request: USERNAME_REQUEST,
        devices: pick(1000, 100),
        latencyMs: overrides.latencyMs ?? 50,
        concurrency: overrides.concurrency ?? 10,
        workers: 4,
        messages: 4,
        pageSize: 20,
        jasperLimits: { ratePerSecond: 50, maxConcurrent: 10 },
        revioLimits: { ratePerSecond: 1000, maxConcurrent: 40 },
        callsPerChange: { jasper: 3, revio: 2 },
        rateLimited: true,
        target: { kind: 'ratio', value: 0.9 },
      };
    case 'engine-overhead-pglite':
    case 'engine-overhead-postgres': {
      const pglite = name === 'engine-overhead-pglite';
      return {
        name,
        description: `CarrierRatePlanChange on Jasper at zero latency, no binding limit: the engine itself (${pglite ? 'PGlite, in process' : 'PostgreSQL, one worker process'})`,
        database: pglite ? 'pglite' : 'postgres',
        changeType: 'CarrierRatePlanChange',
        accountKey: 'jasper',
        request: RATE_PLAN_REQUEST,
        devices: pglite ? pick(2000, 200) : pick(5000, 500),
        latencyMs: overrides.latencyMs ?? 0,
        concurrency: overrides.concurrency ?? 10,
        workers: pglite ? 0 : 1,
        messages: 1,
        pageSize: 100,
        jasperLimits: UNBOUNDED,
        revioLimits: UNBOUNDED,
        callsPerChange: { jasper: 1, revio: 0 },
        rateLimited: false,
        target: { kind: 'perSecond', value: pglite ? 300 : 1000 },
      };
    }
    case 'scale-100k':
      return {
        name,
        description:
          'CarrierRatePlanChange on Jasper, 100,000 device changes at zero latency on PostgreSQL (processing half)',
        database: 'postgres',
        changeType: 'CarrierRatePlanChange',
        accountKey: 'jasper',
        request: RATE_PLAN_REQUEST,
        devices: pick(100_000, 2000),
        latencyMs: overrides.latencyMs ?? 0,
        concurrency: overrides.concurrency ?? 10,
        workers: 1,
        messages: 1,
        pageSize: 100,
        jasperLimits: UNBOUNDED,
        revioLimits: UNBOUNDED,
        callsPerChange: { jasper: 1, revio: 0 },
        rateLimited: false,
        target: { kind: 'perSecond', value: 1000 },
        rssTargetMb: 300,
        nodeFlags: ['--max-old-space-size=160'],
      };
  }
}

/**
 * The throughput ceiling (device changes per second) of a scenario: C/(k·L) per worker, or the
 * accounts' limits if lower (rate / calls per change to that account; in-flight cap /
 * (calls × L)). Undefined when nothing bounds it (zero latency, limits that never bind).
 *
 * @example
 * ceilingPerSecond(resolveScenario('pod19-username')); // 10 / (5 × 0.05) = 40
 */
export function ceilingPerSecond(s: BenchScenario): number | undefined {
  const latency = s.latencyMs / 1000;
  const k = s.callsPerChange.jasper + s.callsPerChange.revio;
  const bounds: number[] = [];
  if (latency > 0 && k > 0) bounds.push((s.concurrency * Math.max(1, s.messages)) / (k * latency));
  else if (latency > 0) bounds.push(Number.POSITIVE_INFINITY);
  for (const [calls, limits] of [
    [s.callsPerChange.jasper, s.jasperLimits],
    [s.callsPerChange.revio, s.revioLimits],
  ] as const) {
    if (calls === 0 || limits === UNBOUNDED) continue;
    bounds.push(limits.ratePerSecond / calls);
    if (latency > 0) bounds.push(limits.maxConcurrent / (calls * latency));
  }
  const finite = bounds.filter((b) => Number.isFinite(b));
  return finite.length === 0 ? undefined : Math.min(...finite);
}
