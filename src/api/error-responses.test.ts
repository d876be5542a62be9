import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../app/submit/submit-rows.ts';
import { AppError, ErrorCode, NotFoundError, ValidationError } from '../domain/errors.ts';
import { ERROR_STATUS, renderErrorTable, statusOf, toErrorResponse } from './error-responses.ts';

describe('API error codes, HTTP statuses and docs', () => {
  it('gives every stable error code an HTTP status and a meaning', () => {
    const missing = Object.values(ErrorCode).filter((code) => ERROR_STATUS[code] === undefined);
    expect(missing).toEqual([]);
    for (const entry of Object.values(ERROR_STATUS)) {
      expect(entry?.status).toBeGreaterThanOrEqual(400);
      expect(entry?.status).toBeLessThan(600);
      expect(entry?.when.length).toBeGreaterThan(5);
    }
    expect(Object.keys(ERROR_STATUS).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('README lists exactly the rendered table of codes and statuses', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const match = /<!-- api-errors:start -->\n([\s\S]*?)\n<!-- api-errors:end -->/.exec(readme);
    expect(match?.[1]).toBe(renderErrorTable());
  });

  it('answers one shape with the status of the code', () => {
    const validation = toErrorResponse(
      new ValidationError('bad', [
        { row: 3, field: 'iccid', message: 'ICCID has a bad check digit' },
      ]),
    );
    expect(validation).toEqual({
      status: 422,
      internal: false,
      body: {
        code: 'VALIDATION_FAILED',
        message: 'bad',
        details: [{ row: 3, field: 'iccid', message: 'ICCID has a bad check digit' }],
      },
    });
    expect(toErrorResponse(new NotFoundError('Bulk change', 9)).status).toBe(404);
    expect(toErrorResponse(new PayloadTooLargeError('too big')).status).toBe(413);
    expect(toErrorResponse(new AppError(ErrorCode.UNAUTHORIZED, 'no key')).status).toBe(401);
    const bug = toErrorResponse(new TypeError('x is undefined'));
    expect(bug).toMatchObject({ status: 500, internal: true, body: { code: 'INTERNAL_ERROR' } });
    expect(bug.body.message).not.toContain('undefined');
    expect(statusOf(ErrorCode.IDEMPOTENCY_KEY_REUSED)).toBe(409);
  });
});
