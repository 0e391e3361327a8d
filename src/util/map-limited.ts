/**
 * Promise.all over `items` with at most `limit` calls of `fn` in flight: a large deployment or
 * image collection does not hand the engine hundreds of requests at once (dockerd serialises
 * much of the work behind its own locks, so the excess only queues and competes). Results come
 * in the items' order. After a rejection no further call starts, and the first rejection is
 * answered once the calls in flight have settled.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapLimited: limit must be a positive integer, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
