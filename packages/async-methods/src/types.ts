/**
 * Type-level view of Design 2: a driver plus an `*Async` twin of each public method.
 * @module
 */
import type { AsyncMethod, MethodName } from '@dualcloud/core';

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
