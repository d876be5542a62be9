/**
 * Cisco IoT Control Center simulator, built on the shared simulator kit, seeded from the demo
 * dataset (one account per Jasper-family service provider: Jasper, POD19, TMobileJasper,
 * Rogers). Routes: see `jasper-sim-routes.ts`; rules: `jasper-sim-rules.ts`.
 *
 * Vendor behaviour on top of the kit:
 * - HTTP Basic `base64(username:apiKey)` per account → 401 `10000001` otherwise.
 * - Per-account throttling detector: more than the account's calls per second, or a call while
 *   another call of the same account is being processed, answers `40000029` (HTTP status per
 *   `throttleHttpStatus`). Kit `throttle` faults answer the same body with `Retry-After`.
 * - Controls (`JasperSimControls`): audit lag, "edit accepted but audit shows Error",
 *   2xx without `iccid`, throttling shape, detector, processing time, strict status case —
 *   from code (`setControls`) or `GET/PATCH /__admin/jasper/controls`.
 * - Admin: `POST /__admin/jasper/clock {advanceMs}`, `GET /__admin/jasper/accounts`,
 *   `GET /__admin/jasper/devices/{iccid}` (device, full audit trail incl. not yet visible,
 *   pending edits), `GET /__admin/jasper/throttles`.
 */
import { buildDemoDataset, type DemoDataset } from '../../../app/demo/demo-dataset.ts';
import {
  createSimulator,
  type SimContext,
  type SimRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
} from '../shared/simulator/simulator-server.ts';
import { deviceView, jasperSimRoutes } from './jasper-sim-routes.ts';
import { vendorError } from './jasper-sim-rules.ts';
import {
  createJasperSimState,
  type JasperSimAuditRecord,
  type JasperSimControls,
  type JasperSimState,
  jasperSimControlsSchema,
} from './jasper-sim-state.ts';
import { JASPER_ERROR_CODES } from './jasper-wire.ts';

/** Options of {@link createJasperSimulator}. */
export interface JasperSimulatorOptions {
  /** Seeds the extra device fields and every random fault decision. @default 1 */
  seed?: number;
  /** Demo data to serve. @default buildDemoDataset() */
  dataset?: DemoDataset;
  /** Initial controls (also restored by `reset()`). */
  controls?: Partial<JasperSimControls>;
}

/** Public facts of a simulated account (credentials included: for tests and local tooling). */
export interface JasperSimAccountInfo {
  key: string;
  integration: string;
  username: string;
  apiKey: string;
  accountId: string;
  usernameTargetField: string;
  devices: string[];
}

/** The Control Center simulator: the kit's simulator plus vendor controls. */
export interface JasperSimulator extends Simulator<JasperSimState> {
  /** Current controls. */
  controls(): JasperSimControls;
  /** Changes some controls; returns the result. */
  setControls(patch: Partial<JasperSimControls>): JasperSimControls;
  /** Accounts served. */
  accounts(): JasperSimAccountInfo[];
  /** Device details as the API shows them (no auth), or undefined. */
  device(iccid: string): Record<string, string | null> | undefined;
  /** Every audit record of a device, newest first, visible or not yet. */
  auditRecords(iccid: string): JasperSimAuditRecord[];
  /** Throttling answers given by the detector. */
  throttleCounts(): { rate: number; concurrency: number };
}

const INVALID_CREDENTIALS = vendorError(
  401,
  JASPER_ERROR_CODES.invalidCredentials,
  'Invalid credentials',
);

/**
 * Creates the simulator (not started).
 *
 * @example
 * const sim = createJasperSimulator({ seed: 7, dataset: buildDemoDataset({ devicesPerProvider: 20 }) });
 * const url = await sim.start(0);                         // then baseUrl = `${url}/rws/api/v1`
 * sim.setControls({ auditLagMs: 2000, auditErrorIccids: ['8901170…'] });
 */
export function createJasperSimulator(options: JasperSimulatorOptions = {}): JasperSimulator {
  const seed = options.seed ?? 1;
  const dataset = options.dataset ?? buildDemoDataset();
  let current: Simulator<JasperSimState> | undefined;
  const state = () => {
    if (current === undefined) throw new Error('jasper simulator not created');
    return current.state;
  };

  const throttleAnswer = (retryAfterSeconds: number | null): SimResponse => {
    const { throttleHttpStatus } = state().controls;
    const response = vendorError(
      throttleHttpStatus,
      JASPER_ERROR_CODES.rateLimitExceeded,
      'API rate limit exceeded. Please retry after some time.',
    );
    return retryAfterSeconds === null
      ? response
      : { ...response, headers: { 'retry-after': String(retryAfterSeconds) } };
  };

  const sim: Simulator<JasperSimState> = createSimulator<JasperSimState>(
    {
      name: 'jasper',
      createState: () => createJasperSimState(dataset, seed, options.controls),
      routes: jasperSimRoutes.map(gated(throttleAnswer)),
      adminRoutes: adminRoutes((ms) => sim.advanceClock(ms)),
      authenticate: (req, ctx) => authenticate(req, ctx.state),
      throttled: (seconds) => throttleAnswer(seconds),
      serverError: (status) =>
        vendorError(status, JASPER_ERROR_CODES.serverError, 'Internal server error. Please retry.'),
    },
    { seed },
  );
  current = sim;

  return Object.assign(sim, {
    controls: () => structuredClone(sim.state.controls),
    setControls(patch: Partial<JasperSimControls>) {
      const next = jasperSimControlsSchema.parse({ ...sim.state.controls, ...patch });
      sim.state.controls = next;
      return structuredClone(next);
    },
    accounts: () =>
      [...sim.state.accounts.values()].map((a) => ({
        key: a.key,
        integration: a.integration,
        username: a.username,
        apiKey: a.apiKey,
        accountId: a.accountId,
        usernameTargetField: a.usernameTargetField,
        devices: [...sim.state.devices]
          .filter(([, d]) => d.account === a.key)
          .map(([iccid]) => iccid),
      })),
    device(iccid: string) {
      const device = sim.state.devices.get(iccid);
      return device === undefined ? undefined : deviceView(device);
    },
    auditRecords: (iccid: string) =>
      [...(sim.state.audit.get(iccid) ?? [])].sort((a, b) => b.seq - a.seq),
    throttleCounts: () => ({ ...sim.state.throttled }),
  });
}

function authenticate(req: SimRequest, state: JasperSimState): { account: string } | SimResponse {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match === null) return INVALID_CREDENTIALS;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return INVALID_CREDENTIALS;
  const account = state.accountsByUser.get(decoded.slice(0, colon));
  if (account === undefined || account.apiKey !== decoded.slice(colon + 1))
    return INVALID_CREDENTIALS;
  return { account: account.key };
}

/**
 * Adds the vendor's per-account throttling detector and processing time to a route: over the
 * account's rate, or a call while another of the account is in processing → `40000029`.
 */
function gated(throttleAnswer: (retryAfter: number | null) => SimResponse) {
  return (route: SimRoute<JasperSimState>): SimRoute<JasperSimState> => ({
    ...route,
    async handle(req, ctx) {
      const account = ctx.account;
      if (account === undefined) return route.handle(req, ctx);
      const s = ctx.state;
      const c = s.controls;
      const rate = c.ratePerSecond ?? s.accounts.get(account)?.ratePerSecond;
      if (rate !== undefined && overRate(s, account, rate)) {
        s.throttled.rate += 1;
        return throttleAnswer(c.throttleRetryAfterSeconds);
      }
      const inFlight = s.inFlight.get(account) ?? 0;
      if (c.detectConcurrency && inFlight > 0) {
        s.throttled.concurrency += 1;
        return throttleAnswer(c.throttleRetryAfterSeconds);
      }
      s.inFlight.set(account, inFlight + 1);
      try {
        const { min, max } = c.processingMs;
        const ms = max > min ? min + ctx.random.next() * (max - min) : min;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
        return await route.handle(req, withNow(ctx, ms));
      } finally {
        s.inFlight.set(account, Math.max(0, (s.inFlight.get(account) ?? 1) - 1));
      }
    },
  });
}

function withNow(ctx: SimContext<JasperSimState>, elapsed: number): SimContext<JasperSimState> {
  return elapsed > 0 ? { ...ctx, now: ctx.now + elapsed } : ctx;
}

/** Token bucket per account (burst = one second of calls), on the wall clock. */
function overRate(state: JasperSimState, account: string, rate: number): boolean {
  const now = performance.now();
  const bucket = state.buckets.get(account) ?? { tokens: rate, at: now };
  bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  state.buckets.set(account, bucket);
  if (bucket.tokens < 1) return true;
  bucket.tokens -= 1;
  return false;
}

function adminRoutes(advanceClock: (ms: number) => void): SimRoute<JasperSimState>[] {
  const admin = (method: string, path: string, handle: SimRoute<JasperSimState>['handle']) => ({
    method,
    path: `/__admin/jasper/${path}`,
    operation: `admin:${path}`,
    public: true,
    handle,
  });
  return [
    admin('GET', 'controls', (_req, ctx) => ({ status: 200, json: ctx.state.controls })),
    admin('PATCH', 'controls', (req, ctx) => {
      const parsed = jasperSimControlsSchema.partial().safeParse(req.body);
      if (!parsed.success) return { status: 400, json: { error: parsed.error.message } };
      ctx.state.controls = { ...ctx.state.controls, ...parsed.data };
      return { status: 200, json: ctx.state.controls };
    }),
    admin('POST', 'clock', (req) => {
      const ms = (req.body as { advanceMs?: unknown } | undefined)?.advanceMs;
      if (typeof ms !== 'number' || !Number.isFinite(ms))
        return { status: 400, json: { error: 'advanceMs (number) required' } };
      advanceClock(ms);
      return { status: 204 };
    }),
    admin('GET', 'accounts', (_req, ctx) => ({
      status: 200,
      json: [...ctx.state.accounts.values()].map((a) => ({
        key: a.key,
        integration: a.integration,
        username: a.username,
        accountId: a.accountId,
        usernameTargetField: a.usernameTargetField,
        ratePlans: [...a.ratePlans],
        communicationPlans: [...a.communicationPlans],
      })),
    })),
    admin('GET', 'devices/:iccid', (req, ctx) => {
      const iccid = req.params.iccid ?? '';
      const device = ctx.state.devices.get(iccid);
      if (device === undefined) return { status: 404, json: { error: 'unknown iccid' } };
      return {
        status: 200,
        json: {
          account: device.account,
          device: deviceView(device),
          audit: [...(ctx.state.audit.get(iccid) ?? [])].sort((a, b) => b.seq - a.seq),
          pending: ctx.state.pending.filter((p) => p.iccid === iccid),
        },
      };
    }),
    admin('GET', 'throttles', (_req, ctx) => ({ status: 200, json: ctx.state.throttled })),
  ];
}
