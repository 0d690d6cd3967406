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

/** A request sent to the worker. */
export interface WorkerCall {
  readonly id: number;
  readonly request: PreparedRequest;
}

/** The worker's answer. */
export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly response: RawResponse }
  | { readonly id: number; readonly ok: false; readonly failure: TransportFailure };
