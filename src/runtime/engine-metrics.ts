/**
 * Prometheus metrics of the engine and the carrier calls, registered on the service registry:
 *
 * - `dbc_device_changes_total{change_type,integration,outcome}` — device change results
 *   (succeeded, failed, retry, parked, released);
 * - `dbc_device_change_duration_seconds{change_type,integration}` — handler time per device;
 * - `dbc_carrier_call_duration_seconds{api,operation,outcome}` — carrier and billing calls as
 *   the handler sees them (client retries included), outcome `ok` or the error code;
 * - `dbc_rate_limiter_wait_seconds{account}` — time spent waiting for the account's limiter;
 * - `dbc_circuit_open{account}` — 1 while the account's circuit breaker is open;
 * - `dbc_queue_messages{state}` — queue depth from the queue adapter's health probe.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ChangeHandler } from '../app/engine/change-handler.ts';
import type { HealthProbe } from '../app/health.ts';
import type { DeviceResult } from '../app/ports/engine-store.ts';

/** Hooks the runtime calls; all optional for callers that do not collect metrics. */
export interface EngineMetrics {
  onDeviceResult(event: {
    handler: ChangeHandler;
    integration: string;
    result: DeviceResult;
    ms: number;
  }): void;
  observeCarrierCall(api: string, operation: string, outcome: string, ms: number): void;
  observeLimiterWait(account: string, ms: number): void;
  /** Reports `state()` of an account's breaker on every scrape. */
  watchBreaker(account: string, state: () => string): void;
  /** Reports queue depth from `probe` on every scrape. */
  watchQueue(probe: HealthProbe): void;
}

/**
 * Registers the metrics on `registry`.
 *
 * @example
 * const metrics = createEngineMetrics(serviceMetrics.registry);
 */
export function createEngineMetrics(registry: Registry): EngineMetrics {
  const results = new Counter({
    name: 'dbc_device_changes_total',
    help: 'Device change results by change type, integration and outcome.',
    labelNames: ['change_type', 'integration', 'outcome'],
    registers: [registry],
  });
  const handlerTime = new Histogram({
    name: 'dbc_device_change_duration_seconds',
    help: 'Handler time per device change attempt.',
    labelNames: ['change_type', 'integration'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const carrier = new Histogram({
    name: 'dbc_carrier_call_duration_seconds',
    help: 'Carrier and billing calls (client retries included) by API, operation and outcome.',
    labelNames: ['api', 'operation', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
    registers: [registry],
  });
  const limiterWait = new Histogram({
    name: 'dbc_rate_limiter_wait_seconds',
    help: 'Time spent waiting for a carrier account rate limiter.',
    labelNames: ['account'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const breakers = new Map<string, () => string>();
  new Gauge({
    name: 'dbc_circuit_open',
    help: '1 while the circuit breaker of a carrier account is open.',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      for (const [account, state] of breakers) this.set({ account }, state() === 'open' ? 1 : 0);
    },
  });
  const queues: HealthProbe[] = [];
  new Gauge({
    name: 'dbc_queue_messages',
    help: 'Bulk-change queue depth by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      for (const probe of queues) {
        const details = await probe.check(AbortSignal.timeout(2000)).catch(() => undefined);
        if (details === undefined) continue;
        for (const state of [
          'queued',
          'active',
          'deferred',
          'deadLettered',
          'inFlight',
          'delayed',
        ]) {
          const value = details[state];
          if (typeof value === 'number') this.set({ state }, value);
        }
      }
    },
  });

  return {
    onDeviceResult({ handler, integration, result, ms }) {
      results.inc({ change_type: handler.changeType, integration, outcome: result.kind });
      handlerTime.observe({ change_type: handler.changeType, integration }, ms / 1000);
    },
    observeCarrierCall(api, operation, outcome, ms) {
      carrier.observe({ api, operation, outcome }, ms / 1000);
    },
    observeLimiterWait(account, ms) {
      limiterWait.observe({ account }, ms / 1000);
    },
    watchBreaker(account, state) {
      breakers.set(account, state);
    },
    watchQueue(probe) {
      queues.push(probe);
    },
  };
}
