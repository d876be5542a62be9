/**
 * Rev.io customers and services as known to the store. "Active" services are those not
 * disconnected (no `disconnected_at`, or one in the future); look-ups return them ordered by
 * activation date, earliest first (the original picks the earliest ActivatedDate).
 */
import { type Insertable, type Kysely, sql } from 'kysely';
import type {
  Database,
  RevCustomer,
  RevCustomersTable,
  RevService,
  RevServicesTable,
} from '../schema.ts';
import { chunk } from './db-helpers.ts';

/** Insert shape of a Rev.io customer (column names of `rev_customers`). */
export type NewRevCustomer = Insertable<RevCustomersTable>;
/** Insert shape of a Rev.io service (column names of `rev_services`). */
export type NewRevService = Insertable<RevServicesTable>;

/** Repository of Rev.io customers and services. */
export interface RevRepository {
  /** Returns the new ids in input order. */
  insertCustomers(customers: readonly NewRevCustomer[]): Promise<number[]>;
  /** Returns the new ids in input order. */
  insertServices(services: readonly NewRevService[]): Promise<number[]>;
  findCustomerByExternalId(
    billingIntegrationId: number,
    externalId: string,
  ): Promise<RevCustomer | undefined>;
  listCustomers(tenantId: number): Promise<RevCustomer[]>;
  /** Active services of the tenant with this ICCID, earliest activation first. */
  findActiveServicesByIccid(tenantId: number, iccid: string): Promise<RevService[]>;
  /** Active services of the tenant with this MSISDN, earliest activation first. */
  findActiveServicesByMsisdn(tenantId: number, msisdn: string): Promise<RevService[]>;
  /** Batch form for a page of device changes: active services matching any value. */
  findActiveServicesBy(
    tenantId: number,
    kind: 'iccid' | 'msisdn',
    values: readonly string[],
  ): Promise<RevService[]>;
}

/**
 * Creates the Rev.io repository.
 *
 * @example
 * const [service] = await createRevRepository(db).findActiveServicesByIccid(tenantId, iccid);
 */
export function createRevRepository(db: Kysely<Database>): RevRepository {
  const findActive = async (
    tenantId: number,
    kind: 'iccid' | 'msisdn',
    values: readonly string[],
  ): Promise<RevService[]> => {
    const out: RevService[] = [];
    for (const part of chunk([...new Set(values)], 5000)) {
      const rows = await db
        .selectFrom('rev_services')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`${sql.ref(kind)} = any(${part}::text[])`)
        .where((eb) =>
          eb.or([eb('disconnected_at', 'is', null), eb('disconnected_at', '>', sql<Date>`now()`)]),
        )
        .orderBy(sql`activated_at asc nulls last`)
        .orderBy('id')
        .execute();
      out.push(...rows);
    }
    return out;
  };
  return {
    async insertCustomers(customers) {
      const ids: number[] = [];
      for (const part of chunk(customers)) {
        const rows = await db.insertInto('rev_customers').values(part).returning('id').execute();
        for (const r of rows) ids.push(r.id);
      }
      return ids;
    },

    async insertServices(services) {
      const ids: number[] = [];
      for (const part of chunk(services)) {
        const rows = await db.insertInto('rev_services').values(part).returning('id').execute();
        for (const r of rows) ids.push(r.id);
      }
      return ids;
    },

    findCustomerByExternalId: (billingIntegrationId, externalId) =>
      db
        .selectFrom('rev_customers')
        .selectAll()
        .where('billing_integration_id', '=', billingIntegrationId)
        .where('external_id', '=', externalId)
        .executeTakeFirst(),

    listCustomers: (tenantId) =>
      db
        .selectFrom('rev_customers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute(),

    findActiveServicesByIccid: (tenantId, iccid) => findActive(tenantId, 'iccid', [iccid]),
    findActiveServicesByMsisdn: (tenantId, msisdn) => findActive(tenantId, 'msisdn', [msisdn]),
    findActiveServicesBy: findActive,
  };
}
