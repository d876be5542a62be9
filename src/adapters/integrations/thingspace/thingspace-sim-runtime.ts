/**
 * Runtime of the ThingSpace simulator: its settings (asynchronous completion, token and
 * session lifetimes, business-rule limits, callback faults), its clock, and the timers it runs
 * (request completions, callback deliveries). Timers belong to a generation: a reset starts a
 * new one and cancels everything pending, so nothing from before a reset touches the new state.
 */
import { z } from 'zod';
import type { ThingSpaceSimState } from './thingspace-sim-state.ts';

/** How callbacks are delivered (the fault knobs of carrier-apis.md §2.8). */
export interface CallbackFaultSettings {
  /** Extra wait before the first delivery ("late"). @default 0 */
  delayMs: number;
  /** Extra copies sent after a delivered callback ("duplicate"). @default 0 */
  duplicates: number;
  /** Never send callbacks ("missing"); the request status still flips. @default false */
  drop: boolean;
  /** Hold callbacks and deliver each pair in reverse order ("out of order"). @default false */
  reorder: boolean;
  /** Wait between attempts when the listener does not answer 2xx. @default 200 */
  retryIntervalMs: number;
  /** Attempts per callback. @default 4 */
  maxCallbackThreshold: number;
  /** Time limit of one delivery. @default 2000 */
  timeoutMs: number;
}

/** Settings of the simulator (code: `configure`; HTTP: `POST /__admin/thingspace/settings`). */
export interface ThingSpaceSimSettings {
  /** Time from accepting an asynchronous request to completing it. @default 200 */
  completionDelayMs: number;
  /** Complete requests on their own; false = only the admin controls complete them. @default true */
  autoComplete: boolean;
  /** The request-status endpoint shows the final status this long after completion. @default 0 */
  statusLagMs: number;
  /** OAuth access token lifetime. @default 3600 */
  tokenTtlSeconds: number;
  /** Session expiry after inactivity. @default 1200000 (20 min) */
  sessionIdleMs: number;
  /** Consecutive failed logins that lock a user. @default 5 */
  lockoutThreshold: number;
  /** Provisioning actions (activate/suspend/restore/deactivate) per line per day. @default 5 */
  dailyActionLimit: number;
  /** Service plan changes per line per calendar month. @default 4 */
  monthlyPlanChangeLimit: number;
  callbacks: CallbackFaultSettings;
}

/** Default settings. */
export const DEFAULT_THINGSPACE_SIM_SETTINGS: Readonly<ThingSpaceSimSettings> = Object.freeze({
  completionDelayMs: 200,
  autoComplete: true,
  statusLagMs: 0,
  tokenTtlSeconds: 3600,
  sessionIdleMs: 20 * 60_000,
  lockoutThreshold: 5,
  dailyActionLimit: 5,
  monthlyPlanChangeLimit: 4,
  callbacks: Object.freeze({
    delayMs: 0,
    duplicates: 0,
    drop: false,
    reorder: false,
    retryIntervalMs: 200,
    maxCallbackThreshold: 4,
    timeoutMs: 2000,
  }),
});

const ms = z.number().int().min(0);

/** Schema of a settings change (every field optional). */
export const settingsPatchSchema = z.strictObject({
  completionDelayMs: ms.optional(),
  autoComplete: z.boolean().optional(),
  statusLagMs: ms.optional(),
  tokenTtlSeconds: z.number().positive().optional(),
  sessionIdleMs: ms.optional(),
  lockoutThreshold: z.number().int().positive().optional(),
  dailyActionLimit: z.number().int().positive().optional(),
  monthlyPlanChangeLimit: z.number().int().positive().optional(),
  callbacks: z
    .strictObject({
      delayMs: ms.optional(),
      duplicates: z.number().int().min(0).max(10).optional(),
      drop: z.boolean().optional(),
      reorder: z.boolean().optional(),
      retryIntervalMs: ms.optional(),
      maxCallbackThreshold: z.number().int().positive().max(10).optional(),
      timeoutMs: z.number().int().positive().optional(),
    })
    .optional(),
});

/** A settings change. */
export type ThingSpaceSimSettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Applies a change to settings (returns a new object). */
export function applySettings(
  base: ThingSpaceSimSettings,
  patch: ThingSpaceSimSettingsPatch,
): ThingSpaceSimSettings {
  const { callbacks, ...rest } = settingsPatchSchema.parse(patch);
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...base,
    ...defined(rest),
    callbacks: { ...base.callbacks, ...defined(callbacks ?? {}) },
  };
}

/** What routes and controls share. */
export interface ThingSpaceSimRuntime {
  settings: ThingSpaceSimSettings;
  /** The simulator's current state (replaced on reset). */
  state(): ThingSpaceSimState;
  /** Simulator clock (ms), shifted by `advanceClock`. */
  now(): number;
  /** Runs `fn` after `delayMs` unless the simulator is reset or closed first. */
  later(delayMs: number, fn: () => void | Promise<void>): void;
  /** Runs an async task tracked by {@link whenIdle}; dropped results after a reset. */
  track(task: (current: () => boolean) => Promise<void>): void;
  /** Resolves when no timer or tracked task is pending. */
  whenIdle(): Promise<void>;
  /** Shifts the clock. */
  shiftClock(ms: number): void;
  /** Cancels everything pending and starts a new generation (reset/close). */
  cancelAll(): void;
}

/** Creates the runtime; `getState` is bound after the kit simulator exists. */
export function createThingSpaceSimRuntime(
  settings: ThingSpaceSimSettings,
  getState: () => ThingSpaceSimState,
): ThingSpaceSimRuntime {
  let offset = 0;
  let generation = 0;
  /** Timer callbacks and tracked tasks currently running. */
  let running = 0;
  const timers = new Set<NodeJS.Timeout>();
  let idleWaiters: Array<() => void> = [];

  const checkIdle = () => {
    if (running > 0 || timers.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const run = (task: () => void | Promise<void>) => {
    running += 1;
    Promise.resolve()
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        running -= 1;
        checkIdle();
      });
  };

  const runtime: ThingSpaceSimRuntime = {
    settings,
    state: getState,
    now: () => Date.now() + offset,
    later(delayMs, fn) {
      const gen = generation;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (gen === generation) run(fn);
        else checkIdle();
      }, delayMs);
      timers.add(timer);
    },
    track(task) {
      const gen = generation;
      run(() => task(() => gen === generation));
    },
    whenIdle() {
      if (running === 0 && timers.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    shiftClock(ms) {
      offset += ms;
    },
    cancelAll() {
      generation += 1;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      offset = 0;
      checkIdle();
    },
  };
  return runtime;
}
