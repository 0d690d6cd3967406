/**
 * The mode-agnostic driver base: public methods run operations through the sync or the async executor.
 * Drivers contain no mode-specific code.
 * @module
 */
import { inspect } from 'node:util';
import { InvalidArgumentError, NotImplementedError } from '../errors/index.js';
import { DriverConnection, type ConnectionRecipe, type DebugOption, type Hooks } from '../http/connection.js';
import { checkOptionalOptions } from '../options.js';
import type { Operation } from '../runtime/effects.js';
import { iterateAsync, iterateSync, type PageOperation } from '../runtime/paging.js';
import { runAsync, type RunAsyncOptions } from '../runtime/run-async.js';
import { runSync } from '../runtime/run-sync.js';
import type { RetryPolicy } from '../retry.js';
import type { TransportOptions } from '../http/types.js';

/** Options every network driver accepts. */
export interface DriverOptions {
  /** Access key, key id, account name or API token (per provider). */
  key?: string;
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
  /** `beforeRequest` / `afterResponse` / `beforeRetry`, called with redacted requests in every style. */
  hooks?: Hooks;
  /** One redacted line per request; default on when `DEBUG=dualcloud`. */
  debug?: DebugOption;
}

/** The option names every network driver accepts (drivers add their own). */
export const DRIVER_OPTION_KEYS: readonly string[] = [
  'key',
  'secret',
  'host',
  'port',
  'secure',
  'region',
  'timeoutMs',
  'retry',
  'transport',
  'concurrency',
  'hooks',
  'debug',
];

/** How {@link BaseDriver.connect} combines the recipe with the user's options. */
export interface ConnectSettings {
  /** The recipe's host, port and secure are final: the driver already derived them from the user's options. */
  readonly endpointInRecipe?: boolean;
}

/** Where a method's options object is and which keys it accepts. */
export interface MethodOptionsSpec {
  /** Position of the options argument. */
  readonly index: number;
  readonly keys: readonly string[];
}

/** How a public method is exposed: one result, or an iterable built from pages. */
export type MethodKind = 'call' | 'iterate';

/** Passed by design packages to run a driver in async mode; not part of the sync-style API. */
export const ASYNC_MODE: unique symbol = Symbol.for('dualcloud.asyncMode');

/**
 * Where a view of a driver (an `AsyncSession` view, whose models carry it as their `driver`) keeps the driver it
 * stands for. See {@link driverOf}.
 */
export const UNDERLYING_DRIVER: unique symbol = Symbol.for('dualcloud.underlyingDriver');

/**
 * The driver behind a model: its `driver`, or the driver a session view stands for. Copies use it to tell a
 * source of the same driver (copied server-side) from another driver's (streamed through).
 */
export function driverOf(model: { readonly driver?: unknown } | undefined): unknown {
  const driver = model?.driver as Record<PropertyKey, unknown> | undefined;
  return driver?.[UNDERLYING_DRIVER] ?? driver;
}

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

  /** Option names the constructor accepts; subclasses extend it. Anything else is refused. */
  static readonly optionKeys: readonly string[] = DRIVER_OPTION_KEYS;

  /**
   * Methods that take an options object: the argument's position and the keys it accepts. Unknown keys are
   * refused with `InvalidArgumentError` naming them (and the intended spelling where one is close).
   */
  static readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {};

  /** Public method names and kinds; subclasses extend it. */
  static readonly methodKinds: Readonly<Record<string, MethodKind>> = {};

  /** The user's options; private, so no printout or enumeration reaches the keys in them. */
  readonly #options: Partial<DriverOptions>;
  #connection: DriverConnection | undefined;

  constructor(options?: object) {
    this.mode = options && (options as Record<symbol, unknown>)[ASYNC_MODE] === true ? 'async' : 'sync';
    checkOptionalOptions(new.target.name, options, new.target.optionKeys);
    this.#options = (options ?? {}) as Partial<DriverOptions>;
  }

  /**
   * Builds this driver's connection from its recipe and the user's options (which win: host, port, secure,
   * timeoutMs, retry over the recipe's retry, transport, concurrency, hooks, debug). Called once, by the
   * driver's constructor; the connection is then `this.connection`, kept where no printout reaches it.
   */
  protected connect(recipe: ConnectionRecipe, settings: ConnectSettings = {}): DriverConnection {
    const o = this.#options;
    // A driver that reads host/port/secure itself (Docker's `tcp://` and `unix://` URLs) puts the result in the recipe.
    const endpoint = settings.endpointInRecipe ? {} : o;
    this.#connection = new DriverConnection({
      ...recipe,
      host: endpoint.host ?? recipe.host,
      ...(endpoint.port ?? recipe.port) !== undefined ? { port: endpoint.port ?? recipe.port } : {},
      secure: endpoint.secure ?? recipe.secure ?? true,
      retry: { ...recipe.retry, ...o.retry },
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.transport || recipe.transport ? { transport: { ...recipe.transport, ...o.transport } } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.hooks ? { hooks: o.hooks } : {}),
      ...(o.debug !== undefined ? { debug: o.debug } : {}),
    });
    return this.#connection;
  }

  /**
   * The connection (endpoint, credentials, retries, error mapping). Undefined for drivers without a network
   * (Dummy, Local), and when read on a prototype rather than an instance.
   */
  get connection(): DriverConnection {
    return (#connection in this ? this.#connection : undefined) as DriverConnection;
  }

  /** Whether this driver talks to a network endpoint. */
  get hasConnection(): boolean {
    return #connection in this && this.#connection !== undefined;
  }

  /** Prints the driver's public fields; its options and connection (and every secret in them) stay out. */
  [inspect.custom](depth: number, options: { stylize?: unknown }, show: typeof inspect): string {
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(this)) fields[key] = (this as Record<string, unknown>)[key];
    return `${this.constructor.name} ${show(fields, { ...(options as object), depth: Math.max(0, depth - 1) })}`;
  }

  /** Checks that argument `what` of `method` is a non-empty string of at most 255 characters. */
  protected checkName(method: string, what: string, value: unknown): asserts value is string {
    if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
      throw new InvalidArgumentError(`${this.name}: ${method} needs ${what} (a non-empty string of at most 255 characters)`, { provider: this.type });
    }
  }

  /** A `NotImplementedError` for `method`, as Libcloud raises `NotImplementedError`. */
  protected notImplemented(method: string): NotImplementedError {
    return new NotImplementedError(`${this.name}: ${method} is not implemented for this driver`, { code: 'NotImplemented', provider: this.type });
  }

  /** Runs public method `method` (options checked) in this driver's mode. */
  protected invoke<T>(method: string, args: readonly unknown[]): T {
    return this.exec(this.operationFor(method, args)) as T;
  }

  /** Iterates public method `method`'s pages (options checked) in this driver's mode. */
  protected invokeIterable<T>(method: string, args: readonly unknown[]): Iterable<T> {
    return this.iter(this.pagesFor(method, args)) as Iterable<T>;
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

  private checkArgs(method: string, args: readonly unknown[]): void {
    const spec = (this.constructor as typeof BaseDriver).methodOptions[method];
    if (spec) checkOptionalOptions(`${this.name}: ${method}`, args[spec.index], spec.keys);
  }

  private operationFor(method: string, args: readonly unknown[]): Operation<unknown> {
    this.checkArgs(method, args);
    const build = (this as unknown as Record<string, unknown>)[`${method}Op`];
    if (this.methodKind(method) !== 'call' || typeof build !== 'function') throw new TypeError(`${this.name}: ${method} is not a call method`);
    return build.apply(this, args) as Operation<unknown>;
  }

  private pagesFor(method: string, args: readonly unknown[]): PageOperation<unknown> {
    this.checkArgs(method, args);
    const build = (this as unknown as Record<string, unknown>)[`${method}Pages`];
    if (this.methodKind(method) !== 'iterate' || typeof build !== 'function') throw new TypeError(`${this.name}: ${method} is not an iterate method`);
    return build.apply(this, args) as PageOperation<unknown>;
  }
}
