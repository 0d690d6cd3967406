/**
 * Type-level view of a driver in async mode: every public method returns a Promise or an AsyncIterable,
 * and the models it returns are typed as bound to the async driver (so `node.reboot()` is a Promise too).
 * @module
 */
import type { AsyncMethod, MethodName } from '@dualcloud/core';

/** Only the public methods of `D`, each in its async form (what `withSignal(signal)` returns). */
export type AsyncMethods<D> = { [K in MethodName<D>]: AsyncMethod<D[K], Asyncify<D>> };

/**
 * `D` in async mode: public methods return Promises / AsyncIterables, models are bound to the async driver,
 * everything else (properties, operation builders) is unchanged.
 * @example
 * ```ts
 * const d: Asyncify<EC2Driver> = new EC2({ ...opts, async: true });
 * const [node] = await d.listNodes();   // Node<Asyncify<EC2Driver>>
 * await node.reboot();                  // Promise<boolean>
 * ```
 */
export type Asyncify<D> = {
  [K in keyof D]: K extends MethodName<D> ? AsyncMethod<D[K], Asyncify<D>> : D[K];
} & {
  /** Same driver, with `signal` also cancelling the calls made through the returned object. */
  withSignal(signal: AbortSignal): AsyncMethods<D>;
};
