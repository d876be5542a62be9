import { describe, expect, it } from 'vitest';
import { createHealthCheck } from './health.ts';

describe('createHealthCheck', () => {
  it('is ok when every probe is ok and keeps their details', async () => {
    const health = createHealthCheck({
      version: '1.2.3',
      mode: 'local',
      probes: [
        { name: 'database', check: async () => ({ kind: 'pglite' }) },
        { name: 'queue', check: async () => ({ queued: 0 }) },
      ],
    });
    const report = await health.check();
    expect(report.status).toBe('ok');
    expect(report.components.database).toEqual({ status: 'ok', kind: 'pglite' });
    expect(report.components.queue).toEqual({ status: 'ok', queued: 0 });
  });

  it('reports the failing component with its error', async () => {
    const health = createHealthCheck({
      version: '1',
      mode: 'server',
      probes: [
        { name: 'database', check: async () => Promise.reject(new Error('connection refused')) },
        { name: 'queue', check: async () => ({}) },
      ],
    });
    const report = await health.check();
    expect(report.status).toBe('error');
    expect(report.components.database).toEqual({ status: 'error', error: 'connection refused' });
    expect(report.components.queue?.status).toBe('ok');
  });

  it('turns a hung probe into an error after the timeout and aborts it', async () => {
    let aborted = false;
    const health = createHealthCheck({
      version: '1',
      mode: 'local',
      timeoutMs: 50,
      probes: [
        {
          name: 'database',
          check: (signal) =>
            new Promise(() => {
              signal.addEventListener('abort', () => {
                aborted = true;
              });
            }),
        },
      ],
    });
    const report = await health.check();
    expect(report.components.database).toEqual({
      status: 'error',
      error: 'no answer within 50 ms',
    });
    expect(aborted).toBe(true);
  });
});
