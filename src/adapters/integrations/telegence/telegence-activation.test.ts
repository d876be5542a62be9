/**
 * Contract tests: batch activation and activation status, client against simulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import type { IntegrationError } from '../shared/integration-error.ts';
import type { TelegenceClient } from './telegence-client.ts';
import { TELEGENCE_ESIM_ACTIVATION_MESSAGE } from './telegence-errors.ts';
import { splitActivationBatches } from './telegence-mapper.ts';
import type { TelegenceSimulator } from './telegence-simulator.ts';
import {
  activationRequest,
  calls,
  clientFor,
  device,
  failure,
  freshIccid,
  startSimulator,
} from './telegence-test-fixtures.ts';

let sim: TelegenceSimulator;
let client: TelegenceClient;

beforeEach(async () => {
  let baseUrl: string;
  ({ sim, baseUrl } = await startSimulator());
  client = clientFor(baseUrl);
});
afterEach(async () => {
  await sim.close();
});

describe('activateServices', () => {
  it('POSTs the batch as a JSON array without removeOfferingCode entries', async () => {
    const [a, b] = [freshIccid(10), freshIccid(11)];
    const submission = await client.activateServices([
      activationRequest(a, [{ name: 'removeOfferingCode', value: 'NOROAM' }]),
      activationRequest(b),
    ]);
    const post = calls(sim, 'activateServices')[0];
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/sp/mobility/lineconfig/api/v1/serviceactivation');
    expect(post?.body).toEqual([activationRequest(a), activationRequest(b)]);
    expect(submission.activationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(submission.lines.map((l) => [l.iccid, l.status])).toEqual([
      [a, 'pending'],
      [b, 'pending'],
    ]);
  });

  it('walks pending → reserved (MDN assigned) → active, and the new line is readable', async () => {
    const iccid = freshIccid(12);
    const { activationId } = await client.activateServices([activationRequest(iccid)]);
    const id = activationId ?? '';
    const first = await client.getActivationStatus(id);
    expect([first.lines[0]?.status, first.processed]).toEqual(['pending', false]);
    const second = await client.getActivationStatus(id);
    const mdn = second.lines[0]?.subscriberNumber;
    expect([second.lines[0]?.status, second.processed]).toEqual(['reserved', false]);
    expect(mdn).toMatch(/^\d{10}$/);
    expect((await client.getLine(mdn ?? '')).status).toBe('R');
    const third = await client.getActivationStatus(id);
    expect([third.lines[0]?.status, third.lines[0]?.interactionStatus, third.processed]).toEqual([
      'active',
      'completed',
      true,
    ]);
    expect(third.lines[0]?.dateComplete).toBeDefined();
    const line = await client.getLine(mdn ?? '');
    expect([line.status, line.iccid, line.ratePlanCode]).toEqual(['A', iccid, 'IOTDATA25MB']);
    const statusCall = calls(sim, 'getActivationStatus')[0];
    expect(statusCall?.path).toBe(`/sp/mobility/lineconfig/api/v1/serviceactivation/${id}`);
  });

  it('progresses by time when polls are not required', async () => {
    sim.configure({ activation: { pendingPolls: 0, pendingMs: 60_000, reservedPolls: 0 } });
    const { activationId } = await client.activateServices([activationRequest(freshIccid(13))]);
    expect((await client.getActivationStatus(activationId ?? '')).lines[0]?.status).toBe('pending');
    sim.advanceClock(60_000);
    const state = await client.getActivationStatus(activationId ?? '');
    expect([state.lines[0]?.status, state.processed]).toEqual(['active', true]);
  });

  it('reports a rejected line after pending', async () => {
    const [ok, bad] = [freshIccid(14), freshIccid(15)];
    sim.setActivationOutcome(bad, 'rejected');
    const { activationId } = await client.activateServices([
      activationRequest(ok),
      activationRequest(bad),
    ]);
    await client.getActivationStatus(activationId ?? '');
    const state = await client.getActivationStatus(activationId ?? '');
    expect(state.lines.map((l) => [l.iccid, l.status])).toEqual([
      [ok, 'reserved'],
      [bad, 'rejected'],
    ]);
    expect(state.lines[1]?.error).toContain('rejected');
    expect(state.lines[1]?.subscriberNumber).toBeUndefined();
  });

  it('marks eSIM-required lines with service.name "/service/" (status mode)', async () => {
    const iccid = freshIccid(16);
    sim.requireEsim(iccid);
    const { activationId } = await client.activateServices([activationRequest(iccid)]);
    const state = await client.getActivationStatus(activationId ?? '');
    expect([state.esimRequired, state.processed, state.lines[0]?.status]).toEqual([
      true,
      true,
      'rejected',
    ]);
  });

  it('fails the POST with INTEGRATION_ESIM_REQUIRED in http404 mode', async () => {
    const iccid = freshIccid(17);
    sim.requireEsim(iccid);
    sim.configure({ esimOnActivation: 'http404' });
    const e = (await failure(() =>
      client.activateServices([activationRequest(iccid)]),
    )) as IntegrationError;
    expect(e.code).toBe(ErrorCode.INTEGRATION_ESIM_REQUIRED);
    expect(e.message.startsWith(TELEGENCE_ESIM_ACTIVATION_MESSAGE)).toBe(true);
    expect(e.retryable).toBe(false);
    expect(sim.state.activations.size).toBe(0);
  });

  it('refuses more than 200 records before sending; splitActivationBatches splits by 200', async () => {
    const many = Array.from({ length: 201 }, (_, i) => activationRequest(freshIccid(1000 + i)));
    const e = (await failure(() => client.activateServices(many))) as IntegrationError;
    expect(e.code).toBe(ErrorCode.INTEGRATION_REJECTED);
    expect(e.message).toContain('at most 200');
    expect(sim.journal).toHaveLength(0);
    expect(splitActivationBatches(many).map((b) => b.length)).toEqual([200, 1]);
    const submitted = await client.activateServices(many.slice(0, 200));
    expect(submitted.lines).toHaveLength(200);
  });

  it('rejects a SIM that already has a line (409 DUPLICATE_SIM) and a foreign BAN (400)', async () => {
    const taken = device('A').iccid;
    const dup = (await failure(() =>
      client.activateServices([activationRequest(taken)]),
    )) as IntegrationError;
    expect([dup.code, dup.httpStatus, dup.vendorCode]).toEqual([
      ErrorCode.INTEGRATION_REJECTED,
      409,
      'DUPLICATE_SIM',
    ]);
    const foreign = { ...activationRequest(freshIccid(18)), billingAccount: { id: '999' } };
    const ban = (await failure(() => client.activateServices([foreign]))) as IntegrationError;
    expect([ban.httpStatus, ban.vendorCode]).toEqual([400, 'INVALID_BILLING_ACCOUNT']);
  });

  it('rejects an unknown plan in a record (400 INVALID_SINGLE_USER_CODE)', async () => {
    const request = activationRequest(freshIccid(19));
    request.service.serviceCharacteristic[0] = { name: 'singleUserCode', value: 'BOGUS' };
    const e = (await failure(() => client.activateServices([request]))) as IntegrationError;
    expect([e.httpStatus, e.vendorCode]).toEqual([400, 'INVALID_SINGLE_USER_CODE']);
  });
});

describe('getActivationStatus', () => {
  it('reports an unknown activation id as rejected (404)', async () => {
    const e = (await failure(() => client.getActivationStatus('no-such-id'))) as IntegrationError;
    expect([e.code, e.httpStatus, e.deviceId]).toEqual([
      ErrorCode.INTEGRATION_REJECTED,
      404,
      'no-such-id',
    ]);
  });
});
