/**
 * Simulator of AT&T Telegence (lineconfig API), built on the shared simulator kit: a real HTTP
 * server with request journal, fault rules, stats and admin endpoint, plus the vendor's auth
 * (`app-id` / `app-secret`), lines, business rules and activation progress.
 *
 * Routes (paths match the demo base URL `…/sp/mobility/lineconfig/api/v1`):
 * - `GET   /sp/mobility/lineconfig/api/v1/service/{mdn}` (operation `getLine`)
 * - `PATCH /sp/mobility/lineconfig/api/v1/service/{mdn}` (operation `patchLine`)
 * - `POST  /sp/mobility/lineconfig/api/v1/serviceactivation` (operation `activateServices`)
 * - `GET   /sp/mobility/lineconfig/api/v1/serviceactivation/{id}` (operation `getActivationStatus`)
 * - `GET   /sp/mobility/api/v1/account` (operation `listLines`, headers `current-page`/`page-size`)
 *
 * Fault rules (kit) cover latency, 5xx, 429 bursts, hangs with/without the write applied,
 * resets and malformed bodies; `ratePerSecond` adds a per-account 429 limit. Vendor knobs are in
 * `telegence-sim-admin.ts`.
 */

import { DEFAULT_DEMO_BASE_URLS } from '../../../app/demo/demo-catalog.ts';
import { buildDemoDataset, type DemoDataset } from '../../../app/demo/demo-dataset.ts';
import {
  createSimulator,
  type Simulator,
  type SimulatorDefinition,
} from '../shared/simulator/simulator-server.ts';
import { activationRoutes } from './telegence-sim-activation.ts';
import {
  adminRoutes,
  createControls,
  type TelegenceSimulatorControls,
} from './telegence-sim-admin.ts';
import { lineRoutes } from './telegence-sim-lines.ts';
import { authenticate, serverError, throttled } from './telegence-sim-responses.ts';
import {
  createTelegenceState,
  type TelegenceSimConfigPatch,
  type TelegenceSimState,
} from './telegence-sim-state.ts';
import { TELEGENCE_DEVICE_LIST_PATH, TELEGENCE_PATHS } from './telegence-wire.ts';

export type { TelegenceSimulatorControls } from './telegence-sim-admin.ts';
export type {
  TelegenceSimConfig,
  TelegenceSimConfigPatch,
  TelegenceSimState,
} from './telegence-sim-state.ts';

/** Path prefix of the lineconfig API (from the demo base URL). */
export const TELEGENCE_BASE_PATH = new URL(DEFAULT_DEMO_BASE_URLS.telegence).pathname.replace(
  /\/+$/,
  '',
);

/** Options of {@link createTelegenceSimulator}. */
export interface TelegenceSimulatorOptions {
  /** PRNG seed (ids, MDNs, offerings, fault probabilities). @default 1 */
  seed?: number;
  /** Accounts and lines come from here. @default buildDemoDataset() */
  dataset?: DemoDataset;
  /** Requests per second per account before 429 (AT&T publishes none). @default unlimited */
  ratePerSecond?: number;
  /** Initial vendor knobs. @default DEFAULT_TELEGENCE_SIM_CONFIG */
  config?: TelegenceSimConfigPatch;
  /** ICCIDs that need an eSIM profile from the start. */
  esimRequiredIccids?: readonly string[];
}

/** The Telegence simulator: the kit's {@link Simulator} plus vendor controls. */
export type TelegenceSimulator = Simulator<TelegenceSimState> & TelegenceSimulatorControls;

/**
 * Creates the simulator (not started).
 *
 * @example
 * const sim = createTelegenceSimulator({ seed: 7, dataset: buildDemoDataset({ devicesPerProvider: 20 }) });
 * const origin = await sim.start(0);
 * const client = createTelegenceClient({
 *   baseUrl: origin + TELEGENCE_BASE_PATH, appId: 'demo-telegence-app', appSecret: 'demo-telegence-app-secret',
 * });
 * sim.requireEsim('89014100000000000017');
 */
export function createTelegenceSimulator(
  options: TelegenceSimulatorOptions = {},
): TelegenceSimulator {
  const seed = options.seed ?? 1;
  const dataset = options.dataset ?? buildDemoDataset();
  let sim: Simulator<TelegenceSimState> | undefined;
  const controls = createControls(() => {
    if (sim === undefined) throw new Error('telegence simulator is not created yet');
    return sim.state;
  });
  const definition: SimulatorDefinition<TelegenceSimState> = {
    name: 'telegence',
    createState: () =>
      createTelegenceState(dataset, seed, {
        config: options.config,
        esimRequiredIccids: options.esimRequiredIccids,
      }),
    authenticate: (req, ctx) => authenticate(req.headers, ctx.state),
    throttled,
    serverError,
    accountRatePerSecond: options.ratePerSecond,
    routes: [
      ...lineRoutes(TELEGENCE_BASE_PATH, TELEGENCE_DEVICE_LIST_PATH),
      ...activationRoutes(`${TELEGENCE_BASE_PATH}${TELEGENCE_PATHS.activation}`),
    ],
    adminRoutes: adminRoutes(controls, (ms) => sim?.advanceClock(ms)),
  };
  sim = createSimulator(definition, { seed });
  return Object.assign(sim, controls);
}
