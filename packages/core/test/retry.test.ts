import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  DEFAULT_RETRY_POLICY,
  decideRetry,
  DriverConnection,
  NetworkError,
  ProviderError,
  RateLimitError,
  RequestError,
  runAsync,
  runSync,
  type ConnectionOptions,
} from '@dualcloud/core';
import { startEchoServer, type ChildServer } from './helpers/child-server.js';
import { seeded, traced } from './helpers/trace.js';

let server: ChildServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());

const connection = (extra: Partial<ConnectionOptions> = {}): DriverConnection =>
  new DriverConnection({
    provider: 'test',
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    random: seeded(7),
    retry: { baseDelayMs: 20, maxDelayMs: 200, retryAfterCapMs: 50 },
    ...extra,
  });

describe('retries behave identically in sync and async modes', () => {
  test('a flaky idempotent GET is retried with the same backoff sequence', async () => {
    const syncLog: string[] = [];
    const asyncLog: string[] = [];
    const syncRes = runSync(traced(connection().send({ method: 'GET', path: '/flaky/sync-get/2' }), syncLog));
    const asyncRes = await runAsync(traced(connection().send({ method: 'GET', path: '/flaky/async-get/2' }), asyncLog));
    expect(syncRes.json()).toEqual({ attempts: 3 });
    expect(asyncRes.json()).toEqual({ attempts: 3 });
    const normalise = (log: string[]): string[] => log.map((l) => l.replace(/(sync|async)-get/, 'KEY'));
    expect(normalise(syncLog)).toEqual(normalise(asyncLog));
    expect(syncLog.filter((l) => l.startsWith('http'))).toHaveLength(3);
    expect(syncLog.filter((l) => l.startsWith('sleep'))).toHaveLength(2);
  });

  test('a POST is not retried unless marked idempotent', async () => {
    expect(() => connection().request({ method: 'POST', path: '/flaky/sync-post/1' })).toThrow(ProviderError);
    await expect(connection().requestAsync({ method: 'POST', path: '/flaky/async-post/1' })).rejects.toBeInstanceOf(ProviderError);
    const marked = connection().request({ method: 'POST', path: '/flaky/sync-post-token/1', idempotent: true });
    expect(marked.json()).toEqual({ attempts: 2 });
  });

  test('429 honours Retry-After up to the cap, then fails with RateLimitError carrying retryAfter', async () => {
    const logs: string[][] = [[], []];
    const opts = { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, retryAfterCapMs: 50 } };
    const spec = { method: 'GET', path: '/status/429', query: { retryAfter: 3 } } as const;
    let syncError: unknown;
    try {
      runSync(traced(connection(opts).send(spec), logs[0]!));
    } catch (e) {
      syncError = e;
    }
    const asyncError = await runAsync(traced(connection(opts).send(spec), logs[1]!)).catch((e: unknown) => e);
    for (const error of [syncError, asyncError]) {
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfter).toBe(3);
      expect((error as RateLimitError).status).toBe(429);
    }
    expect(logs[0]).toEqual(['http GET /status/429', 'sleep 50', 'http GET /status/429']);
    expect(logs[1]).toEqual(logs[0]);
  });

  test('a 400 is not retried', () => {
    const log: string[] = [];
    expect(() => runSync(traced(connection().send({ method: 'GET', path: '/status/400' }), log))).toThrow(RequestError);
    expect(log).toEqual(['http GET /status/400']);
  });

  test('a truncated body is a retryable NetworkError', async () => {
    const conn = connection({ retry: { maxAttempts: 1 } });
    let error: unknown;
    try {
      conn.request({ method: 'GET', path: '/truncate' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ERR_TRUNCATED_BODY');
    expect((error as NetworkError).retryable).toBe(true);
    const asyncError = await conn.requestAsync({ method: 'GET', path: '/truncate' }).catch((e: unknown) => e);
    expect(asyncError).toBeInstanceOf(NetworkError);
    expect((asyncError as NetworkError).code).toBe('ERR_TRUNCATED_BODY');
  });
});

describe('decideRetry (pure)', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  const e503 = new ProviderError('x', { status: 503 });

  test('full jitter: delay is random × min(cap, base × 2^(attempt-1))', () => {
    expect(decideRetry(policy, e503, 1, true, () => 0.5)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(policy, e503, 3, true, () => 0.5)).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry({ ...policy, maxAttempts: 10 }, e503, 8, true, () => 0.999)).toEqual({ retry: true, delayMs: 999 });
  });

  test('stops at maxAttempts, for non-idempotent requests and for non-retryable errors', () => {
    expect(decideRetry(policy, e503, policy.maxAttempts, true)).toEqual({ retry: false });
    expect(decideRetry(policy, e503, 1, false)).toEqual({ retry: false });
    expect(decideRetry(policy, new RequestError('x', { status: 400 }), 1, true)).toEqual({ retry: false });
    expect(decideRetry(policy, new Error('not ours'), 1, true)).toEqual({ retry: false });
  });

  test('retryable by provider code and network code from the table', () => {
    expect(decideRetry(policy, new RequestError('x', { status: 400, code: 'RequestLimitExceeded' }), 1, true, () => 0).retry).toBe(true);
    expect(decideRetry(policy, new NetworkError('x', { code: 'ECONNRESET' }), 1, true, () => 0).retry).toBe(true);
  });
});
