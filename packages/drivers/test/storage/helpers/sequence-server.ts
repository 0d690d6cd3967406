/**
 * A scripted HTTP server whose routes answer a *sequence* of replies (first a wrong ETag, then the right one...),
 * in a worker thread so sync-style calls (which block the test's thread) can reach it. Async-mode drivers use it
 * just the same.
 *
 * Route keys: `METHOD /path[?conditions][ range]`, e.g. `PUT /bkt/big?partNumber=2` or `GET /bkt/k bytes=4-7`
 * (conditions are query parameters that must be present, with that value when one is given; the range must
 * equal the Range or x-ms-range header). The most specific matching route answers; each request takes the next
 * reply of its route and the last reply repeats.
 */
import { Worker } from 'node:worker_threads';

/** One scripted reply. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** UTF-8 body. */
  body?: string;
  /** Binary body, base64. */
  bodyBase64?: string;
  /** Answer with `ETag: "<MD5 of the request body>"` (as a store that keeps what it got). */
  echoMd5?: boolean;
  /** `truncate`: promise 100 bytes more than sent, then close; `reset`: destroy the socket. */
  mode?: 'truncate' | 'reset';
}

/** One request the server saw. */
export interface LoggedRequest {
  /** The route key it matched (or would have). */
  key: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  bodyLength: number;
  bodyMd5: string;
}

/** Handle on the server. */
export interface SequenceServer {
  readonly port: number;
  /** Replaces the routes (key → replies in order) and clears the log. */
  script(routes: Record<string, Reply[]>): Promise<void>;
  /** Requests since the last `script`. */
  requests(): Promise<LoggedRequest[]>;
  close(): Promise<void>;
}

/** Starts the server in a worker thread and resolves once it listens on 127.0.0.1. */
export async function startSequenceServer(): Promise<SequenceServer> {
  const worker = new Worker(new URL('./sequence-server-worker.mjs', import.meta.url));
  let nextId = 1;
  const ask = <T>(message: Record<string, unknown>, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (msg: { type: string; id?: number }): void => {
        if (msg.type === reply && msg.id === id) {
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve(msg as T);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.postMessage({ ...message, id });
    });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { type: string; port: number }) => resolve(msg.port));
  });
  return {
    port,
    script: async (routes) => {
      await ask({ type: 'routes', routes }, 'ok');
    },
    requests: async () => (await ask<{ log: LoggedRequest[] }>({ type: 'log' }, 'log')).log,
    close: async () => {
      await ask({ type: 'close' }, 'closed');
      await worker.terminate();
    },
  };
}
