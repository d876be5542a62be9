import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderConfigTable } from '../../src/config/config-table.ts';

describe('README configuration table', () => {
  it('lists exactly the options the code resolves', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const match = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    expect(match, 'README.md lacks the config-table markers').not.toBeNull();
    // On failure, paste the expected table (renderConfigTable()) between the markers.
    expect(match?.[1]).toBe(renderConfigTable());
  });
});
