/**
 * Design 2: driver classes with an `*Async` twin of every public method, generated from `methodKinds`.
 * The sync methods keep working on the same instance.
 * @module
 */
import { checkSignal, invokeAsync, InvalidArgumentError, linkSignals, type BaseDriver, type DriverLike, type MethodKind } from '@dualcloud/core';
import type { AsyncTwins, WithAsyncMethods } from './types.js';

/** A driver class as `getDriver` returns it: a constructor taking one options object, with `methodKinds`. */
export type DriverClass = (abstract new (...args: any[]) => BaseDriver) & { readonly methodKinds: Readonly<Record<string, MethodKind>> };

type OptionsOf<C> = C extends abstract new (options: infer O, ...rest: any[]) => unknown ? O : never;

/** Options of a Design 2 driver: the driver's own options plus an optional `signal` for the `*Async` calls. */
export type AsyncMethodsOptions<C extends DriverClass> = NonNullable<OptionsOf<C>> & {
  /** Cancels every `*Async` call of this driver; per call, use `withSignal(signal)`. Sync calls ignore it. */
  signal?: AbortSignal;
};

/** A Design 2 driver class: `new D(opts)` has the sync methods and their `*Async` twins. */
export interface AsyncMethodsClass<C extends DriverClass> {
  new (
    ...args: undefined extends OptionsOf<C> ? [options?: AsyncMethodsOptions<C>] : [options: AsyncMethodsOptions<C>]
  ): WithAsyncMethods<InstanceType<C>>;
  /** Public method names and kinds, inherited from the driver class. */
  readonly methodKinds: C['methodKinds'];
}

const SIGNAL: unique symbol = Symbol('dualcloud.asyncMethods.signal');
const classes = new WeakMap<DriverClass, unknown>();

/** The suffix of the twins. */
export const ASYNC_SUFFIX = 'Async';

/**
 * Generates the Design 2 class of a driver class (cached: the same input gives the same class): a subclass
 * with `mAsync(...)` for every public method `m`, running `m`'s operation with the async executor.
 * @example
 * ```ts
 * const Dummy = withAsyncMethods(DummyNodeDriver);
 * const driver = new Dummy({ key: 'any' });
 * driver.listNodes();            // Node[] (blocks)
 * await driver.listNodesAsync(); // Node[]
 * ```
 */
export function withAsyncMethods<C extends DriverClass>(Base: C): AsyncMethodsClass<C> {
  const cached = classes.get(Base);
  if (cached) return cached as AsyncMethodsClass<C>;
  const kinds = Base.methodKinds;
  const Concrete = Base as unknown as new (options?: object) => DriverLike;

  class AsyncMethodsDriver extends Concrete {
    declare readonly [SIGNAL]: AbortSignal | undefined;

    constructor(options?: Record<string | symbol, unknown>) {
      const { signal, ...rest } = options ?? {};
      const checked = checkSignal(signal, Base.name);
      super(options === undefined ? undefined : rest);
      Object.defineProperty(this, SIGNAL, { value: linkSignals(checked), enumerable: false });
    }

    /** The `*Async` twins with `signal` also cancelling them. */
    withSignal(signal: AbortSignal): Record<string, unknown> {
      const given = checkSignal(signal, 'withSignal');
      if (!given) throw new InvalidArgumentError('withSignal: give an AbortSignal');
      const linked = linkSignals(this[SIGNAL], given);
      const view: Record<string, unknown> = {};
      for (const [method, kind] of Object.entries(kinds)) {
        view[`${method}${ASYNC_SUFFIX}`] = (...args: unknown[]) => invokeAsync(this, method, kind, args, linked);
      }
      return view;
    }
  }

  for (const [method, kind] of Object.entries(kinds)) {
    Object.defineProperty(AsyncMethodsDriver.prototype, `${method}${ASYNC_SUFFIX}`, {
      value: function (this: AsyncMethodsDriver, ...args: unknown[]): unknown {
        return invokeAsync(this, method, kind, args, this[SIGNAL]);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(AsyncMethodsDriver, 'name', { value: Base.name });
  classes.set(Base, AsyncMethodsDriver);
  return AsyncMethodsDriver as unknown as AsyncMethodsClass<C>;
}

export type { AsyncTwins, WithAsyncMethods };
