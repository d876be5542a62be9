/**
 * The mechanics shared by the status machines (`bulk-change-status.ts`,
 * `device-change-status.ts`): each declares its own transition table; this module looks
 * transitions up in it, strictly.
 */
import { InvalidStatusTransitionError } from './errors.ts';

/** from-status → event → to-status. */
export type TransitionTable<S extends string, E extends string> = Readonly<
  Record<S, Readonly<Partial<Record<E, S>>>>
>;

/** Lookups over one transition table. */
export interface StateMachine<S extends string, E extends string> {
  /** The next status, or undefined when the table does not allow `event` in `from`. */
  next(from: S, event: E): S | undefined;
  /** The next status; throws {@link InvalidStatusTransitionError} when not allowed. */
  transition(from: S, event: E): S;
  /** The statuses from which `event` is allowed. */
  accepting(event: E): readonly S[];
  /** True when `value` is one of the table's statuses. */
  isStatus(value: string): value is S;
}

/**
 * Creates the lookups of a table.
 *
 * @example
 * const machine = createStateMachine('BulkChange', TRANSITIONS);
 * machine.transition('NEW', 'START'); // 'PROCESSING'
 */
export function createStateMachine<S extends string, E extends string>(
  name: string,
  table: TransitionTable<S, E>,
): StateMachine<S, E> {
  const next = (from: S, event: E): S | undefined => {
    if (!Object.hasOwn(table, from)) return undefined;
    const row = table[from];
    return Object.hasOwn(row, event) ? row[event] : undefined;
  };
  return {
    next,
    transition(from, event) {
      const to = next(from, event);
      if (to === undefined) throw new InvalidStatusTransitionError(name, from, event);
      return to;
    },
    accepting: (event) => (Object.keys(table) as S[]).filter((s) => next(s, event) !== undefined),
    isStatus: (value): value is S => Object.hasOwn(table, value),
  };
}
