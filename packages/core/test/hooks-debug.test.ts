/**
 * Request hooks and the debug log, on a small driver over the fake cloud's DigitalOcean API (bearer token; the
 * fake cloud runs in a worker thread so the sync style can block this thread), in the sync style and in async
 * Designs 1 (AsyncSession) and 3 (async: true).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  BaseDriver,
  bearerSigner,
  debugFromEnvironment,
  ProviderError,
  REDACTED,
  type DriverOptions,
  type Hooks,
  type MethodKind,
  type Operation,
  type Query,
  type RequestInfo,
  type ResponseInfo,
  type RetryInfo,
} from '@dualcloud/core';
import { AsyncSession } from '@dualcloud/async-session';
import { withAsyncMode } from '@dualcloud/async-mode/compute';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';

const TOKEN = FAKE_CREDENTIALS.digitalocean.token;
const QUERY_SECRET = 'query-secret-value-3f9a1c';

/** A tiny DigitalOcean-flavoured driver: the user's hooks and debug options reach its connection through `connect`. */
class FakeDoDriver extends BaseDriver {
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { account: 'call', regions: 'call' };
  readonly type = 'fake-do';
  readonly name = 'Fake DigitalOcean';

  constructor(options: DriverOptions) {
    super(options);
    this.connect({ provider: 'do-test', host: '127.0.0.1', secure: false, credentials: bearerSigner(options.key ?? '') });
  }

  *accountOp(): Operation<string> {
    const res = yield* this.connection.send({ method: 'GET', path: '/v2/account', action: 'GetAccount' });
    return res.json<{ account: { email: string } }>().account.email;
  }

  *regionsOp(query: Query = {}): Operation<number> {
    const res = yield* this.connection.send({ method: 'GET', path: '/v2/regions', query });
    return res.json<{ regions: unknown[] }>().regions.length;
  }

  account(): string {
    return this.invoke('account', []);
  }

  regions(query?: Query): number {
    return this.invoke('regions', [query]);
  }
}

const AsyncFakeDo = withAsyncMode(FakeDoDriver);

type Style = 'sync' | 'design1' | 'design3';
const STYLES: Style[] = ['sync', 'design1', 'design3'];

/** Calls on one driver, in one style; every call is awaited here (a sync call must not return a Promise). */
interface Client {
  account(): Promise<string>;
  regions(query?: Query): Promise<number>;
  close(): Promise<void>;
}

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud();
});
afterAll(async () => {
  await cloud?.close();
});
beforeEach(async () => {
  await cloud.configure({ latency: 0, faults: { rate: 0 } });
});

function options(extra: Partial<DriverOptions> = {}): DriverOptions {
  return { key: TOKEN, ...cloud.endpoint('digitalocean'), retry: { baseDelayMs: 20, maxDelayMs: 40 }, ...extra };
}

function client(style: Style, extra: Partial<DriverOptions> = {}): Client {
  if (style === 'design3') {
    const d = new AsyncFakeDo({ ...options(extra), async: true });
    return { account: () => d.account(), regions: (q) => d.regions(q), close: async () => {} };
  }
  const d = new FakeDoDriver(options(extra));
  if (style === 'design1') {
    const session = new AsyncSession(d);
    return { account: () => session.account(), regions: (q) => session.regions(q), close: () => session.close() };
  }
  const sync = <T>(value: T): Promise<T> => {
    expect(value).not.toBeInstanceOf(Promise);
    return Promise.resolve(value);
  };
  return { account: () => sync(d.account()), regions: (q) => sync(d.regions(q)), close: async () => {} };
}

/** Hooks recording what they see, in order. */
function recorder() {
  const events: string[] = [];
  const requests: RequestInfo[] = [];
  const responses: Array<{ request: RequestInfo; response: ResponseInfo; at: number }> = [];
  const retries: Array<RetryInfo & { at: number }> = [];
  const starts: number[] = [];
  const hooks: Hooks = {
    beforeRequest(request) {
      requests.push(request);
      starts.push(Date.now());
      events.push(`beforeRequest ${request.attempt}`);
    },
    afterResponse(request, response) {
      responses.push({ request, response, at: Date.now() });
      events.push(`afterResponse ${request.attempt} ${response.status}`);
    },
    beforeRetry(info) {
      retries.push({ ...info, at: Date.now() });
      events.push(`beforeRetry ${info.attempt}`);
    },
  };
  return { hooks, events, requests, responses, retries, starts };
}

/**
 * Runs `body`, then lets a few turns of the event loop pass, so that a stray rejection (a Promise the library
 * dropped) surfaces while this test still runs: Jest fails the running test on an unhandled rejection.
 */
async function thenSettle(body: () => Promise<void>): Promise<void> {
  await body();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each(STYLES)('hooks (%s)', (style) => {
  test('beforeRequest sees method, redacted URL and headers, provider, action and attempt; afterResponse sees status and ms', async () => {
    await cloud.configure({ latency: 25 });
    const r = recorder();
    const c = client(style, { hooks: r.hooks });
    try {
      expect(await c.account()).toBe('fake@example.com');
      expect(await c.regions({ per_page: 3, access_token: QUERY_SECRET })).toBe(3);
    } finally {
      await c.close();
    }
    expect(r.events).toEqual(['beforeRequest 1', 'afterResponse 1 200', 'beforeRequest 1', 'afterResponse 1 200']);
    const [account, regions] = r.requests;
    expect(account).toEqual({
      method: 'GET',
      url: `${cloud.url}/v2/account`,
      headers: { 'user-agent': expect.stringMatching(/^dualcloud\//), authorization: REDACTED },
      provider: 'do-test',
      action: 'GetAccount',
      attempt: 1,
    });
    expect(regions!.url).toBe(`${cloud.url}/v2/regions?access_token=${REDACTED}&per_page=3`);
    expect(regions!.headers.authorization).toBe(REDACTED);
    expect(regions).not.toHaveProperty('action');
    for (const { response } of r.responses) {
      expect(response.status).toBe(200);
      expect(response.ms).toBeGreaterThanOrEqual(24);
      expect(response.headers['content-type']).toMatch(/json/);
    }
    expect(r.responses[0]!.request).toBe(account); // the same RequestInfo for the request and its response
    for (const text of [JSON.stringify(r.requests), JSON.stringify(r.responses)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(QUERY_SECRET);
    }
  });

  test('beforeRetry fires for a retried 503 with the failed attempt, the error and delayMs, and the delay is honoured', async () => {
    await cloud.configure({ faults: { sequence: ['503'] } });
    const r = recorder();
    const c = client(style, { hooks: r.hooks });
    try {
      expect(await c.account()).toBe('fake@example.com');
    } finally {
      await c.close();
    }
    expect(r.events).toEqual(['beforeRequest 1', 'afterResponse 1 503', 'beforeRetry 1', 'beforeRequest 2', 'afterResponse 2 200']);
    const [retry] = r.retries;
    expect(retry!.attempt).toBe(1);
    expect(retry!.request).toBe(r.requests[0]);
    expect(retry!.error).toBeInstanceOf(ProviderError);
    expect((retry!.error as ProviderError).status).toBe(503);
    expect(Number.isInteger(retry!.delayMs)).toBe(true);
    expect(retry!.delayMs).toBeGreaterThanOrEqual(0);
    expect(retry!.delayMs).toBeLessThan(20); // full jitter under baseDelayMs for the first retry
    expect(r.starts[1]! - retry!.at).toBeGreaterThanOrEqual(retry!.delayMs - 1);
    expect(r.requests.map((q) => q.attempt)).toEqual([1, 2]);
    expect(JSON.stringify(r.retries, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v))).not.toContain(TOKEN);
  });

  test.each(['beforeRequest', 'afterResponse', 'beforeRetry'] as const)('a %s hook that throws fails the call with that error (never unhandled)', async (hook) => {
    if (hook === 'beforeRetry') await cloud.configure({ faults: { sequence: ['503'] } });
    const thrown = new Error(`${hook} says no`);
    const r = recorder();
    const hooks: Hooks = {
      ...r.hooks,
      [hook]: (...args: unknown[]) => {
        (r.hooks[hook] as (...a: unknown[]) => void)(...args);
        throw thrown;
      },
    };
    const c = client(style, { hooks });
    const before = (await cloud.stats()).byProvider.digitalocean;
    let caught: unknown;
    await thenSettle(async () => {
      try {
        await c.account();
      } catch (e) {
        caught = e;
      }
      await c.close();
    });
    expect(caught).toBe(thrown);
    const sent = (await cloud.stats()).byProvider.digitalocean - before;
    if (hook === 'beforeRequest') {
      expect(r.events).toEqual(['beforeRequest 1']);
      expect(sent).toBe(0); // nothing reached the server
    } else if (hook === 'afterResponse') {
      expect(r.events).toEqual(['beforeRequest 1', 'afterResponse 1 200']);
      expect(sent).toBe(1); // not retried
    } else {
      expect(r.events).toEqual(['beforeRequest 1', 'afterResponse 1 503', 'beforeRetry 1']);
      expect(sent).toBe(1); // no second attempt
    }
  });
});

describe('debug log', () => {
  const LINE = /^dualcloud do-test GET 127\.0\.0\.1:(\d+)(\/v2\/\w+) (\S+) attempt=(\d+) (\d+)ms$/;

  test.each(STYLES)('%s: debug: (line) => ... gets one line per request with method, host, path, status, attempt and ms, and no secret', async (style) => {
    await cloud.configure({ faults: { sequence: [null, '503', 'reset'] } });
    const lines: string[] = [];
    const c = client(style, { debug: (line) => lines.push(line) });
    try {
      expect(await c.account()).toBe('fake@example.com'); // 200
      expect(await c.regions({ access_token: QUERY_SECRET })).toBeGreaterThan(0); // 503, reset, 200
    } finally {
      await c.close();
    }
    expect(lines).toHaveLength(4);
    const parsed = lines.map((line) => {
      const m = LINE.exec(line);
      expect({ line, matches: m !== null }).toEqual({ line, matches: true });
      return { port: Number(m![1]), path: m![2], outcome: m![3], attempt: Number(m![4]), ms: Number(m![5]) };
    });
    expect(parsed.map(({ path, outcome, attempt }) => `${path} ${outcome} ${attempt}`)).toEqual([
      '/v2/account 200 1',
      '/v2/regions 503 1',
      expect.stringMatching(/^\/v2\/regions (ECONNRESET|UND_ERR_SOCKET|NetworkError|\w+) 2$/),
      '/v2/regions 200 3',
    ]);
    expect(parsed[2]!.outcome).not.toMatch(/^\d{3}$/);
    for (const p of parsed) expect(p.port).toBe(cloud.port);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(QUERY_SECRET);
      expect(line).not.toContain('?');
    }
  });

  test('debugFromEnvironment reads DEBUG from the env object it is given', () => {
    for (const value of ['dualcloud', 'dualcloud*', 'dualcloud:*', '*', 'express,dualcloud', 'express dualcloud']) {
      expect({ value, on: debugFromEnvironment({ DEBUG: value }) }).toEqual({ value, on: true });
    }
    for (const value of ['', 'express', 'dualcloudx', 'dual', 'express:*']) {
      expect({ value, on: debugFromEnvironment({ DEBUG: value }) }).toEqual({ value, on: false });
    }
    expect(debugFromEnvironment({})).toBe(false);
  });

  test('DEBUG=dualcloud in the environment turns the log on (stderr) for drivers built without a debug option; debug: false wins', async () => {
    const saved = process.env.DEBUG;
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      process.env.DEBUG = 'dualcloud';
      const on = client('sync');
      const off = client('design3', { debug: false });
      await on.account();
      await off.account();
      delete process.env.DEBUG;
      const unset = client('design3');
      await unset.account();
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = saved;
    }
    const lines = written.join('').split('\n').filter((line) => line.startsWith('dualcloud '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(LINE);
    expect(written.join('')).not.toContain(TOKEN);
  });
});
