import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import {
  apiCalls,
  createTestSimulator,
  expectedBasic,
  failure,
  serviceWhere,
  testClient,
  testDataset,
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
const ACTIVE_CUSTOMER = 100101;

describe('revio createServiceProduct', () => {
  it('posts the body with quantity 1 and the product is listed on the service', async () => {
    const client = testClient(sim);
    const service = await client.createService({
      CustomerId: ACTIVE_CUSTOMER,
      Number: '15551230003',
      ServiceTypeId: 101,
    });
    sim.journal.length = 0;

    const created = await client.createServiceProduct({
      ServiceId: service.id,
      ProductId: 3001,
      CustomerId: ACTIVE_CUSTOMER,
      Rate: 5.25,
      Prorate: true,
      EffectiveDate: '2024-06-01',
    });

    const [call] = apiCalls(sim);
    expect(call?.headers.authorization).toBe(expectedBasic(sim.controls.account));
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v1/ServiceProduct',
      body: {
        service_id: service.id,
        product_id: 3001,
        customer_id: ACTIVE_CUSTOMER,
        rate: 5.25,
        quantity: 1,
        prorate: true,
        effective_date: '2024-06-01',
      },
    });
    const listed = await client.listServiceProducts({ serviceId: service.id });
    expect(listed.recordCount).toBe(1);
    expect(listed.records[0]).toMatchObject({
      serviceProductId: created.id,
      productId: 3001,
      rate: 5.25,
      quantity: 1,
      status: 'ACTIVE',
    });
    expect(apiCalls(sim, 'listServiceProducts')[0]?.query).toBe(
      `?search.service_id=${service.id}&search.status=ACTIVE&search.page=1&search.page_size=100`,
    );
  });

  it.each([
    ['an unknown product', { ProductId: 4242 }, 'Product 4242 does not exist.'],
    ['another customer', { CustomerId: 100102 }, 'does not match the customer'],
    ['an unknown service', { ServiceId: 5 }, 'Service 5 does not exist.'],
  ])('is rejected with 400 for %s', async (_name, change, message) => {
    const error = await failure(
      testClient(sim).createServiceProduct({
        ServiceId: full.serviceId,
        ProductId: 3002,
        CustomerId: Number(full.customerExternalId),
        Rate: 2,
        ...change,
      }),
    );

    expect(error.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(error.vendorMessage).toContain(message);
    expect(apiCalls(sim)).toHaveLength(1);
  });
});

describe('revio listServices', () => {
  it('finds the services of a customer by number with the search query', async () => {
    const number = full.msisdn ?? full.iccid;
    const page = await testClient(sim).listServices({
      customerId: Number(full.customerExternalId),
      number,
    });

    expect(page.records.map((s) => s.serviceId)).toEqual([full.serviceId]);
    expect(page.recordCount).toBe(1);
    expect(apiCalls(sim)[0]?.query).toBe(
      `?search.customer_id=${full.customerExternalId}&search.number=${number}&search.page=1&search.page_size=100`,
    );
  });

  it('pages through all lines of the tenant', async () => {
    const active = testDataset.revServices.length;
    const first = await testClient(sim).listServices({ pageSize: 10 });
    const last = await testClient(sim).listServices({ pageSize: 10, page: Math.ceil(active / 10) });

    expect(first.recordCount).toBe(active);
    expect(first.records).toHaveLength(10);
    expect(last.records).toHaveLength(active - 10 * (Math.ceil(active / 10) - 1));
  });
});
