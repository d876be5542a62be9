/**
 * The Rev.io billing API simulator: the shared simulator kit (journal, fault rules, stats,
 * admin endpoint) with Rev.io's authentication, routes, validation, error bodies, `ok` flag and
 * 500-calls-per-minute limit. Seeded from the demo dataset, so that local mode serves the same
 * services (and their custom fields) the database was seeded with. See README.md.
 *
 * Vendor controls, from code (`sim.controls`) or over HTTP (`/__admin/revio/…`):
 * - `setOkFlag(serviceId, false)` / `POST /__admin/revio/services/{id}/ok {"ok":false}`:
 *   GET answers 200 with `ok: false`.
 * - `denyOperations(['patchService'])` / `PUT /__admin/revio/permissions {"deny":[…]}`: 403
 *   (the API user's role lacks the permission); `*` denies everything.
 * - `setRateLimit({ perMinute, perDay, retryAfterHeader })` / `PUT /__admin/revio/rate-limit`.
 * - `rejectDuplicateNumbers(true)` / `PUT /__admin/revio/duplicates {"reject":true}`.
 * - `service(id)`, `services()`, `serviceProducts()` / `GET /__admin/revio/services/{id}`:
 *   read the state.
 */
import { z } from 'zod';
import { buildDemoDataset, type DemoDataset } from '../../../app/demo/demo-dataset.ts';
import {
  createSimulator,
  type SimResponse,
  type SimRoute,
  type Simulator,
} from '../shared/simulator/simulator-server.ts';
import {
  authenticateRevio,
  revioErrorResponse,
  serverErrorResponse,
  throttledResponse,
} from './revio-sim-gate.ts';
import { revioRoutes } from './revio-sim-routes.ts';
import {
  createRevioState,
  datasetAccount,
  type RevioRateLimit,
  type RevioSimAccount,
  type RevioSimProduct,
  type RevioSimService,
  type RevioSimServiceProduct,
  type RevioSimState,
  type RevioTenantState,
} from './revio-sim-state.ts';

/** Options of {@link createRevioSimulator}. */
export interface RevioSimulatorOptions {
  /** Seed of the fault PRNG. @default 1 */
  seed?: number;
  /** Data to serve. @default buildDemoDataset() (what the database seed uses) */
  dataset?: DemoDataset;
  /** More tenants besides the dataset's billing integration (customers, no lines). */
  extraAccounts?: readonly RevioSimAccount[];
  /** Product catalogue. @default DEFAULT_REVIO_PRODUCTS */
  products?: readonly RevioSimProduct[];
  /** Known service type ids. @default [101, 102] */
  serviceTypes?: readonly number[];
  /** @default { perMinute: 500, perDay: 150000, retryAfterHeader: true } */
  rateLimit?: Partial<RevioRateLimit>;
}

/** Rev.io-specific controls of the simulator. */
export interface RevioSimControls {
  /** Credentials of the dataset's tenant (tests build clients from them). */
  readonly account: RevioSimAccount;
  setOkFlag(serviceId: number, ok: boolean): void;
  /** Operations answered 403 from now on (replaces the list; `[]` allows all, `*` denies all). */
  denyOperations(operations: readonly string[]): void;
  setRateLimit(limit: Partial<RevioRateLimit>): void;
  rejectDuplicateNumbers(on: boolean): void;
  /** A copy of a service of the tenant (default: the dataset's). */
  service(serviceId: number, clientCode?: string): RevioSimService | undefined;
  services(clientCode?: string): RevioSimService[];
  serviceProducts(clientCode?: string): RevioSimServiceProduct[];
}

/** The Rev.io simulator: the kit's simulator plus {@link RevioSimControls}. */
export type RevioSimulator = Simulator<RevioSimState> & { readonly controls: RevioSimControls };

const rateLimitSchema = z
  .object({
    perMinute: z.number().int().positive(),
    perDay: z.number().int().positive(),
    retryAfterHeader: z.boolean(),
  })
  .partial();

/**
 * Creates the simulator (not started).
 *
 * @example
 * const sim = createRevioSimulator({ dataset: buildDemoDataset({ devicesPerProvider: 10 }) });
 * const origin = await sim.start(0);
 * const revio = createRevioClient({ baseUrl: `${origin}/v1`, credentials: { ...sim.controls.account } });
 * sim.faults.add({ operation: 'createService', times: 1, effect: { kind: 'hang', applyWrite: true } });
 */
export function createRevioSimulator(options: RevioSimulatorOptions = {}): RevioSimulator {
  const dataset = options.dataset ?? buildDemoDataset();
  const account = datasetAccount(dataset);
  const fresh = () =>
    createRevioState({
      dataset,
      extraAccounts: options.extraAccounts,
      products: options.products,
      serviceTypes: options.serviceTypes,
      rateLimit: options.rateLimit,
    });
  // The kit's throttled() has no context: it reads the live state through this reference.
  let current: () => RevioSimState = () => {
    throw new Error('revio simulator state read before creation');
  };

  const tenant = (clientCode = account.clientCode): RevioTenantState | undefined =>
    current().tenants.get(clientCode);

  const controls: RevioSimControls = {
    account: { ...account },
    setOkFlag(serviceId, ok) {
      if (ok) current().okFalseServices.delete(serviceId);
      else current().okFalseServices.add(serviceId);
    },
    denyOperations(operations) {
      current().deniedOperations = new Set(operations);
    },
    setRateLimit(limit) {
      const state = current();
      state.rateLimit = { ...state.rateLimit, ...rateLimitSchema.parse(limit) };
    },
    rejectDuplicateNumbers(on) {
      current().rejectDuplicateNumbers = on;
    },
    service(serviceId, clientCode) {
      const found = tenant(clientCode)?.services.get(serviceId);
      return found === undefined ? undefined : structuredClone(found);
    },
    services: (clientCode) =>
      [...(tenant(clientCode)?.services.values() ?? [])].map((s) => structuredClone(s)),
    serviceProducts: (clientCode) =>
      [...(tenant(clientCode)?.serviceProducts.values() ?? [])].map((p) => ({ ...p })),
  };

  const sim = createSimulator<RevioSimState>(
    {
      name: 'revio',
      routes: revioRoutes,
      createState: fresh,
      authenticate: authenticateRevio,
      throttled: (seconds) => throttledResponse(seconds, current().rateLimit.retryAfterHeader),
      serverError: serverErrorResponse,
      adminRoutes: adminRoutes(controls),
    },
    { seed: options.seed },
  );
  current = () => sim.state;
  return Object.assign(sim, { controls });
}

/** `/__admin/revio/…` routes (no vendor auth; not for production exposure). */
function adminRoutes(controls: RevioSimControls): SimRoute<RevioSimState>[] {
  const admin = (
    method: string,
    path: string,
    handle: (body: unknown, params: Record<string, string>) => SimResponse,
  ): SimRoute<RevioSimState> => ({
    method,
    path: `/__admin/revio${path}`,
    operation: 'admin',
    public: true,
    handle: (req) => {
      try {
        return handle(req.body, req.params);
      } catch (error) {
        return {
          status: 400,
          json: { error: error instanceof Error ? error.message : String(error) },
        };
      }
    },
  });
  const done: SimResponse = { status: 204 };
  return [
    admin('GET', '/services/:id', (_body, params) => {
      const service = controls.service(Number(params.id));
      return service === undefined
        ? revioErrorResponse(404, 'NotFound', `Service ${params.id} was not found.`)
        : { status: 200, json: service };
    }),
    admin('POST', '/services/:id/ok', (body, params) => {
      controls.setOkFlag(Number(params.id), z.object({ ok: z.boolean() }).parse(body).ok);
      return done;
    }),
    admin('PUT', '/permissions', (body) => {
      controls.denyOperations(z.object({ deny: z.array(z.string()) }).parse(body).deny);
      return done;
    }),
    admin('PUT', '/rate-limit', (body) => {
      controls.setRateLimit(rateLimitSchema.parse(body));
      return done;
    }),
    admin('PUT', '/duplicates', (body) => {
      controls.rejectDuplicateNumbers(z.object({ reject: z.boolean() }).parse(body).reject);
      return done;
    }),
  ];
}
