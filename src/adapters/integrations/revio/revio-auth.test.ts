import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import {
  apiCalls,
  createTestSimulator,
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

describe('revio authentication', () => {
  it('fails with INTEGRATION_AUTH_FAILED (401) on a wrong password, without retry', async () => {
    const client = testClient(sim, { credentials: { ...sim.controls.account, password: 'nope' } });

    const error = await failure(client.getService(full.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_AUTH_FAILED);
    expect(error.httpStatus).toBe(401);
    expect(error.vendorMessage).toBe('Authorization has been denied for this request.');
    expect(apiCalls(sim)).toHaveLength(1);
  });

  it('fails with the gateway message on an unknown subscription key', async () => {
    const client = testClient(sim, {
      credentials: { ...sim.controls.account, subscriptionKey: 'unknown-key' },
    });

    const error = await failure(client.getService(full.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_AUTH_FAILED);
    expect(error.vendorMessage).toContain('invalid subscription key');
  });

  it("fails when the key belongs to another tenant than the login's client code", async () => {
    const client = testClient(sim, {
      credentials: { ...sim.controls.account, subscriptionKey: OTHER_ACCOUNT.subscriptionKey },
    });

    const error = await failure(client.getService(full.serviceId));

    expect(error.code).toBe(ErrorCode.INTEGRATION_AUTH_FAILED);
    expect(error.httpStatus).toBe(401);
  });

  it('fails with a 403 when the API user lacks the permission', async () => {
    sim.controls.denyOperations(['patchService']);

    const error = await failure(
      testClient(sim).patchService(full.serviceId, [
        { op: 'replace', path: '/description', value: 'x' },
      ]),
    );
    const stillReadable = await testClient(sim).getService(full.serviceId);

    expect(error.code).toBe(ErrorCode.INTEGRATION_AUTH_FAILED);
    expect(error.httpStatus).toBe(403);
    expect(error.vendorCode).toBe('Forbidden');
    expect(stillReadable.serviceId).toBe(full.serviceId);
  });
});
