/**
 * `POST /bulk-changes`: JSON body, or a CSV upload (`Content-Type: text/csv`, change type and
 * service provider as query parameters, shared fields as `?request=<JSON object>`), streamed
 * through a byte meter (20 MB limit → 413) and hashed for the Idempotency-Key check.
 *
 * Answers: 201 with the bulk change (counts, rejected rows) · 200 with the first result for a
 * repeated Idempotency-Key (`idempotent-replayed: true`) · 200 with the validation report for
 * `?dryRun=true` · 422 listing every bad row and field with `?strict=true`.
 */
import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { toBulkChangeView } from '../../app/bulk-changes/bulk-change-view.ts';
import { csvRowSource } from '../../app/submit/csv-rows.ts';
import { jsonRowSource } from '../../app/submit/json-rows.ts';
import type { SubmitInput } from '../../app/submit/submit-bulk-change.ts';
import { MAX_SUBMIT_BYTES, tooManyBytes } from '../../app/submit/submit-rows.ts';
import { ValidationError } from '../../domain/errors.ts';
import {
  createdBody,
  dryRunBody,
  errorBody,
  openApiSchema,
  parseWith,
  submitJsonBody,
  submitQuery,
} from '../api-schemas.ts';
import { type ApiDeps, tenantOf } from '../register-api.ts';

/** Counts and hashes the bytes of a stream; fails it beyond the limit. */
function meter(hash: Hash): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > MAX_SUBMIT_BYTES) {
        done(tooManyBytes());
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

function sharedRequest(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new ValidationError('The request query parameter must be a JSON object', [
    { field: 'request', message: 'must be a JSON object such as {"ContactName":"Truck 12"}' },
  ]);
}

/** Registers the submit route. */
export function registerSubmitRoute(api: FastifyInstance, deps: ApiDeps): void {
  api.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  api.post(
    '/bulk-changes',
    {
      schema: {
        summary: 'Create a bulk change from JSON or a CSV upload (text/csv)',
        description:
          'JSON: `{ changeType, serviceProviderId, request, devices }`. CSV: one header row with an identifier column (iccid, msisdn, imei or eid) and one column per per-device field (names case-insensitive); `changeType` and `serviceProviderId` (and optionally `request`) as query parameters. At most 100,000 rows and 20 MB. Invalid rows become ERROR device changes unless `strict=true`. Send `Idempotency-Key` to make retries safe.',
        tags: ['bulk changes'],
        querystring: openApiSchema(submitQuery),
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': {
              type: 'string',
              description: 'repeating a request with the same key returns the first result',
            },
          },
        },
        body: openApiSchema(submitJsonBody),
        response: {
          200: openApiSchema(dryRunBody, 'output'),
          201: openApiSchema(createdBody, 'output'),
          413: openApiSchema(errorBody, 'output'),
          422: openApiSchema(errorBody, 'output'),
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const query = parseWith(submitQuery, request.query, 'query');
      const keyHeader = request.headers['idempotency-key'];
      const key =
        typeof keyHeader === 'string' && keyHeader.trim() !== '' ? keyHeader.trim() : null;
      if (key !== null && key.length > 200) {
        throw new ValidationError('Idempotency-Key is too long', [
          { field: 'Idempotency-Key', message: 'must be at most 200 characters' },
        ]);
      }
      const hash = createHash('sha256');
      hash.update(
        JSON.stringify([query.changeType, query.serviceProviderId, query.request, query.strict]),
      );
      let digest: string | undefined;
      const payloadHash = () => {
        digest ??= hash.digest('hex');
        return digest;
      };
      const contentType = request.headers['content-type'] ?? '';
      let input: SubmitInput;
      if (/^text\/csv\b/i.test(contentType)) {
        if (query.changeType === undefined || query.serviceProviderId === undefined) {
          (request.body as Readable).resume();
          throw new ValidationError('A CSV upload needs changeType and serviceProviderId', [
            ...(query.changeType === undefined
              ? [{ field: 'changeType', message: 'query parameter is required for text/csv' }]
              : []),
            ...(query.serviceProviderId === undefined
              ? [
                  {
                    field: 'serviceProviderId',
                    message: 'query parameter is required for text/csv',
                  },
                ]
              : []),
          ]);
        }
        const body = (request.body as Readable).pipe(meter(hash));
        (request.body as Readable).once('error', (error) => body.destroy(error));
        // The meter may fail before the rows are read; the row source reports it then.
        body.on('error', () => undefined);
        input = {
          tenantId: tenant.tenantId,
          createdBy: `api:${tenant.tenantName}`,
          changeType: query.changeType,
          serviceProviderId: query.serviceProviderId,
          request: sharedRequest(query.request),
          rows: csvRowSource(body),
          dryRun: query.dryRun,
          strict: query.strict,
          idempotencyKey: key,
          payloadHash,
        };
      } else {
        const body = parseWith(submitJsonBody, request.body, 'body');
        hash.update(JSON.stringify(request.body));
        input = {
          tenantId: tenant.tenantId,
          createdBy: `api:${tenant.tenantName}`,
          changeType: body.changeType,
          serviceProviderId: body.serviceProviderId,
          request: body.request ?? {},
          rows: jsonRowSource(body.devices),
          dryRun: query.dryRun,
          strict: query.strict,
          idempotencyKey: key,
          payloadHash,
        };
      }

      const outcome = await deps.submit(input);
      if (outcome.kind === 'dryRun') {
        return reply.code(200).send({
          dryRun: true,
          valid: outcome.report.rejected === 0,
          changeType: outcome.changeType,
          serviceProviderId: outcome.serviceProviderId,
          ...outcome.report,
        });
      }
      const found = await deps.store.getBulkChange(tenant.tenantId, outcome.bulkChangeId);
      if (found === undefined) throw new Error(`bulk change ${outcome.bulkChangeId} vanished`);
      const view = toBulkChangeView(found.facts, found.counts, (deps.now ?? (() => new Date()))());
      reply.header('location', `/api/v1/bulk-changes/${outcome.bulkChangeId}`);
      if (outcome.kind === 'replayed') {
        return reply.code(200).header('idempotent-replayed', 'true').send(view);
      }
      return reply
        .code(201)
        .send({ ...view, rejected: outcome.report.rejected, issues: outcome.report.issues });
    },
  );
}
