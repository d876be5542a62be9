/**
 * Rewrites the configuration table of README.md from the code (`npm run docs:config`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderConfigTable } from '../src/config/config-table.ts';

const file = new URL('../README.md', import.meta.url);
const readme = await readFile(file, 'utf8');
const next = readme.replace(
  /(<!-- config-table:start -->\n)[\s\S]*?(\n<!-- config-table:end -->)/,
  `$1${renderConfigTable()}$2`,
);
await writeFile(file, next);
process.stdout.write(next === readme ? 'README.md already up to date\n' : 'README.md updated\n');
