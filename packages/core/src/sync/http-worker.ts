/**
 * The sync bridge's worker: performs HTTP requests with the shared transport and wakes the blocked caller.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { performRequest, TransportFailureError } from '../http/transport.js';
import { SLOT_DEAD, SLOT_SEQ, SLOT_SUBMITTED, SLOT_WORKER_SPIN_US, type WorkerCall, type WorkerReply } from './protocol.js';
import { PREEMPTED_GAP_MS } from './spin-policy.js';

const { port, shared } = workerData as { port: MessagePort; shared: SharedArrayBuffer };
const flags = new Int32Array(shared);

// The socket chunks of large responses (and copied request bodies) become garbage here as soon as a reply is
// handed over; V8 lets ~64 MiB of such external memory pile up before collecting, which doubled the RSS of
// streamed downloads. This thread's heap is tiny, so a collection every 8 MiB of traffic costs little.
// The flag is set lazily, once that much traffic happened: scripts making small calls never touch V8's flags.
const GC_EVERY_BYTES = 8 * 1024 * 1024;
let bytesSinceGc = 0;
let collect: (() => void) | undefined;
function noteTraffic(bytes: number): void {
  bytesSinceGc += bytes;
  if (bytesSinceGc < GC_EVERY_BYTES) return;
  bytesSinceGc = 0;
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

function wake(): void {
  Atomics.add(flags, SLOT_SEQ, 1);
  Atomics.notify(flags, SLOT_SEQ);
}

process.on('exit', () => {
  Atomics.store(flags, SLOT_DEAD, 1);
  wake();
});

/** Requests received and not yet answered. */
let active = 0;

function onMessage(call: WorkerCall | { exit: true }): void {
  if ('exit' in call) process.exit(1); // used by tests to simulate a crash
  active++;
  void handle(call);
}

port.on('message', onMessage);

/**
 * After answering the last request in flight, spins for the caller's next one when the caller asks for it
 * (its next request then starts without waking this thread: see `spin-policy.ts`), and takes it at once.
 * Stops when the time is up or this thread was descheduled meanwhile.
 */
function spinForNext(us: number): void {
  const seen = Atomics.load(flags, SLOT_SUBMITTED);
  let last = performance.now();
  const until = last + us / 1000;
  while (Atomics.load(flags, SLOT_SUBMITTED) === seen) {
    const now = performance.now();
    if (now >= until || now - last > PREEMPTED_GAP_MS) return;
    last = now;
  }
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) onMessage(msg.message as WorkerCall);
}

async function handle(call: WorkerCall): Promise<void> {
  let reply: WorkerReply;
  try {
    const response = await performRequest(call.request);
    reply = { id: call.id, ok: true, response };
  } catch (error) {
    const failure =
      error instanceof TransportFailureError
        ? error.failure
        : { kind: 'network' as const, code: 'EWORKER', message: 'unexpected failure in the HTTP worker' };
    reply = { id: call.id, ok: false, failure };
  }
  const body = reply.ok ? reply.response.body : undefined;
  noteTraffic((body?.byteLength ?? 0) + requestBytes(call.request.body));
  // Transfer large bodies instead of copying them, but never a pooled slab shared with other Buffers.
  const transfer = body && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.byteLength > 65536 ? [body.buffer as ArrayBuffer] : [];
  port.postMessage(reply, transfer);
  wake();
  active--;
  const spinUs = Atomics.load(flags, SLOT_WORKER_SPIN_US);
  if (active === 0 && spinUs > 0) spinForNext(spinUs);
}

function requestBytes(body: WorkerCall['request']['body']): number {
  return body instanceof Uint8Array ? body.byteLength : 0;
}

parentPort?.postMessage('ready');
