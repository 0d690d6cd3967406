/**
 * One harness per design, so the same behaviour tests (errors, cancellation, concurrency) run against all three.
 * Each gives the design's async API under the sync method names.
 */
import { AsyncSession } from '@dualcloud/async-session';
import { withAsyncMethods } from '@dualcloud/async-methods/compute';
import { withAsyncMode } from '@dualcloud/async-mode/compute';
import type { BaseDriver } from '@dualcloud/core';
import type { TestDriverOptions } from './test-drivers.js';

/** Async methods under their sync names (`listNodes()` returns a Promise). */
export type AsyncApi = Record<string, (...args: any[]) => any>;

/** A driver class (the test drivers or real ones). */
export type TestDriverClass = (new (options: any) => BaseDriver) & { methodKinds: Readonly<Record<string, 'call' | 'iterate'>> };

/** One design, opened over one driver instance. */
export interface Opened {
  /** The design's async API (the session, the `*Async` twins renamed, or the async-mode driver). */
  readonly api: AsyncApi;
  /** The same API with a per-call signal. */
  withSignal(signal: AbortSignal): AsyncApi;
  /** An instance usable in sync style (the wrapped driver; in Design 3 a second, sync-mode instance). */
  readonly sync: AsyncApi;
  /** Releases the design's resources (closes the session). */
  close(): Promise<void>;
}

/** How to open a design over a driver class; `signal` is the object-level signal (session or driver option). */
export interface DesignHarness {
  readonly name: string;
  open(Driver: TestDriverClass, options: TestDriverOptions | object, signal?: AbortSignal): Opened;
}

const twinsUnderSyncNames = (twins: object): AsyncApi =>
  new Proxy({}, { get: (_, name) => (...args: unknown[]) => (twins as AsyncApi)[`${String(name)}Async`]!(...args) }) as AsyncApi;

/** The three designs. */
export const designs: DesignHarness[] = [
  {
    name: 'Design 1 (async-session)',
    open(Driver, options, signal) {
      const driver = new Driver(options);
      const session = new AsyncSession(driver, signal ? { signal } : {});
      return {
        api: session as unknown as AsyncApi,
        withSignal: (s) => session.withSignal(s) as unknown as AsyncApi,
        sync: driver as unknown as AsyncApi,
        close: () => session.close(),
      };
    },
  },
  {
    name: 'Design 2 (async-methods)',
    open(Driver, options, signal) {
      const D = withAsyncMethods(Driver);
      const driver = new D({ ...options, ...(signal ? { signal } : {}) });
      return {
        api: twinsUnderSyncNames(driver),
        withSignal: (s) => twinsUnderSyncNames(driver.withSignal(s)),
        sync: driver as unknown as AsyncApi,
        close: async () => {},
      };
    },
  },
  {
    name: 'Design 3 (async-mode)',
    open(Driver, options, signal) {
      const D = withAsyncMode(Driver);
      const driver = new D({ ...options, async: true, ...(signal ? { signal } : {}) });
      return {
        api: driver as unknown as AsyncApi,
        withSignal: (s) => driver.withSignal(s) as unknown as AsyncApi,
        sync: new D(options) as unknown as AsyncApi,
        close: async () => {},
      };
    },
  },
];
