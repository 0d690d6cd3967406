/**
 * `startFakeCloud`: the fake cloud in its own worker thread, so sync-mode drivers (which block the calling
 * thread) can talk to it.
 * @module
 */
import { siblingModule, startModuleWorker } from '@dualcloud/core';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { fakeEndpoint, type FakeEndpoint } from './endpoint.js';
import { resolveOptions, type FakeCloudOptions, type FakeProvider } from './options.js';
import type { FakeCloudStats, FakeCloudUpdate } from './server.js';
import { OPTIONS_ENV, type ControlRequest, type WorkerEvent } from './worker-protocol.js';

/** A running fake cloud. */
export interface FakeCloud extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * Where a driver reaches `provider`: `{ host: '127.0.0.1', port, secure: false }`; Keystone's adds
   * `basePath: '/identity/v3'` and `authUrl: 'http://127.0.0.1:<port>/identity/v3'`.
   */
  endpoint(provider: FakeProvider): FakeEndpoint;
  /** Changes latency, faults or limits while running (state is kept). */
  configure(update: FakeCloudUpdate): Promise<void>;
  /** Forgets all state (nodes, buckets, objects, Keystone tokens) and zeroes the counters. */
  reset(): Promise<void>;
  /** Request, fault and Keystone token counters. */
  stats(): Promise<FakeCloudStats>;
  /** Stops the server and the worker; the port is free when this resolves. Safe to call twice. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Where the fake cloud runs. */
export interface FakeCloudIsolation {
  /**
   * `thread` (default): a worker thread of this process. `process`: a child process, like a remote cloud
   * (benchmarks use it so the server's CPU and GC stay out of the measured process).
   */
  readonly isolation?: 'thread' | 'process';
}

/** The control channel to the server, over a worker thread or a child process. */
interface Channel {
  post(message: ControlRequest): void;
  onMessage(handler: (event: WorkerEvent) => void): void;
  offMessage(handler: (event: WorkerEvent) => void): void;
  onGone(handler: (error: Error) => void): void;
  terminate(): Promise<void>;
}

function threadChannel(options: FakeCloudOptions): Channel {
  const worker: Worker = startModuleWorker(siblingModule(import.meta.url, 'server-worker'), { workerData: { options } });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.on('message', handler),
    offMessage: (handler) => worker.off('message', handler),
    onGone: (handler) => {
      worker.on('error', handler);
      worker.on('exit', () => handler(new Error('fake-cloud: the worker has exited')));
    },
    terminate: () => worker.terminate().then(() => undefined),
  };
}

function processChannel(options: FakeCloudOptions): Channel {
  const entry = siblingModule(import.meta.url, 'server-worker');
  const child: ChildProcess = fork(fileURLToPath(entry), [], {
    // Child processes (unlike Node 20's worker threads) honour --import, so tsx can load the TypeScript entry.
    execArgv: entry.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
    env: { ...process.env, [OPTIONS_ENV]: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    post: (message) => child.send(message),
    onMessage: (handler) => child.on('message', handler),
    offMessage: (handler) => child.off('message', handler),
    onGone: (handler) => {
      child.on('error', handler);
      child.on('exit', () => handler(new Error('fake-cloud: the server process has exited')));
    },
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * Starts the fake cloud in a worker thread (or, with `isolation: 'process'`, a child process) and resolves
 * once it listens.
 *
 * @example
 * ```ts
 * const cloud = await startFakeCloud({ nodeBootMs: 50, latency: { min: 5, max: 20 } });
 * const s3 = new S3({ key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey,
 *   region: 'us-east-1', ...cloud.endpoint('s3') });
 * // ...
 * await cloud.close();
 * ```
 */
export async function startFakeCloud(options: FakeCloudOptions = {}, where: FakeCloudIsolation = {}): Promise<FakeCloud> {
  resolveOptions(options); // fail fast, in the caller's thread
  const channel = where.isolation === 'process' ? processChannel(options) : threadChannel(options);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('fake-cloud: the server did not start listening in time')), START_TIMEOUT_MS);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      channel.offMessage(onMessage);
      void channel.terminate();
      reject(e);
    };
    const onMessage = (event: WorkerEvent): void => {
      if (event.type === 'listening') {
        clearTimeout(timer);
        channel.offMessage(onMessage);
        resolve(event.port);
      } else if (event.type === 'failed') fail(new Error(`fake-cloud: ${event.message}`));
    };
    channel.onMessage(onMessage);
    channel.onGone(fail);
  });
  return new ChannelFakeCloud(channel, port, options.dockerSocketPath);
}

class ChannelFakeCloud implements FakeCloud {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closing?: Promise<void>;

  constructor(
    private readonly channel: Channel,
    readonly port: number,
    private readonly dockerSocketPath?: string,
  ) {
    channel.onMessage((event: WorkerEvent) => {
      if (event.type !== 'reply') return;
      const p = this.pending.get(event.id);
      this.pending.delete(event.id);
      if (event.ok) p?.resolve(event.value);
      else p?.reject(new Error(`fake-cloud: ${String(event.value)}`));
    });
    const failAll = (e: Error): void => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    channel.onGone(failAll);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  endpoint(provider: FakeProvider): FakeEndpoint {
    return fakeEndpoint(provider, this.port, this.dockerSocketPath);
  }

  configure(update: FakeCloudUpdate): Promise<void> {
    resolveOptions(update);
    return this.call({ type: 'configure', id: 0, update }).then(() => undefined);
  }

  reset(): Promise<void> {
    return this.call({ type: 'reset', id: 0 }).then(() => undefined);
  }

  stats(): Promise<FakeCloudStats> {
    return this.call({ type: 'stats', id: 0 }) as Promise<FakeCloudStats>;
  }

  close(): Promise<void> {
    this.closing ??= this.call({ type: 'close', id: 0 })
      .catch(() => undefined)
      .then(() => this.channel.terminate());
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private call(request: ControlRequest): Promise<unknown> {
    if (this.closing && request.type !== 'close') return Promise.reject(new Error('fake-cloud: closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.post({ ...request, id });
    });
  }
}
