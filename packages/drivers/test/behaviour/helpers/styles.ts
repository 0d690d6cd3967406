/**
 * The "style adapter" of the behaviour suites: one async-shaped API over the four ways a driver can be used,
 * so each scenario is written once and run in every style.
 *
 * | style     | what `call('listContainers')` does                                   |
 * |-----------|----------------------------------------------------------------------|
 * | `sync`    | `driver.listContainers()` on the sync-style driver (blocks; checked not to return a Promise) |
 * | `design1` | `session.listContainers()` on `new AsyncSession(driver)`             |
 * | `design2` | `driver.listContainersAsync()` on the `@dualcloud/async-methods` class |
 * | `design3` | `driver.listContainers()` on the `@dualcloud/async-mode` class built with `async: true` |
 *
 * The adapter also checks the shape each style promises: sync calls return plain values and plain `Iterable`s,
 * async calls return a `Promise` (never throwing synchronously) and iterations an `AsyncIterable`.
 *
 * The sync style blocks the calling thread: the backend it talks to must run in another thread or process
 * (the fake cloud runs in a worker thread, the emulators in child processes).
 */
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver as computeSync, type ComputeProvider, type NodeDriver } from '@dualcloud/drivers/compute';
import { getDriver as storageSync, type Provider as StorageProvider, type StorageDriver } from '@dualcloud/drivers/storage';
import { getDriver as computeDesign2 } from '@dualcloud/async-methods/compute';
import { getDriver as storageDesign2 } from '@dualcloud/async-methods/storage';
import { getDriver as computeDesign3 } from '@dualcloud/async-mode/compute';
import { getDriver as containerSync, type ContainerDriver } from '@dualcloud/drivers/container';
import { getDriver as containerDesign2 } from '@dualcloud/async-methods/container';
import { getDriver as containerDesign3 } from '@dualcloud/async-mode/container';
import { getDriver as storageDesign3 } from '@dualcloud/async-mode/storage';

/** The four styles, in the order the suites run them. */
export const STYLE_NAMES = ['sync', 'design1', 'design2', 'design3'] as const;
/** One of {@link STYLE_NAMES}. */
export type StyleName = (typeof STYLE_NAMES)[number];

/** Human-readable label of a style (used in test titles). */
export const STYLE_LABEL: Readonly<Record<StyleName, string>> = {
  sync: 'sync style',
  design1: 'Design 1 (AsyncSession)',
  design2: 'Design 2 (*Async methods)',
  design3: 'Design 3 (async: true)',
};

type AnyFn = (...args: any[]) => any;
/** Names of `D`'s methods. */
export type MethodOf<D> = { [K in keyof D]-?: D[K] extends AnyFn ? K : never }[keyof D] & string;
type ArgsOf<D, K extends keyof D> = D[K] extends (...args: infer A) => any ? A : never;
type ReturnOf<D, K extends keyof D> = D[K] extends (...args: any[]) => infer R ? R : never;
type ItemOf<R> = R extends Iterable<infer T> ? T : never;

/** A driver seen through one style: the same async-shaped API whatever the style. */
export interface Styled<D> {
  readonly style: StyleName;
  /** True for the sync style (sources must then be readable synchronously). */
  readonly isSync: boolean;
  /** Calls a one-result method; a failure is always a rejection. */
  call<K extends MethodOf<D>>(method: K, ...args: ArgsOf<D, K>): Promise<Awaited<ReturnOf<D, K>>>;
  /** Runs an iterating method (`iterate*`, `downloadObjectAsStream`) as an `AsyncIterable`. */
  iterate<K extends MethodOf<D>>(method: K, ...args: ArgsOf<D, K>): AsyncIterable<ItemOf<ReturnOf<D, K>>>;
  /** Collects an iterating method. */
  collect<K extends MethodOf<D>>(method: K, ...args: ArgsOf<D, K>): Promise<Array<ItemOf<ReturnOf<D, K>>>>;
  /** Releases what the style holds (closes the session of Design 1). Idempotent. */
  close(): Promise<void>;
  /** What the calls go to: the driver (sync, Design 2, Design 3) or the `AsyncSession` (Design 1). */
  readonly target: object;
  /** The driver instance (for Design 1, the sync-style driver the session wraps). */
  readonly driver: object;
}

/** Where a family's driver classes come from, per style. Each function looks the provider up in a registry. */
export interface Family<P extends string> {
  readonly sync: (provider: P) => new (options: any) => object;
  readonly design2: (provider: P) => new (options: any) => object;
  readonly design3: (provider: P) => new (options: any) => object;
}

/** The storage family: `@dualcloud/drivers/storage` and the two design packages' `/storage` subpaths. */
export const STORAGE: Family<StorageProvider> = {
  sync: (p) => storageSync(p) as unknown as new (options: any) => object,
  design2: (p) => storageDesign2(p) as unknown as new (options: any) => object,
  design3: (p) => storageDesign3(p) as unknown as new (options: any) => object,
};

/** The compute family: `@dualcloud/drivers/compute` and the two design packages' `/compute` subpaths. */
export const COMPUTE: Family<ComputeProvider> = {
  sync: (p) => computeSync(p) as unknown as new (options: any) => object,
  design2: (p) => computeDesign2(p) as unknown as new (options: any) => object,
  design3: (p) => computeDesign3(p) as unknown as new (options: any) => object,
};

/** The container family: `@dualcloud/drivers/container` and the two design packages' `/container` subpaths. */
export const CONTAINER: Family<string> = {
  sync: (p) => containerSync(p) as unknown as new (options: any) => object,
  design2: (p) => containerDesign2(p) as unknown as new (options: any) => object,
  design3: (p) => containerDesign3(p) as unknown as new (options: any) => object,
};

/** Container drivers as the suites see them. */
export type StyledContainer = Styled<ContainerDriver>;
/** Storage drivers as the suites see them. */
export type StyledStorage = Styled<StorageDriver>;
/** Compute drivers as the suites see them. */
export type StyledCompute = Styled<NodeDriver>;

type Invoke = (method: string, args: unknown[]) => unknown;

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function build<D>(style: StyleName, target: object, driver: object, invoke: Invoke, close: () => Promise<void>): Styled<D> {
  const isSync = style === 'sync';
  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (isSync) {
      try {
        const value = invoke(method, args);
        if (isThenable(value)) return Promise.reject(new Error(`sync style: ${method}() returned a Promise; the sync-style API must return plain values`));
        return Promise.resolve(value);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    let value: unknown;
    try {
      value = invoke(method, args);
    } catch (error) {
      return Promise.reject(new Error(`${style}: ${method}() threw synchronously instead of rejecting: ${String(error)}`, { cause: error }));
    }
    if (!(value instanceof Promise)) return Promise.reject(new Error(`${style}: ${method}() did not return a Promise`));
    return value;
  };
  const iterate = (method: string, args: unknown[]): AsyncIterable<unknown> => {
    return {
      [Symbol.asyncIterator](): AsyncIterator<unknown> {
        let value: unknown;
        try {
          value = invoke(method, args);
        } catch (error) {
          const thrown = isSync ? error : new Error(`${style}: ${method}() threw synchronously instead of failing its iteration: ${String(error)}`, { cause: error });
          return { next: () => Promise.reject(thrown) };
        }
        const v = value as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null;
        const syncIterator = v?.[Symbol.iterator];
        const asyncIterator = v?.[Symbol.asyncIterator];
        if (isSync) {
          if (typeof syncIterator !== 'function' || typeof asyncIterator === 'function') {
            return { next: () => Promise.reject(new Error(`sync style: ${method}() must return a plain (sync) Iterable`)) };
          }
          const inner = syncIterator.call(v);
          return {
            next: async () => inner.next(),
            return: async () => inner.return?.() ?? { done: true, value: undefined },
          };
        }
        if (typeof asyncIterator !== 'function') {
          return { next: () => Promise.reject(new Error(`${style}: ${method}() must return an AsyncIterable`)) };
        }
        return asyncIterator.call(v);
      },
    };
  };
  return {
    style,
    isSync,
    call: ((method: string, ...args: unknown[]) => call(method, args)) as Styled<D>['call'],
    iterate: ((method: string, ...args: unknown[]) => iterate(method, args)) as Styled<D>['iterate'],
    collect: (async (method: string, ...args: unknown[]) => {
      const out: unknown[] = [];
      for await (const item of iterate(method, args)) out.push(item);
      return out;
    }) as Styled<D>['collect'],
    close,
    target,
    driver,
  };
}

/**
 * Opens a provider's driver in one style. `options` are the driver's constructor options (without `async`).
 * Design 1 wraps a fresh sync-style driver in a new `AsyncSession`; call `close()` when done.
 */
export function openStyled<P extends string, D>(family: Family<P>, style: StyleName, provider: P, options: object): Styled<D> {
  const methods = (target: object): Invoke => (method, args) => {
    const fn = (target as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new TypeError(`${style}: no method ${method}`);
    return (fn as AnyFn).apply(target, args);
  };
  switch (style) {
    case 'sync': {
      const driver = new (family.sync(provider))(options);
      return build<D>(style, driver, driver, methods(driver), async () => {});
    }
    case 'design1': {
      const driver = new (family.sync(provider))(options);
      const session = new AsyncSession(driver as never) as unknown as { close(): Promise<void> };
      return build<D>(style, session, driver, methods(session), () => session.close());
    }
    case 'design2': {
      const driver = new (family.design2(provider))(options);
      const invoke = methods(driver);
      return build<D>(style, driver, driver, (method, args) => invoke(`${method}Async`, args), async () => {});
    }
    case 'design3': {
      const driver = new (family.design3(provider))({ ...options, async: true });
      return build<D>(style, driver, driver, methods(driver), async () => {});
    }
  }
}

/** Runs `fn` with a driver opened in `style`, closing it afterwards whatever happens. */
export async function withStyled<P extends string, D, T>(family: Family<P>, style: StyleName, provider: P, options: object, fn: (d: Styled<D>) => Promise<T>): Promise<T> {
  const d = openStyled<P, D>(family, style, provider, options);
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}
