/**
 * Messages between the calling thread and the sync bridge's HTTP worker. All plain data.
 * @module
 */
import type { PreparedRequest, RawResponse } from '../http/types.js';
import type { TransportFailure } from '../http/transport.js';

/** Slot indexes in the shared Int32Array. */
export const SLOT_SEQ = 0;
/** Set to 1 by the worker when it is exiting. */
export const SLOT_DEAD = 1;
/** Incremented by the caller after each request it posts (a spinning worker watches it). */
export const SLOT_SUBMITTED = 2;
/**
 * How long the worker may spin for the caller's next request after answering, in microseconds (0: it parks);
 * written by the caller with each request (see `spin-policy.ts`).
 */
export const SLOT_WORKER_SPIN_US = 3;
/** Bytes of the shared array (one Int32 per slot). */
export const SHARED_BYTES = 16;

/** A request sent to the worker. */
export interface WorkerCall {
  readonly id: number;
  readonly request: PreparedRequest;
}

/** The worker's answer. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly response: RawResponse }
  | { readonly id: number; readonly ok: false; readonly failure: TransportFailure };
