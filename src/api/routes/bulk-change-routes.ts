/**
 * Read and act routes of bulk changes: list (filters, pagination), one bulk change with
 * counts and progress, its device changes (filter by status), its log (per device change),
 * retry of the failed device changes and cancel of those not started.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { toBulkChangeView } from '../../app/bulk-changes/bulk-change-view.ts';
import { NotFoundError } from '../../domain/errors.ts';
import {
  actionBody,
  bulkChangeBody,
  bulkChangeListQuery,
  deviceChangeListQuery,
  errorBody,
  idParams,
  logListQuery,
  openApiSchema,
  pageOf,
  parseWith,
} from '../api-schemas.ts';
import { type ApiDeps, tenantOf } from '../register-api.ts';

const deviceChange = z.object({
  id: z.number(),
  rowNumber: z.number(),
  identifierKind: z.string(),
  identifier: z.string(),
  deviceId: z.number().nullable(),
  iccid: z.string().nullable(),
  msisdn: z.string().nullable(),
  status: z.string(),
  statusDetails: z.string().nullable(),
  attempt: z.number(),
  changeRequest: z.record(z.string(), z.unknown()).nullable(),
  lastError: z.string().nullable(),
  processedAt: z.string().nullable(),
});

const logEntry = z.object({
  id: z.number(),
  deviceChangeId: z.number().nullable(),
  description: z.string(),
  requestText: z.string().nullable(),
  responseText: z.string().nullable(),
  responseStatus: z.string().nullable(),
  hasErrors: z.boolean(),
  errorText: z.string().nullable(),
  processedBy: z.string(),
  processedAt: z.string(),
});

function page(q: { limit?: number | undefined; cursor?: string | undefined }) {
  return {
    ...(q.limit === undefined ? {} : { limit: q.limit }),
    ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
  };
}

const notFound = { 404: openApiSchema(errorBody, 'output') };

/** Registers the bulk change routes. */
export function registerBulkChangeRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const now = deps.now ?? (() => new Date());

  const visibleBulkChange = async (request: FastifyRequest) => {
    const { id } = parseWith(idParams, request.params, 'path');
    const found = await deps.store.getBulkChange(tenantOf(request).tenantId, id);
    if (found === undefined) throw new NotFoundError('Bulk change', id);
    return found;
  };

  api.get(
    '/bulk-changes',
    {
      schema: {
        summary: "The tenant's bulk changes, newest first",
        tags: ['bulk changes'],
        querystring: openApiSchema(bulkChangeListQuery),
        response: { 200: openApiSchema(pageOf(bulkChangeBody), 'output') },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = parseWith(bulkChangeListQuery, request.query, 'query');
      const result = await deps.store.listBulkChanges(
        tenantOf(request).tenantId,
        {
          ...(filter.status === undefined ? {} : { status: filter.status }),
          ...(filter.serviceProviderId === undefined
            ? {}
            : { serviceProviderId: filter.serviceProviderId }),
          ...(filter.changeType === undefined ? {} : { changeType: filter.changeType }),
        },
        page({ limit, cursor }),
      );
      const at = now();
      return {
        items: result.items.map((b) => toBulkChangeView(b.facts, b.counts, at)),
        nextCursor: result.nextCursor,
      };
    },
  );

  api.get(
    '/bulk-changes/:id',
    {
      schema: {
        summary: 'One bulk change: status, counts per status, percent done, throughput, ETA',
        tags: ['bulk changes'],
        params: openApiSchema(idParams),
        response: { 200: openApiSchema(bulkChangeBody, 'output'), ...notFound },
      },
    },
    async (request) => {
      const found = await visibleBulkChange(request);
      return toBulkChangeView(found.facts, found.counts, now());
    },
  );

  api.get(
    '/bulk-changes/:id/device-changes',
    {
      schema: {
        summary: 'The device changes of a bulk change, in row order',
        tags: ['bulk changes'],
        params: openApiSchema(idParams),
        querystring: openApiSchema(deviceChangeListQuery),
        response: { 200: openApiSchema(pageOf(deviceChange), 'output'), ...notFound },
      },
    },
    async (request) => {
      const found = await visibleBulkChange(request);
      const q = parseWith(deviceChangeListQuery, request.query, 'query');
      return deps.store.listDeviceChanges(
        found.facts.id,
        q.status === undefined ? {} : { status: q.status },
        page(q),
      );
    },
  );

  api.get(
    '/bulk-changes/:id/logs',
    {
      schema: {
        summary: 'The log of a bulk change (optionally of one device change)',
        tags: ['bulk changes'],
        params: openApiSchema(idParams),
        querystring: openApiSchema(logListQuery),
        response: { 200: openApiSchema(pageOf(logEntry), 'output'), ...notFound },
      },
    },
    async (request) => {
      const found = await visibleBulkChange(request);
      const q = parseWith(logListQuery, request.query, 'query');
      return deps.store.listLogs(
        found.facts.id,
        q.deviceChangeId === undefined ? {} : { deviceChangeId: q.deviceChangeId },
        page(q),
      );
    },
  );

  api.post(
    '/bulk-changes/:id/retry',
    {
      schema: {
        summary: 'Re-queue the API_FAILED device changes (reopens a finished bulk change)',
        tags: ['bulk changes'],
        params: openApiSchema(idParams),
        response: {
          202: openApiSchema(actionBody, 'output'),
          409: openApiSchema(errorBody, 'output'),
          ...notFound,
        },
      },
    },
    async (request, reply) => {
      const { id } = parseWith(idParams, request.params, 'path');
      const result = await deps.actions.retry(tenantOf(request).tenantId, id);
      return reply.code(202).send({ id, status: result.status, retried: result.affected });
    },
  );

  api.post(
    '/bulk-changes/:id/cancel',
    {
      schema: {
        summary: 'Cancel the device changes not started yet (NEW or PENDING)',
        tags: ['bulk changes'],
        params: openApiSchema(idParams),
        response: {
          202: openApiSchema(actionBody, 'output'),
          409: openApiSchema(errorBody, 'output'),
          ...notFound,
        },
      },
    },
    async (request, reply) => {
      const { id } = parseWith(idParams, request.params, 'path');
      const result = await deps.actions.cancel(tenantOf(request).tenantId, id);
      return reply.code(202).send({ id, status: result.status, cancelled: result.affected });
    },
  );
}
