/**
 * Rewrites the API error table of README.md from the code (`npm run docs:errors`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderErrorTable } from '../src/api/error-responses.ts';

const file = new URL('../README.md', import.meta.url);
const readme = await readFile(file, 'utf8');
const next = readme.replace(
  /(<!-- api-errors:start -->\n)[\s\S]*?(\n<!-- api-errors:end -->)/,
  `$1${renderErrorTable()}$2`,
);
await writeFile(file, next);
process.stdout.write(next === readme ? 'README.md already up to date\n' : 'README.md updated\n');
