/**
 * The EditUsernameCostCenter "username update report" — the one the original built and never
 * sent (original-system.md §3.1, §6.1): per device, the customer, ICCID / MSISDN, previous and
 * new username and cost centers, when and by whom. Rendered as an inline HTML / text table
 * (first lines) and as a CSV attachment (every line).
 */
import type { UsernameReportLine, UsernameValues } from '../ports/notification-store.ts';
import { csvChunks } from './csv.ts';
import { escapeHtml } from './html.ts';

const FIELDS: ReadonlyArray<{ key: keyof UsernameValues; label: string }> = [
  { key: 'username', label: 'Username' },
  { key: 'costCenter1', label: 'Cost center 1' },
  { key: 'costCenter2', label: 'Cost center 2' },
  { key: 'costCenter3', label: 'Cost center 3' },
];

/** File name of the username report attachment. */
export const USERNAME_REPORT_CSV_FILENAME = 'username-report.csv';

/** Header of `username-report.csv`. */
export const USERNAME_REPORT_CSV_HEADER: readonly string[] = [
  'customer',
  'iccid',
  'msisdn',
  ...FIELDS.flatMap((f) => [`${toSnake(f.key)}_previous`, `${toSnake(f.key)}_new`]),
  'changed_fields',
  'date_changed',
  'changed_by',
];

function toSnake(key: string): string {
  return key
    .replace(/([A-Z])/g, '_$1')
    .replace(/(\d)/, '_$1')
    .toLowerCase();
}

/** The CSV attachment's content, streamed from the report's pages. */
export function usernameReportCsv(
  pages: AsyncIterable<UsernameReportLine[]>,
): AsyncIterable<string> {
  return csvChunks(USERNAME_REPORT_CSV_HEADER, pages, (line) => [
    line.customer,
    line.iccid,
    line.msisdn,
    ...FIELDS.flatMap((f) => [line.previous[f.key], line.next[f.key]]),
    line.changed.join(' '),
    line.changedAt,
    line.changedBy,
  ]);
}

function change(line: UsernameReportLine, key: keyof UsernameValues): string {
  const before = line.previous[key] ?? '';
  const after = line.next[key] ?? '';
  return line.changed.includes(key) ? `${before || '(empty)'} → ${after || '(empty)'}` : after;
}

/** Plain-text table of the first lines. */
export function usernameReportText(lines: readonly UsernameReportLine[], total: number): string {
  const out = [
    `Username update report (${lines.length < total ? `first ${lines.length} of ${total}` : `${total}`} devices; every device in username-report.csv)`,
  ];
  for (const line of lines) {
    const values = FIELDS.map((f) => `${f.label}: ${change(line, f.key)}`).join('; ');
    out.push(
      `  ${line.customer ?? '(no customer)'} | ICCID ${line.iccid ?? '-'} | MSISDN ${line.msisdn ?? '-'} | ${values} | ${line.changedAt?.toISOString() ?? '-'} | ${line.changedBy}`,
    );
  }
  return out.join('\n');
}

/** HTML table of the first lines (previous and new value side by side, changes marked). */
export function usernameReportHtml(lines: readonly UsernameReportLine[], total: number): string {
  const head = [
    'Customer',
    'ICCID',
    'MSISDN',
    ...FIELDS.flatMap((f) => [`${f.label} previous`, `${f.label} new`]),
    'Date changed',
    'Changed by',
  ]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('');
  const rows = lines
    .map((line) => {
      const cells = [line.customer ?? '', line.iccid ?? '', line.msisdn ?? ''].map(
        (c) => `<td>${escapeHtml(c)}</td>`,
      );
      for (const f of FIELDS) {
        const changed = line.changed.includes(f.key);
        const style = changed ? ' style="font-weight:bold"' : '';
        cells.push(`<td>${escapeHtml(line.previous[f.key] ?? '')}</td>`);
        cells.push(`<td${style}>${escapeHtml(line.next[f.key] ?? '')}</td>`);
      }
      cells.push(`<td>${escapeHtml(line.changedAt?.toISOString() ?? '')}</td>`);
      cells.push(`<td>${escapeHtml(line.changedBy)}</td>`);
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const caption =
    lines.length < total
      ? `First ${lines.length} of ${total} devices; every device is in username-report.csv.`
      : `${total} devices (also in username-report.csv).`;
  return `<h2>Username update report</h2>\n<p>${escapeHtml(caption)}</p>\n<table border="1" cellpadding="4" cellspacing="0"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}
