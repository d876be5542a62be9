/**
 * The kit every vendor simulator is built on: a real HTTP server (node:http) with routing,
 * body parsing, a request journal, fault rules, per-account rate/concurrency accounting and an
 * admin endpoint. A vendor simulator supplies its routes, its state, its authentication and
 * the shapes of its throttling and server-error bodies; the kit does the rest.
 *
 * Admin endpoint (same port, JSON):
 * - `GET /__admin/journal`, `DELETE /__admin/journal` — requests received (method, path,
 *   headers incl. auth, body), oldest first.
 * - `GET /__admin/faults`, `POST /__admin/faults` (one rule, see `fault-rules.ts`),
 *   `DELETE /__admin/faults`, `DELETE /__admin/faults/{id}`.
 * - `GET /__admin/stats` — requests per operation, peak requests per second and peak
 *   concurrency per account (what benchmarks compare limits against).
 * - `POST /__admin/reset` — fresh state, no faults, empty journal.
 * - vendor-specific admin routes (e.g. complete a ThingSpace request) under `/__admin/`; they
 *   bypass auth, faults, the journal and the stats.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrng, type Prng } from '../../../../app/demo/demo-random.ts';
import { createFaultController, type FaultController, faultRuleSchema } from './fault-rules.ts';
import { compile, findRoute, newCounters, parseBody, send, sleep } from './simulator-http.ts';

/** A parsed request as simulator handlers see it. */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON body when it parsed, form fields for url-encoded bodies, else undefined. */
  body: unknown;
  /** Values of `:name` segments of the route pattern. */
  params: Record<string, string>;
}

/** What a handler answers. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** Context handed to handlers. */
export interface SimContext<S> {
  state: S;
  /** Account resolved by `authenticate` (undefined for unauthenticated routes). */
  account: string | undefined;
  /** Simulator clock (ms since epoch); tests may shift it. */
  now: number;
  random: Prng;
}

/** One route. */
export interface SimRoute<S> {
  method: string;
  /** Pattern like `/rws/api/v1/devices/:iccid`. */
  path: string;
  /** Operation name used by fault rules, the journal and stats. */
  operation: string;
  /** Skip authentication (token endpoints authenticate themselves). */
  public?: boolean;
  handle(req: SimRequest, ctx: SimContext<S>): SimResponse | Promise<SimResponse>;
}

/** Journal entry. */
export interface JournalEntry {
  at: number;
  operation: string;
  account: string | undefined;
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
  /** Status sent, `hang` or `reset`. */
  outcome: number | 'hang' | 'reset';
}

/** Vendor-specific parts of a simulator. */
export interface SimulatorDefinition<S> {
  name: string;
  routes: SimRoute<S>[];
  createState(): S;
  /** Resolves the account of a request, or answers the vendor's auth failure. */
  authenticate(req: SimRequest, ctx: SimContext<S>): { account: string } | SimResponse;
  /** The vendor's throttling answer. */
  throttled(retryAfterSeconds: number): SimResponse;
  /** The vendor's server-error answer. */
  serverError(status: number): SimResponse;
  /** Requests per second allowed per account before `throttled` answers. */
  accountRatePerSecond?: number;
  /**
   * Extra admin routes: full paths starting with `/__admin/` (e.g. `/__admin/jasper/controls`).
   * They bypass auth, faults, the journal and the stats.
   */
  adminRoutes?: SimRoute<S>[];
}

/** A running (or startable) simulator. */
export interface Simulator<S> {
  readonly name: string;
  readonly state: S;
  readonly faults: FaultController;
  readonly journal: JournalEntry[];
  /** Base URL (`http://127.0.0.1:port`); throws before `start`. */
  readonly url: string;
  start(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  reset(): void;
  stats(): SimulatorStats;
  /** Shifts the simulator clock (eventual consistency, token expiry) by `ms`. */
  advanceClock(ms: number): void;
}

/** Counters a benchmark or test compares against limits. */
export interface SimulatorStats {
  requests: number;
  byOperation: Record<string, number>;
  /** Highest number of requests of one account in one wall-clock second. */
  peakPerSecond: Record<string, number>;
  /** Highest number of requests of one account in flight at once. */
  peakConcurrency: Record<string, number>;
}

/**
 * Creates a simulator from its definition.
 *
 * @example
 * const sim = createSimulator(jasperDefinition, { seed: 7 });
 * const url = await sim.start(0);
 */
export function createSimulator<S>(
  def: SimulatorDefinition<S>,
  options: { seed?: number } = {},
): Simulator<S> {
  const seed = options.seed ?? 1;
  let random = createPrng(seed);
  let state = def.createState();
  const faults = createFaultController();
  const journal: JournalEntry[] = [];
  let clockOffset = 0;
  let server: Server | undefined;
  let baseUrl: string | undefined;
  const compiled = [
    ...def.routes,
    ...(def.adminRoutes ?? []).map((r) => ({ ...r, admin: true })),
  ].map((route) => ({ route, ...compile(route.path) }));
  const counters = newCounters();
  const buckets = new Map<string, { tokens: number; at: number }>();

  const ctxFor = (account: string | undefined): SimContext<S> => ({
    state,
    account,
    now: Date.now() + clockOffset,
    random,
  });

  const overLimit = (account: string): boolean => {
    const rate = def.accountRatePerSecond;
    if (rate === undefined) return false;
    const now = Date.now();
    const bucket = buckets.get(account) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    buckets.set(account, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  };

  const handle = async (
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    rawBody: string,
    res: ServerResponse,
  ) => {
    const url = new URL(rawUrl, 'http://sim');
    const req: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      rawBody,
      body: parseBody(rawBody, headers['content-type']),
      params: {},
    };
    if (url.pathname.startsWith('/__admin/') && (await handleAdmin(req, res))) return;

    const found = findRoute(compiled, method, url.pathname);
    if (found === undefined) {
      send(res, { status: 404, json: { error: `no route ${method} ${url.pathname}` } });
      return;
    }
    req.params = found.params;
    const route = found.route;
    if ('admin' in route && route.admin === true) {
      // Admin routes control the simulator: no auth, faults, journal or stats.
      send(res, await route.handle(req, ctxFor(undefined)));
      return;
    }
    let account: string | undefined;
    const entry: JournalEntry = {
      at: Date.now(),
      operation: route.operation,
      account,
      method,
      path: url.pathname,
      query: url.search,
      headers,
      body: req.body,
      rawBody,
      outcome: 0,
    };
    journal.push(entry);

    if (!route.public) {
      const auth = def.authenticate(req, ctxFor(undefined));
      if ('status' in auth) {
        entry.outcome = auth.status;
        send(res, auth);
        return;
      }
      account = auth.account;
      entry.account = account;
    }
    const key = account ?? 'public';
    counters.track(key, route.operation);
    try {
      const decision = faults.decide(
        { operation: route.operation, account, path: url.pathname, body: req.rawBody },
        random.next,
      );
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      const effect = decision.effect;
      const applyWrite = async () => route.handle(req, ctxFor(account));

      if (effect?.kind === 'throttle' || (account !== undefined && overLimit(account))) {
        const response = def.throttled(
          effect?.kind === 'throttle' ? (effect.retryAfterSeconds ?? 1) : 1,
        );
        entry.outcome = response.status;
        send(res, response);
        return;
      }
      if (effect?.kind === 'error') {
        const response = def.serverError(effect.status ?? 503);
        entry.outcome = response.status;
        send(res, response);
        return;
      }
      if (effect?.kind === 'hang' || effect?.kind === 'reset') {
        if (effect.applyWrite) await applyWrite();
        if (effect.kind === 'reset') {
          entry.outcome = 'reset';
          res.socket?.destroy();
        } else {
          entry.outcome = 'hang';
        }
        return;
      }
      if (effect?.kind === 'respond') {
        if (effect.applyWrite) await applyWrite();
        entry.outcome = effect.status;
        send(res, { status: effect.status, json: effect.json, text: effect.text });
        return;
      }
      const response = await applyWrite();
      entry.outcome = response.status;
      if (effect?.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"truncated": ');
        return;
      }
      send(res, response);
    } finally {
      counters.done(key);
    }
  };

  const handleAdmin = async (req: SimRequest, res: ServerResponse): Promise<boolean> => {
    const p = req.path.slice('/__admin'.length);
    if (p === '/journal' && req.method === 'GET') return send(res, { status: 200, json: journal });
    if (p === '/journal' && req.method === 'DELETE') {
      journal.length = 0;
      return send(res, { status: 204 });
    }
    if (p === '/faults' && req.method === 'GET')
      return send(res, { status: 200, json: faults.list() });
    if (p === '/faults' && req.method === 'POST') {
      const parsed = faultRuleSchema.safeParse(req.body);
      if (!parsed.success) return send(res, { status: 400, json: { error: parsed.error.message } });
      return send(res, { status: 201, json: { id: faults.add(parsed.data) } });
    }
    if (p === '/faults' && req.method === 'DELETE') {
      faults.clear();
      return send(res, { status: 204 });
    }
    if (p.startsWith('/faults/') && req.method === 'DELETE') {
      return send(res, { status: faults.remove(p.slice('/faults/'.length)) ? 204 : 404 });
    }
    if (p === '/stats' && req.method === 'GET')
      return send(res, { status: 200, json: counters.snapshot() });
    if (p === '/reset' && req.method === 'POST') {
      sim.reset();
      return send(res, { status: 204 });
    }
    return false;
  };

  const sim: Simulator<S> = {
    name: def.name,
    get state() {
      return state;
    },
    faults,
    journal,
    get url() {
      if (baseUrl === undefined) throw new Error(`${def.name} simulator is not started`);
      return baseUrl;
    },
    start(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const srv = createServer((request, response) => {
          const chunks: Buffer[] = [];
          request.on('data', (c: Buffer) => chunks.push(c));
          request.on('end', () => {
            handle(
              request.method ?? 'GET',
              request.url ?? '/',
              request.headers,
              Buffer.concat(chunks).toString('utf8'),
              response,
            ).catch((error: unknown) => {
              if (!response.headersSent) send(response, def.serverError(500));
              else response.destroy(error instanceof Error ? error : undefined);
            });
          });
        });
        // Vendors keep idle connections open far longer than Node's 5 s default. With 5 s, a
        // client reusing a connection idle for ~4–5 s can write a request onto a socket the
        // server is closing: the request never arrives and the client sees a reset it must
        // treat as ambiguous (a non-idempotent create is then looked up instead of sent).
        srv.keepAliveTimeout = 65_000;
        srv.headersTimeout = 66_000;
        srv.once('error', reject);
        srv.listen(port, host, () => {
          server = srv;
          const address = srv.address() as AddressInfo;
          baseUrl = `http://${host}:${address.port}`;
          resolve(baseUrl);
        });
      });
    },
    async close() {
      const srv = server;
      server = undefined;
      if (srv === undefined) return;
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
    reset() {
      state = def.createState();
      faults.clear();
      journal.length = 0;
      random = createPrng(seed);
      clockOffset = 0;
      buckets.clear();
      counters.clear();
    },
    stats: () => counters.snapshot(),
    advanceClock(ms) {
      clockOffset += ms;
    },
  };
  return sim;
}
