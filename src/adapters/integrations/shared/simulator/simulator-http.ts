/**
 * Plumbing of the simulator server: response writing, body parsing, route patterns and the
 * per-account request counters behind `stats()`.
 */
import type { ServerResponse } from 'node:http';
import type { SimResponse, SimulatorStats } from './simulator-server.ts';

/** Writes a simulator response (no-op when the socket is gone). */
export function send(res: ServerResponse, response: SimResponse): true {
  if (res.headersSent || res.destroyed) return true;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let body: string | undefined;
  if (response.json !== undefined) {
    body = JSON.stringify(response.json);
    headers['content-type'] ??= 'application/json';
  } else if (response.text !== undefined) {
    body = response.text;
    headers['content-type'] ??= 'text/plain';
  }
  res.writeHead(response.status, headers);
  res.end(body);
  return true;
}

/** JSON body, form fields for url-encoded bodies, else undefined. */
export function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Compiles a `/a/:b` pattern into a regex and its parameter names. */
export function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), names };
}

/** First route matching method and path, with its parameters. */
export function findRoute<R extends { method: string }>(
  routes: Array<{ route: R; regex: RegExp; names: string[] }>,
  method: string,
  path: string,
): { route: R; params: Record<string, string> } | undefined {
  for (const entry of routes) {
    if (entry.route.method !== method) continue;
    const match = entry.regex.exec(path);
    if (match === null) continue;
    const params: Record<string, string> = {};
    entry.names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route: entry.route, params };
  }
  return undefined;
}

/** Request counters: totals, per operation, peak per second and peak concurrency per account. */
export function newCounters() {
  let requests = 0;
  let byOperation: Record<string, number> = {};
  let peakPerSecond: Record<string, number> = {};
  let peakConcurrency: Record<string, number> = {};
  const inFlight = new Map<string, number>();
  const perSecond = new Map<string, { second: number; count: number }>();
  return {
    track(account: string, operation: string) {
      requests += 1;
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
      const second = Math.floor(Date.now() / 1000);
      const slot = perSecond.get(account);
      const count = slot?.second === second ? slot.count + 1 : 1;
      perSecond.set(account, { second, count });
      peakPerSecond[account] = Math.max(peakPerSecond[account] ?? 0, count);
      const now = (inFlight.get(account) ?? 0) + 1;
      inFlight.set(account, now);
      peakConcurrency[account] = Math.max(peakConcurrency[account] ?? 0, now);
    },
    done(account: string) {
      inFlight.set(account, Math.max(0, (inFlight.get(account) ?? 1) - 1));
    },
    clear() {
      requests = 0;
      byOperation = {};
      peakPerSecond = {};
      peakConcurrency = {};
      inFlight.clear();
      perSecond.clear();
    },
    snapshot(): SimulatorStats {
      return {
        requests,
        byOperation: { ...byOperation },
        peakPerSecond: { ...peakPerSecond },
        peakConcurrency: { ...peakConcurrency },
      };
    },
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
