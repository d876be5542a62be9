import { describe, expect, it } from 'vitest';
import { buildDemoDataset } from '../../../app/demo/demo-dataset.ts';
import { buildCostCenterPatch, findFieldIndex, normalizeRevioLabel } from './revio-fields.ts';

const holder = (...labels: string[]) => ({ fields: labels.map((label) => ({ label })) });

describe('findFieldIndex', () => {
  it('matches labels ignoring all whitespace and case', () => {
    const service = holder('Department', ' COST  CENTER 3 ', 'user\tname', 'CostCenter1');

    expect(findFieldIndex(service, 'CostCenter3')).toBe(1);
    expect(findFieldIndex(service, 'Cost Center 3')).toBe(1);
    expect(findFieldIndex(service, 'USERNAME')).toBe(2);
    expect(findFieldIndex(service, 'cost center 1')).toBe(3);
    expect(findFieldIndex(service, 'Cost Center 2')).toBe(-1);
  });

  it('returns the first of two matching labels', () => {
    expect(findFieldIndex(holder('Cost Center', 'costcenter'), 'Cost Center')).toBe(0);
  });

  it('does not match a label that only shares a prefix', () => {
    expect(findFieldIndex(holder('Cost Center 10'), 'Cost Center 1')).toBe(-1);
    expect(normalizeRevioLabel(' a\u00a0B ')).toBe('ab');
  });
});

describe('buildCostCenterPatch', () => {
  it('maps every value of a fully configured service', () => {
    const service = holder('Username', 'Cost Center 1', 'Cost Center 2', 'Cost Center 3');

    const patch = buildCostCenterPatch(service, {
      CostCenter1: 'A',
      CostCenter2: 'B',
      CostCenter3: 'C',
      username: 'Truck 1',
      description: 'Truck 1',
    });

    expect(patch.ops).toEqual([
      { op: 'replace', path: '/description', value: 'Truck 1' },
      { op: 'replace', path: '/fields/0/value', value: 'Truck 1' },
      { op: 'replace', path: '/fields/1/value', value: 'A' },
      { op: 'replace', path: '/fields/2/value', value: 'B' },
      { op: 'replace', path: '/fields/3/value', value: 'C' },
    ]);
    expect(patch.unmapped).toEqual([]);
    expect(patch.mapped.map((m) => m.index)).toEqual([-1, 0, 1, 2, 3]);
  });

  it('falls back from "Cost Center 1" to a single "Cost Center" field, only for CostCenter1', () => {
    const patch = buildCostCenterPatch(holder('PO Number', 'Cost Center'), {
      CostCenter1: 'A',
      CostCenter2: 'B',
    });

    expect(patch.ops).toEqual([{ op: 'replace', path: '/fields/1/value', value: 'A' }]);
    expect(patch.mapped).toEqual([{ input: 'CostCenter1', target: 'Cost Center', index: 1 }]);
    expect(patch.unmapped).toEqual([
      {
        input: 'CostCenter2',
        value: 'B',
        reason:
          'the service has no "Cost Center 2" field (labels compared ignoring spaces and case)',
      },
    ]);
  });

  it('prefers "Cost Center 1" over "Cost Center" when both exist', () => {
    const patch = buildCostCenterPatch(holder('Cost Center', 'Cost Center 1'), {
      CostCenter1: 'A',
    });

    expect(patch.ops).toEqual([{ op: 'replace', path: '/fields/1/value', value: 'A' }]);
  });

  it('never sends blank values and does not report them', () => {
    const patch = buildCostCenterPatch(holder('Username', 'Cost Center 1'), {
      CostCenter1: '   ',
      CostCenter2: '',
      username: null,
      description: ' ',
    });

    expect(patch).toEqual({ ops: [], mapped: [], unmapped: [] });
  });

  it('reports every value when the service has no custom fields', () => {
    const patch = buildCostCenterPatch(holder(), {
      CostCenter1: 'A',
      CostCenter3: 'C',
      username: 'u',
      description: 'd',
    });

    expect(patch.ops).toEqual([{ op: 'replace', path: '/description', value: 'd' }]);
    expect(patch.unmapped.map((u) => [u.input, u.value])).toEqual([
      ['username', 'u'],
      ['CostCenter1', 'A'],
      ['CostCenter3', 'C'],
    ]);
    expect(patch.unmapped[1]?.reason).toContain('"Cost Center 1" or "Cost Center"');
  });

  it('targets the right field on every service of the demo dataset', () => {
    const dataset = buildDemoDataset({ devicesPerProvider: 40 });
    const wanted = {
      username: 'username',
      CostCenter1: 'costcenter1',
      CostCenter2: 'costcenter2',
      CostCenter3: 'costcenter3',
    };
    let unmapped = 0;

    for (const service of dataset.revServices) {
      const patch = buildCostCenterPatch(service, { ...wanted });
      for (const op of patch.ops) {
        const index = Number(/^\/fields\/(\d+)\/value$/.exec(op.path)?.[1]);
        const label = normalizeRevioLabel(service.fields[index]?.label ?? '');
        const expected = op.value === 'costcenter1' ? ['costcenter1', 'costcenter'] : [op.value];
        expect(expected).toContain(label);
      }
      expect(patch.ops.length + patch.unmapped.length).toBe(4);
      unmapped += patch.unmapped.length;
    }
    // The dataset has services without some fields: the report is exercised.
    expect(unmapped).toBeGreaterThan(0);
  });
});
