/**
 * Turns transport and bridge failures into typed errors, identically for both executors.
 * @module
 */
import { AbortError, NetworkError, TimeoutError, WorkerError, CloudError } from '../errors/index.js';
import type { PreparedRequest } from '../http/types.js';
import { TransportFailureError, type TransportFailure } from '../http/transport.js';
import type { BridgeResult } from '../sync/bridge.js';
import type { HttpEffect } from './effects.js';
import { fail, ok, type Outcome } from './outcome.js';

function describeTarget(request: PreparedRequest): string {
  try {
    const url = new URL(request.url);
    return `${request.method} ${url.host}${url.pathname}`; // never the query: it can carry a signature
  } catch {
    return request.method;
  }
}

/** The typed error for a transport failure. */
export function failureToError(failure: TransportFailure, request: PreparedRequest, provider: string): CloudError {
  const options = { code: failure.code, provider, request: { method: request.method, url: request.url, headers: request.headers } };
  const where = `${provider}: ${describeTarget(request)}`;
  switch (failure.kind) {
    case 'timeout':
      return new TimeoutError(`${where} timed out after ${request.timeoutMs} ms without progress`, { ...options, retryable: true });
    case 'aborted':
      return new AbortError(`${where} was aborted`, options);
    case 'truncated':
      return new NetworkError(`${where}: ${failure.message}`, { ...options, retryable: true });
    case 'local':
      return new CloudError(`${where}: ${failure.message}`, options);
    default:
      return new NetworkError(`${where}: ${failure.message}`, { ...options, retryable: true });
  }
}

/** The outcome of a sync bridge call, as fed back into the operation. */
export function bridgeResultToOutcome(result: BridgeResult, effect: HttpEffect): Outcome {
  if (result.ok) return ok(result.response);
  if ('workerFailure' in result) {
    return fail(
      new WorkerError(`${effect.provider}: ${describeTarget(effect.request)} failed: ${result.workerFailure}`, {
        code: 'EWORKER',
        provider: effect.provider,
        retryable: false,
      }),
    );
  }
  return fail(failureToError(result.failure, effect.request, effect.provider));
}

/** The typed error for anything an async performer rejected with. */
export function asyncFailureToError(error: unknown, effect: HttpEffect): unknown {
  if (error instanceof TransportFailureError) return failureToError(error.failure, effect.request, effect.provider);
  return error;
}
