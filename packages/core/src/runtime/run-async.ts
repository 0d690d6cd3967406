/**
 * The async executor: performs effects with Promises in-process.
 * @module
 */
import { AbortError } from '../errors/index.js';
import { asyncFailureToError } from './failures.js';
import type { AllEffect, Effect, Flight, Operation, Settled } from './effects.js';
import { type Outcome, ok, fail, stepOperation } from './outcome.js';

/** Options for {@link runAsync}. */
export interface RunAsyncOptions {
  /** Cancels the operation: the request in flight is aborted and the operation rejects with `AbortError`. */
  readonly signal?: AbortSignal;
}

/** Runs an operation to completion with Promises. */
export async function runAsync<T>(operation: Operation<T>, options: RunAsyncOptions = {}): Promise<T> {
  if (options.signal?.aborted) {
    operation.return(undefined as never); // never started: nothing to clean up
    throw new AbortError();
  }
  let input: Outcome = ok(undefined);
  for (;;) {
    const step = stepOperation(operation, input);
    if (step.done) return step.value;
    const effect = step.value;
    // A cancelled operation performs no further I/O: the AbortError is thrown into it instead, so it can still
    // clean up (with `detached` effects, which the signal does not reach).
    if (options.signal?.aborted && effect.type !== 'detached') input = fail(new AbortError());
    else if (effect.type === 'http') {
      // The common effect, awaited here rather than through performAsync (one Promise and one tick less).
      try {
        input = ok(await effect.via.performAsync(effect.request, options.signal));
      } catch (error) {
        input = fail(asyncFailureToError(error, effect));
      }
    } else input = await performAsync(effect, options);
  }
}

async function performAsync(effect: Effect, options: RunAsyncOptions): Promise<Outcome> {
  try {
    switch (effect.type) {
      case 'http':
        try {
          return ok(await effect.via.performAsync(effect.request, options.signal));
        } catch (error) {
          return fail(asyncFailureToError(error, effect));
        }
      case 'sleep':
        await abortableSleep(effect.ms, options.signal);
        return ok(undefined);
      case 'read':
        return ok(await effect.source.readAsync(effect.max));
      case 'all':
        return await runAllAsync(effect, options);
      case 'detached':
        return ok(await runAsync(effect.operation));
      case 'shared':
        return ok(await joinAsync(effect.flight, options.signal));
    }
  } catch (error) {
    return fail(error);
  }
}

/** Starts a flight or joins the run in progress; a cancelled joiner stops waiting, the flight goes on. */
function joinAsync<T>(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!flight.running) {
    const run = runAsync(flight.start());
    flight.running = run;
    const clear = (): void => {
      if (flight.running === run) flight.running = undefined;
    };
    run.then(clear, clear);
  }
  if (!signal) return flight.running;
  const running = flight.running;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new AbortError());
    const onAbort = (): void => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms` milliseconds, or rejects with `AbortError` when the signal fires first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function runAllAsync(effect: AllEffect, options: RunAsyncOptions): Promise<Outcome> {
  const { operations, concurrency, settle } = effect;
  const results: Settled<unknown>[] = new Array(operations.length);
  let started = 0;
  let firstError: { error: unknown } | undefined;
  // Same rule as the sync executor: after a failure start nothing new, let the running ones settle.
  const worker = async (): Promise<void> => {
    while (!firstError && started < operations.length) {
      const index = started++;
      try {
        results[index] = { ok: true, value: await runAsync(operations[index]!, options) };
      } catch (error) {
        results[index] = { ok: false, error };
        if (!settle && !firstError) firstError = { error };
      }
    }
  };
  const lanes = Math.min(concurrency, operations.length);
  await Promise.all(Array.from({ length: lanes }, worker));
  if (firstError) return fail(firstError.error);
  return ok(settle ? results : results.map((r) => (r as { value: unknown }).value));
}
