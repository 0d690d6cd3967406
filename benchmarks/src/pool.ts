/**
 * Bounded load loops: every loop has a count and a deadline.
 * @module
 */
import { performance } from 'node:perf_hooks';

/** What a load loop did. */
export interface PoolResult {
  readonly wallMs: number;
  /** Operations completed before the deadline. */
  readonly completed: number;
  /** True when the deadline stopped the loop early. */
  readonly truncated: boolean;
}

/**
 * Runs `total` operations with `concurrency` lanes (1 lane, blocking, when `concurrent` is false), stopping
 * early at `deadlineMs` from now.
 */
export async function runPool(
  total: number,
  concurrency: number,
  concurrent: boolean,
  deadlineMs: number,
  op: (index: number) => Promise<unknown> | unknown,
): Promise<PoolResult> {
  const stopAt = performance.now() + deadlineMs;
  let next = 0;
  let completed = 0;
  const start = performance.now();
  if (!concurrent) {
    while (next < total && performance.now() < stopAt) {
      op(next++);
      completed++;
    }
  } else {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, total) }, async () => {
        while (next < total && performance.now() < stopAt) {
          await op(next++);
          completed++;
        }
      }),
    );
  }
  return { wallMs: performance.now() - start, completed, truncated: completed < total };
}

/** Microseconds per completed operation of a load loop. */
export const usPerCall = (run: PoolResult): number => (run.wallMs * 1000) / Math.max(1, run.completed);

/** Rounds to one decimal. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;
