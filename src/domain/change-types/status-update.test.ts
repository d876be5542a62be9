import { describe, expect, it } from 'vitest';
import { makeIccid } from '../identifiers/iccid.ts';
import { validateChangeRequest } from './registry.ts';

const validate = (input: unknown) => validateChangeRequest('StatusUpdate', input);
const ICCID = makeIccid('8901410321111851072');

function issuesOf(input: unknown) {
  const result = validate(input);
  return result.ok ? [] : result.issues;
}

describe('StatusUpdate request', () => {
  it('needs only UpdateStatus and defaults IsIgnoreCurrentStatus to false', () => {
    expect(validate({ UpdateStatus: ' Active ' })).toEqual({
      ok: true,
      value: { UpdateStatus: 'Active', IsIgnoreCurrentStatus: false },
    });
  });

  it('reports a missing or blank UpdateStatus', () => {
    expect(issuesOf({})).toEqual([{ field: 'UpdateStatus', message: 'UpdateStatus is required' }]);
    expect(issuesOf({ UpdateStatus: '  ' })).toEqual([
      { field: 'UpdateStatus', message: 'UpdateStatus must not be blank' },
    ]);
  });

  it('reads booleans and ids given as text (CSV cells)', () => {
    const result = validate({
      UpdateStatus: 'Suspend',
      IsIgnoreCurrentStatus: 'Yes',
      PostUpdateStatusId: '15',
    });
    expect(result.ok && result.value).toMatchObject({
      IsIgnoreCurrentStatus: true,
      PostUpdateStatusId: 15,
    });
  });

  it('rejects a flag that is not a boolean and an id that is not positive', () => {
    const fields = issuesOf({
      UpdateStatus: 'x',
      IsIgnoreCurrentStatus: 'maybe',
      PostUpdateStatusId: 0,
    }).map((i) => i.field);
    expect(fields.sort()).toEqual(['IsIgnoreCurrentStatus', 'PostUpdateStatusId']);
  });

  it('validates and normalises a ThingSpace request', () => {
    const result = validate({
      UpdateStatus: 'active',
      Request: {
        ICCID: `${ICCID.slice(0, 10)} ${ICCID.slice(10)}`,
        RatePlanCode: 'M2M-5GB',
        MdnZipCode: '30301',
        thingSpacePPU: {
          FirstName: 'Ada',
          LastName: 'Lovelace',
          AddressLine: '1 Main St',
          City: 'Atlanta',
          State: 'GA',
          ZipCode: '30301-1234',
          Country: 'USA',
        },
      },
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.Request?.ICCID).toBe(ICCID);
      expect(result.value.Request?.thingSpacePPU).toMatchObject({ City: 'Atlanta' });
    }
  });

  it('names the ThingSpace field at fault, including unknown ones', () => {
    const issues = issuesOf({
      UpdateStatus: 'active',
      Request: { MdnZipCode: '3030', IMEI: '49015420323751', Colour: 'red' },
    });
    expect(issues.map((i) => i.field).sort()).toEqual([
      'Request.Colour',
      'Request.IMEI',
      'Request.MdnZipCode',
    ]);
    expect(issues.find((i) => i.field === 'Request.IMEI')?.message).toContain('has 14 digits');
  });

  it('requires the whole Primary Place of Use address when one is given', () => {
    const issues = issuesOf({
      UpdateStatus: 'active',
      Request: { thingSpacePPU: { FirstName: 'A' } },
    });
    expect(issues.map((i) => i.field)).toContain('Request.thingSpacePPU.LastName');
    expect(issues.map((i) => i.field)).toContain('Request.thingSpacePPU.ZipCode');
  });

  it('keeps another carrier request (Jasper, Telegence) as given', () => {
    const request = { mode: 'S', reasonCode: 'CR', effectiveDate: '' };
    const result = validate({ UpdateStatus: 'Suspend', Request: request });
    expect(result.ok && result.value.Request).toEqual(request);
  });

  it('validates a nested Rev.io service and names the nested field', () => {
    const issues = issuesOf({
      UpdateStatus: 'Active',
      RevService: { RevCustomerId: '42', CreateRevService: true },
    });
    expect(issues).toEqual([
      {
        field: 'RevService.ServiceTypeId',
        message: 'RevService.ServiceTypeId is required when CreateRevService is true',
      },
    ]);
  });
});
