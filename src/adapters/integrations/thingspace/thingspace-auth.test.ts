import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../shared/integration-error.ts';
import type { ThingSpaceSimulator } from './thingspace-simulator.ts';
import { ACCOUNT, clientFor, entries, lineIn, startThingSpace } from './thingspace-test-support.ts';

let sim: ThingSpaceSimulator;
let baseUrl: string;
let origin: string;

beforeAll(async () => {
  ({ sim, baseUrl, origin } = await startThingSpace());
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
});

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isIntegrationError(error)) throw new Error(`expected an IntegrationError, got ${error}`);
  return error;
};
const outcomes = (op: string) => entries(sim, op).map((e) => e.outcome);

describe('access token', () => {
  it('is fetched once for many concurrent callers (single-flight), with one login', async () => {
    const client = clientFor(baseUrl);
    const iccids = Array.from({ length: 8 }, (_, i) => lineIn(sim, 'active', i).iccid);
    const devices = await Promise.all(iccids.map((iccid) => client.getDevice(iccid)));
    expect(devices.every((d) => d !== undefined)).toBe(true);
    expect(entries(sim, 'getAccessToken')).toHaveLength(1);
    expect(entries(sim, 'login')).toHaveLength(1);
    await client.getDevice(iccids[0] ?? '');
    expect(entries(sim, 'getAccessToken')).toHaveLength(1);
  });

  it('is refreshed shortly before it expires', async () => {
    let now = Date.now();
    const client = clientFor(baseUrl, { now: () => now, tokenRefreshMarginMs: 300_000 });
    const iccid = lineIn(sim, 'active').iccid;
    await client.getDevice(iccid);
    now += 3_300_000 - 1000; // 54 min 59 s: still before the 5-minute margin
    await client.getDevice(iccid);
    expect(entries(sim, 'getAccessToken')).toHaveLength(1);
    now += 2000; // past expiry − margin: asks again, and ThingSpace hands out the same token
    await client.getDevice(iccid);
    expect(entries(sim, 'getAccessToken')).toHaveLength(2);
    expect(sim.state.tokens.size).toBe(1);
    expect(outcomes('listDevices')).toEqual([200, 200, 200]);
  });

  it('is replaced once when the gateway rejects it (401 fault 900901), then the call succeeds', async () => {
    const client = clientFor(baseUrl);
    const iccid = lineIn(sim, 'active').iccid;
    await client.getDevice(iccid);
    sim.expireAccessTokens();
    await expect(client.getDevice(iccid)).resolves.toBeDefined();
    expect(outcomes('listDevices')).toEqual([200, 401, 200]);
    const rejected = entries(sim, 'listDevices')[1];
    expect(rejected?.outcome).toBe(401);
    expect(entries(sim, 'getAccessToken')).toHaveLength(2);
    expect(entries(sim, 'login')).toHaveLength(1);
  });

  it('gets a new token after the old one was revoked', async () => {
    const client = clientFor(baseUrl);
    const iccid = lineIn(sim, 'active').iccid;
    await client.getDevice(iccid);
    const [first] = [...sim.state.tokens.keys()];
    const revoke = await fetch(`${origin}/api/ts/v1/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${first}`,
    });
    expect(revoke.status).toBe(200);
    await client.getDevice(iccid);
    expect(outcomes('listDevices')).toEqual([200, 401, 200]);
    expect(entries(sim, 'listDevices')[2]?.headers.authorization).not.toBe(`Bearer ${first}`);
  });

  it('fails with AUTH_FAILED and never logs in when the app secret is wrong', async () => {
    const client = clientFor(baseUrl, { clientSecret: 'wrong-secret' });
    const error = await failure(client.getDevice(lineIn(sim, 'active').iccid));
    expect(error).toMatchObject({
      code: 'INTEGRATION_AUTH_FAILED',
      operation: 'getAccessToken',
      httpStatus: 401,
      vendorCode: 'invalid_client',
    });
    expect(entries(sim, 'login')).toHaveLength(0);
  });
});

describe('session', () => {
  it('logs in again once when the session expired, for all concurrent callers together', async () => {
    const client = clientFor(baseUrl);
    const iccids = Array.from({ length: 5 }, (_, i) => lineIn(sim, 'active', i).iccid);
    await client.getDevice(iccids[0] ?? '');
    sim.expireSessions();
    await Promise.all(iccids.map((iccid) => client.getDevice(iccid)));
    expect(entries(sim, 'login')).toHaveLength(2);
    const rejected = entries(sim, 'listDevices').filter((e) => e.outcome === 401);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected[0]?.headers['vz-m2m-token']).not.toBe([...sim.state.sessions.keys()][0]);
  });

  it('expires after 20 minutes without use', async () => {
    const client = clientFor(baseUrl);
    const iccid = lineIn(sim, 'active').iccid;
    await client.getDevice(iccid);
    sim.advanceClock(19 * 60_000);
    await client.getDevice(iccid);
    expect(entries(sim, 'login')).toHaveLength(1);
    sim.advanceClock(21 * 60_000);
    await client.getDevice(iccid);
    expect(entries(sim, 'login')).toHaveLength(2);
    expect(outcomes('listDevices')).toEqual([200, 200, 401, 200]);
  });

  it('re-logs in at most once per failure', async () => {
    const client = clientFor(baseUrl);
    const iccid = lineIn(sim, 'active').iccid;
    await client.getDevice(iccid);
    sim.faults.add({
      operation: 'listDevices',
      times: 2,
      effect: {
        kind: 'respond',
        status: 401,
        json: {
          errorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.SessionTokenExpired',
          errorMessage: 'expired',
        },
      },
    });
    const error = await failure(client.getDevice(iccid));
    expect(error).toMatchObject({ code: 'INTEGRATION_AUTH_FAILED', httpStatus: 401 });
    expect(entries(sim, 'login')).toHaveLength(2);
    expect(outcomes('listDevices')).toEqual([200, 401, 401]);
  });
});

describe('login lockout guard', () => {
  it('stops after a refused login instead of walking the user into the lockout', async () => {
    const client = clientFor(baseUrl, { password: 'wrong-password' });
    const iccid = lineIn(sim, 'active').iccid;
    const first = await failure(client.getDevice(iccid));
    expect(first).toMatchObject({
      code: 'INTEGRATION_AUTH_FAILED',
      operation: 'login',
      vendorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.InvalidCredentials',
    });
    const second = await failure(client.getDevice(iccid));
    expect(second.message).toMatch(/login not attempted/);
    expect(entries(sim, 'login')).toHaveLength(1);
    expect(sim.state.users.get(ACCOUNT.username)).toMatchObject({ failedLogins: 1, locked: false });
  });

  it('never reaches the fifth failure even when allowed four', async () => {
    const client = clientFor(baseUrl, { password: 'wrong-password', maxFailedLogins: 9 });
    const iccid = lineIn(sim, 'active').iccid;
    for (let i = 0; i < 6; i++) await failure(client.getDevice(iccid));
    expect(entries(sim, 'login')).toHaveLength(4);
    expect(sim.state.users.get(ACCOUNT.username)?.locked).toBe(false);
  });

  it('recognises a locked user, and the admin endpoint unlocks it', async () => {
    const token = await fetch(`${origin}/api/ts/v1/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    for (let i = 0; i < 5; i++) {
      await fetch(`${baseUrl}/session/login`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ username: ACCOUNT.username, password: 'guess' }),
      });
    }
    const client = clientFor(baseUrl);
    const iccid = lineIn(sim, 'active').iccid;
    const locked = await failure(client.getDevice(iccid));
    expect(locked.vendorCode).toBe('UnifiedWebService.AUTHENTICATION_FAILED.UserLocked');
    await failure(client.getDevice(iccid));
    expect(entries(sim, 'login')).toHaveLength(6);
    const unlock = await fetch(`${origin}/__admin/thingspace/users/${ACCOUNT.username}/unlock`, {
      method: 'POST',
    });
    expect(unlock.status).toBe(200);
    await expect(clientFor(baseUrl).getDevice(iccid)).resolves.toBeDefined();
  });
});
