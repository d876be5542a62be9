import { describe, expect, it } from 'vitest';
import { buildActivationRecord } from './telegence-gateway.ts';

const template = {
  relatedParty: [
    {
      role: 'subscriber',
      firstName: 'Ada',
      lastName: 'Lovelace',
      address: {
        streetNumber: '1',
        streetName: 'Main',
        city: 'Dallas',
        state: 'TX',
        zipCode: '75201',
      },
    },
  ],
  service: {
    name: 'IoT line',
    serviceSpecification: { id: '12', href: 'Mobility Services' },
    serviceQualification: { id: 'q-1' },
    serviceCharacteristic: [
      { name: 'singleUserCode', value: 'IOTDATA5MB' },
      { name: 'sim', value: '0000' },
      { name: 'removeOfferingCode', value: 'SOC1' },
    ],
  },
};

describe('buildActivationRecord', () => {
  it("sets the device's SIM in place, appends its IMEI, strips removeOfferingCode, defaults the BAN", () => {
    const built = buildActivationRecord(
      template,
      { iccid: '89014100000000000017', imei: '353325000000016' },
      '287304581234',
    );
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const record = built.record as typeof template & { billingAccount: { id: string } };
    expect(record.billingAccount).toEqual({ id: '287304581234' });
    expect(record.service.serviceCharacteristic).toEqual([
      { name: 'singleUserCode', value: 'IOTDATA5MB' },
      { name: 'sim', value: '89014100000000000017' },
      { name: 'IMEI', value: '353325000000016' },
    ]);
    expect(template.service.serviceCharacteristic[1]?.value).toBe('0000');
  });

  it('keeps a billing account given in the template', () => {
    const built = buildActivationRecord(
      { ...template, billingAccount: { id: '111' } },
      { iccid: '89014100000000000017' },
      '287304581234',
    );
    expect(built.ok && (built.record.billingAccount as { id: string }).id).toBe('111');
  });

  it('names what is wrong: not a record, a missing field, a bad ICCID or IMEI', () => {
    expect(buildActivationRecord(undefined, { iccid: '89014100000000000017' }, 'B')).toMatchObject({
      ok: false,
      error: expect.stringContaining('Request must be a Telegence activation record'),
    });
    const { relatedParty: _omit, ...noParty } = template;
    expect(buildActivationRecord(noParty, { iccid: '89014100000000000017' }, 'B')).toMatchObject({
      ok: false,
      error: expect.stringContaining('Request.relatedParty'),
    });
    expect(buildActivationRecord(template, { iccid: '123' }, 'B')).toMatchObject({
      ok: false,
      error: 'ICCID 123 is not a 19-20 digit SIM number',
    });
    expect(
      buildActivationRecord(
        template,
        { iccid: '89014100000000000017', imei: '3533250000000161' },
        'B',
      ),
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining('IMEI 3533250000000161 must have 15 digits'),
    });
  });
});
