/**
 * Type-level view of Design 2: a driver plus an `*Async` twin of each public method.
 * @module
 */
/**
 * Names of a driver's public methods, by the drivers' rule: a public method `m` is backed by an operation
 * builder `mOp` (call) or `mPages` (iterate). Helpers without a builder are not part of the async API.
 */
export type MethodName<D> = {
  [K in keyof D & string]: D[K] extends (...args: never[]) => unknown
    ? `${K}Op` extends keyof D
      ? K
      : `${K}Pages` extends keyof D
        ? K
        : never
    : never;
}[keyof D & string];

/** The async counterpart of a sync return type: `Iterable<T>` becomes `AsyncIterable<T>`, anything else a Promise. */
export type AsyncResult<R> = [R] extends [string | Uint8Array | readonly unknown[]]
  ? Promise<R>
  : [R] extends [Iterable<infer T>]
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
