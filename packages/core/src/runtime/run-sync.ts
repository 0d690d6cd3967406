/**
 * The sync executor: performs effects by blocking the calling thread.
 * Concurrent sub-operations (`all`) interleave on the sync bridge: their requests are in flight together
 * in the worker while this thread waits for whichever finishes first.
 * @module
 */
import { syncBridge, type SyncBridge } from '../sync/bridge.js';
import { bridgeResultToOutcome } from './failures.js';
import type { AllEffect, Effect, Operation, Settled } from './effects.js';
import { type Outcome, ok, fail, stepOperation } from './outcome.js';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds. */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

/** Runs an operation to completion, blocking; returns its value or throws its error. */
export function runSync<T>(operation: Operation<T>, bridge: SyncBridge = syncBridge): T {
  let input: Outcome = ok(undefined);
  for (;;) {
    const step = stepOperation(operation, input);
    if (step.done) return step.value;
    input = performSync(step.value, bridge);
  }
}

function performSync(effect: Effect, bridge: SyncBridge): Outcome {
  try {
    switch (effect.type) {
      case 'http':
        return bridgeResultToOutcome(bridge.call(effect.request), effect);
      case 'sleep':
        sleepSync(effect.ms);
        return ok(undefined);
      case 'read':
        return ok(effect.source.readSync(effect.max));
      case 'all':
        return runAllSync(effect, bridge);
      case 'detached':
        return ok(runSync(effect.operation, bridge));
      case 'shared':
        // The thread is blocked while the flight runs, so no other caller of this thread can start it twice.
        // A run in progress in async mode cannot be awaited from a blocked thread: run it here instead.
        return ok(runSync(effect.flight.start(), bridge));
    }
  } catch (error) {
    return fail(error);
  }
}

interface Task {
  readonly index: number;
  readonly operation: Operation<unknown>;
}

function runAllSync(effect: AllEffect, bridge: SyncBridge): Outcome {
  const { operations, concurrency, settle } = effect;
  const results: Settled<unknown>[] = new Array(operations.length);
  const waitingHttp = new Map<number, { task: Task; effect: Effect & { type: 'http' } }>();
  const sleepers: Array<{ at: number; task: Task }> = [];
  let started = 0;
  let running = 0;
  let firstError: { error: unknown } | undefined;
  // A flight that failed fails every sub-operation of this `all` that joins it afterwards, as the joiners of
  // one failed Promise do in async mode (fifty refused logins would lock accounts).
  const failedFlights = new Map<unknown, unknown>();

  const finish = (task: Task, outcome: Outcome): void => {
    running--;
    results[task.index] = outcome.ok ? { ok: true, value: outcome.value } : { ok: false, error: outcome.error };
    if (!outcome.ok && !settle && !firstError) firstError = { error: outcome.error };
  };
  const advance = (task: Task, input: Outcome): void => {
    for (;;) {
      let step: IteratorResult<Effect, unknown>;
      try {
        step = stepOperation(task.operation, input);
      } catch (error) {
        finish(task, fail(error));
        return;
      }
      if (step.done) {
        finish(task, ok(step.value));
        return;
      }
      const next = step.value;
      if (next.type === 'http') {
        waitingHttp.set(bridge.submit(next.request), { task, effect: next });
        return;
      }
      if (next.type === 'sleep') {
        sleepers.push({ at: Date.now() + next.ms, task });
        return;
      }
      if (next.type === 'shared' && failedFlights.has(next.flight)) {
        input = fail(failedFlights.get(next.flight));
        continue;
      }
      input = performSync(next, bridge);
      if (next.type === 'shared' && !input.ok) failedFlights.set(next.flight, input.error);
    }
  };
  const launch = (): void => {
    // After a failure, start nothing new; the running ones settle first (same rule as the async executor).
    while (!firstError && running < concurrency && started < operations.length) {
      const task = { index: started, operation: operations[started]! };
      started++;
      running++;
      advance(task, ok(undefined));
    }
  };

  launch();
  while (running > 0) {
    let progressed = false;
    for (const [ticket, entry] of waitingHttp) {
      const result = bridge.take(ticket);
      if (!result) continue;
      waitingHttp.delete(ticket);
      progressed = true;
      advance(entry.task, bridgeResultToOutcome(result, entry.effect));
    }
    const now = Date.now();
    for (let i = sleepers.length - 1; i >= 0; i--) {
      if (sleepers[i]!.at <= now) {
        const [due] = sleepers.splice(i, 1);
        progressed = true;
        advance(due!.task, ok(undefined));
      }
    }
    launch();
    if (progressed || running === 0) continue;
    const nextWake = sleepers.length ? Math.max(0, Math.min(...sleepers.map((s) => s.at)) - Date.now()) : Infinity;
    if (waitingHttp.size > 0) bridge.waitAny(nextWake);
    else sleepSync(nextWake === Infinity ? 0 : nextWake);
  }
  if (firstError) return fail(firstError.error);
  return ok(settle ? results : results.map((r) => (r as { value: unknown }).value));
}
