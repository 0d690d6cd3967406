/**
 * Type-level view of a driver in async mode: every public method returns a Promise or an AsyncIterable,
 * and the models it returns are typed as bound to the async driver (so `node.reboot()` is a Promise too).
 * @module
 */
import type { Container, Node, NodeLifecycle, RunningNode, StorageObject, StorageOps } from '@dualcloud/core';

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

/**
 * A returned value with its models re-typed as bound to `Self` (the async driver): `Node` becomes
 * `Node<NodeLifecycle & Self>`, so `node.reboot()` has `Self['rebootNode']`'s return type (the last
 * signature of the intersection wins). An intersection, not a conditional, keeps the recursion lazy.
 */
export type Bound<T, Self> = T extends Node<any>
  ? Node<NodeLifecycle & Self>
  : T extends StorageObject<any>
    ? StorageObject<StorageOps & Self>
    : T extends Container<any>
      ? Container<StorageOps & Self>
      : T extends RunningNode
        ? { node: Bound<Node, Self>; ips: string[] }
        : T extends readonly (infer E)[]
          ? Bound<E, Self>[]
          : T;

/** The async counterpart of a sync return type: `Iterable<T>` becomes `AsyncIterable<T>`, anything else a Promise. */
export type AsyncResult<R, Self> = [R] extends [string | Uint8Array | readonly unknown[]]
  ? Promise<Bound<R, Self>>
  : [R] extends [Iterable<infer T>]
    ? AsyncIterable<Bound<T, Self>>
    : Promise<Bound<R, Self>>;

/** The async signature of a sync method. */
export type AsyncMethod<F, Self> = F extends (...args: infer A) => infer R ? (...args: A) => AsyncResult<R, Self> : never;

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
