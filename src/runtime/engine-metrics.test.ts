import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ChangeHandler } from '../app/engine/change-handler.ts';
import { createEngineMetrics } from './engine-metrics.ts';

describe('createEngineMetrics', () => {
  it('exposes device results, carrier calls, limiter waits, breaker state and queue depth', async () => {
    const registry = new Registry();
    const metrics = createEngineMetrics(registry);
    const handler = { changeType: 'CarrierRatePlanChange' } as ChangeHandler;
    metrics.onDeviceResult({
      handler,
      integration: 'POD19',
      result: { kind: 'succeeded', details: 'ok' },
      ms: 40,
    });
    metrics.onDeviceResult({
      handler,
      integration: 'POD19',
      result: { kind: 'failed', details: 'x', error: 'x' },
      ms: 10,
    });
    metrics.observeCarrierCall('jasper', 'editDevice', 'INTEGRATION_TIMEOUT', 1500);
    metrics.observeLimiterWait('jasper:7', 250);
    let state = 'open';
    metrics.watchBreaker('jasper:7', () => state);
    metrics.watchQueue({ name: 'queue', check: async () => ({ queued: 3, active: 1 }) });

    const text = await registry.metrics();
    expect(text).toContain(
      'dbc_device_changes_total{change_type="CarrierRatePlanChange",integration="POD19",outcome="succeeded"} 1',
    );
    expect(text).toContain(
      'dbc_device_changes_total{change_type="CarrierRatePlanChange",integration="POD19",outcome="failed"} 1',
    );
    expect(text).toContain(
      'dbc_carrier_call_duration_seconds_count{api="jasper",operation="editDevice",outcome="INTEGRATION_TIMEOUT"} 1',
    );
    expect(text).toContain('dbc_rate_limiter_wait_seconds_sum{account="jasper:7"} 0.25');
    expect(text).toContain('dbc_circuit_open{account="jasper:7"} 1');
    expect(text).toContain('dbc_queue_messages{state="queued"} 3');
    state = 'closed';
    expect(await registry.metrics()).toContain('dbc_circuit_open{account="jasper:7"} 0');
  });
});
