/**
 * TokenCredentials without a network: the token source is an operation that yields a `sleep` or a `read` of a
 * gate the test opens (an http-free effect), and time is a fake clock. Covers the cache and its refresh margin,
 * `refused()`, single-flight in both executors, failures, cancelled joiners, `secrets()` and printing.
 */
import { format, inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import {
  AbortError,
  all,
  allSettled,
  read,
  runAsync,
  runSync,
  sleep,
  TokenCredentials,
  type ChunkSource,
  type Headers,
  type Operation,
  type RequestDraft,
  type Token,
  type TokenCredentialsOptions,
  type TokenSource,
} from '@dualcloud/core';

const PASSWORD = 'unit-test-password-4242';

/** A fake clock. */
class Clock {
  ms = 1_700_000_000_000;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** An http-free effect the test controls: `read` from it waits until `open()` in async mode (and never in sync). */
class Gate implements ChunkSource {
  #waiting: Array<() => void> = [];
  get waiting(): number {
    return this.#waiting.length;
  }
  readSync(): Uint8Array | null {
    return null;
  }
  readAsync(): Promise<Uint8Array | null> {
    return new Promise((resolve) => this.#waiting.push(() => resolve(null)));
  }
  open(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}

interface FakeSourceOptions {
  /** Lifetime of the tokens issued (undefined: tokens without `expiresAt`). */
  readonly ttlMs?: number;
  /** What the fetch yields before answering: a sleep of this many ms (default 5), or a gate read. */
  readonly sleepMs?: number;
  readonly gate?: Gate;
  /** Whether fetch number `n` (1-based) fails. */
  readonly fails?: (n: number) => boolean;
  readonly apply?: TokenSource<unknown>['apply'];
}

/** A token source counting its calls; tokens are long unguessable-looking strings, distinct per fetch. */
function fakeSource(clock: Clock, options: FakeSourceOptions = {}): TokenSource<{ n: number }> & { readonly calls: number; readonly issued: string[]; readonly errors: Error[] } {
  const issued: string[] = [];
  const errors: Error[] = [];
  let calls = 0;
  return {
    secrets: [PASSWORD],
    ...(options.apply ? { apply: options.apply } : {}),
    get calls() {
      return calls;
    },
    issued,
    errors,
    *fetch(): Operation<Token<{ n: number }>> {
      const n = ++calls;
      if (options.gate) yield* read(options.gate, 1);
      else yield* sleep(options.sleepMs ?? 5);
      if (options.fails?.(n)) {
        const error = new Error(`token fetch ${n} refused`);
        errors.push(error);
        throw error;
      }
      const value = `tok${n}_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
      issued.push(value);
      return { value, ...(options.ttlMs !== undefined ? { expiresAt: new Date(clock.ms + options.ttlMs) } : {}), data: { n } };
    },
  };
}

function setup(options: FakeSourceOptions & TokenCredentialsOptions = {}) {
  const clock = new Clock();
  const source = fakeSource(clock, options);
  const credentials = new TokenCredentials(source, { now: clock.now, ...(options.refreshBeforeMs !== undefined ? { refreshBeforeMs: options.refreshBeforeMs } : {}) });
  return { clock, source, credentials };
}

const draft = (headers: Headers = { 'x-call': '1' }): RequestDraft => ({ method: 'GET', url: 'http://127.0.0.1:1/x', headers });

/** The bearer token in headers produced by the default `apply`. */
const bearer = (headers: Headers): string => headers.authorization!.replace(/^Bearer /, '');

/** Whether a promise has settled, seen after the current macrotask queue drains. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('TokenCredentials: cache and refresh margin', () => {
  test('a fresh token is reused; inside refreshBeforeMs before expiry one fetch renews it (sync and async)', async () => {
    const { clock, source, credentials } = setup({ ttlMs: 10_000, refreshBeforeMs: 1_000 });
    const first = runSync(credentials.authorize(draft()));
    expect(first).toEqual({ 'x-call': '1', authorization: `Bearer ${source.issued[0]}` });
    expect(credentials.fetches).toBe(1);

    clock.advance(8_999); // 1 ms before the margin starts
    for (let i = 0; i < 3; i++) expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[0]);
    expect(bearer(await runAsync(credentials.authorize(draft())))).toBe(source.issued[0]);
    expect(source.calls).toBe(1);

    clock.advance(1); // exactly refreshBeforeMs before expiry: inside the margin
    expect(bearer(await runAsync(credentials.authorize(draft())))).toBe(source.issued[1]);
    expect(source.calls).toBe(2);
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[1]);
    clock.advance(8_999);
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[1]);
    expect(credentials.fetches).toBe(2);

    clock.advance(5_000); // past expiry altogether
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[2]);
    expect(credentials.fetches).toBe(3);
  });

  test('the margin is at most half of the token lifetime (default refreshBeforeMs is 60 s)', () => {
    const { clock, source, credentials } = setup({ ttlMs: 1_000 });
    runSync(credentials.token());
    clock.advance(499);
    runSync(credentials.token());
    expect(source.calls).toBe(1);
    clock.advance(1);
    expect(runSync(credentials.token()).value).toBe(source.issued[1]);
    expect(source.calls).toBe(2);
  });

  test('a token without expiresAt is kept until refused or invalidated', () => {
    const { clock, source, credentials } = setup({});
    runSync(credentials.token());
    clock.advance(365 * 24 * 3_600_000);
    expect(runSync(credentials.token()).value).toBe(source.issued[0]);
    credentials.invalidate();
    expect(runSync(credentials.token()).value).toBe(source.issued[1]);
    expect(source.calls).toBe(2);
  });

  test('apply decides where the token goes; a source returning no token is a TypeError', async () => {
    const clock = new Clock();
    const custom = new TokenCredentials(fakeSource(clock, { apply: (headers, token) => ({ ...headers, 'x-auth-token': token.value }) }), { now: clock.now });
    const headers = runSync(custom.authorize(draft()));
    expect(Object.keys(headers).sort()).toEqual(['x-auth-token', 'x-call']);

    const empty = new TokenCredentials({
      *fetch() {
        yield* sleep(0);
        return { value: '' };
      },
    });
    expect(() => runSync(empty.token())).toThrow(TypeError);
    await expect(runAsync(empty.token())).rejects.toThrow('token source returned no token');
  });
});

describe('TokenCredentials: refused()', () => {
  test('drops only the token that was refused: a late 401 with the old token after a refresh fetches nothing', () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000 });
    const old = runSync(credentials.authorize(draft()));
    expect(credentials.refused(old)).toBe(true);
    const fresh = runSync(credentials.authorize(draft()));
    expect(bearer(fresh)).toBe(source.issued[1]);
    expect(source.calls).toBe(2);

    // Another request sent with the old token answers 401 now: replay, but keep the new token.
    expect(credentials.refused(old)).toBe(true);
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[1]);
    expect(source.calls).toBe(2);

    // The new token refused in turn: dropped, one more fetch.
    expect(credentials.refused(fresh)).toBe(true);
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[2]);
    expect(source.calls).toBe(3);
  });

  test('matches the token in whatever header apply put it in', () => {
    const clock = new Clock();
    const source = fakeSource(clock, { apply: (headers, token) => ({ ...headers, 'x-auth-token': token.value }) });
    const credentials = new TokenCredentials(source, { now: clock.now });
    const sent = runSync(credentials.authorize(draft()));
    credentials.refused({ 'x-call': '1' }); // a 401 for a request that carried no token: nothing to drop
    expect(runSync(credentials.authorize(draft()))).toEqual(sent);
    credentials.refused(sent);
    expect(runSync(credentials.authorize(draft()))['x-auth-token']).toBe(source.issued[1]);
    expect(source.calls).toBe(2);
  });

  test('fifty 401s with the same token, then fifty replays: one new token (async)', async () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000, sleepMs: 10 });
    const sent = await Promise.all(Array.from({ length: 50 }, () => runAsync(credentials.authorize(draft()))));
    expect(source.calls).toBe(1);
    const replays = await Promise.all(
      sent.map(async (headers) => {
        expect(credentials.refused(headers)).toBe(true);
        return bearer(await runAsync(credentials.authorize(draft())));
      }),
    );
    expect(new Set(replays)).toEqual(new Set([source.issued[1]]));
    expect(source.calls).toBe(2);
  });
});

describe('TokenCredentials: single flight', () => {
  test('50 concurrent authorize calls in runAsync (Promise.all) make exactly one fetch', async () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000, sleepMs: 20 });
    const headers = await Promise.all(Array.from({ length: 50 }, (_, i) => runAsync(credentials.authorize(draft({ 'x-call': String(i) })))));
    expect(source.calls).toBe(1);
    expect(credentials.fetches).toBe(1);
    headers.forEach((h, i) => expect(h).toEqual({ 'x-call': String(i), authorization: `Bearer ${source.issued[0]}` }));
  });

  test('50 concurrent sub-operations inside one all effect make exactly one fetch, in runSync and in runAsync', async () => {
    const subOps = (credentials: TokenCredentials): Operation<string>[] =>
      Array.from({ length: 50 }, function* (_, i) {
        yield* sleep(i % 3); // start at slightly different times
        const headers = yield* credentials.authorize(draft());
        yield* sleep(1);
        return bearer(headers);
      });
    const sync = setup({ ttlMs: 3_600_000, sleepMs: 20 });
    const syncTokens = runSync(all(subOps(sync.credentials)));
    expect(sync.source.calls).toBe(1);
    expect(new Set(syncTokens)).toEqual(new Set([sync.source.issued[0]]));

    const async = setup({ ttlMs: 3_600_000, sleepMs: 20 });
    const asyncTokens = await runAsync(all(subOps(async.credentials)));
    expect(async.source.calls).toBe(1);
    expect(new Set(asyncTokens)).toEqual(new Set([async.source.issued[0]]));
  });

  test('a failed fetch rejects every joiner with its error; the next call fetches again (async)', async () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000, sleepMs: 10, fails: (n) => n === 1 });
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => runAsync(credentials.authorize(draft()))));
    expect(source.calls).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBe(source.errors[0]);
    }
    const next = await runAsync(credentials.authorize(draft()));
    expect(bearer(next)).toBe(source.issued[0]);
    expect(source.calls).toBe(2);
  });

  test('a failed fetch fails a sync all (nothing else starts); the next call fetches again', () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000, sleepMs: 10, fails: (n) => n === 1 });
    const ops = Array.from({ length: 50 }, () => credentials.authorize(draft()));
    expect(() => runSync(all(ops))).toThrow(source.errors[0]!);
    expect(source.calls).toBe(1);
    expect(bearer(runSync(credentials.authorize(draft())))).toBe(source.issued[0]);
    expect(source.calls).toBe(2);
  });

  test('a failed fetch inside allSettled: one fetch for every waiting sub-operation, in runSync as in runAsync', async () => {
    // Fifty concurrent first calls with a wrong password must not become fifty refused logins (account lockout).
    for (const run of ['async', 'sync'] as const) {
      const { source, credentials } = setup({ ttlMs: 3_600_000, sleepMs: 10, fails: () => true });
      const op = allSettled(Array.from({ length: 50 }, () => credentials.authorize(draft())));
      const outcomes = run === 'sync' ? runSync(op) : await runAsync(op);
      expect({ run, calls: source.calls }).toEqual({ run, calls: 1 });
      expect(outcomes.every((o) => !o.ok && o.error === source.errors[0])).toBe(true);
    }
  });

  test('a cancelled joiner rejects with AbortError at once; the flight completes for the others', async () => {
    const gate = new Gate();
    const { source, credentials } = setup({ ttlMs: 3_600_000, gate });
    const starter = runAsync(credentials.authorize(draft()));
    const leaving = new AbortController();
    const cancelled = runAsync(credentials.authorize(draft()), { signal: leaving.signal });
    const staying = runAsync(credentials.authorize(draft()), { signal: new AbortController().signal });
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.waiting).toBe(1); // one fetch in flight for three callers

    leaving.abort();
    expect(await settled(cancelled)).toBe(true); // did not wait for the flight
    await expect(cancelled).rejects.toBeInstanceOf(AbortError);
    expect(await settled(starter)).toBe(false);

    gate.open();
    const [a, b] = await Promise.all([starter, staying]);
    expect(bearer(a)).toBe(source.issued[0]);
    expect(bearer(b)).toBe(source.issued[0]);
    expect(bearer(await runAsync(credentials.authorize(draft())))).toBe(source.issued[0]);
    expect(source.calls).toBe(1);
  });

  test('cancelling the caller that started the flight does not cancel the flight', async () => {
    const gate = new Gate();
    const { source, credentials } = setup({ ttlMs: 3_600_000, gate });
    const controller = new AbortController();
    const starter = runAsync(credentials.authorize(draft()), { signal: controller.signal });
    const others = Array.from({ length: 5 }, () => runAsync(credentials.authorize(draft())));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(starter).rejects.toBeInstanceOf(AbortError);
    gate.open();
    for (const headers of await Promise.all(others)) expect(bearer(headers)).toBe(source.issued[0]);
    expect(source.calls).toBe(1);
  });

  test('an already aborted caller gets AbortError and starts no fetch', async () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000 });
    await expect(runAsync(credentials.authorize(draft()), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(source.calls).toBe(0);
  });
});

describe('TokenCredentials: secrets and printing', () => {
  test('secrets() has the source secrets, the current token and the past ones (expired, refused, invalidated)', () => {
    const { clock, source, credentials } = setup({ ttlMs: 10_000, refreshBeforeMs: 1_000 });
    expect(credentials.secrets()).toEqual([PASSWORD]);
    const a = runSync(credentials.authorize(draft()));
    clock.advance(9_500); // A expires: B replaces it
    runSync(credentials.authorize(draft()));
    const b = runSync(credentials.authorize(draft()));
    credentials.refused(b); // B refused: C replaces it
    runSync(credentials.authorize(draft()));
    credentials.invalidate(); // C dropped: D replaces it
    runSync(credentials.authorize(draft()));
    expect(source.issued).toHaveLength(4);
    expect(bearer(a)).toBe(source.issued[0]);
    const secrets = credentials.secrets();
    expect(secrets).toContain(PASSWORD);
    for (const token of source.issued) expect(secrets).toContain(token);

    // A token just refused or invalidated (the one an error in flight may carry) is a secret before any refresh.
    const d = runSync(credentials.authorize(draft()));
    credentials.refused(d);
    expect(credentials.secrets()).toContain(bearer(d));
  });

  test('the most recent past tokens stay secrets however often the token is refreshed', () => {
    const { clock, source, credentials } = setup({ ttlMs: 1_000 });
    for (let i = 0; i < 12; i++) {
      runSync(credentials.token());
      clock.advance(1_000);
    }
    const secrets = credentials.secrets();
    for (const token of source.issued.slice(-9)) expect(secrets).toContain(token);
  });

  test('inspect (also showHidden), format, JSON.stringify, String and spreads never show a token or the password', async () => {
    const { source, credentials } = setup({ ttlMs: 3_600_000 });
    const printouts = (): string[] => [
      inspect(credentials),
      inspect(credentials, { showHidden: true, depth: Infinity }),
      inspect(credentials, { showHidden: true, depth: Infinity, customInspect: false, getters: true }),
      inspect({ nested: { credentials } }, { showHidden: true, depth: Infinity }),
      format('%o %O %s %j', credentials, credentials, credentials, credentials),
      JSON.stringify(credentials),
      JSON.stringify({ credentials }),
      String(credentials),
      `${credentials}`,
      inspect({ ...credentials }, { showHidden: true }),
      inspect(Object.entries(credentials)),
      inspect(Reflect.ownKeys(credentials).map((key) => (credentials as unknown as Record<PropertyKey, unknown>)[key])),
    ];
    const before = printouts();
    runSync(credentials.authorize(draft()));
    await runAsync(credentials.authorize(draft()));
    credentials.refused(runSync(credentials.authorize(draft())));
    runSync(credentials.authorize(draft()));
    expect(source.issued).toHaveLength(2);
    const after = printouts();
    for (const text of [...before, ...after]) {
      expect(text).not.toContain(PASSWORD);
      for (const token of source.issued) expect(text).not.toContain(token);
      expect(text).not.toMatch(/tok\d_/);
    }
    expect(String(credentials)).toContain('TokenCredentials');
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({ tokenCached: true, fetches: 2 });
  });
});
