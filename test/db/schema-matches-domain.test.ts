import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { BulkChangeStatus } from '../../src/domain/bulk-change/bulk-change-status.ts';
import { ALL_CHANGE_TYPES } from '../../src/domain/change-types/change-type.ts';
import { DeviceChangeStatus } from '../../src/domain/device-change/device-change-status.ts';
import { ALL_INTEGRATIONS } from '../../src/domain/integrations.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * The SQL CHECK constraints and lookup rows must allow exactly what the domain defines, so that
 * a status or change type added in code without a migration is caught here.
 */
describe('schema matches the domain', () => {
  const testDb = useTestDatabase();

  async function checkValues(constraint: string): Promise<string[]> {
    const { rows } = await sql<{ def: string }>`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conname = ${constraint}
        and connamespace = (select oid from pg_namespace where nspname = current_schema())`.execute(
      testDb().db,
    );
    expect(rows, `constraint ${constraint} exists`).toHaveLength(1);
    return [...(rows[0]?.def ?? '').matchAll(/'([^']+)'::text/g)].map((m) => m[1] ?? '').sort();
  }

  it('bulk change statuses', async () => {
    expect(await checkValues('bulk_changes_status')).toEqual(
      Object.values(BulkChangeStatus).sort(),
    );
  });

  it('device change statuses', async () => {
    expect(await checkValues('device_changes_status')).toEqual(
      Object.values(DeviceChangeStatus).sort(),
    );
  });

  it('integrations', async () => {
    expect(await checkValues('service_providers_integration')).toEqual(
      [...ALL_INTEGRATIONS].sort(),
    );
  });

  it('every change type has a change request type row', async () => {
    const rows = await testDb().db.selectFrom('change_request_types').select('name').execute();
    const names = rows.map((r) => r.name);
    for (const type of ALL_CHANGE_TYPES) expect(names).toContain(type);
  });
});
