/**
 * Routes of the Rev.io simulator (below `/v1`, the path of the demo base URL), with Rev.io's
 * validation and business rules:
 *
 * - `GET /v1/Services/{id}` → the service with `ok: true` (or `ok: false` when the control says
 *   so); 404 for a service of another tenant or none.
 * - `GET /v1/Services?search.customer_id=&search.number=&search.page=&search.page_size=`.
 * - `PATCH /v1/Services/{id}`: `application/json-patch+json` only (415 otherwise), see
 *   `revio-sim-patch.ts`; 200 `{ ok: true, id }`.
 * - `POST /v1/Services`: required `customer_id`, `number`, `service_type_id`; the customer
 *   must exist and not be closed; 201 `{ ok: true, id }`.
 * - `POST /v1/ServiceProduct`: the service must exist, be active and belong to `customer_id`;
 *   the product must be in the catalogue; 201 `{ ok: true, id }`.
 * - `GET /v1/ServiceProduct?search.service_id=&search.status=`.
 */
import type { SimRequest, SimResponse, SimRoute } from '../shared/simulator/simulator-server.ts';
import { guarded, revioErrorResponse } from './revio-sim-gate.ts';
import { applyServicePatch } from './revio-sim-patch.ts';
import { createServiceProductRoute, listServiceProductsRoute } from './revio-sim-products.ts';
import {
  NEW_SERVICE_FIELDS,
  type RevioSimService,
  type RevioSimState,
  serviceView,
} from './revio-sim-state.ts';
import {
  badRequest,
  bodyObject,
  listPage,
  optionalDate,
  optionalInt,
  requiredInt,
} from './revio-sim-validate.ts';

const idParam = (req: SimRequest): number | SimResponse => {
  const raw = req.params.id ?? '';
  return /^\d+$/.test(raw) && Number(raw) > 0
    ? Number(raw)
    : badRequest(`The value '${raw}' is not valid.`);
};

const notFound = (id: number) =>
  revioErrorResponse(404, 'NotFound', `Service ${id} was not found.`);

/** Every route of the simulator. */
export const revioRoutes: SimRoute<RevioSimState>[] = [
  {
    method: 'GET',
    path: '/v1/Services/:id',
    operation: 'getService',
    handle: guarded('getService', (req, ctx, tenant) => {
      const id = idParam(req);
      if (typeof id !== 'number') return id;
      const service = tenant.services.get(id);
      if (service === undefined) return notFound(id);
      if (ctx.state.okFalseServices.has(id)) {
        return {
          status: 200,
          json: {
            ...serviceView(service),
            ok: false,
            error: 'Error',
            message: `Service ${id} could not be loaded.`,
          },
        };
      }
      return { status: 200, json: { ...serviceView(service), ok: true } };
    }),
  },
  {
    method: 'GET',
    path: '/v1/Services',
    operation: 'listServices',
    handle: guarded('listServices', (req, _ctx, tenant) => {
      const customer = req.query.get('search.customer_id');
      const number = req.query.get('search.number');
      const all = [...tenant.services.values()]
        .filter((s) => customer === null || String(s.customer_id) === customer)
        .filter((s) => number === null || s.number === number)
        .sort((a, b) => a.service_id - b.service_id)
        .map(serviceView);
      return listPage(req, all);
    }),
  },
  {
    method: 'PATCH',
    path: '/v1/Services/:id',
    operation: 'patchService',
    handle: guarded('patchService', (req, _ctx, tenant) => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (!contentType.toLowerCase().startsWith('application/json-patch+json')) {
        return revioErrorResponse(
          415,
          'UnsupportedMediaType',
          `The request entity's media type '${contentType || 'none'}' is not supported for this resource; use application/json-patch+json.`,
        );
      }
      const id = idParam(req);
      if (typeof id !== 'number') return id;
      const service = tenant.services.get(id);
      if (service === undefined) return notFound(id);
      const outcome = applyServicePatch(service, req.body);
      if (!outcome.ok) return badRequest(outcome.message);
      tenant.services.set(id, outcome.service);
      return { status: 200, json: { ok: true, id } };
    }),
  },
  {
    method: 'POST',
    path: '/v1/Services',
    operation: 'createService',
    handle: guarded('createService', (req, ctx, tenant) => {
      const parsed = bodyObject(req);
      if (!parsed.ok) return parsed.response;
      const body = parsed.body;
      const customerId = requiredInt(body, 'customer_id');
      if (typeof customerId !== 'number') return customerId;
      const serviceTypeId = requiredInt(body, 'service_type_id');
      if (typeof serviceTypeId !== 'number') return serviceTypeId;
      const number = body.number;
      if (typeof number !== 'string' || number.trim() === '') {
        return badRequest('The number field is required.');
      }
      if (body.number2 !== undefined && body.number2 !== null && typeof body.number2 !== 'string') {
        return badRequest('number2 must be a string.');
      }
      const ints: Record<string, number | null> = {};
      for (const name of ['provider_id', 'usage_plan_group_id', 'package_id'] as const) {
        const value = optionalInt(body, name);
        if (typeof value === 'object' && value !== null) return value;
        ints[name] = value;
      }
      const dates: Record<string, string | null> = {};
      for (const name of ['effective_date', 'activated_date', 'disconnected_date'] as const) {
        const value = optionalDate(body, name);
        if (typeof value === 'object' && value !== null) return value;
        dates[name] = value;
      }
      const customer = tenant.customers.get(customerId);
      if (customer === undefined) return badRequest(`Customer ${customerId} does not exist.`);
      if (customer.status !== 'ACTIVE') {
        return badRequest(
          `Customer ${customerId} is ${customer.status.toLowerCase()}; services cannot be added.`,
        );
      }
      if (!ctx.state.serviceTypes.has(serviceTypeId)) {
        return badRequest(`Service type ${serviceTypeId} does not exist.`);
      }
      if (ctx.state.rejectDuplicateNumbers) {
        const existing = [...tenant.services.values()].find(
          (s) => s.customer_id === customerId && s.number === number && s.status === 'ACTIVE',
        );
        if (existing !== undefined) {
          return badRequest(
            `Number ${number} already has an active service (${existing.service_id}).`,
          );
        }
      }
      const id = ctx.state.nextServiceId++;
      const service: RevioSimService = {
        service_id: id,
        customer_id: customerId,
        provider_id: ints.provider_id ?? null,
        service_type_id: serviceTypeId,
        package_id: ints.package_id ?? null,
        usage_plan_group_id: ints.usage_plan_group_id ?? null,
        number,
        number2: typeof body.number2 === 'string' && body.number2 !== '' ? body.number2 : null,
        description: typeof body.description === 'string' ? body.description : null,
        status: dates.disconnected_date ? 'DISCONNECTED' : 'ACTIVE',
        activated_date: dates.activated_date ?? new Date(ctx.now).toISOString(),
        disconnected_date: dates.disconnected_date ?? null,
        effective_date: dates.effective_date ?? null,
        fields: NEW_SERVICE_FIELDS.map((f) => ({ ...f })),
      };
      tenant.services.set(id, service);
      return { status: 201, json: { ok: true, id } };
    }),
  },
  createServiceProductRoute,
  listServiceProductsRoute,
];
