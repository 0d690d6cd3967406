/**
 * Progress callbacks: a callback that throws fails the operation with a typed error instead of escaping
 * as an unhandled rejection.
 * @module
 */
import type { ProgressCallback } from '../drivers/storage.js';
import { CloudError } from '../errors/index.js';

/** Thrown when a caller's `onProgress` callback throws; the original error is its `cause`. */
export class ProgressCallbackError extends CloudError {}

/** Calls `callback` (if any) and turns anything it throws into a {@link ProgressCallbackError}. */
export function reportProgress(callback: ProgressCallback | undefined, done: number, total: number | undefined, provider: string): void {
  if (!callback) return;
  try {
    callback(done, total);
  } catch (cause) {
    const error = new ProgressCallbackError(`${provider}: the onProgress callback threw; the transfer was stopped`, {
      code: 'ProgressCallbackFailed',
      provider,
    });
    Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
    throw error;
  }
}
