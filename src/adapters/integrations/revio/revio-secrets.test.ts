import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import type { IntegrationError } from '../shared/integration-error.ts';
import type { RevioClient, RevioCredentials } from './revio-client.ts';
import {
  createTestSimulator,
  failure,
  fastPolicy,
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

const service = serviceWhere(() => true);
const lineInput = { CustomerId: 100101, Number: '15550004444', ServiceTypeId: 101 };

/** Every string that would let someone call Rev.io as us. */
function secretStrings(c: RevioCredentials): string[] {
  const userPass = `${c.login}@${c.clientCode}:${c.password}`;
  const token = Buffer.from(userPass).toString('base64');
  return [c.password, c.subscriptionKey, userPass, token, `Basic ${token}`];
}

function expectNoSecrets(error: IntegrationError, credentials: RevioCredentials): void {
  const surfaces = [
    error.message,
    JSON.stringify(error.context),
    String(error.cause),
    error.stack ?? '',
  ];
  for (const secret of secretStrings(credentials)) {
    for (const surface of surfaces) expect(surface).not.toContain(secret);
  }
}

type Scenario = [
  name: string,
  code: string,
  arrange: () => void,
  act: (client: RevioClient) => Promise<unknown>,
  credentials?: Partial<RevioCredentials>,
];

const get = (c: RevioClient) => c.getService(service.serviceId);
const echo = (status: number) => () => {
  // A vendor echoing our credentials back: the client must scrub them.
  const a = sim.controls.account;
  const token = Buffer.from(`${a.login}@${a.clientCode}:${a.password}`).toString('base64');
  sim.faults.add({
    operation: 'getService',
    effect: {
      kind: 'respond',
      status,
      json: [
        {
          ok: false,
          error: `key ${a.subscriptionKey}`,
          message: `Basic ${token} / ${a.password} rejected`,
        },
      ],
    },
  });
};

const scenarios: Scenario[] = [
  [
    'wrong password (401)',
    ErrorCode.INTEGRATION_AUTH_FAILED,
    () => {},
    get,
    { password: 'wrong-password-1' },
  ],
  [
    'wrong key (401)',
    ErrorCode.INTEGRATION_AUTH_FAILED,
    () => {},
    get,
    { subscriptionKey: 'wrong-key-12' },
  ],
  [
    'permission (403)',
    ErrorCode.INTEGRATION_AUTH_FAILED,
    () => sim.controls.denyOperations(['*']),
    get,
  ],
  ['rejection (404)', ErrorCode.INTEGRATION_REJECTED, () => {}, (c) => c.getService(1)],
  [
    'ok: false',
    ErrorCode.INTEGRATION_REJECTED,
    () => sim.controls.setOkFlag(service.serviceId, false),
    get,
  ],
  [
    'throttled (429)',
    ErrorCode.INTEGRATION_THROTTLED,
    () => sim.controls.setRateLimit({ perMinute: 1 }),
    async (c) => {
      await get(c);
      await get(c);
    },
  ],
  [
    'server error (500)',
    ErrorCode.INTEGRATION_UNAVAILABLE,
    () => sim.faults.add({ effect: { kind: 'error', status: 500 } }),
    get,
  ],
  [
    'unreadable body',
    ErrorCode.INTEGRATION_BAD_RESPONSE,
    () => sim.faults.add({ effect: { kind: 'malformed' } }),
    get,
  ],
  [
    'timeout',
    ErrorCode.INTEGRATION_TIMEOUT,
    () => sim.faults.add({ effect: { kind: 'hang', applyWrite: false } }),
    get,
  ],
  [
    'connection reset',
    ErrorCode.INTEGRATION_NETWORK,
    () => sim.faults.add({ effect: { kind: 'reset', applyWrite: false } }),
    get,
  ],
  [
    'lookup failure after an ambiguous create',
    ErrorCode.INTEGRATION_TIMEOUT,
    () => {
      sim.faults.add({ operation: 'createService', effect: { kind: 'hang', applyWrite: true } });
      sim.faults.add({ operation: 'listServices', effect: { kind: 'error', status: 503 } });
    },
    (c) => c.createService(lineInput),
  ],
  ['vendor echoing credentials (400)', ErrorCode.INTEGRATION_REJECTED, echo(400), get],
  [
    'vendor echoing credentials (200 ok: false)',
    ErrorCode.INTEGRATION_REJECTED,
    () => {
      const a = sim.controls.account;
      sim.faults.add({
        operation: 'getService',
        effect: { kind: 'respond', status: 200, json: { ok: false, message: `${a.password}` } },
      });
    },
    get,
  ],
];

describe('revio errors never carry credentials', () => {
  it.each(scenarios)('%s', async (_name, code, arrange, act, override) => {
    const credentials = { ...sim.controls.account, ...override };
    const client = testClient(sim, {
      credentials,
      policy: fastPolicy({ maxAttempts: 2, maxRetryAfterMs: 10 }),
    });
    arrange();

    const error = await failure(act(client));

    expect(error.code).toBe(code);
    expectNoSecrets(error, credentials);
  });

  it('says where the vendor message was scrubbed', async () => {
    echo(400)();

    const error = await failure(get(testClient(sim)));

    expect(error.vendorMessage).toBe('[redacted] / [redacted] rejected');
    expect(error.vendorCode).toBe('key [redacted]');
  });

  it('fails fast with INTEGRATION_CIRCUIT_OPEN and no secrets once the breaker is open', async () => {
    const credentials = { ...sim.controls.account };
    const client = testClient(sim, {
      policy: fastPolicy({ maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 60_000 }),
    });
    sim.faults.add({ effect: { kind: 'error', status: 503 } });
    await failure(get(client));

    const error = await failure(get(client));

    expect(error.code).toBe(ErrorCode.INTEGRATION_CIRCUIT_OPEN);
    expectNoSecrets(error, credentials);
  });
});
