import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import type { JasperClient } from './jasper-client.ts';
import { classifyJasperFailure, JASPER_ERROR_TABLE } from './jasper-errors.ts';
import { failure, fastPolicy, type JasperTestBed, startJasperTestBed } from './jasper-test-kit.ts';

describe('jasper error table', () => {
  const rule = (status: number, vendorCode?: string, badBody?: string) =>
    classifyJasperFailure({ status, vendorCode, badBody });

  it('decides code and retryability per (status, vendor code, body)', () => {
    const cases: Array<[number, string | undefined, string | undefined, string, boolean]> = [
      [400, '40000029', undefined, ErrorCode.INTEGRATION_THROTTLED, true],
      [403, '40000029', undefined, ErrorCode.INTEGRATION_THROTTLED, true],
      [429, undefined, undefined, ErrorCode.INTEGRATION_THROTTLED, true],
      [401, '10000001', undefined, ErrorCode.INTEGRATION_AUTH_FAILED, false],
      [403, undefined, undefined, ErrorCode.INTEGRATION_AUTH_FAILED, false],
      [500, undefined, undefined, ErrorCode.INTEGRATION_UNAVAILABLE, true],
      [502, undefined, undefined, ErrorCode.INTEGRATION_UNAVAILABLE, true],
      [503, undefined, undefined, ErrorCode.INTEGRATION_UNAVAILABLE, true],
      [504, undefined, undefined, ErrorCode.INTEGRATION_UNAVAILABLE, true],
      [202, '1000512', undefined, ErrorCode.INTEGRATION_REJECTED, false],
      [200, undefined, 'no iccid', ErrorCode.INTEGRATION_BAD_RESPONSE, false],
      [400, '10000029', undefined, ErrorCode.INTEGRATION_REJECTED, false],
      [404, '20000001', undefined, ErrorCode.INTEGRATION_REJECTED, false],
      [302, undefined, undefined, ErrorCode.INTEGRATION_BAD_RESPONSE, false],
    ];
    for (const [status, code, body, expected, retryable] of cases) {
      const found = rule(status, code, body);
      expect([status, code, found.code, found.retryable]).toEqual([
        status,
        code,
        expected,
        retryable,
      ]);
    }
    expect(JASPER_ERROR_TABLE.at(-1)?.name).toBe('unexpected');
  });
});

describe('jasper errors never carry credentials', () => {
  let bed: JasperTestBed;
  beforeAll(async () => {
    bed = await startJasperTestBed();
  });
  afterAll(async () => {
    await bed.sim.close();
  });
  afterEach(() => {
    bed.sim.reset();
  });

  const leaks = (error: unknown, secrets: string[]) => {
    expect(error).toBeInstanceOf(IntegrationError);
    const e = error as IntegrationError;
    const surfaces = [e.message, JSON.stringify(e.context), String(e.cause), e.stack ?? ''];
    return secrets.filter((s) => surfaces.some((text) => text.includes(s)));
  };

  it('for every error kind, message, context and cause are free of the key and Basic token', async () => {
    const { username, apiKey } = bed.credentials();
    const basic = Buffer.from(`${username}:${apiKey}`).toString('base64');
    const secrets = [apiKey, basic, `${username}:${apiKey}`];
    const iccid = bed.device('pod19', (d) => d.status === 'ACTIVATED');
    const client = (overrides = {}): JasperClient =>
      bed.client('pod19', { timeoutMs: 400, policy: fastPolicy({ maxAttempts: 1 }), ...overrides });

    const kinds: Array<[string, () => Promise<unknown>]> = [
      [
        ErrorCode.INTEGRATION_AUTH_FAILED,
        () => client({ apiKey: `${apiKey}-rotated` }).getDevice(iccid),
      ],
      [ErrorCode.INTEGRATION_REJECTED, () => client().getDevice('8901170000000000001')],
      [
        ErrorCode.INTEGRATION_THROTTLED,
        async () => {
          bed.sim.faults.add({ times: 1, effect: { kind: 'throttle', retryAfterSeconds: 1 } });
          return client().getDevice(iccid);
        },
      ],
      [
        ErrorCode.INTEGRATION_UNAVAILABLE,
        async () => {
          bed.sim.faults.add({ times: 1, effect: { kind: 'error', status: 503 } });
          return client().editDevice(iccid, { status: 'deactivated' });
        },
      ],
      [
        ErrorCode.INTEGRATION_BAD_RESPONSE,
        async () => {
          bed.sim.setControls({ missingIccidIccids: [iccid] });
          return client().setUsername(iccid, 'Tracker 0001');
        },
      ],
      [
        ErrorCode.INTEGRATION_TIMEOUT,
        async () => {
          bed.sim.faults.add({ times: 1, effect: { kind: 'hang', applyWrite: false } });
          return client().editDevice(iccid, { ratePlan: 'P19-M2M-1MB' });
        },
      ],
      [
        ErrorCode.INTEGRATION_NETWORK,
        async () => {
          bed.sim.faults.add({ times: 1, effect: { kind: 'reset', applyWrite: true } });
          return client().setUsername(iccid, 'Van 0002');
        },
      ],
      [
        ErrorCode.INTEGRATION_REJECTED,
        async () => {
          // A vendor that echoes the caller's key in its message: it must be scrubbed.
          bed.sim.faults.add({
            times: 1,
            effect: {
              kind: 'respond',
              status: 400,
              json: { errorCode: '10000003', errorMessage: `bad key ${apiKey} for ${basic}` },
            },
          });
          return client().getDevice(iccid);
        },
      ],
      [ErrorCode.INTEGRATION_REJECTED, () => client().editDevice(iccid, {})],
    ];

    const seen: string[] = [];
    for (const [expected, trigger] of kinds) {
      const error = await failure(trigger());
      expect(error).toMatchObject({ code: expected, api: 'jasper' });
      expect(leaks(error, secrets)).toEqual([]);
      expect((error as Error).message).toContain((error as IntegrationError).operation);
      seen.push((error as IntegrationError).code);
    }

    const policy = fastPolicy({ maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 60_000 });
    bed.sim.faults.add({ effect: { kind: 'error', status: 503 } });
    await failure(client({ policy }).getDevice(iccid));
    const open = await failure(client({ policy }).getDevice(iccid));
    expect(open).toMatchObject({ code: ErrorCode.INTEGRATION_CIRCUIT_OPEN, deviceId: iccid });
    expect(leaks(open, secrets)).toEqual([]);
    seen.push((open as IntegrationError).code);
    expect(new Set(seen).size).toBe(8);
  });

  it('scrubs an echoed key but keeps the rest of the vendor message and names device and status', async () => {
    const { apiKey } = bed.credentials();
    const iccid = bed.device('pod19');
    bed.sim.faults.add({
      effect: {
        kind: 'respond',
        status: 400,
        json: { errorCode: '10000003', errorMessage: `key ${apiKey} invalid` },
      },
    });
    const error = (await failure(bed.client().getDevice(iccid))) as IntegrationError;
    expect(error.vendorMessage).toBe('key [redacted] invalid');
    expect(error.message).toContain(iccid);
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('10000003');
    expect(error.message).not.toContain(apiKey);
  });
});
