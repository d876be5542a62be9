/**
 * Service-product routes of the Rev.io simulator: `POST /v1/ServiceProduct` (create one
 * product on a line) and `GET /v1/ServiceProduct?search.service_id=&search.status=`.
 */
import type { SimRoute } from '../shared/simulator/simulator-server.ts';
import { guarded } from './revio-sim-gate.ts';
import type { RevioSimServiceProduct, RevioSimState } from './revio-sim-state.ts';
import {
  badRequest,
  bodyObject,
  listPage,
  optionalDate,
  optionalInt,
  requiredInt,
} from './revio-sim-validate.ts';

/** `POST /v1/ServiceProduct`. */
export const createServiceProductRoute: SimRoute<RevioSimState> = {
  method: 'POST',
  path: '/v1/ServiceProduct',
  operation: 'createServiceProduct',
  handle: guarded('createServiceProduct', (req, ctx, tenant) => {
    const parsed = bodyObject(req);
    if (!parsed.ok) return parsed.response;
    const body = parsed.body;
    const ids: Record<string, number> = {};
    for (const name of ['service_id', 'product_id', 'customer_id'] as const) {
      const value = requiredInt(body, name);
      if (typeof value !== 'number') return value;
      ids[name] = value;
    }
    const serviceId = ids.service_id ?? 0;
    const productId = ids.product_id ?? 0;
    const customerId = ids.customer_id ?? 0;
    const rate = body.rate;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      return badRequest(`rate must be a number of at least 0, got ${JSON.stringify(rate)}.`);
    }
    const quantity = body.quantity === undefined ? 1 : requiredInt(body, 'quantity');
    if (typeof quantity !== 'number') return quantity;
    if (body.prorate !== undefined && body.prorate !== null && typeof body.prorate !== 'boolean') {
      return badRequest('prorate must be true or false.');
    }
    const packageId = optionalInt(body, 'package_id');
    if (typeof packageId === 'object' && packageId !== null) return packageId;
    const effective = optionalDate(body, 'effective_date');
    if (typeof effective === 'object' && effective !== null) return effective;
    const activated = optionalDate(body, 'activated_date');
    if (typeof activated === 'object' && activated !== null) return activated;

    const service = tenant.services.get(serviceId);
    if (service === undefined) return badRequest(`Service ${serviceId} does not exist.`);
    if (service.customer_id !== customerId) {
      return badRequest(
        `customer_id ${customerId} does not match the customer of service ${serviceId} (${service.customer_id}).`,
      );
    }
    if (service.status !== 'ACTIVE') return badRequest(`Service ${serviceId} is disconnected.`);
    if (!ctx.state.products.has(productId))
      return badRequest(`Product ${productId} does not exist.`);

    const id = ctx.state.nextServiceProductId++;
    const product: RevioSimServiceProduct = {
      service_product_id: id,
      service_id: serviceId,
      product_id: productId,
      customer_id: customerId,
      rate,
      quantity,
      prorate: body.prorate === true,
      status: 'ACTIVE',
      package_id: packageId,
      effective_date: effective,
      activated_date: activated ?? new Date(ctx.now).toISOString(),
    };
    tenant.serviceProducts.set(id, product);
    return { status: 201, json: { ok: true, id } };
  }),
};

/** `GET /v1/ServiceProduct?search.service_id=&search.status=`. */
export const listServiceProductsRoute: SimRoute<RevioSimState> = {
  method: 'GET',
  path: '/v1/ServiceProduct',
  operation: 'listServiceProducts',
  handle: guarded('listServiceProducts', (req, _ctx, tenant) => {
    const serviceId = req.query.get('search.service_id');
    const status = req.query.get('search.status');
    const all = [...tenant.serviceProducts.values()]
      .filter((p) => serviceId === null || String(p.service_id) === serviceId)
      .filter((p) => status === null || p.status === status.toUpperCase())
      .sort((a, b) => a.service_product_id - b.service_product_id)
      .map((p) => ({ ...p }));
    return listPage(req, all);
  }),
};
