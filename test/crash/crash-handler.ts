/**
 * Test-only pieces of the crash worker (never part of `src/`):
 *
 * - {@link createRevServiceHandler}: a `CreateRevService` handler for Jasper accounts whose
 *   first step is the NON-idempotent Rev.io `createService` (recorded with a `lookup` through
 *   `listServices`, as the Rev.io client itself does after an ambiguous failure) and whose
 *   second step is the idempotent Jasper `editDevice` that writes the new service id to the
 *   device (`accountCustom2 = rev-<service id>`), so that both kinds of step are exercised.
 * - Crash hooks: wrappers of the engine store and of the two clients that SIGKILL the process
 *   at a chosen point (the Nth time the point is reached) — before a carrier call, after it
 *   but before the step's COMPLETED commit, after a result was recorded, around completion.
 */
import { writeSync } from 'node:fs';
import type { RevioClient } from '../../src/adapters/integrations/revio/revio-client.ts';
import type { ChangeHandler, StepOptions } from '../../src/app/engine/change-handler.ts';
import type { JasperGateway } from '../../src/app/ports/carrier-gateways.ts';
import type {
  EngineServiceProvider,
  EngineStore,
  LogEntry,
} from '../../src/app/ports/engine-store.ts';

/** Step names of the handler (idempotency keys are `dc:<id>:<step>`). */
export const CREATE_SERVICE_STEP = 'revio.createService';
export const EDIT_DEVICE_STEP = 'jasper.editDevice';

/** Where a crash plan can kill the worker. */
export const CRASH_POINTS = [
  /** A page was claimed (leases taken), nothing called yet. */
  'afterClaim',
  /** The createService step is IN_PROGRESS; the POST is about to be sent. */
  'beforeCreate',
  /** The POST was answered 201; the step's COMPLETED record is not committed yet. */
  'afterCreate',
  /** The idempotent Jasper step is about to send its PUT. */
  'beforeEdit',
  /** The PUT was answered; its COMPLETED record is not committed yet. */
  'afterEdit',
  /** A device result (PROCESSED) was committed; the next device is not started. */
  'afterRecord',
  /** Every device change is terminal; the completion transaction has not run. */
  'beforeFinish',
  /** The completion transaction committed; the message is not acknowledged. */
  'afterFinish',
] as const;

/** One crash point. */
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Kill the process the `nth` time (1-based) `point` is reached. */
export interface CrashPlan {
  point: CrashPoint;
  nth: number;
}

/** What the worker reports on stdout (one JSON object per line). */
export type WorkerEvent =
  | { event: 'ready'; worker: string; pid: number }
  | { event: 'claimed'; worker: string; bulkChangeId: number; deviceChangeIds: number[] }
  | {
      event: 'recorded';
      worker: string;
      bulkChangeId: number;
      deviceChangeId: number;
      kind: string;
      recorded: boolean;
    }
  | { event: 'finished'; worker: string; bulkChangeId: number }
  | { event: 'crash'; worker: string; point: CrashPoint; nth: number; detail: string };

/**
 * Writes one event line synchronously (a SIGKILL right after must not lose it: `process.stdout`
 * on a pipe is asynchronous).
 */
export function emit(event: WorkerEvent): void {
  writeSync(1, `${JSON.stringify(event)}\n`);
}

/** Counts points and kills the process when the plan's point is reached for the nth time. */
export type CrashHook = (point: CrashPoint, detail: string) => void;

/** Creates the hook of a worker (no plan: counts only). */
export function createCrashHook(worker: string, plan: CrashPlan | undefined): CrashHook {
  const counts = new Map<CrashPoint, number>();
  return (point, detail) => {
    const n = (counts.get(point) ?? 0) + 1;
    counts.set(point, n);
    if (plan === undefined || plan.point !== point || plan.nth !== n) return;
    emit({ event: 'crash', worker, point, nth: n, detail });
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is not handled by JavaScript; block this thread until the kernel ends the process,
    // so that not one more statement of the engine runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
  };
}

/** The engine store with crash points around claims, results and completion. */
export function withCrashPoints(store: EngineStore, worker: string, hit: CrashHook): EngineStore {
  return {
    ...store,
    async claimPage(bulkChangeId, options) {
      const page = await store.claimPage(bulkChangeId, options);
      if (page.length > 0) {
        emit({ event: 'claimed', worker, bulkChangeId, deviceChangeIds: page.map((c) => c.id) });
        hit('afterClaim', `bulk change ${bulkChangeId}: ${page.length} claimed`);
      }
      return page;
    },
    async recordResult(change, owner, result, logs) {
      const recorded = await store.recordResult(change, owner, result, logs);
      emit({
        event: 'recorded',
        worker,
        bulkChangeId: change.bulkChangeId,
        deviceChangeId: change.id,
        kind: result.kind,
        recorded,
      });
      if (recorded) hit('afterRecord', `device change ${change.id}`);
      return recorded;
    },
    async finishIfComplete(bulkChangeId) {
      // Only the call that will complete the bulk change is a completion crash point.
      if ((await store.openWork(bulkChangeId)).open === 0) {
        hit('beforeFinish', `bulk change ${bulkChangeId}`);
      }
      const finished = await store.finishIfComplete(bulkChangeId);
      if (finished) {
        emit({ event: 'finished', worker, bulkChangeId });
        hit('afterFinish', `bulk change ${bulkChangeId}`);
      }
      return finished;
    },
  };
}

/** The Rev.io client with crash points around `createService`. */
export function withCrashingRevio(client: RevioClient, hit: CrashHook): RevioClient {
  return {
    ...client,
    async createService(input, options) {
      hit('beforeCreate', `number ${input.Number}`);
      const created = await client.createService(input, options);
      hit('afterCreate', `number ${input.Number} → service ${created.id}`);
      return created;
    },
  };
}

/** The Jasper client with crash points around `editDevice`. */
export function withCrashingJasper(client: JasperGateway, hit: CrashHook): JasperGateway {
  return {
    ...client,
    async editDevice(iccid, fields, options) {
      hit('beforeEdit', `iccid ${iccid}`);
      const edited = await client.editDevice(iccid, fields, options);
      hit('afterEdit', `iccid ${iccid}`);
      return edited;
    },
  };
}

/** Clients the handler uses for one service provider. */
export interface RevServiceClients {
  revio: RevioClient;
  jasper: JasperGateway;
}

/** What the createService step records. */
export interface CreatedService {
  serviceId: number;
  /** True when the id was found by a lookup (the client's own, or the step's on resume). */
  recovered: boolean;
}

/** Service type of an M2M data line in the demo catalogue. */
export const M2M_SERVICE_TYPE = 101;

/**
 * The `CreateRevService` handler of the crash tests. The bulk request carries `CustomerId`;
 * the line's number is the device's MSISDN and its second number the ICCID.
 */
export function createRevServiceHandler(
  clientsFor: (provider: EngineServiceProvider) => Promise<RevServiceClients>,
): ChangeHandler {
  return {
    changeType: 'CreateRevService',
    integrations: ['Jasper'],
    writes: true,
    description: 'Create Rev.io Service (crash test)',
    async handle(ctx) {
      const { revio, jasper } = await clientsFor(ctx.serviceProvider);
      const customerId = Number(ctx.request.CustomerId);
      const iccid = ctx.change.iccid ?? ctx.change.identifier;
      const number = ctx.change.msisdn ?? iccid;
      const signal = ctx.signal;

      const createOptions: StepOptions<CreatedService> = {
        idempotent: false,
        // An earlier attempt died between IN_PROGRESS and COMPLETED: did its POST happen?
        lookup: async () => {
          const page = await revio.listServices({ customerId, number }, { signal });
          const match = page.records
            .filter(
              (s) =>
                s.customerId === customerId &&
                s.number === number &&
                s.number2 === iccid &&
                s.serviceTypeId === M2M_SERVICE_TYPE &&
                s.disconnectedDate === null,
            )
            .sort((a, b) => b.serviceId - a.serviceId)[0];
          return match === undefined ? undefined : { serviceId: match.serviceId, recovered: true };
        },
        log: (outcome) => stepLog('Create Rev.io service', number, outcome),
      };
      const created = await ctx.step(CREATE_SERVICE_STEP, createOptions, async () => {
        const result = await revio.createService(
          {
            CustomerId: customerId,
            Number: number,
            Number2: iccid,
            ServiceTypeId: M2M_SERVICE_TYPE,
            ActivatedDate: '2024-05-01',
          },
          { signal },
        );
        return { serviceId: result.id, recovered: result.recovered };
      });

      await ctx.step(
        EDIT_DEVICE_STEP,
        {
          idempotent: true,
          log: (outcome) => stepLog('Link Rev.io service on Jasper', iccid, outcome),
        },
        () => jasper.editDevice(iccid, { accountCustom2: `rev-${created.serviceId}` }, { signal }),
      );
      return {
        kind: 'succeeded',
        details: `Rev.io service ${created.serviceId}${created.recovered ? ' (recovered)' : ''}`,
      };
    },
  };
}

function stepLog(
  description: string,
  subject: string,
  outcome: { ok: true; result: unknown } | { ok: false; error: unknown },
): LogEntry {
  return outcome.ok
    ? {
        description,
        requestText: subject,
        responseText: JSON.stringify(outcome.result),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      }
    : {
        description,
        requestText: subject,
        responseStatus: 'API_FAILED',
        hasErrors: true,
        errorText: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
      };
}
