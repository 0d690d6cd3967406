/**
 * Bounded concurrency for the async designs: at most `limit` calls in flight, in input order.
 * @module
 */

/** Results of {@link mapLimit}, and the most calls seen in flight at once. */
export interface Limited<R> {
  readonly results: R[];
  readonly maxInFlight: number;
}

/**
 * Applies `fn` to every item with at most `limit` calls running at once. The first failure rejects once the
 * running calls have settled; no new call starts after it.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<Limited<R>> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const at = next++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        results[at] = await fn(items[at]!);
      } catch (error) {
        failure ??= { error };
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  return { results, maxInFlight };
}
