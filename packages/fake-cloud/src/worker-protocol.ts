/**
 * Messages between {@link startFakeCloud} and its worker thread.
 * @module
 */
import type { FakeCloudUpdate } from './server.js';

/** A control request to the worker. */
export type ControlRequest =
  | { readonly type: 'configure'; readonly id: number; readonly update: FakeCloudUpdate }
  | { readonly type: 'reset'; readonly id: number }
  | { readonly type: 'stats'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

/** An event from the worker. */
export type WorkerEvent =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: boolean; readonly value?: unknown };

/** Environment variable carrying the options (JSON) to a server started as a child process. */
export const OPTIONS_ENV = 'DUALCLOUD_FAKE_CLOUD_OPTIONS';
