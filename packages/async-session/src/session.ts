/**
 * Design 1: `AsyncSession`, an async scope over unchanged sync drivers (Python's `async with`).
 * Calls go through core's `callAsync` / `iterateAsync`; the wrapped drivers are never patched.
 * @module
 */
import { AbortError, checkSignal, ClosedError, failingIterable, InvalidArgumentError, invokeAsync, linkSignals, UNDERLYING_DRIVER, type DriverLike, type MethodKind } from '@dualcloud/core';
import { bindModels } from './bind.js';
import type { AsyncSession as AsyncSessionOf, AsyncSessionConstructor, SessionOptions } from './types.js';

/** State shared by a session and the scopes derived from it with `withSignal`. */
interface SessionState {
  readonly drivers: readonly DriverLike[];
  readonly controller: AbortController;
  /** Settles (never rejects) when each call or page fetch in flight settles. */
  readonly inflight: Set<Promise<void>>;
  closed: boolean;
}

const noop = (): void => {};

function kindsOf(driver: DriverLike): Readonly<Record<string, MethodKind>> {
  return (driver.constructor as { methodKinds?: Readonly<Record<string, MethodKind>> }).methodKinds ?? {};
}

function checkDrivers(input: unknown): DriverLike[] {
  const drivers = Array.isArray(input) ? [...(input as unknown[])] : [input];
  if (drivers.length === 0) throw new InvalidArgumentError('AsyncSession: give a driver or a non-empty array of drivers');
  for (const d of drivers) {
    const candidate = d as Partial<DriverLike> | null;
    if (typeof candidate?.callAsync !== 'function' || typeof candidate.iterateAsync !== 'function') {
      throw new InvalidArgumentError('AsyncSession: every driver must be a dualcloud driver (a BaseDriver)');
    }
  }
  return drivers as DriverLike[];
}

/** A session scope: the drivers' async views under one signal. */
class Scope {
  readonly #state: SessionState;
  readonly #signal: AbortSignal;
  readonly #views = new Map<DriverLike, Record<string, unknown>>();

  constructor(state: SessionState, signal: AbortSignal) {
    this.#state = state;
    this.#signal = signal;
    if (state.drivers.length === 1) {
      // One driver: its methods live on the session itself (names the session already uses are skipped).
      for (const [method, fn] of Object.entries(this.#view(state.drivers[0]!))) {
        if (!(method in this)) Object.defineProperty(this, method, { value: fn, enumerable: false });
      }
    }
  }

  get signal(): AbortSignal {
    return this.#signal;
  }

  get closed(): boolean {
    return this.#state.closed;
  }

  driver(index: number): Record<string, unknown> {
    const driver = this.#state.drivers[index];
    if (!Number.isInteger(index) || driver === undefined) {
      throw new InvalidArgumentError(`AsyncSession: no driver at index ${String(index)} (the session has ${this.#state.drivers.length})`);
    }
    return this.#view(driver);
  }

  for(driver: DriverLike): Record<string, unknown> {
    if (!this.#state.drivers.includes(driver)) throw new InvalidArgumentError('AsyncSession.for: that driver is not part of this session');
    return this.#view(driver);
  }

  withSignal(signal: AbortSignal): Scope {
    const given = checkSignal(signal, 'AsyncSession.withSignal');
    if (!given) throw new InvalidArgumentError('AsyncSession.withSignal: give an AbortSignal');
    return new Scope(this.#state, linkSignals(this.#signal, given)!);
  }

  #view(driver: DriverLike): Record<string, unknown> {
    let view = this.#views.get(driver);
    if (view) return view;
    const created: Record<string, unknown> = {};
    for (const [method, kind] of Object.entries(kindsOf(driver))) {
      created[method] = (...args: unknown[]) => (kind === 'call' ? this.#call(driver, created, method, args) : this.#iterate(driver, created, method, args));
    }
    // Models bound to the view still lead to their driver (copies tell same-driver sources by it).
    Object.defineProperty(created, UNDERLYING_DRIVER, { value: driver, enumerable: false });
    view = Object.freeze(created);
    this.#views.set(driver, view);
    return view;
  }

  #call(driver: DriverLike, view: object, method: string, args: unknown[]): Promise<unknown> {
    if (this.#state.closed) return Promise.reject(this.#closedError(method));
    const raw = invokeAsync(driver, method, 'call', args, this.#signal) as Promise<unknown>;
    this.#track(raw);
    return raw.then(
      (value) => bindModels(value, view),
      (error: unknown) => {
        throw this.#explain(error, method);
      },
    );
  }

  #iterate(driver: DriverLike, view: object, method: string, args: unknown[]): AsyncIterable<unknown> {
    const scope = this;
    return {
      [Symbol.asyncIterator](): AsyncIterator<unknown> {
        if (scope.#state.closed) return failingIterable(scope.#closedError(method))[Symbol.asyncIterator]();
        const inner = (invokeAsync(driver, method, 'iterate', args, scope.#signal) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        const seen = new Map<object, object>(); // one bound copy per container across the whole iteration
        return {
          next(): Promise<IteratorResult<unknown>> {
            if (scope.#state.closed) return Promise.reject(scope.#closedError(method));
            const raw = inner.next();
            scope.#track(raw);
            return raw.then(
              (r) => (r.done ? r : { done: false, value: bindModels(r.value, view, seen) }),
              (error: unknown) => {
                throw scope.#explain(error, method);
              },
            );
          },
          async return(value?: unknown): Promise<IteratorResult<unknown>> {
            await inner.return?.(value);
            return { done: true, value };
          },
        };
      },
    };
  }

  #track(promise: Promise<unknown>): void {
    const settled = promise.then(noop, noop).then(() => {
      this.#state.inflight.delete(settled);
    });
    this.#state.inflight.add(settled);
  }

  #closedError(method: string): ClosedError {
    return new ClosedError(`AsyncSession is closed: cannot call ${method}() (open a new session; the driver itself is still usable)`, {
      code: 'SessionClosed',
    });
  }

  /** An abort caused by closing the session says so. */
  #explain(error: unknown, method: string): unknown {
    if (error instanceof AbortError && this.#state.closed) {
      return new AbortError(`${method}() was aborted because its AsyncSession closed`, { code: 'ABORT_ERR', provider: error.provider });
    }
    return error;
  }

  /** Closes the session (only the root scope exposes it). */
  protected async closeState(): Promise<void> {
    const state = this.#state;
    if (!state.closed) {
      state.closed = true;
      state.controller.abort(new ClosedError('AsyncSession closed', { code: 'SessionClosed' }));
    }
    while (state.inflight.size > 0) await Promise.all(state.inflight);
  }
}

/** The runtime class behind {@link AsyncSession}. */
class AsyncSessionImpl extends Scope {
  constructor(drivers: unknown, options: SessionOptions = {}) {
    const list = checkDrivers(drivers);
    const given = checkSignal(options?.signal, 'AsyncSession');
    const controller = new AbortController();
    super({ drivers: list, controller, inflight: new Set(), closed: false }, linkSignals(controller.signal, given)!);
  }

  close(): Promise<void> {
    return this.closeState();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.closeState();
  }

  static async run(drivers: unknown, fn: (session: unknown) => unknown, options?: SessionOptions): Promise<unknown> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('AsyncSession.run: give a function to run with the session');
    const session = new AsyncSessionImpl(drivers, options);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }
}

/**
 * Design 1: an async session over one or several unchanged drivers.
 *
 * @example
 * ```ts
 * const driver = new (getDriver(Provider.DUMMY))({ key: 'any' });
 * driver.listNodes();                            // sync style still works
 * {
 *   await using s = new AsyncSession(driver);
 *   const [node] = await s.listNodes();          // Promise<Node[]>
 *   await node!.reboot();                        // session-bound model: a Promise
 * }                                              // closed here: in-flight calls aborted
 * await AsyncSession.run([ec2, digitalOcean], (s) => Promise.all([s.driver(0).listNodes(), s.driver(1).listNodes()]));
 * ```
 */
export const AsyncSession = AsyncSessionImpl as unknown as AsyncSessionConstructor;

/** A session over one driver (`AsyncSession<EC2NodeDriver>`) or several (`AsyncSession<[A, B]>`). */
export type AsyncSession<T> = AsyncSessionOf<T>;
