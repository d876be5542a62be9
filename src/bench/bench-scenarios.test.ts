import { describe, expect, it } from 'vitest';
import { buildBenchDataset } from './bench-dataset.ts';
import { BENCH_SCENARIO_NAMES, ceilingPerSecond, resolveScenario } from './bench-scenarios.ts';

describe('bench scenarios', () => {
  it('pod19-username: ceiling C/(k·L) = 10 / (5 × 50 ms) = 40/s (POD19 read, PUT, audit; Rev.io GET, PATCH), limits set above it', () => {
    const s = resolveScenario('pod19-username');
    expect(s).toMatchObject({ devices: 2000, concurrency: 10, latencyMs: 50, workers: 1 });
    expect(ceilingPerSecond(s)).toBeCloseTo(40, 9);
    expect(s.jasperLimits.maxConcurrent).toBeGreaterThanOrEqual(s.concurrency);
  });

  it('original-design: one at a time, ceiling 1/(k·L) = 4/s', () => {
    const s = resolveScenario('original-design');
    expect(s.concurrency).toBe(1);
    expect(ceilingPerSecond(s)).toBeCloseTo(4, 9);
  });

  it('shared-rate-limit: the account limit binds (50 calls/s, 3 Jasper calls per change → 16.7/s)', () => {
    const s = resolveScenario('shared-rate-limit');
    expect(s).toMatchObject({ workers: 4, messages: 4, rateLimited: true });
    expect(s.jasperLimits.ratePerSecond).toBe(50);
    expect(ceilingPerSecond(s)).toBeCloseTo(50 / 3, 9);
  });

  it('a lower in-flight cap of an account binds: maxConcurrent / (calls × L)', () => {
    const s = resolveScenario('pod19-username');
    expect(
      ceilingPerSecond({ ...s, jasperLimits: { ratePerSecond: 1000, maxConcurrent: 1 } }),
    ).toBeCloseTo(1 / (3 * 0.05), 9);
  });

  it('engine overhead: nothing bounds it (no ceiling), targets are absolute rates', () => {
    expect(ceilingPerSecond(resolveScenario('engine-overhead-pglite'))).toBeUndefined();
    expect(resolveScenario('engine-overhead-pglite').target).toEqual({
      kind: 'perSecond',
      value: 300,
    });
    expect(resolveScenario('engine-overhead-postgres').target).toEqual({
      kind: 'perSecond',
      value: 1000,
    });
    expect(resolveScenario('scale-100k')).toMatchObject({ devices: 100_000, rssTargetMb: 300 });
  });

  it('flags override the defaults; --quick makes every scenario small', () => {
    const s = resolveScenario('pod19-username', { devices: 1000, latencyMs: 0, concurrency: 1 });
    expect(s).toMatchObject({ devices: 1000, latencyMs: 0, concurrency: 1 });
    for (const name of BENCH_SCENARIO_NAMES) {
      expect(resolveScenario(name, { quick: true }).devices).toBeLessThanOrEqual(5000);
    }
  });
});

describe('bench dataset', () => {
  it('gives every device an active Rev.io service with Username and Cost Center 1, deterministically', () => {
    const a = buildBenchDataset({ devices: { pod19: 5, telegence: 3 }, baseUrls: {} });
    const b = buildBenchDataset({ devices: { pod19: 5, telegence: 3 }, baseUrls: {} });
    expect(a.devices).toEqual(b.devices);
    expect(a.devices).toHaveLength(8);
    expect(new Set(a.devices.map((d) => d.iccid)).size).toBe(8);
    for (const device of a.devices) {
      const services = a.revServices.filter((s) => s.iccid === device.iccid);
      expect(services).toHaveLength(1);
      expect(services[0]?.disconnectedAt).toBeNull();
      expect(services[0]?.fields.map((f) => f.label)).toEqual(['Username', 'Cost Center 1']);
    }
    expect(
      a.devices.filter((d) => d.providerKey === 'pod19').every((d) => d.status === 'ACTIVATED'),
    ).toBe(true);
  });

  it('refuses an unknown account', () => {
    expect(() => buildBenchDataset({ devices: { nope: 1 }, baseUrls: {} })).toThrow(
      /no demo carrier account nope/,
    );
  });
});
