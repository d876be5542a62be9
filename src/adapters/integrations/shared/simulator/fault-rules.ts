/**
 * Fault rules of the simulators: what to do to which requests. A rule matches by operation,
 * account, path fragment and body fragment, fires with a probability (seeded PRNG) and at
 * most `times` times.
 *
 * Effects:
 * - `latency`: wait `minMs`..`maxMs` (uniform) before handling; several latency rules add up.
 * - `error`: answer the vendor-shaped 5xx (`status`, default 503) without applying the request.
 * - `throttle`: answer the vendor-shaped throttling response without applying the request.
 * - `hang`: never answer (the client times out); `applyWrite` says whether the request was
 *   applied first — the case that tests duplicate-safe retries.
 * - `reset`: destroy the connection, before or after applying (`applyWrite`).
 * - `malformed`: apply, then answer 200 with a truncated JSON body.
 * - `respond`: answer `status` with `json`/`text`, applying the request first when `applyWrite`.
 */
import { z } from 'zod';

/** Schema of one fault rule (used by the admin endpoint). */
export const faultRuleSchema = z.object({
  id: z.string().optional(),
  operation: z.union([z.string(), z.array(z.string())]).optional(),
  account: z.string().optional(),
  pathIncludes: z.string().optional(),
  /** Matches only requests whose raw body contains this text (e.g. `"status"` vs `"ratePlan"`). */
  bodyIncludes: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
  times: z.number().int().positive().optional(),
  effect: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('latency'),
      minMs: z.number().min(0),
      maxMs: z.number().min(0).optional(),
    }),
    z.object({ kind: z.literal('error'), status: z.number().int().min(500).max(599).optional() }),
    z.object({ kind: z.literal('throttle'), retryAfterSeconds: z.number().min(0).optional() }),
    z.object({ kind: z.literal('hang'), applyWrite: z.boolean() }),
    z.object({ kind: z.literal('reset'), applyWrite: z.boolean() }),
    z.object({ kind: z.literal('malformed') }),
    z.object({
      kind: z.literal('respond'),
      status: z.number().int().min(100).max(599),
      json: z.unknown().optional(),
      text: z.string().optional(),
      applyWrite: z.boolean().optional(),
    }),
  ]),
});

/** One fault rule. */
export type FaultRule = z.infer<typeof faultRuleSchema>;

/** What a request is, for matching. */
export interface FaultTarget {
  operation: string;
  account: string | undefined;
  path: string;
  /** Raw request body (for `bodyIncludes`). */
  body?: string;
}

/** The rules that fire for one request: summed latency and at most one other effect. */
export interface FaultDecision {
  latencyMs: number;
  effect: Exclude<FaultRule['effect'], { kind: 'latency' }> | undefined;
}

/** Holds the active rules and decides, deterministically under the given PRNG. */
export interface FaultController {
  add(rule: FaultRule): string;
  remove(id: string): boolean;
  clear(): void;
  list(): readonly FaultRule[];
  decide(target: FaultTarget, random: () => number): FaultDecision;
}

/** Creates an empty controller. */
export function createFaultController(): FaultController {
  let rules: Array<FaultRule & { id: string }> = [];
  let counter = 0;

  const matches = (rule: FaultRule, t: FaultTarget): boolean => {
    if (rule.operation !== undefined) {
      const ops = Array.isArray(rule.operation) ? rule.operation : [rule.operation];
      if (!ops.includes(t.operation)) return false;
    }
    if (rule.account !== undefined && rule.account !== t.account) return false;
    if (rule.pathIncludes !== undefined && !t.path.includes(rule.pathIncludes)) return false;
    if (rule.bodyIncludes !== undefined && !(t.body ?? '').includes(rule.bodyIncludes))
      return false;
    return true;
  };

  const consume = (rule: FaultRule & { id: string }) => {
    if (rule.times === undefined) return;
    rule.times -= 1;
    if (rule.times <= 0) rules = rules.filter((r) => r !== rule);
  };

  return {
    add(rule) {
      counter += 1;
      const id = rule.id ?? `fault-${counter}`;
      rules.push({ ...faultRuleSchema.parse(rule), id });
      return id;
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length < before;
    },
    clear() {
      rules = [];
    },
    list: () => rules.map((r) => ({ ...r })),
    decide(target, random) {
      let latencyMs = 0;
      let effect: FaultDecision['effect'];
      for (const rule of [...rules]) {
        if (!matches(rule, target)) continue;
        if (rule.effect.kind !== 'latency' && effect !== undefined) continue;
        if (random() >= (rule.probability ?? 1)) continue;
        consume(rule);
        if (rule.effect.kind === 'latency') {
          const { minMs, maxMs } = rule.effect;
          latencyMs +=
            minMs + (maxMs !== undefined && maxMs > minMs ? random() * (maxMs - minMs) : 0);
        } else {
          effect = rule.effect;
        }
      }
      return { latencyMs, effect };
    },
  };
}
