/**
 * Runs one public driver method with the async executor, driven by the driver's `methodKinds`.
 * Every failure, even one thrown while building the operation, surfaces as a rejection (calls) or on the
 * first `next()` (iterations), never as a synchronous throw.
 *
 * The three design packages each hold an identical copy of this module (they depend only on core and the
 * drivers, never on each other); `shared-code.test.ts` keeps the copies identical.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { InvalidArgumentError, type BaseDriver, type MethodKind } from '@dualcloud/core';

/** What the design packages use of a driver (a structural view of `BaseDriver`). */
export type DriverLike = Pick<BaseDriver, 'type' | 'name' | 'mode' | 'callAsync' | 'iterateAsync' | 'methodKind'>;

/** Calls `method` (a `call` or `iterate` method) through the async executor with an optional signal. */
export function invokeAsync(driver: DriverLike, method: string, kind: MethodKind, args: readonly unknown[], signal: AbortSignal | undefined): unknown {
  const options = signal ? { signal } : {};
  if (kind === 'call') {
    try {
      return driver.callAsync(method, args, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  let iterable: AsyncIterable<unknown>;
  try {
    iterable = driver.iterateAsync(method, args, options);
  } catch (error) {
    return failingIterable(error);
  }
  return iterable;
}

/** An AsyncIterable whose first `next()` rejects with `error`. */
export function failingIterable(error: unknown): AsyncIterable<never> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(error),
      return: (value?: unknown) => Promise.resolve({ done: true as const, value: value as never }),
    }),
  };
}

/**
 * One signal that aborts when any of `signals` does (undefined when none is given). Many calls listen to it
 * at once, so the listener-count warning is turned off on it.
 */
export function linkSignals(...signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  if (given.length === 0) return undefined;
  const linked = AbortSignal.any(given);
  setMaxListeners(0, linked);
  return linked;
}

/** Checks that `signal` is an AbortSignal (or absent) before it is stored. */
export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new InvalidArgumentError(`${where}: signal must be an AbortSignal`);
  return signal;
}
