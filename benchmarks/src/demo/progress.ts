/**
 * The progress indicator. It lives in its own worker thread because the sync style blocks the main thread for
 * seconds: a spinner driven by the main thread's timers would freeze exactly on the steps it is meant for.
 * The worker writes straight to the file descriptor (stderr) with `writeSync`, which needs no main-thread help.
 *
 * On a terminal: a spinner with the elapsed time, shown once a step has run for `delayMs`, and flagged while
 * the main thread's event loop is blocked. Otherwise: one plain `… label` line per such step, with no escape
 * codes or carriage returns.
 * @module
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { BulkProgress } from '@dualcloud/drivers/storage';

/** Runs labelled steps and shows progress on the ones that take long. */
export interface Progress {
  /** Runs `fn` as a step; the indicator appears if it is still running after the delay, and is cleared after. */
  step<T>(label: string, fn: () => Promise<T> | T): Promise<T>;
  /**
   * Shows `text` after the running step's label (a bulk call's objects, bytes, rate and ETA), on a terminal.
   * Safe to call from inside a blocking call's progress callback: the worker thread draws it.
   */
  detail(text: string): void;
  /** Stops the indicator's thread. Safe to call twice. */
  close(): Promise<void>;
}

/** A progress that shows nothing (tests, or when asked). */
export const silentProgress: Progress = {
  step: async (_label, fn) => fn(),
  detail: () => undefined,
  close: async () => undefined,
};

/** `42/60 objects · 0.3/0.5 MiB · 1.9 MiB/s · ETA 0.1 s` (the ETA once a rate is known). */
export function describeBulkProgress(p: BulkProgress): string {
  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  const total = p.bytesTotal !== undefined ? `/${mib(p.bytesTotal)}` : '';
  const failed = p.objectsFailed > 0 ? ` (${p.objectsFailed} failed)` : '';
  const eta = p.etaMs !== undefined ? ` · ETA ${(p.etaMs / 1000).toFixed(1)} s` : '';
  return `${p.objectsDone}/${p.objectsTotal} objects${failed} · ${mib(p.bytesDone)}${total} MiB · ${mib(p.bytesPerSecond)} MiB/s${eta}`;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** Where to write (default 2, stderr). */
  readonly fd?: number;
  /** Draw a spinner (a terminal) rather than plain lines. */
  readonly tty: boolean;
  /** Terminal width, to keep the spinner on one line. Default (or when 0) 80. */
  readonly columns?: number;
  /** Steps shorter than this show nothing (default 1000 ms). */
  readonly delayMs?: number;
}

// Slots of the shared state.
const ACTIVE = 0; // id of the running step, 0 when none
const LOCK = 1; // 1 while a thread writes or changes the step
const SHOWN = 2; // 1 when the spinner line is on screen and must be cleared
const BEAT = 3; // main thread's last heartbeat, ms since `base`

/** The worker's code, as plain CommonJS so it loads the same from TypeScript sources, tsx and the tests. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { fd, tty, columns, delayMs, shared, base } = workerData;
const state = new Int32Array(shared);
const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
let step = null;
let frame = 0;
function locked(fn) {
  while (Atomics.compareExchange(state, ${LOCK}, 0, 1) !== 0) Atomics.wait(state, ${LOCK}, 1, 1);
  try { fn(); } finally { Atomics.store(state, ${LOCK}, 0); Atomics.notify(state, ${LOCK}); }
}
parentPort.on('message', (m) => {
  if (m.type === 'detail') { if (step && step.id === m.id) step.detail = m.text; return; }
  step = m.type === 'begin' ? { id: m.id, label: m.label, at: m.at, printed: false, detail: '' } : null;
});
setInterval(() => {
  if (!step) return;
  const elapsed = Date.now() - step.at;
  if (elapsed < delayMs) return;
  locked(() => {
    if (!step || Atomics.load(state, ${ACTIVE}) !== step.id) return;
    if (tty) {
      const blocked = Date.now() - base - Atomics.load(state, ${BEAT}) > 300 ? 'event loop blocked · ' : '';
      const text = frames[frame++ % frames.length] + ' ' + (elapsed / 1000).toFixed(1).padStart(4) + ' s · ' + blocked + (step.detail ? step.detail + ' · ' : '') + step.label;
      writeSync(fd, '\\r\\x1b[2K' + text.slice(0, Math.max(10, columns - 1)));
      Atomics.store(state, ${SHOWN}, 1);
    } else if (!step.printed) {
      writeSync(fd, '… ' + step.label + '\\n');
      step.printed = true;
    }
  });
}, 80);
`;

/** Starts the indicator's worker thread (unref'd: it never keeps the process alive). */
export function startProgress(options: ProgressOptions): Progress {
  const fd = options.fd ?? 2;
  const tty = options.tty;
  const base = Date.now();
  const state = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { fd, tty, columns: options.columns || 80, delayMs: options.delayMs ?? 1000, shared: state.buffer, base },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  let broken = false;
  worker.on('error', () => {
    broken = true; // progress is a nicety: never fail the demo for it
  });
  const locked = <T>(fn: () => T): T => {
    while (Atomics.compareExchange(state, LOCK, 0, 1) !== 0) Atomics.wait(state, LOCK, 1, 1);
    try {
      return fn();
    } finally {
      Atomics.store(state, LOCK, 0);
      Atomics.notify(state, LOCK);
    }
  };
  let nextId = 1;
  let current = 0;
  let closed = false;

  return {
    async step(label, fn) {
      if (closed || broken) return fn();
      const id = nextId++;
      const beat = (): void => void Atomics.store(state, BEAT, Date.now() - base);
      beat();
      const heartbeat = tty ? setInterval(beat, 50) : undefined;
      heartbeat?.unref();
      locked(() => Atomics.store(state, ACTIVE, id));
      current = id;
      worker.postMessage({ type: 'begin', id, label, at: Date.now() });
      try {
        return await fn();
      } finally {
        clearInterval(heartbeat);
        const shown = locked(() => {
          Atomics.store(state, ACTIVE, 0);
          return Atomics.exchange(state, SHOWN, 0) === 1;
        });
        if (shown) writeSync(fd, '\r\x1b[2K');
        current = 0;
        worker.postMessage({ type: 'end' });
      }
    },
    detail(text) {
      if (closed || broken || !tty || current === 0) return;
      // Posted at once, even from a callback inside a blocking call: the worker draws it on its next frame.
      worker.postMessage({ type: 'detail', id: current, text });
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.terminate();
    },
  };
}
