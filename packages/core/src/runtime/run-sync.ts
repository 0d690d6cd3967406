/**
 * The sync executor: performs effects by blocking the calling thread.
 * Concurrent sub-operations (`all`) interleave on the sync bridge: their requests are in flight together
 * in the worker while this thread waits for whichever finishes first. An `all` (or a `detached` cleanup)
 * yielded inside a sub-operation joins the same scheduler, so nested fan-outs (the parts of each upload of a
 * bulk upload) stay concurrent too.
 * @module
 */
import { syncBridge, type SyncBridge } from '../sync/bridge.js';
import { bridgeResultToOutcome } from './failures.js';
import type { AllEffect, Effect, HttpEffect, Operation, Settled } from './effects.js';
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
        return new Scheduler(bridge).run(effect);
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

/** The sub-operations of one `all` (or one `detached` operation), and the task waiting for them. */
interface Group {
  readonly operations: ReadonlyArray<Operation<unknown>>;
  readonly concurrency: number;
  readonly settle: boolean;
  /** A `detached` effect: one operation, whose value (not an array) resumes the parent. */
  readonly single: boolean;
  readonly results: Settled<unknown>[];
  /** The task that yielded this group's effect; undefined for the outermost `all`. */
  readonly parent: Task | undefined;
  started: number;
  running: number;
  firstError: { error: unknown } | undefined;
}

interface Task {
  readonly index: number;
  readonly operation: Operation<unknown>;
  readonly group: Group;
}

/**
 * Runs one outermost `all` and everything nested in it on the calling thread. Tasks ready to step are queued
 * (never run recursively, so ten thousand sub-operations that finish without I/O need no deep stack); a task
 * that yields `http` waits for the bridge, `sleep` for its deadline, `all`/`detached` for a child group.
 */
class Scheduler {
  private readonly waitingHttp = new Map<number, { task: Task; effect: HttpEffect }>();
  private readonly sleepers: Array<{ at: number; task: Task }> = [];
  private readonly ready: Array<{ task: Task; input: Outcome }> = [];
  private outcome: Outcome | undefined;
  // A flight that failed fails every sub-operation of this `all` that joins it afterwards, as the joiners of
  // one failed Promise do in async mode (fifty refused logins would lock accounts).
  private readonly failedFlights = new Map<unknown, unknown>();

  constructor(private readonly bridge: SyncBridge) {}

  run(effect: AllEffect): Outcome {
    this.open(effect.operations, effect.concurrency, effect.settle, false, undefined);
    this.drain();
    while (!this.outcome) {
      let progressed = false;
      for (const [ticket, entry] of this.waitingHttp) {
        const result = this.bridge.take(ticket);
        if (!result) continue;
        this.waitingHttp.delete(ticket);
        progressed = true;
        this.ready.push({ task: entry.task, input: bridgeResultToOutcome(result, entry.effect) });
      }
      const now = Date.now();
      for (let i = this.sleepers.length - 1; i >= 0; i--) {
        if (this.sleepers[i]!.at <= now) {
          const [due] = this.sleepers.splice(i, 1);
          progressed = true;
          this.ready.push({ task: due!.task, input: ok(undefined) });
        }
      }
      this.drain();
      if (this.outcome || progressed) continue;
      const nextWake = this.sleepers.length ? Math.max(0, Math.min(...this.sleepers.map((s) => s.at)) - Date.now()) : Infinity;
      if (this.waitingHttp.size > 0) this.bridge.waitAny(nextWake);
      else if (nextWake !== Infinity) sleepSync(nextWake);
      else return fail(new Error('sync executor: nothing left to wait for, yet the operation has not finished'));
    }
    return this.outcome;
  }

  /** Starts a group of sub-operations; `parent` resumes when it completes. */
  private open(operations: ReadonlyArray<Operation<unknown>>, concurrency: number, settle: boolean, single: boolean, parent: Task | undefined): void {
    const group: Group = { operations, concurrency, settle, single, results: new Array(operations.length), parent, started: 0, running: 0, firstError: undefined };
    this.pump(group);
  }

  /** Launches what the group's limit allows; completes the group once nothing runs and nothing is left to start. */
  private pump(group: Group): void {
    // After a failure, start nothing new; the running ones settle first (same rule as the async executor).
    while (!group.firstError && group.running < group.concurrency && group.started < group.operations.length) {
      const task: Task = { index: group.started, operation: group.operations[group.started]!, group };
      group.started++;
      group.running++;
      this.ready.push({ task, input: ok(undefined) });
    }
    if (group.running > 0 || (!group.firstError && group.started < group.operations.length)) return;
    const outcome = group.firstError
      ? fail(group.firstError.error)
      : group.single
        ? group.results[0]!.ok
          ? ok((group.results[0] as { value: unknown }).value)
          : fail((group.results[0] as { error: unknown }).error)
        : ok(group.settle ? group.results : group.results.map((r) => (r as { value: unknown }).value));
    if (group.parent) this.ready.push({ task: group.parent, input: outcome });
    else this.outcome = outcome;
  }

  private finish(task: Task, outcome: Outcome): void {
    const group = task.group;
    group.running--;
    group.results[task.index] = outcome.ok ? { ok: true, value: outcome.value } : { ok: false, error: outcome.error };
    if (!outcome.ok && !group.settle && !group.single && !group.firstError) group.firstError = { error: outcome.error };
    this.pump(group);
  }

  /** Steps every ready task until it waits (for the bridge, a timer or a child group) or finishes. */
  private drain(): void {
    for (let next = this.ready.shift(); next; next = this.ready.shift()) this.advance(next.task, next.input);
  }

  private advance(task: Task, first: Outcome): void {
    let input = first;
    for (;;) {
      let step: IteratorResult<Effect, unknown>;
      try {
        step = stepOperation(task.operation, input);
      } catch (error) {
        this.finish(task, fail(error));
        return;
      }
      if (step.done) {
        this.finish(task, ok(step.value));
        return;
      }
      const effect = step.value;
      switch (effect.type) {
        case 'http':
          try {
            this.waitingHttp.set(this.bridge.submit(effect.request), { task, effect });
          } catch (error) {
            input = fail(error);
            continue;
          }
          return;
        case 'sleep':
          this.sleepers.push({ at: Date.now() + effect.ms, task });
          return;
        case 'all':
          this.open(effect.operations, Math.max(1, effect.concurrency), effect.settle, false, task);
          return;
        case 'detached':
          this.open([effect.operation], 1, false, true, task);
          return;
        case 'shared':
          if (this.failedFlights.has(effect.flight)) {
            input = fail(this.failedFlights.get(effect.flight));
            continue;
          }
          input = performSync(effect, this.bridge);
          if (!input.ok) this.failedFlights.set(effect.flight, input.error);
          continue;
        case 'read':
          input = performSync(effect, this.bridge);
          continue;
      }
    }
  }
}
