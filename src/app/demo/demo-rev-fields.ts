/**
 * Rev.io custom fields of the demo services. The variants exercise the original's field rules
 * (labels compared without whitespace and case-insensitively; "Cost Center 1" falls back to a
 * single "Cost Center"; a missing field is skipped).
 */
import type { Prng } from './demo-random.ts';

/** One Rev.io custom field of a service (`fields[]` of GET /v1/Services/{id}). */
export interface DemoRevField {
  id: number;
  label: string;
  value: string;
}

/** The device values mirrored in the fields. */
export interface RevFieldSource {
  username: string | null;
  costCenter1: string | null;
  costCenter2: string | null;
  costCenter3: string | null;
}

/** Field definition ids (stable per meaning, whatever the label spelling). */
const FIELD_IDS = {
  username: 901,
  costCenter1: 902,
  costCenter2: 903,
  costCenter3: 904,
  costCenter: 905,
  department: 906,
  poNumber: 907,
} as const;

/** Builds the custom fields of one service. */
export function buildRevFields(source: RevFieldSource, prng: Prng): DemoRevField[] {
  const username = { id: FIELD_IDS.username, value: source.username ?? '' };
  const cc1 = { id: FIELD_IDS.costCenter1, value: source.costCenter1 ?? '' };
  const cc2 = { id: FIELD_IDS.costCenter2, value: source.costCenter2 ?? '' };
  const cc3 = { id: FIELD_IDS.costCenter3, value: source.costCenter3 ?? '' };
  const variant = prng.weighted({ full: 45, single: 25, oddLabels: 10, noUsername: 10, none: 10 });
  let fields: DemoRevField[];
  switch (variant) {
    case 'full':
      fields = [
        { ...username, label: 'Username' },
        { ...cc1, label: 'Cost Center 1' },
        { ...cc2, label: 'Cost Center 2' },
        { ...cc3, label: 'Cost Center 3' },
      ];
      break;
    case 'single':
      fields = [
        { ...username, label: 'Username' },
        { id: FIELD_IDS.costCenter, value: source.costCenter1 ?? '', label: 'Cost Center' },
      ];
      break;
    case 'oddLabels':
      fields = [
        { ...username, label: 'username' },
        { ...cc1, label: 'CostCenter1' },
        { ...cc2, label: 'cost center 2' },
        { ...cc3, label: ' COST  CENTER 3 ' },
      ];
      break;
    case 'noUsername':
      fields = [
        { ...cc1, label: 'Cost Center 1' },
        { ...cc2, label: 'Cost Center 2' },
      ];
      break;
    case 'none':
      return [];
  }
  if (prng.chance(0.3)) {
    fields.unshift(
      {
        id: FIELD_IDS.department,
        label: 'Department',
        value: prng.pick(['Ops', 'Sales', 'Field']),
      },
      { id: FIELD_IDS.poNumber, label: 'PO Number', value: `PO-${prng.digits(6)}` },
    );
  }
  if (prng.chance(0.2)) fields.reverse();
  return fields;
}
