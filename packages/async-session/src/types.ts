/**
 * Type-level view of Design 1: the session's async view of a driver, with models bound to that view.
 * @module
 */
import type { AsyncMethod, BaseDriver, MethodName } from '@dualcloud/core';

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
