/**
 * Entry of the server's worker thread or child process: runs a {@link FakeCloudServer} and answers the
 * parent's control messages. Started by {@link startFakeCloud}; not imported by anything else.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFakeCloudServer } from './server.js';
import { OPTIONS_ENV, type ControlRequest, type WorkerEvent } from './worker-protocol.js';

/** The parent: the worker thread's port, or the child process's IPC channel. */
const port = parentPort ?? {
  postMessage: (event: WorkerEvent): void => void process.send!(event),
  on: (_: 'message', handler: (msg: ControlRequest) => void) => process.on('message', handler),
  close: () => process.disconnect(),
};
const post = (event: WorkerEvent): void => port.postMessage(event);
const options: object = parentPort ? ((workerData as { options?: object } | undefined)?.options ?? {}) : JSON.parse(process.env[OPTIONS_ENV] ?? '{}');
if (!parentPort) process.on('disconnect', () => process.exit(0)); // never outlive the parent

async function main(): Promise<void> {
  let server;
  try {
    server = createFakeCloudServer(options);
    post({ type: 'listening', port: await server.listen() });
  } catch (e) {
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    port.close();
    return;
  }
  const s = server;
  port.on('message', (msg: ControlRequest) => {
    void (async () => {
      try {
        let value: unknown;
        if (msg.type === 'configure') s.configure(msg.update);
        else if (msg.type === 'reset') s.reset();
        else if (msg.type === 'stats') value = s.stats();
        else if (msg.type === 'close') await s.close();
        post({ type: 'reply', id: msg.id, ok: true, value });
        if (msg.type === 'close') port.close();
      } catch (e) {
        post({ type: 'reply', id: msg.id, ok: false, value: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}

void main();
