/**
 * Type-level view of Design 2: a driver plus an `*Async` twin of each public method.
 * @module
 */
import type { BaseDriver } from '@dualcloud/core';

/** Names of a driver's public methods: its functions minus the `*Op` / `*Pages` builders and `BaseDriver` plumbing. */
export type MethodName<D> = {
  [K in keyof D & string]: D[K] extends (...args: never[]) => unknown
    ? K extends `${string}Op` | `${string}Pages` | keyof BaseDriver
      ? never
      : K
    : never;
}[keyof D & string];

/** The async counterpart of a sync return type: `Iterable<T>` becomes `AsyncIterable<T>`, anything else a Promise. */
export type AsyncResult<R> = R extends string | Uint8Array | readonly unknown[]
  ? Promise<R>
  : R extends Iterable<infer T>
    ? AsyncIterable<T>
    : Promise<R>;

/** The async signature of a sync method. */
export type AsyncMethod<F> = F extends (...args: infer A) => infer R ? (...args: A) => AsyncResult<R> : never;

/** The `*Async` twins of `D`'s public methods: `listNodes(): Node[]` gives `listNodesAsync(): Promise<Node[]>`. */
export type AsyncTwins<D> = { [K in MethodName<D> as `${K}Async`]: AsyncMethod<D[K]> };

/**
 * A Design 2 driver: the sync driver `D` unchanged, plus the `*Async` twins and `withSignal`.
 * Returned models are the sync models: their methods (`node.reboot()`) block; use the driver's twins instead.
 */
export type WithAsyncMethods<D> = D &
  AsyncTwins<D> & {
    /** The `*Async` twins with `signal` also cancelling the calls made through the returned object. */
    withSignal(signal: AbortSignal): AsyncTwins<D>;
  };
