/**
 * Wire formats of the Rev.io billing REST API (carrier-apis.md §4), as zod 4 schemas with their
 * types. Names and casing are the wire's (snake_case); `revio-mapper.ts` turns them into the
 * client's camelCase shapes.
 *
 * Response schemas are loose objects: Rev.io returns more properties than we read, and a new
 * property must never break a call.
 */
import { z } from 'zod';

/**
 * One custom field of a service (`fields[]`), in its stable position. carrier-apis.md §4.2 names
 * the id `field_id`; the demo data and some notes call it `id`: both are accepted.
 */
export const revioFieldSchema = z.looseObject({
  field_id: z.number().int().optional(),
  id: z.number().int().optional(),
  label: z.string(),
  value: z.string().nullable().optional(),
});

/** A custom field as sent by Rev.io. */
export type RevioWireField = z.infer<typeof revioFieldSchema>;

const nullableInt = z.number().int().nullable().optional();
const nullableText = z.string().nullable().optional();

/** A service line (`GET /v1/Services/{id}` body without the `ok` flag, and list records). */
export const revioServiceRecordSchema = z.looseObject({
  service_id: z.number().int(),
  customer_id: z.number().int(),
  provider_id: nullableInt,
  service_type_id: nullableInt,
  package_id: nullableInt,
  usage_plan_group_id: nullableInt,
  number: nullableText,
  number2: nullableText,
  description: nullableText,
  status: nullableText,
  activated_date: nullableText,
  disconnected_date: nullableText,
  effective_date: nullableText,
  fields: z.array(revioFieldSchema).nullable().optional(),
});

/** A service record as sent by Rev.io. */
export type RevioWireService = z.infer<typeof revioServiceRecordSchema>;

/**
 * Body of `GET /v1/Services/{id}`: the service with Rev.io's `ok` flag at the root. The original
 * treats `ok: false` as "no service" (original-system.md §3.1); the client makes it a failure.
 */
export const revioServiceResponseSchema = revioServiceRecordSchema.extend({ ok: z.boolean() });

/** Body of `GET /v1/Services/{id}`. */
export type RevioServiceResponse = z.infer<typeof revioServiceResponseSchema>;

/** Body of list endpoints (`GET /v1/Services?search.…`, `GET /v1/ServiceProduct?search.…`). */
export function revioListSchema<T extends z.ZodType>(record: T) {
  return z.looseObject({
    ok: z.boolean(),
    record_count: z.number().int().min(0),
    records: z.array(record),
  });
}

/** Body of `GET /v1/Services?search.customer_id=&search.number=`. */
export const revioServiceListSchema = revioListSchema(revioServiceRecordSchema);

/** A service product (a product billed on a service line). */
export const revioServiceProductRecordSchema = z.looseObject({
  service_product_id: z.number().int(),
  service_id: z.number().int(),
  product_id: z.number().int(),
  customer_id: z.number().int(),
  rate: z.number(),
  quantity: z.number().int(),
  status: nullableText,
  package_id: nullableInt,
  effective_date: nullableText,
  activated_date: nullableText,
});

/** A service product as sent by Rev.io. */
export type RevioWireServiceProduct = z.infer<typeof revioServiceProductRecordSchema>;

/** Body of `GET /v1/ServiceProduct?search.service_id=&search.status=`. */
export const revioServiceProductListSchema = revioListSchema(revioServiceProductRecordSchema);

/** Success body of the creates: `201 { "ok": true, "id": <new id> }` (DOC D20). */
export const revioCreateResponseSchema = z.looseObject({
  ok: z.boolean(),
  id: z.number().int(),
});

/** Success body of a create. */
export type RevioCreateResponse = z.infer<typeof revioCreateResponseSchema>;

/** Success body of `PATCH /v1/Services/{id}` (the original's `UpdateResponse`). */
export const revioUpdateResponseSchema = z.looseObject({
  ok: z.boolean(),
  id: z.number().int().optional(),
});

/** One error object; Rev.io sends an array of them (the original reads the first). */
export const revioErrorItemSchema = z.looseObject({
  ok: z.boolean().optional(),
  id: z.unknown().optional(),
  error: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
});

/** An error object of Rev.io. */
export type RevioErrorItem = z.infer<typeof revioErrorItemSchema>;

/** Error body of the Azure APIM gateway in front of Rev.io (401 key errors, 429 limits). */
export const revioGatewayErrorSchema = z.looseObject({
  statusCode: z.number().int(),
  message: z.string(),
});

/** Any error body: Rev.io's array, a single Rev.io object, or the gateway's object. */
export const revioErrorBodySchema = z.union([
  z.array(revioErrorItemSchema),
  revioGatewayErrorSchema,
  revioErrorItemSchema,
]);

/** RFC 6902 operation names. */
export const JSON_PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

/** One JSON Patch operation as the client sends it (only `replace` is used). */
export const revioPatchOpSchema = z.object({
  op: z.literal('replace'),
  path: z.string().regex(/^\/(description|fields\/\d+\/value)$/),
  value: z.string(),
});

/** One JSON Patch operation sent to `PATCH /v1/Services/{id}`. */
export type RevioPatchOp = z.infer<typeof revioPatchOpSchema>;

/** Date as sent on the wire: `YYYY-MM-DD` (the simulator also accepts the original's `…Z`). */
const wireDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const positiveInt = z.number().int().positive();

/** Body of `POST /v1/Services` (snake_case, absent values omitted). */
export const revioCreateServiceBodySchema = z.object({
  customer_id: positiveInt,
  number: z.string().min(1),
  number2: z.string().optional(),
  service_type_id: positiveInt,
  provider_id: positiveInt.optional(),
  effective_date: wireDate.optional(),
  activated_date: wireDate.optional(),
  usage_plan_group_id: positiveInt.optional(),
  package_id: positiveInt.optional(),
  description: z.string().optional(),
});

/** Body of `POST /v1/Services`. */
export type RevioCreateServiceBody = z.infer<typeof revioCreateServiceBodySchema>;

/** Body of `POST /v1/ServiceProduct`. */
export const revioCreateServiceProductBodySchema = z.object({
  service_id: positiveInt,
  product_id: positiveInt,
  customer_id: positiveInt,
  rate: z.number().min(0),
  quantity: positiveInt,
  prorate: z.boolean().optional(),
  effective_date: wireDate.optional(),
  activated_date: wireDate.optional(),
  package_id: positiveInt.optional(),
});

/** Body of `POST /v1/ServiceProduct`. */
export type RevioCreateServiceProductBody = z.infer<typeof revioCreateServiceProductBodySchema>;
