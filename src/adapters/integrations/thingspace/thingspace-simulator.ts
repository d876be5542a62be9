/**
 * A faithful local Verizon ThingSpace (Connectivity Management) built on the shared simulator
 * kit: OAuth server and session login with expiry and lockout, per-account devices seeded from
 * the demo dataset, the carrier state machine and business rules, asynchronous completion
 * reported by request-status polling and CarrierService callbacks (with delivery faults), and
 * vendor-shaped errors. Routes live below the demo base URL's path (`/api/m2m/v1`) and the
 * OAuth server's (`/api/ts/v1`), so a client built from a seeded account's `settings.baseUrl`
 * reaches it. Deterministic under its seed (ids, tokens, MSISDNs, fault draws).
 */
import { DEFAULT_DEMO_BASE_URLS } from '../../../app/demo/demo-catalog.ts';
import { buildDemoDataset, type DemoDataset } from '../../../app/demo/demo-dataset.ts';
import {
  createSimulator,
  type SimResponse,
  type Simulator,
} from '../shared/simulator/simulator-server.ts';
import {
  adminRoutes,
  createThingSpaceSimControls,
  type ThingSpaceSimControls,
} from './thingspace-sim-admin.ts';
import { requestStatusRoute, settleDue } from './thingspace-sim-async.ts';
import { authenticateM2m, authRoutes, gatewayFault, vendorError } from './thingspace-sim-auth.ts';
import { callbackRoutes } from './thingspace-sim-callbacks.ts';
import { deviceRoutes } from './thingspace-sim-devices.ts';
import {
  applySettings,
  createThingSpaceSimRuntime,
  DEFAULT_THINGSPACE_SIM_SETTINGS,
  type ThingSpaceSimSettingsPatch,
} from './thingspace-sim-runtime.ts';
import { createThingSpaceSimState, type ThingSpaceSimState } from './thingspace-sim-state.ts';

export type { ThingSpaceSimControls } from './thingspace-sim-admin.ts';
export type { ThingSpaceSimSettings } from './thingspace-sim-runtime.ts';
export type { ThingSpaceSimState } from './thingspace-sim-state.ts';

/** Path prefix of the M2M API (from the demo base URL). */
export const THINGSPACE_M2M_PREFIX = new URL(DEFAULT_DEMO_BASE_URLS.thingspace).pathname.replace(
  /\/+$/,
  '',
);

/** Options of {@link createThingSpaceSimulator}. */
export interface ThingSpaceSimulatorOptions {
  /** PRNG seed (ids, tokens, fault draws). @default 1 */
  seed?: number;
  /** Accounts, credentials, plans and devices. @default buildDemoDataset() */
  dataset?: DemoDataset;
  /** Initial settings (also restored by `reset`). */
  settings?: ThingSpaceSimSettingsPatch;
  /** Requests per second per account before 429 (WSO2 throttling fault). @default unlimited */
  accountRatePerSecond?: number;
}

/** The ThingSpace simulator: the kit's simulator plus ThingSpace controls. */
export type ThingSpaceSimulator = Simulator<ThingSpaceSimState> & ThingSpaceSimControls;

/**
 * Creates the simulator (not started).
 *
 * @example
 * const sim = createThingSpaceSimulator({ seed: 7, dataset: buildDemoDataset({ devicesPerProvider: 20 }) });
 * const origin = await sim.start(0);                // http://127.0.0.1:PORT
 * const baseUrl = `${origin}/api/m2m/v1`;           // what the client uses
 * sim.configure({ completionDelayMs: 50, callbacks: { duplicates: 1 } });
 */
export function createThingSpaceSimulator(
  options: ThingSpaceSimulatorOptions = {},
): ThingSpaceSimulator {
  const seed = options.seed ?? 1;
  const dataset = options.dataset ?? buildDemoDataset();
  const initial = applySettings(DEFAULT_THINGSPACE_SIM_SETTINGS, options.settings ?? {});
  let kit: Simulator<ThingSpaceSimState> | undefined;
  const rt = createThingSpaceSimRuntime({ ...initial }, () => {
    if (kit === undefined) throw new Error('ThingSpace simulator is not built yet');
    return kit.state;
  });
  const controls = createThingSpaceSimControls(rt);
  const prefix = THINGSPACE_M2M_PREFIX;

  kit = createSimulator<ThingSpaceSimState>(
    {
      name: 'thingspace',
      createState: () => createThingSpaceSimState(dataset, seed),
      routes: [
        ...authRoutes(rt, prefix),
        ...deviceRoutes(rt, prefix),
        requestStatusRoute(rt, prefix),
        ...callbackRoutes(prefix),
      ],
      authenticate: authenticateM2m(rt),
      throttled: throttled,
      serverError: serverError,
      accountRatePerSecond: options.accountRatePerSecond,
      adminRoutes: adminRoutes(controls),
    },
    { seed },
  );

  const base = kit;
  const kitReset = base.reset.bind(base);
  const kitClose = base.close.bind(base);
  const kitAdvance = base.advanceClock.bind(base);
  // The kit's admin `/__admin/reset` calls `reset` on this same object: overriding covers it.
  base.reset = () => {
    rt.cancelAll();
    rt.settings = { ...initial };
    kitReset();
  };
  base.close = async () => {
    rt.cancelAll();
    await kitClose();
  };
  base.advanceClock = (ms) => {
    kitAdvance(ms);
    rt.shiftClock(ms);
    settleDue(rt);
  };
  return Object.defineProperties(
    base,
    Object.getOwnPropertyDescriptors(controls),
  ) as ThingSpaceSimulator;
}

/** 429 with the WSO2 throttling fault and `Retry-After`. */
function throttled(retryAfterSeconds: number): SimResponse {
  const fault = gatewayFault(
    429,
    900800,
    'Message throttled out',
    'You have exceeded your quota. Try again later.',
  );
  return { ...fault, headers: { 'retry-after': String(retryAfterSeconds) } };
}

/** 500: API error body; 502/503/504: the gateway's backend fault. */
function serverError(status: number): SimResponse {
  if (status === 500) {
    return vendorError(
      'UnifiedWebService.INTERNAL_ERROR.InternalServerError',
      'An internal error occurred.',
      500,
    );
  }
  return gatewayFault(status, 101503, 'Runtime Error', 'Error connecting to the back end');
}
