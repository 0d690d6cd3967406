/** Starts scripted-server-worker.mjs in a worker thread (sync-mode tests need the server off the test's thread). */
import { Worker } from 'node:worker_threads';

/** A scripted response. */
export interface ScriptedRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  mode?: 'truncate' | 'reset';
}

/** One request the server saw. */
export interface ScriptedRequest {
  key: string;
  method: string;
  url: string;
  body: string;
  authorization: string | null;
}

/** Handle on the worker-thread server. */
export interface ScriptedServer {
  readonly port: number;
  /** Replaces the routes (keyed `ec2:<Action>` or `<METHOD> <pathname>`) and clears the request log. */
  setRoutes(routes: Record<string, ScriptedRoute>): Promise<void>;
  /** Requests since the last `setRoutes`. */
  requests(): Promise<ScriptedRequest[]>;
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const worker = new Worker(new URL('./scripted-server-worker.mjs', import.meta.url));
  let nextId = 1;
  const ask = <T>(message: Record<string, unknown>, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (msg: { type: string; id?: number }): void => {
        if (msg.type === reply && msg.id === id) {
          worker.off('message', onMessage);
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
    setRoutes: async (routes) => {
      await ask({ type: 'routes', routes }, 'ok');
    },
    requests: async () => (await ask<{ log: ScriptedRequest[] }>({ type: 'log' }, 'log')).log,
    close: async () => {
      await ask({ type: 'close' }, 'closed');
      await worker.terminate();
    },
  };
}
