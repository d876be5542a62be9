import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { buildCostCenterPatch } from './revio-fields.ts';
import {
  apiCalls,
  createTestSimulator,
  expectedBasic,
  failure,
  OTHER_ACCOUNT,
  serviceWhere,
  testClient,
} from './revio-test-support.ts';

const sim = createTestSimulator();

beforeAll(async () => {
  await sim.start(0);
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

const full = serviceWhere((l) => l.includes('costcenter1') && l.includes('username'));
const single = serviceWhere((l) => l.includes('costcenter') && !l.includes('costcenter1'));
const ACTIVE_CUSTOMER = 100101;
const CLOSED_CUSTOMER = 100112;

describe('revio getService', () => {
  it('returns the seeded service with its fields in order and sends both credentials', async () => {
    const account = sim.controls.account;
    const service = await testClient(sim).getService(full.serviceId);

    expect(service).toMatchObject({
      serviceId: full.serviceId,
      customerId: Number(full.customerExternalId),
      number: full.msisdn ?? full.iccid,
      number2: full.iccid,
      description: full.description,
    });
    expect(service.fields).toEqual(
      full.fields.map((f) => ({ fieldId: f.id, label: f.label, value: f.value })),
    );
    const [call] = apiCalls(sim);
    expect(apiCalls(sim)).toHaveLength(1);
    expect(call).toMatchObject({
      method: 'GET',
      path: `/v1/Services/${full.serviceId}`,
      body: undefined,
    });
    expect(call?.headers.authorization).toBe(expectedBasic(account));
    expect(call?.headers['ocp-apim-subscription-key']).toBe(account.subscriptionKey);
    expect(call?.headers.accept).toBe('application/json');
  });

  it('fails with INTEGRATION_REJECTED when the body says ok: false, without retrying', async () => {
    sim.controls.setOkFlag(full.serviceId, false);

    const error = await failure(testClient(sim).getService(full.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.httpStatus).toBe(200);
    expect(error.message).toContain(`service ${full.serviceId}`);
    expect(error.message).toContain('ok=false');
    expect(apiCalls(sim)).toHaveLength(1);
  });

  it('fails with a 404 rejection for an unknown service and for a service of another tenant', async () => {
    const unknown = await failure(testClient(sim).getService(123));
    const other = testClient(sim, { credentials: { ...OTHER_ACCOUNT } });
    const foreign = await failure(other.getService(full.serviceId));

    for (const error of [unknown, foreign]) {
      expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
      expect(error.httpStatus).toBe(404);
      expect(error.vendorCode).toBe('NotFound');
      expect(error.retryable).toBe(false);
    }
    expect(unknown.deviceId).toBe('123');
    expect(apiCalls(sim)).toHaveLength(2);
  });

  it('retries a GET whose body is truncated and then succeeds', async () => {
    sim.faults.add({ operation: 'getService', times: 1, effect: { kind: 'malformed' } });

    const service = await testClient(sim).getService(full.serviceId);

    expect(service.serviceId).toBe(full.serviceId);
    expect(apiCalls(sim, 'getService')).toHaveLength(2);
  });

  it('fails with INTEGRATION_BAD_RESPONSE when a 200 body lacks the service', async () => {
    sim.faults.add({
      operation: 'getService',
      effect: { kind: 'respond', status: 200, json: { ok: true, fields: [] } },
    });

    const error = await failure(testClient(sim).getService(full.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_BAD_RESPONSE);
    expect(error.message).toContain('service_id');
    expect(apiCalls(sim)).toHaveLength(1);
  });
});

describe('revio patchService', () => {
  it('sends a JSON Patch document with the json-patch content type and the fields change', async () => {
    const service = await testClient(sim).getService(full.serviceId);
    const { ops, unmapped } = buildCostCenterPatch(service, {
      CostCenter1: 'FLEET-B',
      CostCenter3: 'CC-2040',
      username: 'Truck 7',
    });
    sim.journal.length = 0;

    const result = await testClient(sim).patchService(full.serviceId, ops);

    expect(unmapped).toEqual([]);
    expect(result).toEqual({ serviceId: full.serviceId, applied: 3 });
    const [call] = apiCalls(sim);
    expect(call).toMatchObject({
      method: 'PATCH',
      path: `/v1/Services/${full.serviceId}`,
      body: ops,
    });
    expect(call?.headers['content-type']).toBe('application/json-patch+json');
    expect(call?.headers.authorization).toBe(expectedBasic(sim.controls.account));
    expect(ops.every((op) => op.path.startsWith('/fields/'))).toBe(true);
    const after = sim.controls.service(full.serviceId);
    const value = (label: string) => after?.fields.find((f) => f.label === label)?.value;
    expect(value('Cost Center 1')).toBe('FLEET-B');
    expect(value('Cost Center 3')).toBe('CC-2040');
    expect(value('Username')).toBe('Truck 7');
  });

  it('writes CostCenter1 to a single "Cost Center" field and reports what had no field', async () => {
    const service = await testClient(sim).getService(single.serviceId);
    const patch = buildCostCenterPatch(service, { CostCenter1: 'OPS-12', CostCenter2: 'RETAIL-7' });

    await testClient(sim).patchService(single.serviceId, patch.ops);

    const after = sim.controls.service(single.serviceId);
    expect(after?.fields.find((f) => f.label === 'Cost Center')?.value).toBe('OPS-12');
    expect(patch.unmapped).toEqual([
      expect.objectContaining({ input: 'CostCenter2', value: 'RETAIL-7' }),
    ]);
  });

  it('updates the root description', async () => {
    await testClient(sim).patchService(full.serviceId, [
      { op: 'replace', path: '/description', value: 'Van 0042' },
    ]);

    expect(sim.controls.service(full.serviceId)?.description).toBe('Van 0042');
  });

  it('refuses an operation the original never sends, without calling', async () => {
    const ops = [{ op: 'replace', path: 'fields/0/value', value: 'x' }] as const;

    const error = await failure(testClient(sim).patchService(full.serviceId, ops));

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.message).toContain('ops[0]');
    expect(apiCalls(sim)).toHaveLength(0);
  });

  it('sends nothing for an empty patch', async () => {
    const result = await testClient(sim).patchService(full.serviceId, []);

    expect(result.applied).toBe(0);
    expect(apiCalls(sim)).toHaveLength(0);
  });

  it('is rejected as a whole when one index is out of bounds', async () => {
    const before = sim.controls.service(full.serviceId);

    const error = await failure(
      testClient(sim).patchService(full.serviceId, [
        { op: 'replace', path: '/description', value: 'changed' },
        { op: 'replace', path: `/fields/${full.fields.length}/value`, value: 'x' },
      ]),
    );

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.httpStatus).toBe(400);
    expect(error.vendorMessage).toContain('out of bounds');
    expect(sim.controls.service(full.serviceId)).toEqual(before);
    expect(apiCalls(sim)).toHaveLength(1);
  });
});

describe('revio createService', () => {
  const input = {
    CustomerId: ACTIVE_CUSTOMER,
    Number: '15551230001',
    Number2: '89014103211118510720',
    ServiceTypeId: 101,
    ProviderId: 12,
    EffectiveDate: '2024-05-01',
    ActivatedDate: '2024-05-02T15:30:00Z',
    UsagePlanGroupId: 4,
  };

  it('posts the snake_case body and returns the new id; the line gets the default fields', async () => {
    const created = await testClient(sim).createService(input);

    const [call] = apiCalls(sim);
    expect(apiCalls(sim)).toHaveLength(1);
    expect(call).toMatchObject({ method: 'POST', path: '/v1/Services', outcome: 201 });
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.headers.authorization).toBe(expectedBasic(sim.controls.account));
    expect(call?.headers['ocp-apim-subscription-key']).toBe(sim.controls.account.subscriptionKey);
    expect(call?.body).toEqual({
      customer_id: ACTIVE_CUSTOMER,
      number: '15551230001',
      number2: '89014103211118510720',
      service_type_id: 101,
      provider_id: 12,
      effective_date: '2024-05-01',
      activated_date: '2024-05-02',
      usage_plan_group_id: 4,
    });
    expect(created.recovered).toBe(false);
    const service = await testClient(sim).getService(created.id);
    expect(service).toMatchObject({
      customerId: ACTIVE_CUSTOMER,
      number: '15551230001',
      status: 'ACTIVE',
    });
    expect(service.fields.map((f) => f.label)).toEqual([
      'Username',
      'Cost Center 1',
      'Cost Center 2',
      'Cost Center 3',
    ]);
  });

  it('omits absent optional values and a blank second number', async () => {
    await testClient(sim).createService({
      CustomerId: ACTIVE_CUSTOMER,
      Number: '15551230002',
      Number2: '',
      ServiceTypeId: 102,
      ProviderId: null,
    });

    expect(apiCalls(sim)[0]?.body).toEqual({
      customer_id: ACTIVE_CUSTOMER,
      number: '15551230002',
      service_type_id: 102,
    });
  });

  it.each([
    ['an unknown customer', { CustomerId: 999_999 }, 'Customer 999999 does not exist.'],
    ['a closed customer', { CustomerId: CLOSED_CUSTOMER }, `Customer ${CLOSED_CUSTOMER} is closed`],
    ['an unknown service type', { ServiceTypeId: 777 }, 'Service type 777 does not exist.'],
  ])('is rejected with 400 for %s, without retry or lookup', async (_name, change, message) => {
    const error = await failure(testClient(sim).createService({ ...input, ...change }));

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.httpStatus).toBe(400);
    expect(error.vendorCode).toBe('BadRequest');
    expect(error.vendorMessage).toContain(message);
    expect(error.deviceId).toBe(input.Number);
    expect(error.message).toContain(`number ${input.Number}`);
    expect(apiCalls(sim).map((c) => c.operation)).toEqual(['createService']);
  });

  it('rejects an impossible date before sending anything', async () => {
    const error = await failure(
      testClient(sim).createService({ ...input, ActivatedDate: '2024-02-30' }),
    );

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.message).toContain('ActivatedDate');
    expect(apiCalls(sim)).toHaveLength(0);
  });

  it('rejects an id that is not a positive integer before sending anything', async () => {
    const error = await failure(testClient(sim).createService({ ...input, CustomerId: -4 }));

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.message).toContain('customer_id');
    expect(apiCalls(sim)).toHaveLength(0);
  });

  it('is rejected when the simulator refuses duplicate numbers', async () => {
    sim.controls.rejectDuplicateNumbers(true);
    await testClient(sim).createService(input);

    const error = await failure(testClient(sim).createService(input));

    expect(error.vendorMessage).toContain('already has an active service');
  });
});
