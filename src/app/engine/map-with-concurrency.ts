/**
 * Runs `fn` over `items` with at most `limit` calls in flight; resolves when all settle.
 * Errors are not swallowed: `fn` is expected to handle its own (the engine turns every device
 * failure into a result), and a rejection here is a bug that fails the page.
 */
export async function mapWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
