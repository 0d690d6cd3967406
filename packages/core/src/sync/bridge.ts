/**
 * The sync bridge: a persistent worker thread does the HTTP; the calling thread blocks on `Atomics.wait`
 * and reads replies with `receiveMessageOnPort` (the technique of synckit).
 * @module
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { collectTransferred } from '../runtime/transient-memory.js';
import { siblingModule, startModuleWorker } from './module-worker.js';
import type { PreparedRequest, RawResponse } from '../http/types.js';
import type { TransportFailure } from '../http/transport.js';
import { SHARED_BYTES, SLOT_DEAD, SLOT_SEQ, SLOT_SUBMITTED, SLOT_WORKER_SPIN_US, type WorkerCall, type WorkerReply } from './protocol.js';
import { CALLER_SPIN_MS, PREEMPTED_GAP_MS, SpinPolicy, WORKER_SPIN_MS, type SpinMode } from './spin-policy.js';

/** Extra time given to the worker beyond a request's own idle timeout before it is declared hung. */
const HANG_GRACE_MS = 5_000;
/** The caller's time between calls counts up to this much in a call's measure (a pause says nothing of the arm). */
const CALLER_GAP_CAP_MS = 1;

/** The outcome of one call: a response or a transport failure, or the bridge's own failure. */
export type BridgeResult =
  | { readonly ok: true; readonly response: RawResponse }
  | { readonly ok: false; readonly failure: TransportFailure }
  | { readonly ok: false; readonly workerFailure: string };

interface InFlight {
  readonly deadline: number;
}

/**
 * Structured clone copies the whole ArrayBuffer behind a view: send a view of a larger buffer (a part of a big
 * Buffer, a pooled small Buffer) as a copy of just its bytes. Shared (SharedArrayBuffer) bodies are shared, not copied.
 */
function trimBody(request: PreparedRequest): PreparedRequest {
  const body = request.body;
  if (!(body instanceof Uint8Array) || body.buffer instanceof SharedArrayBuffer) return request;
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) return request;
  return { ...request, body: body.slice() };
}

/**
 * One worker per process, started lazily, `unref`'d so finished scripts exit at once.
 * A hung or dead worker fails the calls in flight and is replaced on the next call.
 */
export class SyncBridge {
  private worker?: Worker;
  private port?: MessagePort;
  private flags?: Int32Array;
  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly done = new Map<number, BridgeResult>();
  /** Whether the threads spin while they wait (measured; see `spin-policy.ts`). */
  readonly spin: SpinPolicy;
  /**
   * The last blocking call, measured when the next one starts: an arm's cost is its round trip plus the caller's
   * own time until its next call, because a spinning worker slows the caller's work between calls too (two
   * vCPUs of a VM may share a physical core). Measuring only round trips preferred spinning in runs where it made
   * calls 17 % slower (bench (c): 730 µs per call against 628 with spinning forced and 537 with parking forced).
   */
  private lastCall?: { readonly spin: boolean; readonly started: number; readonly repliedAt: number };

  constructor(options: { spin?: SpinMode } = {}) {
    this.spin = new SpinPolicy(options.spin);
  }

  /**
   * Sends a request without waiting; returns its ticket for {@link SyncBridge.waitAny}. `spin` tells the worker
   * whether to spin for the next request once it has answered this one.
   */
  submit(request: PreparedRequest, spin = this.spin.preferSpin): number {
    this.ensureWorker();
    const id = this.nextId++;
    this.inFlight.set(id, { deadline: Date.now() + request.timeoutMs + HANG_GRACE_MS });
    const call: WorkerCall = { id, request: trimBody(request) };
    if (request.body instanceof Uint8Array) collectTransferred(request.body.byteLength);
    const flags = this.flags!;
    Atomics.store(flags, SLOT_WORKER_SPIN_US, spin ? WORKER_SPIN_MS * 1000 : 0);
    this.port!.postMessage(call);
    Atomics.add(flags, SLOT_SUBMITTED, 1);
    return id;
  }

  /** Performs one request and blocks until its result. */
  call(request: PreparedRequest): BridgeResult {
    const started = performance.now();
    const last = this.lastCall;
    if (last) {
      // The previous call is measured now: its round trip plus the caller's time until this call (see `lastCall`).
      this.lastCall = undefined;
      this.spin.record(last.spin, last.repliedAt - last.started + Math.min(started - last.repliedAt, CALLER_GAP_CAP_MS));
    }
    const spin = this.spin.next();
    const id = this.submit(request, spin);
    for (;;) {
      const result = this.done.get(id);
      if (result) {
        this.done.delete(id);
        this.lastCall = { spin, started, repliedAt: performance.now() };
        return result;
      }
      this.waitAny(Infinity, spin);
    }
  }

  /** Whether a ticket's result has arrived and is waiting to be taken. */
  take(id: number): BridgeResult | undefined {
    const result = this.done.get(id);
    if (result) this.done.delete(id);
    return result;
  }

  /** Number of requests sent and not yet answered. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Blocks until at least one in-flight request finishes or `maxWaitMs` passes, and returns the tickets
   * that finished. A worker that exits or hangs past a deadline fails every call in flight. With `spin`, the
   * thread first spins for up to a millisecond (see `spin-policy.ts`).
   */
  waitAny(maxWaitMs: number, spin = this.spin.preferSpin): number[] {
    const finished: number[] = [];
    const until = Date.now() + maxWaitMs;
    for (;;) {
      this.drain(finished);
      if (finished.length > 0 || this.inFlight.size === 0) return finished;
      const flags = this.flags!;
      if (Atomics.load(flags, SLOT_DEAD) === 1) {
        this.failAll('the HTTP worker thread exited', finished);
        return finished;
      }
      const now = Date.now();
      let nearest = until;
      for (const f of this.inFlight.values()) nearest = Math.min(nearest, f.deadline);
      if (now >= nearest) {
        if (now >= until && nearest === until) return finished;
        this.failAll('the HTTP worker thread stopped answering', finished);
        return finished;
      }
      const seq = Atomics.load(flags, SLOT_SEQ);
      this.drain(finished);
      if (finished.length > 0) return finished;
      if (spin) spinWhile(flags, SLOT_SEQ, seq, Math.min(CALLER_SPIN_MS, nearest - now));
      Atomics.wait(flags, SLOT_SEQ, seq, Math.min(nearest - now, 2 ** 31 - 1));
    }
  }

  /** Stops the worker (tests; a new one starts on the next call). */
  reset(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    void worker?.terminate();
  }

  /** Test hook: makes the worker exit as if it crashed. */
  crashForTest(): void {
    this.ensureWorker();
    this.port!.postMessage({ exit: true });
  }

  private drain(finished: number[]): void {
    if (!this.port) return;
    for (let msg = receiveMessageOnPort(this.port); msg; msg = receiveMessageOnPort(this.port)) {
      const reply = msg.message as WorkerReply;
      if (!this.inFlight.delete(reply.id)) continue;
      this.done.set(reply.id, reply.ok ? { ok: true, response: reply.response } : { ok: false, failure: reply.failure });
      finished.push(reply.id);
      if (reply.ok) collectTransferred(reply.response.body.byteLength);
    }
  }

  private failAll(reason: string, finished: number[]): void {
    for (const id of this.inFlight.keys()) {
      this.done.set(id, { ok: false, workerFailure: reason });
      finished.push(id);
    }
    this.inFlight.clear();
    this.reset();
  }

  private ensureWorker(): void {
    if (this.worker && this.flags && Atomics.load(this.flags, SLOT_DEAD) === 0) return;
    if (this.worker) this.reset();
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    const { port1, port2 } = new MessageChannel();
    const worker = startModuleWorker(siblingModule(import.meta.url, 'http-worker'), {
      workerData: { port: port2, shared },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    worker.on('error', () => {
      /* surfaced as a dead worker to the blocked caller */
    });
    worker.unref();
    port1.unref();
    this.worker = worker;
    this.port = port1;
    this.flags = new Int32Array(shared);
  }
}

/**
 * Spins while `flags[slot]` still holds `seen`, for at most `ms`; stops early when the thread finds it was
 * descheduled meanwhile (something else needed the core). Returns whether the value changed.
 */
export function spinWhile(flags: Int32Array, slot: number, seen: number, ms: number): boolean {
  let last = performance.now();
  const until = last + ms;
  while (Atomics.load(flags, slot) === seen) {
    const now = performance.now();
    if (now >= until || now - last > PREEMPTED_GAP_MS) return false;
    last = now;
  }
  return true;
}

/** The process-wide bridge used by sync connections. */
export const syncBridge = new SyncBridge();
