/**
 * CSV lines (RFC 4180: comma separated, CRLF, fields quoted when they hold a comma, quote or
 * line break) of the attachments, produced page by page.
 */

/** One CSV field. Leading `=`, `+`, `-`, `@` are prefixed with `'` so spreadsheets do not run them. */
export function csvField(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line with its CRLF. */
export function csvLine(fields: ReadonlyArray<Parameters<typeof csvField>[0]>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Yields the header, then one chunk of lines per page of `pages`. */
export async function* csvChunks<T>(
  header: readonly string[],
  pages: AsyncIterable<readonly T[]>,
  row: (item: T) => ReadonlyArray<Parameters<typeof csvField>[0]>,
): AsyncIterable<string> {
  yield csvLine(header);
  for await (const page of pages) {
    if (page.length > 0) yield page.map((item) => csvLine(row(item))).join('');
  }
}
