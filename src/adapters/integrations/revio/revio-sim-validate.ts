/**
 * Request validation helpers of the Rev.io simulator (each returns the valid value or the
 * Rev.io-shaped 400 answer naming the field and the rule) and its list-page shape.
 */
import type { SimRequest, SimResponse } from '../shared/simulator/simulator-server.ts';
import { revioErrorResponse } from './revio-sim-gate.ts';

/** Rev.io's 400. */
export function badRequest(message: string): SimResponse {
  return revioErrorResponse(400, 'BadRequest', message);
}

/**
 * The JSON object body of a POST: 415 unless the body is declared JSON, 400 unless it is an
 * object.
 */
export function bodyObject(
  req: SimRequest,
): { ok: true; body: Record<string, unknown> } | { ok: false; response: SimResponse } {
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/json') && !contentType.startsWith('text/json')) {
    return {
      ok: false,
      response: revioErrorResponse(
        415,
        'UnsupportedMediaType',
        `The request entity's media type '${contentType || 'none'}' is not supported for this resource; use application/json.`,
      ),
    };
  }
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, response: badRequest('The request body must be a JSON object.') };
  }
  return { ok: true, body: body as Record<string, unknown> };
}

/** A required positive integer property. */
export function requiredInt(body: Record<string, unknown>, name: string): number | SimResponse {
  const value = body[name];
  if (value === undefined || value === null) return badRequest(`The ${name} field is required.`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    return badRequest(`${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** An optional positive integer property (null = absent). */
export function optionalInt(
  body: Record<string, unknown>,
  name: string,
): number | null | SimResponse {
  if (body[name] === undefined || body[name] === null) return null;
  return requiredInt(body, name);
}

/**
 * An optional date property: `YYYY-MM-DD`, the original's `YYYY-MM-DDZ`, or an ISO date-time;
 * stored as an ISO instant (null = absent).
 */
export function optionalDate(
  body: Record<string, unknown>,
  name: string,
): string | null | SimResponse {
  const value = body[name];
  if (value === undefined || value === null || value === '') return null;
  const invalid = badRequest(`${name} must be a date (YYYY-MM-DD), got ${JSON.stringify(value)}.`);
  if (typeof value !== 'string') return invalid;
  const dateOnly = /^(\d{4}-\d{2}-\d{2})Z?$/i.exec(value);
  const text = dateOnly === null ? value : `${dateOnly[1]}T00:00:00Z`;
  if (dateOnly === null && !/^\d{4}-\d{2}-\d{2}T/.test(value)) return invalid;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return invalid;
  const iso = new Date(at).toISOString();
  // Date.parse rolls 2024-02-30 over to March: reject dates that do not round-trip.
  if (dateOnly !== null && iso.slice(0, 10) !== dateOnly[1]) return invalid;
  return iso;
}

/** One page of records in Rev.io's list shape. */
export function listPage<T>(req: SimRequest, all: T[]): SimResponse {
  const page = Math.max(1, Number(req.query.get('search.page') ?? '1') || 1);
  const size = Math.min(1000, Math.max(1, Number(req.query.get('search.page_size') ?? '25') || 25));
  const records = all.slice((page - 1) * size, page * size);
  return {
    status: 200,
    json: {
      records,
      record_count: all.length,
      page_count: Math.ceil(all.length / size),
      ok: true,
    },
  };
}
