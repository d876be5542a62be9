/**
 * Renders the configuration table of README.md from {@link CONFIG_OPTIONS}, so the README
 * cannot drift from the code (a test compares the two).
 */
import { CONFIG_OPTIONS } from './config-options.ts';

/** The Markdown table of every configuration option. */
export function renderConfigTable(): string {
  const rows = CONFIG_OPTIONS.map(
    (o) => `| \`${o.env}\` | \`${o.flag}\` | ${o.defaultText} | ${o.description} |`,
  );
  return ['| Variable | Flag | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
