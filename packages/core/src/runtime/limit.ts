/**
 * A concurrency limit for in-process requests: at most `limit` calls in flight, the rest started in arrival
 * order as slots free up. A call under the limit starts at once, in the caller's tick, with no Promise of its
 * own (p-limit 7 queues every call behind two extra Promises and several microtask hops).
 * @module
 */

/** Starts `fn` now when a slot is free, or once one frees; resolves or rejects as `fn` does. */
export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** A limit of `concurrency` calls in flight (a positive integer or `Infinity`). */
export function createLimit(concurrency: number): Limit {
  if (!((Number.isInteger(concurrency) || concurrency === Infinity) && concurrency > 0)) {
    throw new TypeError('Expected `concurrency` to be a number from 1 and up');
  }
  let active = 0;
  const waiting: Array<() => void> = [];
  let head = 0;
  // A finished call hands its slot straight to the next waiting one.
  const release = (): void => {
    if (head === waiting.length) {
      active--;
      return;
    }
    const next = waiting[head]!;
    waiting[head++] = undefined as never;
    if (head === waiting.length || head > 1024) {
      waiting.splice(0, head);
      head = 0;
    }
    next();
  };
  const start = <T>(fn: () => Promise<T>): Promise<T> => {
    let running: Promise<T>;
    try {
      running = fn();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(release, release);
    return running;
  };
  return <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active++;
      return start(fn);
    }
    return new Promise<void>((resolve) => void waiting.push(resolve)).then(() => start(fn));
  };
}
