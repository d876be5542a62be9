/**
 * Step idempotency: each mutating step of a device change is recorded under the key
 * `dc:<device change id>:<step name>`.
 *
 * - No record: mark it in progress, run, record the result (with its log row, one transaction).
 * - Completed: return the recorded result; the step is not run again.
 * - In progress (an earlier attempt died between starting and recording): an idempotent step
 *   runs again; a non-idempotent one asks its `lookup` whether the earlier attempt applied it
 *   and records what it finds, or fails with {@link StepOutcomeUnknownError} rather than risk
 *   applying the change twice.
 */
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { LogEntry, StepStore } from '../ports/engine-store.ts';
import type { StepOptions } from './change-handler.ts';

/** An earlier attempt may have applied a non-idempotent step and nothing can tell whether it did. */
export class StepOutcomeUnknownError extends AppError {
  constructor(step: string, deviceChangeId: number) {
    super(
      ErrorCode.CONFLICT,
      `Step ${step} of device change ${deviceChangeId} may already have been applied by an attempt that did not finish; check it at the carrier before retrying`,
      { context: { step, deviceChangeId } },
    );
  }
}

/** Creates the `step` function of one device change. */
export function createStepRunner(
  store: StepStore,
  ids: { bulkChangeId: number; deviceChangeId: number },
  pendingLogs: LogEntry[],
) {
  return async function step<T>(
    name: string,
    options: StepOptions<T>,
    run: () => Promise<T>,
  ): Promise<T> {
    const key = `dc:${ids.deviceChangeId}:${name}`;
    const record = await store.begin(key);
    if (record.state === 'completed') return record.result as T;
    const logFor = (entries: LogEntry[]) => ({ ...ids, entries });
    if (record.state === 'in-progress' && !options.idempotent) {
      const found = options.lookup === undefined ? undefined : await options.lookup();
      if (found === undefined && options.lookup === undefined) {
        throw new StepOutcomeUnknownError(name, ids.deviceChangeId);
      }
      if (found !== undefined) {
        const entry = options.log?.({ ok: true, result: found });
        await store.complete(key, found, logFor(entry === undefined ? [] : [entry]));
        return found;
      }
      // The lookup says the earlier attempt did not apply it: run it now.
    }
    let result: T;
    try {
      result = await run();
    } catch (error) {
      const entry = options.log?.({ ok: false, error });
      if (entry !== undefined) pendingLogs.push(entry);
      throw error;
    }
    const entry = options.log?.({ ok: true, result });
    await store.complete(key, result, logFor(entry === undefined ? [] : [entry]));
    return result;
  };
}
