/**
 * Design 3: the same driver class, constructed with `async: true`. Core runs such a driver with the async
 * executor, so every method returns a Promise or an AsyncIterable, and so do model methods (`node.reboot()`,
 * `container.listObjects()`, `obj.asStream()`), because models call back into their driver.
 * @module
 */
import { ASYNC_MODE, checkSignal, invokeAsync, InvalidArgumentError, linkSignals, type BaseDriver, type DriverLike, type MethodKind } from '@dualcloud/core';
import type { AsyncMethods, Asyncify } from './types.js';

/** A driver class as `getDriver` returns it: a constructor taking one options object, with `methodKinds`. */
export type DriverClass = (abstract new (...args: any[]) => BaseDriver) & { readonly methodKinds: Readonly<Record<string, MethodKind>> };

type OptionsOf<C> = C extends abstract new (options: infer O, ...rest: any[]) => unknown ? O : never;

/** Options of a Design 3 driver: the driver's own options, plus `async` and an optional `signal`. */
export type AsyncModeOptions<C extends DriverClass> = NonNullable<OptionsOf<C>> & {
  /** `true` runs the driver with the async executor: every method returns a Promise / AsyncIterable. */
  async?: boolean;
  /** Cancels every call of this driver (async mode only); per call, use `withSignal(signal)`. */
  signal?: AbortSignal;
};

/**
 * A Design 3 driver class. Its type follows the `async` flag:
 * `new D({ ...opts, async: true })` is an {@link Asyncify}d driver, `new D(opts)` the plain sync driver.
 */
export interface AsyncModeClass<C extends DriverClass> {
  /** An async-mode driver: methods return Promises / AsyncIterables. */
  new (options: AsyncModeOptions<C> & { async: true }): Asyncify<InstanceType<C>>;
  /** The sync-style driver, exactly as `@dualcloud/drivers` gives it. */
  new (...args: undefined extends OptionsOf<C> ? [options?: AsyncModeOptions<C> & { async?: false; signal?: undefined }] : [options: AsyncModeOptions<C> & { async?: false; signal?: undefined }]): InstanceType<C>;
  /** Either, when the flag is only known at run time. */
  new (options: AsyncModeOptions<C> & { async: boolean }): InstanceType<C> | Asyncify<InstanceType<C>>;
  /** Public method names and kinds, inherited from the driver class. */
  readonly methodKinds: C['methodKinds'];
}

const SIGNAL: unique symbol = Symbol('dualcloud.asyncMode.signal');
const classes = new WeakMap<DriverClass, unknown>();

/**
 * Generates the Design 3 class of a driver class (cached: the same input gives the same class).
 * The class subclasses the driver; its constructor reads `async` and `signal`, passes `{[ASYNC_MODE]: true}`
 * on to core when `async` is true, and its public methods pass the signal to the async executor.
 * @example
 * ```ts
 * const Dummy = withAsyncMode(DummyNodeDriver);
 * const nodes = await new Dummy({ async: true }).listNodes();
 * ```
 */
export function withAsyncMode<C extends DriverClass>(Base: C): AsyncModeClass<C> {
  const cached = classes.get(Base);
  if (cached) return cached as AsyncModeClass<C>;
  const kinds = Base.methodKinds;
  const Concrete = Base as unknown as new (options?: object) => DriverLike;

  class AsyncModeDriver extends Concrete {
    declare readonly [SIGNAL]: AbortSignal | undefined;

    constructor(options?: Record<string | symbol, unknown>) {
      const { async: asyncFlag, signal, ...rest } = options ?? {};
      if (asyncFlag !== undefined && typeof asyncFlag !== 'boolean') throw new InvalidArgumentError(`${Base.name}: async must be true or false`);
      const checked = checkSignal(signal, Base.name);
      if (checked && asyncFlag !== true) throw new InvalidArgumentError(`${Base.name}: a signal needs async: true (sync calls cannot be cancelled)`);
      super(asyncFlag === true ? { ...rest, [ASYNC_MODE]: true } : options === undefined ? undefined : rest);
      Object.defineProperty(this, SIGNAL, { value: linkSignals(checked), enumerable: false });
    }

    /** The public methods of this async driver with `signal` also cancelling them. */
    withSignal(signal: AbortSignal): Record<string, unknown> {
      if (this.mode !== 'async') throw new InvalidArgumentError(`${this.name}: withSignal needs a driver constructed with async: true`);
      const given = checkSignal(signal, 'withSignal');
      if (!given) throw new InvalidArgumentError('withSignal: give an AbortSignal');
      const linked = linkSignals(this[SIGNAL], given);
      const view: Record<string, unknown> = {};
      for (const [method, kind] of Object.entries(kinds)) view[method] = (...args: unknown[]) => invokeAsync(this, method, kind, args, linked);
      return view;
    }
  }

  for (const [method, kind] of Object.entries(kinds)) {
    const syncImpl = (Concrete.prototype as unknown as Record<string, unknown>)[method];
    if (typeof syncImpl !== 'function') continue;
    Object.defineProperty(AsyncModeDriver.prototype, method, {
      value: function (this: AsyncModeDriver, ...args: unknown[]): unknown {
        return this.mode === 'async' ? invokeAsync(this, method, kind, args, this[SIGNAL]) : syncImpl.apply(this, args);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(AsyncModeDriver, 'name', { value: Base.name });
  classes.set(Base, AsyncModeDriver);
  return AsyncModeDriver as unknown as AsyncModeClass<C>;
}

export type { AsyncMethods, Asyncify };
