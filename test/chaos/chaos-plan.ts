/**
 * What the reliability run does, in one place: the mix of change types (ONE LINE PER CHANGE
 * TYPE AND ACCOUNT — add a line when a change type lands), the fault plan and the timings.
 * New change types on Jasper or Rev.io are one entry each; one on ThingSpace or Telegence
 * carrier calls also needs that simulator started in `bench-environment.ts`.
 * Knobs come from the environment so that CI can bound the run: `CHAOS_SEED` (default
 * 20261201), `CHAOS_OUTAGE_MS` (default 30000), `CHAOS_DEVICES` (default 2000, spread evenly
 * over the mix), `CHAOS_TIMEOUT_MS` (default 600000).
 */
import type { ChangeType } from '../../src/domain/change-types/change-type.ts';

/** One bulk change of the run. */
export interface ChaosMix {
  changeType: ChangeType;
  /** Demo account key (`jasper`, `pod19`, `telegence`, …). */
  account: string;
  request: Record<string, string>;
  /**
   * Journal operations that mutate (checked: never received after the step completed), with
   * the idempotency step that records them.
   */
  writes: { sim: 'jasper' | 'revio'; operation: string; step: string }[];
  /** The Control Center audit record an applied change leaves (checked: exactly once). */
  jasperAudit?: { field: string; value: string };
}

const J_USERNAME = { sim: 'jasper', operation: 'editDevice', step: 'jasper.setUsername' } as const;
const REV_PATCH = { sim: 'revio', operation: 'patchService', step: 'revio.patchService' } as const;

/** The mix: one entry per change type and account (Biome wraps each over a few lines). */
export const CHAOS_MIX: readonly ChaosMix[] = [
  {
    changeType: 'CarrierRatePlanChange',
    account: 'jasper',
    request: { CarrierRatePlan: 'ATT-M2M-2GB' },
    writes: [{ sim: 'jasper', operation: 'editDevice', step: 'jasper.editDevice.ratePlan' }],
    jasperAudit: { field: 'ratePlan', value: 'ATT-M2M-2GB' },
  },
  {
    changeType: 'EditUsernameCostCenter',
    account: 'jasper',
    request: { ContactName: 'Chaos Jasper', CostCenter1: 'CC-CHAOS-J' },
    writes: [J_USERNAME, REV_PATCH],
    jasperAudit: { field: 'accountCustom1', value: 'Chaos Jasper' },
  },
  {
    changeType: 'EditUsernameCostCenter',
    account: 'pod19',
    request: { ContactName: 'Chaos POD19', CostCenter1: 'CC-CHAOS-P' },
    writes: [J_USERNAME, REV_PATCH],
    jasperAudit: { field: 'accountCustom1', value: 'Chaos POD19' },
  },
  {
    changeType: 'EditUsernameCostCenter',
    account: 'telegence',
    request: { ContactName: 'Chaos Telegence', CostCenter1: 'CC-CHAOS-T' },
    writes: [REV_PATCH],
  },
];

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a number ≥ 0; got "${raw}"`);
  return value;
};

/** Settings of the run. */
export const CHAOS = {
  seed: num('CHAOS_SEED', 20_261_201),
  devices: num('CHAOS_DEVICES', 2000),
  outageMs: num('CHAOS_OUTAGE_MS', 30_000),
  timeoutMs: num('CHAOS_TIMEOUT_MS', 600_000),
  /** The carrier account that goes down (simulator account key). */
  outageAccount: 'pod19',
  /**
   * The outage starts once the outage account's bulk change has made progress (so that a
   * worker is calling it), at the latest this long after the first message.
   */
  outageLatestStartMs: 60_000,
  workers: 3,
  /** Random SIGKILLs: one every this many ms (uniform). */
  killEveryMs: [8000, 20_000] as const,
  maxRestarts: 60,
  /** Fault probabilities of every carrier and billing call. */
  serverErrorRate: 0.2,
  hangRate: 0.05,
  /** 429 bursts: how many, and calls throttled per burst per simulator. */
  throttleBursts: 3,
  throttleBurstCalls: 25,
  /** Poison messages (each sent twice, like everything else). */
  unknownBulkChangeIds: [990_001, 990_002],
  malformedMessages: 2,
} as const;
