/**
 * Zod schemas of the REST API: the handlers parse requests with them and the OpenAPI
 * document (`/docs`) is generated from the same objects ({@link openApiSchema}).
 */
import { z } from 'zod';
import { BulkChangeStatus } from '../domain/bulk-change/bulk-change-status.ts';
import { DeviceChangeStatus } from '../domain/device-change/device-change-status.ts';
import { ValidationError } from '../domain/errors.ts';

const id = z.coerce.number().int().positive();

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1')
  .describe('true or false');

/** `?limit=&cursor=`. */
export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('rows per page, 1–1000 (default 100)'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

/** `:id` path parameter. */
export const idParams = z.object({ id });

/** GET /devices query. */
export const deviceListQuery = pageQuery.extend({
  serviceProviderId: id.optional(),
  status: z.string().max(100).optional(),
  iccid: z.string().max(32).optional(),
});

/** GET /bulk-changes query. */
export const bulkChangeListQuery = pageQuery.extend({
  status: z
    .enum(Object.values(BulkChangeStatus) as [BulkChangeStatus, ...BulkChangeStatus[]])
    .optional(),
  serviceProviderId: id.optional(),
  changeType: z.string().max(64).optional(),
});

const deviceChangeStatus = z.enum(
  Object.values(DeviceChangeStatus) as [DeviceChangeStatus, ...DeviceChangeStatus[]],
);

/** GET /bulk-changes/:id/device-changes query (`status` may list several, comma-separated). */
export const deviceChangeListQuery = pageQuery.extend({
  status: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const parts = v.split(',').map((s) => s.trim().toUpperCase());
      const out: DeviceChangeStatus[] = [];
      for (const part of parts) {
        const parsed = deviceChangeStatus.safeParse(part);
        if (parsed.success) out.push(parsed.data);
        else
          ctx.addIssue({
            code: 'custom',
            message: `status ${part} is not one of ${deviceChangeStatus.options.join(', ')}`,
          });
      }
      return out;
    })
    .describe(`one or more of ${Object.values(DeviceChangeStatus).join(', ')}, comma-separated`),
});

/** GET /bulk-changes/:id/logs query. */
export const logListQuery = pageQuery.extend({
  deviceChangeId: id.optional().describe('only the log rows of this device change'),
});

/** POST /bulk-changes query (both content types). */
export const submitQuery = z.object({
  dryRun: booleanFlag.describe('validate only: return the report, create nothing'),
  strict: booleanFlag.describe('refuse the whole request (422) when any row is invalid'),
  changeType: z.string().max(64).optional().describe('CSV uploads: the change type'),
  serviceProviderId: id.optional().describe('CSV uploads: the service provider'),
  request: z
    .string()
    .max(100_000)
    .optional()
    .describe('CSV uploads: the fields shared by every row, as a JSON object'),
});

/** POST /bulk-changes JSON body. */
export const submitJsonBody = z.object({
  changeType: z.string().min(1).max(64).describe('e.g. EditUsernameCostCenter'),
  serviceProviderId: id,
  request: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("the change type's fields shared by every device (original names)"),
  devices: z
    .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
    .min(1)
    .describe('identifiers, or objects {"iccid"|"msisdn"|"imei"|"eid": "…", …per-device fields}'),
});

/** Error body. */
export const errorBody = z.object({
  code: z.string(),
  message: z.string(),
  details: z
    .array(z.object({ row: z.number().optional(), field: z.string(), message: z.string() }))
    .optional(),
});

const counts = z.record(z.string(), z.number()).describe('device changes per status');

/** A bulk change (create answer and GET). */
export const bulkChangeBody = z.object({
  id: z.number(),
  status: z.string(),
  changeType: z.string(),
  serviceProviderId: z.number(),
  total: z.number(),
  counts,
  progress: z.object({
    done: z.number(),
    failed: z.number(),
    percentDone: z.number(),
    throughputPerSecond: z.number().nullable(),
    etaSeconds: z.number().nullable(),
  }),
  request: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  processedAt: z.string().nullable(),
  errorText: z.string().nullable(),
});

const issues = z.array(
  z.object({ row: z.number().optional(), field: z.string(), message: z.string() }),
);

/** POST /bulk-changes 201 answer. */
export const createdBody = bulkChangeBody.extend({ rejected: z.number(), issues });

/** POST /bulk-changes?dryRun=true answer. */
export const dryRunBody = z.object({
  dryRun: z.literal(true),
  valid: z.boolean(),
  changeType: z.string(),
  serviceProviderId: z.number(),
  total: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  issues,
});

/** A page of items. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Retry / cancel answer. */
export const actionBody = z.object({
  id: z.number(),
  status: z.string(),
  retried: z.number().optional(),
  cancelled: z.number().optional(),
});

/** JSON Schema (OpenAPI 3.0) of a zod schema, for the route's documentation. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): unknown {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });
}

/**
 * Parses `value` with `schema` or throws a ValidationError naming every field.
 *
 * @example
 * const query = parseWith(pageQuery, request.query, 'query');
 */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiValidationError(where, parsed.error.issues);
}

class ApiValidationError extends ValidationError {
  constructor(where: string, zodIssues: readonly z.core.$ZodIssue[]) {
    const list = zodIssues.map((i) => ({
      field: i.path.length === 0 ? where : i.path.join('.'),
      message: i.message,
    }));
    super(`Invalid ${where}: ${list.map((i) => `${i.field} ${i.message}`).join('; ')}`, list);
  }
}
