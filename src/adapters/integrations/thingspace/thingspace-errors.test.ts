import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type IntegrationError, isIntegrationError } from '../shared/integration-error.ts';
import {
  classifyThingSpaceResponse,
  isSessionRejection,
  isTokenRejection,
} from './thingspace-errors.ts';
import type { ThingSpaceSimulator } from './thingspace-simulator.ts';
import {
  ACCOUNT,
  clientFor,
  fastPolicy,
  inventorySim,
  lineIn,
  startThingSpace,
} from './thingspace-test-support.ts';

const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => ({
  status,
  json,
  text: JSON.stringify(json),
  malformed: false,
  headers: new Headers(headers),
});
const classify = (res: ReturnType<typeof answer>, write = false) =>
  classifyThingSpaceResponse(res, {
    operation: 'suspend',
    deviceId: '8914800000',
    write,
    redact: (t) => t,
  });

describe('the error table', () => {
  it('classifies throttling, with Retry-After', () => {
    const { kind, error } = classify(
      answer(
        429,
        { fault: { code: 900800, message: 'Message throttled out' } },
        { 'retry-after': '2' },
      ),
    );
    expect(kind).toBe('throttled');
    expect(error).toMatchObject({
      code: 'INTEGRATION_THROTTLED',
      retryable: true,
      retryAfterMs: 2000,
      vendorCode: '900800',
    });
  });

  it('tells a rejected Bearer token from an expired session', () => {
    const token = classify(
      answer(401, { fault: { code: 900901, message: 'Invalid Credentials' } }),
    );
    expect(token.kind).toBe('token');
    expect(isTokenRejection(token.error)).toBe(true);
    expect(isSessionRejection(token.error)).toBe(false);
    const session = classify(
      answer(401, { errorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.SessionTokenExpired' }),
    );
    expect(session.kind).toBe('session');
    expect(isSessionRejection(session.error)).toBe(true);
    expect(isTokenRejection(session.error)).toBe(false);
  });

  it('recognises refused and locked logins', () => {
    expect(
      classify(
        answer(400, { errorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.InvalidCredentials' }),
      ).kind,
    ).toBe('login');
    expect(
      classify(answer(400, { errorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.UserLocked' }))
        .kind,
    ).toBe('locked');
  });

  it('makes 5xx retryable, and 500/502/504 ambiguous for writes only', () => {
    expect(classify(answer(503, {}), true).error).toMatchObject({
      code: 'INTEGRATION_UNAVAILABLE',
      retryable: true,
      ambiguous: false,
    });
    for (const status of [500, 502, 504]) {
      expect(classify(answer(status, {}), true).error.ambiguous).toBe(true);
      expect(classify(answer(status, {}), false).error).toMatchObject({
        retryable: true,
        ambiguous: false,
      });
    }
  });

  it('makes a business error terminal and names operation, device, status, code and text', () => {
    const { error } = classify(
      answer(400, {
        errorCode: 'UnifiedWebService.REQUEST_FAILED.AccountNotFound',
        errorMessage: 'No such account',
      }),
    );
    expect(error).toMatchObject({
      code: 'INTEGRATION_REJECTED',
      retryable: false,
      httpStatus: 400,
      vendorCode: 'UnifiedWebService.REQUEST_FAILED.AccountNotFound',
      vendorMessage: 'No such account',
      deviceId: '8914800000',
    });
    expect(error.message).toBe(
      'thingspace suspend for device 8914800000 failed: HTTP 400 ' +
        'UnifiedWebService.REQUEST_FAILED.AccountNotFound (No such account)',
    );
  });

  it('does not take an unknown path (404 { error }) for an auth failure', () => {
    expect(classify(answer(404, { error: 'no route POST /x' })).error.code).toBe(
      'INTEGRATION_REJECTED',
    );
  });

  it('treats an unreadable 2xx as a bad response, ambiguous for writes', () => {
    const { error } = classifyThingSpaceResponse(
      { ...answer(200, undefined), malformed: true },
      { operation: 'activate', write: true, redact: (t) => t },
    );
    expect(error).toMatchObject({
      code: 'INTEGRATION_BAD_RESPONSE',
      retryable: true,
      ambiguous: true,
    });
  });
});

describe('no credential ever leaks into an error', () => {
  let sim: ThingSpaceSimulator;
  let baseUrl: string;
  const CALLBACK_PASSWORD = 'callback-pass-9876';

  beforeAll(async () => {
    ({ sim, baseUrl } = await startThingSpace());
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });

  /** A warmed-up client and every secret it holds or sent. */
  async function setup(extra: Parameters<typeof clientFor>[1] = {}) {
    const client = clientFor(baseUrl, extra);
    await client.authenticate();
    const accessToken = [...sim.state.tokens.keys()][0] ?? 'missing';
    const sessionToken = [...sim.state.sessions.keys()][0] ?? 'missing';
    const basic = Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64');
    const secrets = [
      ACCOUNT.clientSecret,
      ACCOUNT.password,
      ACCOUNT.username,
      ACCOUNT.clientId,
      accessToken,
      sessionToken,
      basic,
      CALLBACK_PASSWORD,
    ];
    return { client, secrets, echo: `echo ${secrets.join(' ')}` };
  }

  const caught = async (promise: Promise<unknown>): Promise<IntegrationError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isIntegrationError(error)) throw new Error(`expected an IntegrationError, got ${error}`);
    return error;
  };

  const assertClean = (error: IntegrationError, secrets: string[]) => {
    const surfaces = [error.message, JSON.stringify(error.context), String(error.cause)];
    for (const secret of secrets) {
      for (const surface of surfaces) expect(surface).not.toContain(secret);
    }
    expect(error.context).toMatchObject({ api: 'thingspace' });
  };

  it('covers every error kind', async () => {
    const { client, secrets, echo } = await setup({ policy: fastPolicy({ maxAttempts: 2 }) });
    const iccid = lineIn(sim, 'active').iccid;
    const seen = new Set<string>();
    const check = async (promise: Promise<unknown>, code: string) => {
      const error = await caught(promise);
      expect(error.code).toBe(code);
      assertClean(error, secrets);
      seen.add(code);
      sim.faults.clear();
      return error;
    };

    await client.registerCallback({ url: 'http://127.0.0.1:9/cb', password: CALLBACK_PASSWORD });
    sim.faults.add({
      operation: 'suspend',
      times: 1,
      effect: {
        kind: 'respond',
        status: 400,
        json: { errorCode: 'X.REQUEST_FAILED.Y', errorMessage: echo },
      },
    });
    const rejected = await check(client.suspend({ iccid }), 'INTEGRATION_REJECTED');
    expect(rejected.message).toContain('***');

    sim.faults.add({
      operation: 'addDevice',
      times: 1,
      effect: { kind: 'respond', status: 200, json: [{ response: echo }] },
    });
    await check(client.addDevice(inventorySim()), 'INTEGRATION_REJECTED');

    sim.faults.add({
      operation: 'listDevices',
      times: 2,
      effect: { kind: 'respond', status: 401, json: { fault: { code: 900901, message: echo } } },
    });
    await check(client.getDevice(iccid), 'INTEGRATION_AUTH_FAILED');

    sim.faults.add({
      operation: 'listDevices',
      times: 2,
      effect: { kind: 'throttle', retryAfterSeconds: 0 },
    });
    await check(client.getDevice(iccid), 'INTEGRATION_THROTTLED');

    sim.faults.add({ operation: 'listDevices', times: 2, effect: { kind: 'error', status: 503 } });
    await check(client.getDevice(iccid), 'INTEGRATION_UNAVAILABLE');

    sim.faults.add({
      operation: 'listDevices',
      times: 2,
      effect: { kind: 'respond', status: 200, json: { devices: echo } },
    });
    await check(client.getDevice(iccid), 'INTEGRATION_BAD_RESPONSE');

    sim.faults.add({
      operation: 'listDevices',
      times: 2,
      effect: { kind: 'reset', applyWrite: false },
    });
    await check(client.getDevice(iccid), 'INTEGRATION_NETWORK');

    const slow = (await setup({ timeoutMs: 150 })).client;
    sim.faults.add({
      operation: 'listDevices',
      times: 1,
      effect: { kind: 'hang', applyWrite: false },
    });
    await check(slow.getDevice(iccid), 'INTEGRATION_TIMEOUT');

    const breaker = fastPolicy({ maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 60_000 });
    const tripped = (await setup({ policy: breaker })).client;
    sim.faults.add({ operation: 'listDevices', times: 1, effect: { kind: 'error', status: 503 } });
    await caught(tripped.getDevice(iccid));
    await check(tripped.getDevice(iccid), 'INTEGRATION_CIRCUIT_OPEN');

    expect([...seen].sort()).toEqual([
      'INTEGRATION_AUTH_FAILED',
      'INTEGRATION_BAD_RESPONSE',
      'INTEGRATION_CIRCUIT_OPEN',
      'INTEGRATION_NETWORK',
      'INTEGRATION_REJECTED',
      'INTEGRATION_THROTTLED',
      'INTEGRATION_TIMEOUT',
      'INTEGRATION_UNAVAILABLE',
    ]);
  });

  it('covers token, login and lookup failures', async () => {
    await setup();
    const iccid = lineIn(sim, 'active').iccid;
    const accessToken = [...sim.state.tokens.keys()][0] ?? 'missing';
    // What a fresh client knows before it has any token.
    const basic = Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64');
    const known = [
      ACCOUNT.clientSecret,
      ACCOUNT.password,
      ACCOUNT.username,
      ACCOUNT.clientId,
      basic,
    ];

    sim.faults.add({
      operation: 'getAccessToken',
      times: 1,
      effect: {
        kind: 'respond',
        status: 401,
        json: { error: 'invalid_client', error_description: `echo ${known.join(' ')}` },
      },
    });
    const token = await caught(clientFor(baseUrl).getDevice(iccid));
    expect(token).toMatchObject({ operation: 'getAccessToken', vendorCode: 'invalid_client' });
    assertClean(token, known);

    // The vendor hands out the same access token again: the new client knows it before login.
    const withToken = [...known, accessToken];
    sim.faults.add({
      operation: 'login',
      times: 1,
      effect: {
        kind: 'respond',
        status: 400,
        json: {
          errorCode: 'UnifiedWebService.AUTHENTICATION_FAILED.InvalidCredentials',
          errorMessage: `echo ${withToken.join(' ')}`,
        },
      },
    });
    const guarded = clientFor(baseUrl);
    const login = await caught(guarded.getDevice(iccid));
    expect(login.operation).toBe('login');
    assertClean(login, withToken);
    const refused = await caught(guarded.getDevice(iccid));
    expect(refused.message).toContain('login not attempted');
    assertClean(refused, withToken);

    const lookupClient = (await setup({ timeoutMs: 300, policy: fastPolicy() })).client;
    const lookupSecrets = [...withToken, [...sim.state.sessions.keys()].at(-1) ?? 'missing'];
    sim.faults.add({ operation: 'suspend', times: 1, effect: { kind: 'hang', applyWrite: true } });
    sim.faults.add({
      operation: 'getProvisioningHistory',
      times: 1,
      effect: {
        kind: 'respond',
        status: 400,
        json: { errorCode: 'A.B.C', errorMessage: `echo ${lookupSecrets.join(' ')}` },
      },
    });
    const lookup = await caught(lookupClient.suspend({ iccid }));
    expect(lookup.ambiguous).toBe(true);
    assertClean(lookup, lookupSecrets);
  });
});
