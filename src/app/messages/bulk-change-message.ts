/**
 * The bulk-change queue message, in the original Lambda's wire format.
 *
 * The original reads everything from SQS **message attributes** (all `String` typed, PascalCase
 * names; the body is ignored), so an upstream portal written for it sends e.g.
 * `BulkChangeId = "42"`. We read and write exactly those attributes, so that portal can enqueue
 * to us unchanged; pg-boss jobs carry the same attribute map as their data.
 *
 * Parsing is strict about what matters (a positive `BulkChangeId`, numbers that are numbers,
 * booleans that are booleans) and names every bad attribute; unknown attributes are ignored
 * (the portal may send more than we use).
 */
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../../domain/errors.ts';

/** A bulk-change message as the engine uses it. */
export interface BulkChangeMessage {
  /** The bulk change to work on. */
  bulkChangeId: number;
  /** Retry counter of the original (exceptions while processing; up to 3). @default 0 */
  retryNumber: number;
  /** One device change to re-check (parked carrier operations). */
  m2mDeviceChangeId?: number;
  /** Carrier request id to look up (ThingSpace asynchronous completion). */
  requestId?: string;
  /** Set by the automated status Lambda; skips the Jasper "deactivate ⇒ cheapest plan" step. */
  isFromAutomatedUpdateDeviceStatusLambda?: boolean;
  /** ThingSpace change-identifier callback re-check. */
  isRetryUpdateIdentifier?: boolean;
  /** ThingSpace post-activation check. */
  isRetryNewActivateThingSpaceDevice?: boolean;
  /** A second bulk change (Associate Customer) chained after a Telegence activation. */
  additionBulkChangeId?: number;
  /** Telegence activation status-check message. */
  newServiceActivations?: boolean;
  serviceProviderId?: number;
  newServiceActivationIteration?: number;
  carrierRatePool?: string;
  carrierDataGroup?: string;
}

/** An SQS message attribute as the AWS SDK and Lambda events spell it. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
}

/** Attribute name on the wire for each message field, and its type. */
const WIRE = {
  bulkChangeId: ['BulkChangeId', 'id'],
  retryNumber: ['RetryNumber', 'int'],
  m2mDeviceChangeId: ['M2MDeviceChangeId', 'id'],
  requestId: ['RequestId', 'string'],
  isFromAutomatedUpdateDeviceStatusLambda: ['IsFromAutomatedUpdateDeviceStatusLambda', 'bool'],
  isRetryUpdateIdentifier: ['IsRetryUpdateIdentifier', 'bool'],
  isRetryNewActivateThingSpaceDevice: ['IsRetryNewActivateThingSpaceDevice', 'bool'],
  additionBulkChangeId: ['AdditionBulkChangeId', 'id'],
  newServiceActivations: ['NewServiceActivations', 'bool'],
  serviceProviderId: ['ServiceProviderId', 'id'],
  newServiceActivationIteration: ['NewServiceActivationIteration', 'int'],
  carrierRatePool: ['CarrierRatePool', 'string'],
  carrierDataGroup: ['CarrierDataGroup', 'string'],
} as const satisfies Record<
  keyof BulkChangeMessage,
  readonly [string, 'id' | 'int' | 'bool' | 'string']
>;

const idText = z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number);
const intText = z
  .string()
  .trim()
  .regex(/^-?\d+$/, 'must be a whole number')
  .transform(Number);
const boolText = z
  .string()
  .trim()
  .regex(/^(true|false|1|0)$/i, 'must be true or false')
  .transform((v) => v.toLowerCase() === 'true' || v === '1');

/**
 * Reads a message from attributes (SQS `messageAttributes` of a Lambda record or of
 * `ReceiveMessage`, or a pg-boss job's data). Throws {@link ValidationError} naming each bad
 * attribute.
 *
 * @example
 * parseBulkChangeMessage({ BulkChangeId: { DataType: 'String', StringValue: '42' } });
 * // { bulkChangeId: 42, retryNumber: 0 }
 */
export function parseBulkChangeMessage(
  attributes: Readonly<
    Record<string, MessageAttribute | { dataType?: string; stringValue?: string } | undefined>
  >,
): BulkChangeMessage {
  const issues: ValidationIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [field, [name, type]] of Object.entries(WIRE)) {
    const attr = attributes[name];
    const raw =
      attr === undefined
        ? undefined
        : 'StringValue' in attr
          ? attr.StringValue
          : (attr as { stringValue?: string }).stringValue;
    if (raw === undefined || raw === '') continue;
    const schema =
      type === 'id' || type === 'int'
        ? type === 'id'
          ? idText
          : intText
        : type === 'bool'
          ? boolText
          : z.string();
    const parsed = schema.safeParse(raw);
    if (parsed.success) out[field] = parsed.data;
    else
      issues.push({
        field: name,
        message: `${name} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got "${raw}")`,
      });
  }
  if (out.bulkChangeId === undefined && !issues.some((i) => i.field === 'BulkChangeId')) {
    issues.push({ field: 'BulkChangeId', message: 'BulkChangeId is required' });
  } else if (out.bulkChangeId === 0) {
    issues.push({ field: 'BulkChangeId', message: 'BulkChangeId must be greater than 0' });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `malformed bulk-change message: ${issues.map((i) => i.message).join('; ')}`,
      issues,
    );
  }
  return { retryNumber: 0, ...out } as BulkChangeMessage;
}

/**
 * Writes a message as SQS message attributes (all `String`, as the original does); fields
 * that are undefined are left out.
 *
 * @example
 * toMessageAttributes({ bulkChangeId: 42, retryNumber: 1 });
 * // { BulkChangeId: { DataType: 'String', StringValue: '42' }, RetryNumber: { … '1' } }
 */
export function toMessageAttributes(message: BulkChangeMessage): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [field, [name]] of Object.entries(WIRE)) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    out[name] = { DataType: 'String', StringValue: String(value) };
  }
  return out;
}
