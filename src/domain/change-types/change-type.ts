/**
 * Change types: what a bulk change does to each of its devices.
 *
 * Implemented: EditUsernameCostCenter, StatusUpdate, CarrierRatePlanChange,
 * ChangeICCIDAndIMEI, AssociateCustomer, CreateRevService. The original also has Archival,
 * CustomerRatePlanChange and ActivateNewService; they are not implemented yet and are
 * therefore not part of {@link ChangeType} (a request for them gets UNKNOWN_CHANGE_TYPE).
 *
 * Adding a change type: one entry here (plus aliases), one file with its schema and
 * definition, one line in `registry.ts` (the compiler enforces the last step).
 */
import type { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import type { IdentifierKind } from '../identifiers/identifier-kind.ts';
import type { Integration } from '../integrations.ts';

/** Every implemented change type (the original's `ChangeRequestType` names). */
export const ChangeType = {
  EditUsernameCostCenter: 'EditUsernameCostCenter',
  StatusUpdate: 'StatusUpdate',
  CarrierRatePlanChange: 'CarrierRatePlanChange',
  ChangeICCIDAndIMEI: 'ChangeICCIDAndIMEI',
  AssociateCustomer: 'AssociateCustomer',
  CreateRevService: 'CreateRevService',
} as const;

/** One implemented change type. */
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/**
 * Other names accepted for each change type: the original Lambda's `CustomerAssignment` and
 * the original portal's `EditUsername` / `ChangeICCIDorIMEI`.
 */
export const CHANGE_TYPE_ALIASES: Readonly<Record<ChangeType, readonly string[]>> = {
  EditUsernameCostCenter: ['EditUsername'],
  StatusUpdate: [],
  CarrierRatePlanChange: [],
  ChangeICCIDAndIMEI: ['ChangeICCIDorIMEI'],
  AssociateCustomer: ['CustomerAssignment'],
  CreateRevService: [],
};

/** Every change type, in declaration order. */
export const ALL_CHANGE_TYPES: readonly ChangeType[] = Object.freeze(
  Object.values(ChangeType) as ChangeType[],
);

const BY_LOWER_NAME: ReadonlyMap<string, ChangeType> = new Map(
  ALL_CHANGE_TYPES.flatMap((type) =>
    [type, ...CHANGE_TYPE_ALIASES[type]].map((name) => [name.toLowerCase(), type] as const),
  ),
);

/** A change type name the service does not know (code `UNKNOWN_CHANGE_TYPE`). */
export class UnknownChangeTypeError extends AppError {
  constructor(name: string) {
    const aliases = ALL_CHANGE_TYPES.flatMap((type) =>
      CHANGE_TYPE_ALIASES[type].map((alias) => `${alias} = ${type}`),
    );
    super(
      ErrorCode.UNKNOWN_CHANGE_TYPE,
      `Unknown change type ${JSON.stringify(name)}; accepted: ${ALL_CHANGE_TYPES.join(', ')} ` +
        `(also ${aliases.join(', ')}; case does not matter)`,
      { context: { name, accepted: [...ALL_CHANGE_TYPES] } },
    );
  }
}

/** True when `value` is exactly the name of an implemented change type. */
export function isChangeType(value: string): value is ChangeType {
  return Object.hasOwn(CHANGE_TYPE_ALIASES, value);
}

/**
 * Resolves a change type name: exact names, any letter case, and the aliases in
 * {@link CHANGE_TYPE_ALIASES}; surrounding whitespace is ignored. Throws
 * {@link UnknownChangeTypeError} for anything else.
 *
 * @example
 * parseChangeType('customerassignment'); // 'AssociateCustomer'
 */
export function parseChangeType(name: string): ChangeType {
  const type = BY_LOWER_NAME.get(name.trim().toLowerCase());
  if (type === undefined) throw new UnknownChangeTypeError(name);
  return type;
}

/**
 * Everything the rest of the service needs to know about a change type.
 *
 * @typeParam Request - the normalised request (output of `requestSchema`).
 */
export interface ChangeTypeDefinition<Request = unknown> {
  /** Canonical name. */
  readonly name: ChangeType;
  /** Other accepted names (see {@link CHANGE_TYPE_ALIASES}). */
  readonly aliases: readonly string[];
  /** One sentence for users (API docs, CLI help). */
  readonly description: string;
  /** Validates and normalises the request (original PascalCase field names, strict). */
  readonly requestSchema: z.ZodType<Request>;
  /** Integrations this change type can be carried to. */
  readonly supportedIntegrations: readonly Integration[];
  /**
   * Identifiers a device row may use to name its device, preferred first (M2M devices are
   * keyed by ICCID, Telegence/Mobility devices by MSISDN).
   */
  readonly identifierKinds: readonly IdentifierKind[];
  /**
   * Request fields that may vary per device row (a device object's own fields or a CSV
   * column), as dotted paths into the request; the other fields are shared by all rows.
   */
  readonly perDeviceFields: readonly string[];
}
