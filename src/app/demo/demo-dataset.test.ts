import { describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../domain/identifiers/luhn.ts';
import { SUPPORTED_INTEGRATIONS } from '../../domain/integrations.ts';
import { buildDemoDataset } from './demo-dataset.ts';

const squash = (label: string) => label.replace(/\s+/g, '').toLowerCase();

describe('buildDemoDataset', () => {
  const dataset = buildDemoDataset();

  it('is deterministic', () => {
    expect(buildDemoDataset()).toEqual(dataset);
    expect(buildDemoDataset({ seed: 1 })).not.toEqual(dataset);
  });

  it('has one carrier account per supported integration and ≈ 3,000 devices', () => {
    expect(dataset.serviceProviders.map((p) => p.integration)).toEqual([...SUPPORTED_INTEGRATIONS]);
    expect(dataset.devices).toHaveLength(3_000);
    expect(buildDemoDataset({ devicesPerProvider: 3 }).devices).toHaveLength(18);
  });

  it('gives every device valid, unique identifiers', () => {
    const iccids = dataset.devices.map((d) => d.iccid);
    expect(new Set(iccids).size).toBe(iccids.length);
    for (const d of dataset.devices) {
      expect(/^89\d{17,18}$/.test(d.iccid) && isLuhnValid(d.iccid)).toBe(true);
      if (d.imei !== null) expect(/^\d{15}$/.test(d.imei) && isLuhnValid(d.imei)).toBe(true);
      if (d.msisdn !== null) expect(d.msisdn).toMatch(/^1[2-9]\d{9}$/);
      if (d.eid !== null) expect(BigInt(d.eid) % 97n).toBe(1n);
    }
    const telegence = dataset.devices.filter((d) => d.providerKey === 'telegence');
    expect(telegence.every((d) => d.msisdn !== null && d.iccid.length === 20)).toBe(true);
  });

  it('makes "cheapest plan covering the usage" meaningful', () => {
    const plans = dataset.carrierRatePlans.filter((p) => p.providerKey === 'jasper');
    expect(plans.length).toBeGreaterThanOrEqual(5);
    const rates = plans.map((p) => p.baseRate);
    expect([...rates].sort((a, b) => a - b)).toEqual(rates);
    const used = dataset.devices.filter((d) => d.providerKey === 'jasper' && d.dataUsageMb > 100);
    expect(used.length).toBeGreaterThan(10);
  });

  it('covers the Rev.io cases the original distinguishes', () => {
    const servicesByIccid = new Map<string, number>();
    for (const s of dataset.revServices)
      servicesByIccid.set(s.iccid, (servicesByIccid.get(s.iccid) ?? 0) + 1);
    const withoutService = dataset.devices.filter((d) => !servicesByIccid.has(d.iccid));
    const withTwo = dataset.devices.filter((d) => servicesByIccid.get(d.iccid) === 2);
    expect(withoutService.length).toBeGreaterThan(100);
    expect(withoutService.length).toBeLessThan(dataset.devices.length / 3);
    expect(withTwo.length).toBeGreaterThan(10);
    for (const d of withTwo) {
      const pair = dataset.revServices.filter((s) => s.iccid === d.iccid);
      expect(pair.filter((s) => s.disconnectedAt !== null)).toHaveLength(1);
    }

    const labelSets = dataset.revServices.map((s) => s.fields.map((f) => squash(f.label)));
    const has = (labels: string[], label: string) => labels.includes(label);
    expect(
      labelSets.some(
        (l) => has(l, 'costcenter1') && has(l, 'costcenter2') && has(l, 'costcenter3'),
      ),
    ).toBe(true);
    expect(labelSets.some((l) => has(l, 'costcenter') && !has(l, 'costcenter1'))).toBe(true);
    expect(labelSets.some((l) => l.length > 0 && !has(l, 'username'))).toBe(true);
    expect(labelSets.some((l) => l.length === 0)).toBe(true);
    const labels = new Set(dataset.revServices.flatMap((s) => s.fields.map((f) => f.label)));
    expect(labels.has('Cost Center 1') && labels.has('CostCenter1') && labels.has('username')).toBe(
      true,
    );
    expect(labelSets.filter((l) => has(l, 'username')).length / labelSets.length).toBeGreaterThan(
      0.6,
    );
  });
});
