import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../adapters/logging/create-logger.ts';
import { createHealthCheck, type HealthProbe } from '../app/health.ts';
import { buildServer } from './build-server.ts';
import { createServiceMetrics } from './metrics.ts';

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, done) => done() }),
});

function serverWith(probes: HealthProbe[]) {
  const health = createHealthCheck({ probes, version: '9.9.9', mode: 'local' });
  return buildServer({
    logger: silent,
    health,
    metrics: createServiceMetrics({ version: '9.9.9', mode: 'local' }),
  });
}

describe('buildServer', () => {
  it('answers /health 200 when components are ok', async () => {
    const app = serverWith([{ name: 'database', check: async () => ({ kind: 'pglite' }) }]);
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      version: '9.9.9',
      components: { database: { status: 'ok' } },
    });
    await app.close();
  });

  it('answers /health 503 when a component fails', async () => {
    const app = serverWith([
      { name: 'database', check: async () => Promise.reject(new Error('down')) },
    ]);
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().components.database).toEqual({ status: 'error', error: 'down' });
    await app.close();
  });

  it('serves Prometheus metrics including the request histogram', async () => {
    const app = serverWith([]);
    await app.inject({ method: 'GET', url: '/health' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toContain('dbc_build_info{version="9.9.9",mode="local"} 1');
    expect(res.body).toMatch(
      /dbc_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1/,
    );
    expect(res.body).toContain('dbc_process_cpu_user_seconds_total');
    await app.close();
  });
});
