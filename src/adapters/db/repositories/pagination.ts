/**
 * Keyset pagination shared by the repositories: `{ limit, cursor }` in, `{ items, nextCursor }`
 * out. A cursor is an opaque base64url token holding the last key of the previous page.
 */
import { ValidationError } from '../../../domain/errors.ts';

/** Page request. */
export interface PageRequest {
  /** Rows per page, 1–1000. @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string | undefined;
}

/** One page of results. */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 1000;

/** Encodes the last key of a page as an opaque cursor. */
export function encodeCursor(lastKey: number): string {
  return Buffer.from(`k:${lastKey}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 *
 * @throws {ValidationError} the cursor is not one of ours.
 */
export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  const match = /^k:(\d{1,15})$/.exec(text);
  if (match === null) {
    throw new ValidationError('invalid pagination cursor', [
      { field: 'cursor', message: 'is not a cursor returned by this API' },
    ]);
  }
  return Number(match[1]);
}

/** Validated page size. */
export function pageLimit(request: PageRequest): number {
  const limit = request.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError('invalid page size', [
      { field: 'limit', message: `must be an integer between 1 and ${MAX_PAGE_SIZE}` },
    ]);
  }
  return limit;
}

/**
 * Builds a page from `limit + 1` fetched rows ordered by key: the extra row only tells that
 * another page exists.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: last === undefined ? null : encodeCursor(keyOf(last)) };
}
