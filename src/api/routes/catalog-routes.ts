/**
 * `GET /service-providers` and `GET /devices` (filters `serviceProviderId`, `status`,
 * `iccid`; paginated) of the caller's tenant.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deviceListQuery, errorBody, openApiSchema, pageOf, parseWith } from '../api-schemas.ts';
import { type ApiDeps, tenantOf } from '../register-api.ts';

const serviceProvider = z.object({
  id: z.number(),
  name: z.string(),
  integration: z.string(),
  writeEnabled: z.boolean(),
});

const device = z.object({
  id: z.number(),
  serviceProviderId: z.number(),
  iccid: z.string().nullable(),
  msisdn: z.string().nullable(),
  imei: z.string().nullable(),
  eid: z.string().nullable(),
  status: z.string(),
  carrierRatePlan: z.string().nullable(),
  username: z.string().nullable(),
  costCenter1: z.string().nullable(),
  costCenter2: z.string().nullable(),
  costCenter3: z.string().nullable(),
});

/** Registers the catalog routes. */
export function registerCatalogRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get(
    '/service-providers',
    {
      schema: {
        summary: "The tenant's service providers (carrier accounts)",
        tags: ['catalog'],
        response: {
          200: openApiSchema(z.object({ items: z.array(serviceProvider) }), 'output'),
          401: openApiSchema(errorBody, 'output'),
        },
      },
    },
    async (request) => {
      const items = await deps.store.listServiceProviders(tenantOf(request).tenantId);
      return { items };
    },
  );

  api.get(
    '/devices',
    {
      schema: {
        summary: "The tenant's devices",
        tags: ['catalog'],
        querystring: openApiSchema(deviceListQuery),
        response: { 200: openApiSchema(pageOf(device), 'output') },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = parseWith(deviceListQuery, request.query, 'query');
      return deps.store.listDevices(tenantOf(request).tenantId, filter, {
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );
}
