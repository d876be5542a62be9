/**
 * Telegence-specific controls of the simulator, as code (`TelegenceSimulatorControls`) and as
 * admin HTTP routes under `/__admin/telegence/` (the kit's journal/faults/stats/reset routes
 * live beside them under `/__admin/`).
 *
 * | route                                              | body                                   |
 * |----------------------------------------------------|----------------------------------------|
 * | `GET    /__admin/telegence/lines/{mdn}`            | – (line state incl. pending changes)   |
 * | `GET    /__admin/telegence/activations/{id}`       | – (activation state)                   |
 * | `PUT    /__admin/telegence/config`                 | `{ applyLagMs?, activation?: {…}, esimOnActivation? }` |
 * | `POST   /__admin/telegence/esim-required`          | `{ iccid }`                            |
 * | `DELETE /__admin/telegence/esim-required/{iccid}`  | –                                      |
 * | `POST   /__admin/telegence/activation-outcomes`    | `{ iccid, outcome: 'active'|'rejected' }` |
 * | `PUT    /__admin/telegence/app-access`             | `{ appId, access: 'ok'|'forbidden' }`  |
 * | `POST   /__admin/telegence/clock`                  | `{ advanceMs }`                        |
 */
import { z } from 'zod';
import type { SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { toSubscriberNumber } from './telegence-mapper.ts';
import {
  mergeConfig,
  type SimActivation,
  type SimLine,
  settleLine,
  type TelegenceSimConfig,
  type TelegenceSimConfigPatch,
  type TelegenceSimState,
} from './telegence-sim-state.ts';

/** Vendor-behaviour controls of the Telegence simulator (also reachable over HTTP). */
export interface TelegenceSimulatorControls {
  /** Swaps to / activations of this ICCID fail with the eSIM-required 404 `/service/`. */
  requireEsim(iccid: string): void;
  /** Undoes {@link TelegenceSimulatorControls.requireEsim}. */
  clearEsim(iccid: string): boolean;
  /** Changes knobs (apply lag, activation progress, eSIM activation mode). */
  configure(patch: TelegenceSimConfigPatch): TelegenceSimConfig;
  /** Fixes the outcome of a future activation of this ICCID. */
  setActivationOutcome(iccid: string, outcome: 'active' | 'rejected'): void;
  /** `forbidden` makes every request of this app-id answer 403. */
  setAppAccess(appId: string, access: 'ok' | 'forbidden'): boolean;
  /** Line state (as stored: pending changes not applied), by MSISDN or MDN. */
  line(msisdn: string): SimLine | undefined;
  /** Activation state. */
  activation(id: string): SimActivation | undefined;
}

const activationKnobs = z
  .object({
    pendingPolls: z.number().int().min(0),
    pendingMs: z.number().min(0),
    reservedPolls: z.number().int().min(0),
    reservedMs: z.number().min(0),
    rejectRate: z.number().min(0).max(1),
  })
  .partial();

/** Schema of a knob patch. */
export const configPatchSchema = z.strictObject({
  applyLagMs: z.number().min(0).optional(),
  activation: activationKnobs.optional(),
  esimOnActivation: z.enum(['status', 'http404']).optional(),
});

const iccidBody = z.object({ iccid: z.string().regex(/^\d{19,20}$/) });
const outcomeBody = iccidBody.extend({ outcome: z.enum(['active', 'rejected']) });
const accessBody = z.object({ appId: z.string().min(1), access: z.enum(['ok', 'forbidden']) });
const clockBody = z.object({ advanceMs: z.number() });

/** Builds the code controls over the simulator's current state. */
export function createControls(state: () => TelegenceSimState): TelegenceSimulatorControls {
  return {
    requireEsim: (iccid) => void state().esimRequired.add(iccid),
    clearEsim: (iccid) => state().esimRequired.delete(iccid),
    configure(patch) {
      const s = state();
      s.config = mergeConfig(s.config, configPatchSchema.parse(patch));
      return s.config;
    },
    setActivationOutcome: (iccid, outcome) => void state().outcomes.set(iccid, outcome),
    setAppAccess(appId, access) {
      const key = state().appIds.get(appId);
      const account = key === undefined ? undefined : state().accounts.get(key);
      if (account === undefined) return false;
      account.access = access;
      return true;
    },
    line: (msisdn) => state().lines.get(toSubscriberNumber(msisdn) ?? msisdn),
    activation: (id) => state().activations.get(id),
  };
}

/** Builds the admin routes; `advanceClock` shifts the simulator clock. */
export function adminRoutes(
  controls: TelegenceSimulatorControls,
  advanceClock: (ms: number) => void,
): SimRoute<TelegenceSimState>[] {
  const route = (
    method: string,
    path: string,
    handle: SimRoute<TelegenceSimState>['handle'],
  ): SimRoute<TelegenceSimState> => ({
    method,
    path: `/__admin/telegence${path}`,
    operation: 'admin',
    public: true,
    handle,
  });
  return [
    route('GET', '/lines/:subscriberNumber', (req, ctx) => {
      const line = controls.line(req.params.subscriberNumber ?? '');
      return line === undefined
        ? { status: 404, json: { error: 'no such line' } }
        : { status: 200, json: settleLine(line, ctx.now) };
    }),
    route('GET', '/activations/:id', (req) => {
      const activation = controls.activation(req.params.id ?? '');
      return activation === undefined
        ? { status: 404, json: { error: 'no such activation' } }
        : { status: 200, json: activation };
    }),
    route('PUT', '/config', (req) =>
      withBody(configPatchSchema, req.body, (patch) => ({
        status: 200,
        json: controls.configure(patch),
      })),
    ),
    route('POST', '/esim-required', (req) =>
      withBody(iccidBody, req.body, ({ iccid }) => {
        controls.requireEsim(iccid);
        return { status: 204 };
      }),
    ),
    route('DELETE', '/esim-required/:iccid', (req) => ({
      status: controls.clearEsim(req.params.iccid ?? '') ? 204 : 404,
    })),
    route('POST', '/activation-outcomes', (req) =>
      withBody(outcomeBody, req.body, ({ iccid, outcome }) => {
        controls.setActivationOutcome(iccid, outcome);
        return { status: 204 };
      }),
    ),
    route('PUT', '/app-access', (req) =>
      withBody(accessBody, req.body, ({ appId, access }) => ({
        status: controls.setAppAccess(appId, access) ? 204 : 404,
      })),
    ),
    route('POST', '/clock', (req) =>
      withBody(clockBody, req.body, ({ advanceMs }) => {
        advanceClock(advanceMs);
        return { status: 204 };
      }),
    ),
  ];
}

function withBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  then: (value: z.output<S>) => SimResponse,
): SimResponse {
  const parsed = schema.safeParse(body);
  return parsed.success
    ? then(parsed.data)
    : { status: 400, json: { error: parsed.error.issues.map((i) => i.message).join('; ') } };
}
