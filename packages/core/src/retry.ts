/**
 * Retry policy as data: which failures are retryable is a table, and the decision is a pure function,
 * so the sync and async executors retry identically.
 * @module
 */
import { CloudError, RateLimitError } from './errors/index.js';

/** Statuses, provider codes and network codes that a retry may fix. */
export interface RetryableTable {
  readonly statuses: readonly number[];
  readonly codes: readonly string[];
  readonly networkCodes: readonly string[];
}

/** The default table, after AWS SDK v3's standard retry strategy. */
export const RETRYABLE: RetryableTable = {
  statuses: [408, 429, 500, 502, 503, 504],
  codes: [
    'SlowDown',
    'Throttling',
    'ThrottlingException',
    'ThrottledException',
    'RequestLimitExceeded',
    'RequestThrottled',
    'TooManyRequests',
    'TooManyRequestsException',
    'ProvisionedThroughputExceededException',
    'TransactionInProgressException',
    'RequestTimeout',
    'RequestTimeoutException',
    'InternalError',
    'InternalFailure',
    'ServiceUnavailable',
    'ServerBusy',
    'OperationTimedOut',
    // The body was corrupted on the way and refused (nothing stored): sending it again can succeed, as a
    // mismatch the client detects itself is retried (S3 and GCS `BadDigest`, Azure `Md5Mismatch`).
    'BadDigest',
    'Md5Mismatch',
  ],
  networkCodes: [
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'ECONNABORTED',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'ERR_TRUNCATED_BODY',
  ],
};

/** How to retry. All durations in milliseconds. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  readonly maxAttempts: number;
  /** Base of the exponential backoff. */
  readonly baseDelayMs: number;
  /** Cap of one backoff delay. */
  readonly maxDelayMs: number;
  /** Cap applied to a provider's Retry-After. */
  readonly retryAfterCapMs: number;
  /** What counts as retryable. */
  readonly table: RetryableTable;
}

/** Defaults: 4 attempts, 100 ms base, 5 s cap, Retry-After honoured up to 20 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  retryAfterCapMs: 20_000,
  table: RETRYABLE,
};

/** The outcome of {@link decideRetry}. */
export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayMs: number };

/** Whether an error is retryable under a table (by status, provider code or network code). */
export function isRetryableError(error: unknown, table: RetryableTable = RETRYABLE): boolean {
  if (!CloudError.is(error)) return false;
  if (error.retryable) return true;
  if (error.status !== undefined && table.statuses.includes(error.status)) return true;
  if (error.code !== undefined && (table.codes.includes(error.code) || table.networkCodes.includes(error.code))) {
    return true;
  }
  return false;
}

/**
 * Decides whether attempt number `attempt` (1-based) that failed with `error` should be retried, and after how long.
 * Full jitter: delay = random() × min(maxDelay, base × 2^(attempt-1)); a Retry-After replaces it, capped.
 * Non-idempotent requests are never retried.
 */
export function decideRetry(
  policy: RetryPolicy,
  error: unknown,
  attempt: number,
  idempotent: boolean,
  random: () => number = Math.random,
): RetryDecision {
  if (!idempotent || attempt >= policy.maxAttempts || !isRetryableError(error, policy.table)) return { retry: false };
  if (error instanceof RateLimitError && error.retryAfter !== undefined) {
    return { retry: true, delayMs: Math.min(policy.retryAfterCapMs, Math.max(0, error.retryAfter * 1000)) };
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.floor(random() * ceiling) };
}

/** Parses a Retry-After header (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}
