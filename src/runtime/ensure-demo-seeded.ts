/**
 * Seeds the demo tenant on first start and makes sure `demo-credentials.json` holds a working
 * API key for it. The seed itself is one transaction and idempotent (see `seed-demo.ts`).
 */

import { createTenantRepository } from '../adapters/db/repositories/tenant-repository.ts';
import { seedDemo } from '../adapters/db/seed-demo.ts';
import { buildDemoDataset, type DemoDataset } from '../app/demo/demo-dataset.ts';
import {
  type DemoCredentials,
  readDemoCredentials,
  writeDemoCredentials,
} from './demo-credentials.ts';
import type { Runtime } from './open-runtime.ts';
import { simulatorUrls } from './start-simulators.ts';

/** What {@link ensureDemoSeeded} did. */
export interface EnsureDemoResult {
  /** True when this call seeded the demo tenant. */
  created: boolean;
  /** True when a new API key was issued (first seed, or the credentials file was lost). */
  issuedKey: boolean;
  credentials: DemoCredentials;
  file: string;
}

/** Seeds the demo data if absent and returns working demo credentials. */
export async function ensureDemoSeeded(
  runtime: Runtime,
  options: { dataset?: DemoDataset } = {},
): Promise<EnsureDemoResult> {
  const { database, config, secretBox } = runtime;
  const apiUrl = config.publicUrl;
  // Demo accounts point at the simulators of this configuration (local mode runs them).
  const dataset =
    options.dataset ?? buildDemoDataset({ baseUrls: simulatorUrls(config.simulatorPortBase) });
  const seeded = await seedDemo(database, { secretBox, dataset });
  if (seeded.created && seeded.apiKey !== undefined) {
    const credentials = { apiUrl, apiKey: seeded.apiKey, tenantId: seeded.tenantId };
    const file = await writeDemoCredentials(config.dataDir, credentials);
    return { created: true, issuedKey: true, credentials, file };
  }

  const tenants = createTenantRepository(database.db);
  const existing = await readDemoCredentials(config.dataDir);
  if (existing !== undefined && existing.tenantId === seeded.tenantId) {
    const owner = await tenants.findByApiKey(existing.apiKey);
    if (owner?.id === seeded.tenantId) {
      const credentials = { ...existing, apiUrl };
      const file = await writeDemoCredentials(config.dataDir, credentials);
      return { created: false, issuedKey: false, credentials, file };
    }
  }
  const issued = await tenants.createApiKey(seeded.tenantId, 'demo (reissued)');
  const credentials = { apiUrl, apiKey: issued.key, tenantId: seeded.tenantId };
  const file = await writeDemoCredentials(config.dataDir, credentials);
  runtime.logger.warn(
    { tenantId: seeded.tenantId },
    'demo credentials file was missing or stale; issued a new demo API key',
  );
  return { created: false, issuedKey: true, credentials, file };
}
