/** A bounded worker pool: what grading, verifying and the sandbox's runPool run their jobs with. */

/**
 * Runs `fn` over `items` with at most `concurrency` workers (at least one);
 * results come back in the order of `items`. `worker` numbers the worker
 * (0 .. workers - 1) so that a caller can keep per-worker state.
 */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number, worker: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i, w);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return results;
}
