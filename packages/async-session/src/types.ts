/**
 * Type-level view of Design 1: the session's async view of a driver, with models bound to that view.
 * @module
 */
import type { BaseDriver, Container, Node, NodeLifecycle, RunningNode, StorageObject, StorageOps } from '@dualcloud/core';

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
 * A returned value with its models re-typed as bound to the session view `Self`: `Node` becomes
 * `Node<NodeLifecycle & Self>`, so `node.reboot()` has the view's return type, a Promise (the last signature of
 * the intersection wins). An intersection, not a conditional, keeps the recursion lazy.
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

/**
 * A session's view of one driver: each public method of `D` returning a Promise (call methods) or an
 * AsyncIterable (iterate methods). No sync method is on it.
 */
export type SessionView<D> = { [K in MethodName<D>]: AsyncMethod<D[K], SessionView<D>> };

/** The drivers of a session, as a tuple. */
export type DriversOf<T> = T extends readonly BaseDriver[] ? T : [T];

/** Options of {@link AsyncSession}. */
export interface SessionOptions {
  /** Aborts every call of the session when it fires (the session stays open; later calls reject with `AbortError`). */
  signal?: AbortSignal;
}

/** What every session scope has, whatever its drivers. */
export interface SessionScopeBase<T> {
  /** Aborts when the session closes or a signal given to it fires. */
  readonly signal: AbortSignal;
  /** Whether the session is closed (then every call rejects with `ClosedError`). */
  readonly closed: boolean;
  /** The view of the driver at `index` (in the order given to the constructor). */
  driver<I extends number>(index: I): SessionView<DriversOf<T>[I]>;
  /** The view of `driver`, which must be one of the session's drivers. */
  for<D extends DriversOf<T>[number]>(driver: D): SessionView<D>;
  /** The same session with `signal` also cancelling the calls made through the returned scope. */
  withSignal(signal: AbortSignal): SessionScope<T>;
}

/** A session scope: with one driver its methods are on the scope itself; with several, use `driver(i)` / `for(d)`. */
export type SessionScope<T> = SessionScopeBase<T> & (T extends readonly unknown[] ? unknown : SessionView<T>);

/**
 * Design 1's session over one driver (`T` a driver) or several (`T` a tuple of drivers). Closing it aborts
 * the calls in flight and makes later calls reject with `ClosedError`; the drivers themselves stay usable.
 */
export type AsyncSession<T> = SessionScope<T> & {
  /** Closes the session: aborts the calls in flight, waits until they settle. Idempotent. */
  close(): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
};

/** The `AsyncSession` constructor and its static helper. */
export interface AsyncSessionConstructor {
  /** A session over one driver: `s.listNodes()` and the other methods are on the session. */
  new <D extends BaseDriver>(driver: D, options?: SessionOptions): AsyncSession<D>;
  /** A session over several drivers: `s.driver(0).listNodes()`, `s.for(ec2).listNodes()`. */
  new <const Ds extends readonly [BaseDriver, ...BaseDriver[]]>(drivers: Ds, options?: SessionOptions): AsyncSession<Ds>;
  /**
   * Opens a session, runs `fn` with it, and closes it however `fn` ends (the `async with` of code that
   * cannot use `await using`). Resolves to `fn`'s result or rejects with its error.
   */
  run<const T extends BaseDriver | readonly [BaseDriver, ...BaseDriver[]], R>(
    drivers: T,
    fn: (session: AsyncSession<T>) => R | PromiseLike<R>,
    options?: SessionOptions,
  ): Promise<R>;
}
