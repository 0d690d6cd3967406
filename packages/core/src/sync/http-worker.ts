/**
 * The sync bridge's worker: performs HTTP requests with the shared transport and wakes the blocked caller.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { performRequest, TransportFailureError } from '../http/transport.js';
import { SLOT_DEAD, SLOT_SEQ, type WorkerCall, type WorkerReply } from './protocol.js';

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

port.on('message', (call: WorkerCall | { exit: true }) => {
  if ('exit' in call) process.exit(1); // used by tests to simulate a crash
  void handle(call);
});

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
}

function requestBytes(body: WorkerCall['request']['body']): number {
  return body instanceof Uint8Array ? body.byteLength : 0;
}

parentPort?.postMessage('ready');
