/**
 * The mode-agnostic driver base: public methods run operations through the sync or the async executor.
 * Drivers contain no mode-specific code.
 * @module
 */
import type { Operation } from '../runtime/effects.js';
import { iterateAsync, iterateSync, type PageOperation } from '../runtime/paging.js';
import { runAsync, type RunAsyncOptions } from '../runtime/run-async.js';
import { runSync } from '../runtime/run-sync.js';
import type { RetryPolicy } from '../retry.js';
import type { TransportOptions } from '../http/types.js';

/** Options every network driver accepts. */
export interface DriverOptions {
  /** Access key, key id, account name or API token (per provider). */
  key: string;
  /** Secret key, when the provider has one. */
  secret?: string;
  /** Endpoint host; defaults to the provider's public endpoint. */
  host?: string;
  port?: number;
  /** HTTPS when true (default). */
  secure?: boolean;
  region?: string;
  /** Idle timeout per request in milliseconds. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  transport?: TransportOptions;
  /** Maximum concurrent requests in async mode (default 50). */
  concurrency?: number;
}

/** How a public method is exposed: one result, or an iterable built from pages. */
export type MethodKind = 'call' | 'iterate';

/** Passed by design packages to run a driver in async mode; not part of the sync-style API. */
export const ASYNC_MODE: unique symbol = Symbol.for('dualcloud.asyncMode');

/** Execution mode of a driver instance. */
export type ExecutionMode = 'sync' | 'async';

/**
 * Base of every driver. Each public method `m` is backed by an operation builder: `mOp(...)` for calls,
 * `mPages(...)` for iterables. Design packages use {@link BaseDriver.methodKinds} to expose the same
 * operations in their own style.
 */
export abstract class BaseDriver {
  /** Provider name, as in the `Provider` enum. */
  abstract readonly type: string;
  /** Human-readable driver name (Libcloud's `name`). */
  abstract readonly name: string;
  /** `sync` for the sync-style API; `async` when a design package constructed it in async mode. */
  readonly mode: ExecutionMode;

  /** Public method names and kinds; subclasses extend it. */
  static readonly methodKinds: Readonly<Record<string, MethodKind>> = {};

  constructor(options?: object) {
    this.mode = options && (options as Record<symbol, unknown>)[ASYNC_MODE] === true ? 'async' : 'sync';
  }

  /** Runs an operation in this driver's mode (returns a Promise in async mode). */
  protected exec<T>(operation: Operation<T>): T {
    return (this.mode === 'async' ? runAsync(operation) : runSync(operation)) as T;
  }

  /** Builds an iterable over pages in this driver's mode (an AsyncIterable in async mode). */
  protected iter<T>(pages: PageOperation<T>): Iterable<T> {
    return (this.mode === 'async' ? iterateAsync(pages, runAsync) : iterateSync(pages, runSync)) as Iterable<T>;
  }

  /** Runs `method`'s operation with the async executor, whatever this driver's mode. Used by design packages. */
  callAsync(method: string, args: readonly unknown[], options?: RunAsyncOptions): Promise<unknown> {
    return runAsync(this.operationFor(method, args), options);
  }

  /** Iterates `method`'s pages with the async executor, whatever this driver's mode. Used by design packages. */
  iterateAsync(method: string, args: readonly unknown[], options?: RunAsyncOptions): AsyncIterable<unknown> {
    const pages = this.pagesFor(method, args);
    return iterateAsync(pages, (op) => runAsync(op, options));
  }

  /** Kind of a public method, or undefined when `method` is not one. */
  methodKind(method: string): MethodKind | undefined {
    return (this.constructor as typeof BaseDriver).methodKinds[method];
  }

  private operationFor(method: string, args: readonly unknown[]): Operation<unknown> {
    const build = (this as unknown as Record<string, unknown>)[`${method}Op`];
    if (this.methodKind(method) !== 'call' || typeof build !== 'function') throw new TypeError(`${this.name}: ${method} is not a call method`);
    return build.apply(this, args) as Operation<unknown>;
  }

  private pagesFor(method: string, args: readonly unknown[]): PageOperation<unknown> {
    const build = (this as unknown as Record<string, unknown>)[`${method}Pages`];
    if (this.methodKind(method) !== 'iterate' || typeof build !== 'function') throw new TypeError(`${this.name}: ${method} is not an iterate method`);
    return build.apply(this, args) as PageOperation<unknown>;
  }
}
