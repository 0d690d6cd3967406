/**
 * Operations are generators that yield effects (plain descriptions of I/O) and receive results.
 * Executors perform the effects: blocking in sync mode, with Promises in async mode.
 *
 * TypeScript cannot type each `yield`, so every effect has a tiny helper that does the one untyped
 * `yield` and returns a typed value: `const res = yield* connection.send(spec)`.
 * @module
 */
import type { PreparedRequest, RawResponse } from '../http/types.js';

/** An operation producing `T`. */
export type Operation<T> = Generator<Effect, T, unknown>;

/** Something that performs HTTP in-process for the async executor (an async connection). */
export interface AsyncPerformer {
  performAsync(request: PreparedRequest, signal?: AbortSignal): Promise<RawResponse>;
}

/** A source of byte chunks read by the executor (upload sources). */
export interface ChunkSource {
  /** Reads up to `max` bytes synchronously; `null` at the end. Throws when the source cannot be read synchronously. */
  readSync(max: number): Uint8Array | null;
  /** Reads up to `max` bytes; `null` at the end. */
  readAsync(max: number): Promise<Uint8Array | null>;
}

/** One HTTP exchange (no retries at this level). Resolves to a raw response or throws a typed error. */
export interface HttpEffect {
  readonly type: 'http';
  readonly request: PreparedRequest;
  readonly via: AsyncPerformer;
  readonly provider: string;
}

/** Wait for `ms` milliseconds (blocking in sync mode, a timer in async mode). */
export interface SleepEffect {
  readonly type: 'sleep';
  readonly ms: number;
}

/** Run sub-operations concurrently, at most `concurrency` at a time; resolves to their results in order. */
export interface AllEffect {
  readonly type: 'all';
  readonly operations: ReadonlyArray<Operation<unknown>>;
  readonly concurrency: number;
  /** Settle every operation and return results/errors instead of failing fast. */
  readonly settle: boolean;
}

/** Read up to `max` bytes from a chunk source. */
export interface ReadEffect {
  readonly type: 'read';
  readonly source: ChunkSource;
  readonly max: number;
}

/** Run a sub-operation that cancellation does not reach (cleanup after a failure or a cancel). */
export interface DetachedEffect {
  readonly type: 'detached';
  readonly operation: Operation<unknown>;
}

/**
 * Join a single-flight sub-operation: the first caller starts it, concurrent callers wait for the same result
 * (one token request for fifty concurrent first calls). See {@link Flight}.
 */
export interface SharedEffect {
  readonly type: 'shared';
  readonly flight: Flight<unknown>;
}

/** Every effect an operation can yield. */
export type Effect = HttpEffect | SleepEffect | AllEffect | ReadEffect | DetachedEffect | SharedEffect;

/**
 * A sub-operation run at most once at a time however many operations ask for it (single-flight).
 * In async mode concurrent joiners share one Promise; in sync mode the calling thread runs it while every
 * other sub-operation of the thread waits, which is single-flight by construction. Cancelling one joiner does
 * not cancel the flight (others depend on it).
 */
export class Flight<T> {
  /** The run in progress in async mode (set and cleared by the async executor). */
  running: Promise<T> | undefined;
  constructor(readonly start: () => Operation<T>) {}
}

/** The result of one settled operation in {@link allSettled}. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Performs one raw HTTP exchange. Drivers use `Connection.send()`, which adds credentials, retries, verification and typed errors. */
export function* http(effect: Omit<HttpEffect, 'type'>): Operation<RawResponse> {
  return (yield { type: 'http', ...effect }) as RawResponse;
}

/** Sleeps for `ms` milliseconds. */
export function* sleep(ms: number): Operation<void> {
  yield { type: 'sleep', ms };
}

/** Runs operations concurrently (bounded) and returns their results in order; the first failure fails the whole. */
export function* all<T>(operations: ReadonlyArray<Operation<T>>, concurrency = Infinity): Operation<T[]> {
  if (operations.length === 0) return [];
  return (yield { type: 'all', operations, concurrency: Math.max(1, concurrency), settle: false }) as T[];
}

/** Runs operations concurrently (bounded) and returns every outcome. */
export function* allSettled<T>(operations: ReadonlyArray<Operation<T>>, concurrency = Infinity): Operation<Settled<T>[]> {
  if (operations.length === 0) return [];
  return (yield { type: 'all', operations, concurrency: Math.max(1, concurrency), settle: true }) as Settled<T>[];
}

/** Reads up to `max` bytes from a source; `null` at the end. */
export function* read(source: ChunkSource, max: number): Operation<Uint8Array | null> {
  return (yield { type: 'read', source, max }) as Uint8Array | null;
}

/** Joins a {@link Flight}: runs it, or waits for the run already in progress, and returns its result. */
export function* joinFlight<T>(flight: Flight<T>): Operation<T> {
  return (yield { type: 'shared', flight: flight as Flight<unknown> }) as T;
}

/**
 * Runs `operation` out of reach of the caller's AbortSignal: for cleanup that must happen even after a cancel,
 * such as aborting a multipart upload. It is still bounded by its requests' timeouts.
 */
export function* detached<T>(operation: Operation<T>): Operation<T> {
  return (yield { type: 'detached', operation }) as T;
}
