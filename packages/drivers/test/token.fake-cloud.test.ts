/**
 * Token credentials end to end, against the fake cloud's Keystone v3 (in a worker thread, so the sync style can
 * block this thread): a tiny driver whose requests carry `X-Auth-Token` from TokenCredentials, the token fetched
 * with Keystone password auth over a separate plain connection (the fetch must not use the token credentials).
 * Refresh before expiry, one refresh on 401, single-flight in both executors and Design 3, identical effect traces
 * in sync and async modes, and no password or token in errors, debug lines or hook arguments.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  all,
  ASYNC_MODE,
  BaseDriver,
  DRIVER_OPTION_KEYS,
  DriverConnection,
  InvalidCredentialsError,
  REDACTED,
  runAsync,
  runSync,
  sleepSync,
  TokenCredentials,
  type DebugOption,
  type Hooks,
  type MethodKind,
  type Operation,
  type RequestInfo,
  type ResponseInfo,
  type RetryInfo,
  type RetryPolicy,
  type Token,
} from '@dualcloud/core';
import { withAsyncMode } from '@dualcloud/async-mode/compute';
import { FAKE_CREDENTIALS, KEYSTONE_BASE_PATH, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { traced } from '../../core/test/helpers/trace.js';

const TTL_MS = 1_500;
const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;
const WRONG_PASSWORD = 'wrong-keystone-password-7c1d9e';

/** Every token value any test driver received, and every line and hook argument any of them produced. */
const ISSUED: string[] = [];
const LINES: string[] = [];
const HOOK_CALLS: Array<{ hook: string; args: unknown[] }> = [];

interface KeystoneTokenBody {
  readonly expires_at: string;
  readonly project?: { readonly name: string };
}

interface KeystoneTestOptions {
  host: string;
  port: number;
  secure?: boolean;
  username: string;
  password: string;
  project: string;
  domain: string;
  refreshBeforeMs?: number;
  hooks?: Hooks;
  debug?: DebugOption;
  retry?: Partial<RetryPolicy>;
  /** Where to record the effects of token fetches (for trace comparisons). */
  trace?: string[];
}

/** A minimal OpenStack-style driver: token credentials from Keystone, one call (the projects of the token's user). */
class KeystoneTestDriver extends BaseDriver {
  static override readonly optionKeys: readonly string[] = [...DRIVER_OPTION_KEYS, 'username', 'password', 'project', 'domain', 'refreshBeforeMs', 'trace'];
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { listProjects: 'call' };
  readonly type = 'keystone-test';
  readonly name = 'Keystone Test';
  /** The driver's credentials (print as a summary; tests read `fetches` and the cached token). */
  readonly credentials: TokenCredentials<KeystoneTokenBody>;

  constructor(options: KeystoneTestOptions) {
    super(options);
    const endpoint = { provider: 'keystone-test', host: options.host, port: options.port, secure: options.secure ?? false, basePath: KEYSTONE_BASE_PATH };
    // The identity connection has no credentials: asking for a token never needs a token.
    const identity = new DriverConnection({
      ...endpoint,
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.debug !== undefined ? { debug: options.debug } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: options.username, domain: { name: options.domain }, password: options.password } } },
        scope: { project: { name: options.project, domain: { name: options.domain } } },
      },
    });
    function* issue(): Operation<Token<KeystoneTokenBody>> {
      const res = yield* identity.send({
        method: 'POST',
        path: '/auth/tokens',
        query: { nocatalog: '' },
        headers: { 'content-type': 'application/json' },
        body,
        idempotent: true, // asking for a token twice is harmless
        action: 'IssueToken',
      });
      const value = res.header('x-subject-token');
      if (!value) throw new Error('Keystone answered without X-Subject-Token');
      ISSUED.push(value);
      const token = res.json<{ token: KeystoneTokenBody }>().token;
      return { value, expiresAt: new Date(token.expires_at), data: token };
    }
    const trace = options.trace;
    this.credentials = new TokenCredentials<KeystoneTokenBody>(
      {
        fetch: () => (trace ? traced(issue(), trace) : issue()),
        apply: (headers, token) => ({ ...headers, 'x-auth-token': token.value }),
        secrets: [options.password],
      },
      options.refreshBeforeMs !== undefined ? { refreshBeforeMs: options.refreshBeforeMs } : {},
    );
    this.connect({ ...endpoint, credentials: this.credentials });
  }

  *listProjectsOp(): Operation<string[]> {
    const res = yield* this.connection.send({ method: 'GET', path: '/auth/projects', action: 'ListProjects' });
    return res
      .json<{ projects: Array<{ name: string }> }>()
      .projects.map((p) => p.name)
      .sort();
  }

  listProjects(): string[] {
    return this.invoke('listProjects', []);
  }
}

type Mode = 'sync' | 'async';
const MODES: Mode[] = ['sync', 'async'];

/** What one driver's hooks and debug saw (also collected into the file-wide lists). */
interface Observed {
  readonly requests: RequestInfo[];
  readonly responses: Array<{ request: RequestInfo; response: ResponseInfo }>;
  readonly retries: RetryInfo[];
  readonly lines: string[];
  /** `METHOD path status` per response, in order. */
  readonly exchanges: string[];
}

function observer(): Observed & { hooks: Hooks; debug: (line: string) => void } {
  const o: Observed = { requests: [], responses: [], retries: [], lines: [], exchanges: [] };
  return {
    ...o,
    hooks: {
      beforeRequest(request) {
        o.requests.push(request);
        HOOK_CALLS.push({ hook: 'beforeRequest', args: [request] });
      },
      afterResponse(request, response) {
        o.responses.push({ request, response });
        o.exchanges.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
        HOOK_CALLS.push({ hook: 'afterResponse', args: [request, response] });
      },
      beforeRetry(info) {
        o.retries.push(info);
        HOOK_CALLS.push({ hook: 'beforeRetry', args: [info] });
      },
    },
    debug: (line) => {
      o.lines.push(line);
      LINES.push(line);
    },
  };
}

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ tokenTtlMs: TTL_MS });
});
afterAll(async () => {
  await cloud?.close();
});
beforeEach(async () => {
  await cloud.configure({ tokenTtlMs: TTL_MS, latency: 0 });
});

/** What each test driver's hooks saw (kept outside the driver, so printing a driver shows only the driver). */
const OBSERVED = new WeakMap<KeystoneTestDriver, Observed>();
const observed = (d: KeystoneTestDriver): Observed => OBSERVED.get(d)!;

function driver(mode: Mode, extra: Partial<KeystoneTestOptions> = {}): KeystoneTestDriver {
  const obs = observer();
  const { host, port } = cloud.endpoint('keystone');
  const d = new KeystoneTestDriver({
    host,
    port,
    username,
    password,
    project,
    domain,
    refreshBeforeMs: 500,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    hooks: obs.hooks,
    debug: obs.debug,
    ...extra,
    ...(mode === 'async' ? { [ASYNC_MODE]: true } : {}),
  } as KeystoneTestOptions);
  OBSERVED.set(d, obs);
  return d;
}

/** A driver call in the driver's mode: a plain value in sync mode (checked), a Promise in async mode (checked). */
async function listProjects(d: KeystoneTestDriver): Promise<string[]> {
  const value: unknown = d.listProjects();
  if (d.mode === 'async') {
    expect(value).toBeInstanceOf(Promise);
    return value as Promise<string[]>;
  }
  expect(value).not.toBeInstanceOf(Promise);
  return value as string[];
}

/** The token a driver holds now (cached: no fetch). */
function currentToken(d: KeystoneTestDriver): string {
  const fetches = d.credentials.fetches;
  const value = runSync(d.credentials.token()).value;
  expect(d.credentials.fetches).toBe(fetches);
  return value;
}

/** Revokes a token server-side (Keystone's DELETE /auth/tokens, the token revoking itself). */
async function revoke(token: string): Promise<void> {
  const res = await fetch(`${cloud.url}${KEYSTONE_BASE_PATH}/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token, 'x-subject-token': token } });
  expect(res.status).toBe(204);
}

const tokensIssued = async (): Promise<number> => (await cloud.stats()).keystone.tokensIssued;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const PROJECTS = ['demo'];

describe('refresh before expiry', () => {
  test.each(MODES)('%s: calls spread over more than two token lifetimes never fail, and never meet a 401', async (mode) => {
    const d = driver(mode);
    const before = await tokensIssued();
    // The first call fetches the first token (and, in sync mode, may start the sync bridge's worker): the clock
    // starts once it is back.
    expect(await listProjects(d)).toEqual(PROJECTS);
    const started = Date.now();
    let calls = 1;
    while (Date.now() - started < 2 * TTL_MS + 300) {
      expect(await listProjects(d)).toEqual(PROJECTS);
      calls++;
      if (mode === 'sync') sleepSync(100);
      else await pause(100);
    }
    const issued = (await tokensIssued()) - before;
    // Every token is renewed 500 ms before it expires (about 1 000 ms of use each): 3300 ms need 3 or 4 tokens.
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(issued).toBeLessThanOrEqual(4);
    expect(d.credentials.fetches).toBe(issued);
    expect(calls).toBeGreaterThan(15);
    expect(observed(d).exchanges.filter((e) => e.endsWith(' 401'))).toEqual([]);
    expect(observed(d).exchanges.filter((e) => e.startsWith('POST'))).toHaveLength(issued);
  });
});

describe('one refresh on 401', () => {
  test.each(MODES)('%s: a token revoked server-side is replaced once and the call replayed', async (mode) => {
    const d = driver(mode);
    expect(await listProjects(d)).toEqual(PROJECTS);
    const before = await tokensIssued();
    await revoke(currentToken(d));
    observed(d).exchanges.length = 0;
    expect(await listProjects(d)).toEqual(PROJECTS);
    expect(await tokensIssued()).toBe(before + 1);
    expect(d.credentials.fetches).toBe(2);
    const auth = `${KEYSTONE_BASE_PATH}/auth`;
    expect(observed(d).exchanges).toEqual([`GET ${auth}/projects 401`, `POST ${auth}/tokens 201`, `GET ${auth}/projects 200`]);
    expect(observed(d).retries).toEqual([]); // the replay is not a retry
  });

  test.each(MODES)('%s: after reset() of the fake cloud (every token forgotten) the next call refreshes once', async (mode) => {
    const d = driver(mode);
    expect(await listProjects(d)).toEqual(PROJECTS);
    await cloud.reset();
    expect(await tokensIssued()).toBe(0);
    expect(await listProjects(d)).toEqual(PROJECTS);
    expect(await tokensIssued()).toBe(1);
    expect(await listProjects(d)).toEqual(PROJECTS);
    expect(await tokensIssued()).toBe(1);
    expect(d.credentials.fetches).toBe(2);
  });

  test.each(MODES)('%s: a fresh token refused too fails the call with InvalidCredentialsError after one refresh (no loop)', async (mode) => {
    // Tokens live 1 ms and every request waits 15 ms in the server: each token is expired when it is used.
    await cloud.configure({ tokenTtlMs: 1, latency: 15 });
    const d = driver(mode);
    const before = await tokensIssued();
    const error = await listProjects(d).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((error as InvalidCredentialsError).status).toBe(401);
    expect(await tokensIssued()).toBe(before + 2);
    expect(d.credentials.fetches).toBe(2);
    const auth = `${KEYSTONE_BASE_PATH}/auth`;
    expect(observed(d).exchanges).toEqual([`POST ${auth}/tokens 201`, `GET ${auth}/projects 401`, `POST ${auth}/tokens 201`, `GET ${auth}/projects 401`]);
    const request = (error as InvalidCredentialsError).request!;
    expect(request.headers['x-auth-token']).toBe(REDACTED);
    expectClean(error, ISSUED.slice(-2));
  });
});

describe('single flight', () => {
  test('Design 3: 50 concurrent first calls make exactly one token request', async () => {
    const AsyncKeystone = withAsyncMode(KeystoneTestDriver);
    const { host, port } = cloud.endpoint('keystone');
    const d = new AsyncKeystone({ host, port, username, password, project, domain, async: true });
    await cloud.reset();
    const results = await Promise.all(Array.from({ length: 50 }, () => d.listProjects()));
    expect(results).toEqual(Array.from({ length: 50 }, () => PROJECTS));
    expect((await cloud.stats()).keystone.tokensIssued).toBe(1);
    expect(d.credentials.fetches).toBe(1);
  });

  test('runAsync: 50 concurrent first calls (Promise.all) make exactly one token request', async () => {
    const d = driver('sync');
    await cloud.reset();
    const results = await Promise.all(Array.from({ length: 50 }, () => runAsync(d.listProjectsOp())));
    expect(results).toEqual(Array.from({ length: 50 }, () => PROJECTS));
    expect((await cloud.stats()).keystone.tokensIssued).toBe(1);
  });

  test('sync: 50 sub-operations of one all effect make exactly one token request', async () => {
    const d = driver('sync');
    await cloud.reset();
    const results = runSync(all(Array.from({ length: 50 }, () => d.listProjectsOp())));
    expect(results).toEqual(Array.from({ length: 50 }, () => PROJECTS));
    expect((await cloud.stats()).keystone.tokensIssued).toBe(1);
    expect(observed(d).exchanges.filter((e) => e.startsWith('POST'))).toHaveLength(1);
  });

  test.each(MODES)('%s: 50 concurrent calls refused with the same revoked token make exactly one new token request', async (mode) => {
    const d = driver(mode);
    expect(await listProjects(d)).toEqual(PROJECTS);
    await revoke(currentToken(d));
    const before = await tokensIssued();
    const fifty = all(Array.from({ length: 50 }, () => d.listProjectsOp()));
    const results = mode === 'sync' ? runSync(fifty) : await runAsync(fifty);
    expect(results).toEqual(Array.from({ length: 50 }, () => PROJECTS));
    expect(await tokensIssued()).toBe(before + 1);
    expect(d.credentials.fetches).toBe(2);
  });
});

describe('effect traces', () => {
  test('the same effects in sync and async modes: first call fetches a token, later calls do not, a revoked token is replaced', async () => {
    const logs: Record<Mode, string[]> = { sync: [], async: [] };
    for (const mode of MODES) {
      const log = logs[mode];
      const d = driver(mode, { trace: log });
      const run = async (): Promise<string[]> => (mode === 'sync' ? runSync(traced(d.listProjectsOp(), log)) : runAsync(traced(d.listProjectsOp(), log)));
      for (let i = 0; i < 3; i++) {
        expect(await run()).toEqual(PROJECTS);
        log.push('--');
      }
      await revoke(currentToken(d));
      expect(await run()).toEqual(PROJECTS);
    }
    const tokens = `http POST ${KEYSTONE_BASE_PATH}/auth/tokens`;
    const projects = `http GET ${KEYSTONE_BASE_PATH}/auth/projects`;
    expect(logs.sync).toEqual(['shared', tokens, projects, '--', projects, '--', projects, '--', projects, 'shared', tokens, projects]);
    expect(logs.async).toEqual(logs.sync);
  });
});

/** Fails when `value` shows the password, the wrong password or any of `tokens` in any printout. */
function expectClean(value: unknown, tokens: readonly string[]): void {
  const error = value as Error;
  const texts = [
    error.message,
    error.stack ?? '',
    String(error),
    JSON.stringify(error),
    inspect(error),
    inspect(error, { showHidden: true, depth: Infinity }),
    inspect({ request: (error as InvalidCredentialsError).request, response: (error as InvalidCredentialsError).response }, { depth: Infinity }),
  ];
  for (const text of texts) {
    expect(text).not.toContain(password);
    expect(text).not.toContain(WRONG_PASSWORD);
    for (const token of tokens) expect(text).not.toContain(token);
  }
}

describe('secrets', () => {
  test.each(MODES)('%s: a wrong password gives InvalidCredentialsError that shows neither the password nor a token', async (mode) => {
    const d = driver(mode, { password: WRONG_PASSWORD });
    const before = await tokensIssued();
    const error = await listProjects(d).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((error as InvalidCredentialsError).status).toBe(401);
    expect(await tokensIssued()).toBe(before);
    expect(observed(d).exchanges).toEqual([`POST ${KEYSTONE_BASE_PATH}/auth/tokens 401`]); // no replay of a refused login
    expect(ISSUED.length).toBeGreaterThan(0);
    expectClean(error, ISSUED);
    expect(inspect(d, { showHidden: true, depth: Infinity })).not.toContain(WRONG_PASSWORD);
  });

  test('a driver and its credentials print without the token or the password', async () => {
    const d = driver('async');
    await listProjects(d);
    const token = currentToken(d);
    for (const text of [inspect(d), inspect(d, { showHidden: true, depth: Infinity }), JSON.stringify(d), String(d), inspect(d.credentials, { showHidden: true })]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(password);
    }
  });

  test('no debug line and no hook argument ever contained a token or a password; X-Auth-Token shows as [REDACTED]', () => {
    expect(ISSUED.length).toBeGreaterThan(20);
    expect(LINES.length).toBeGreaterThan(50);
    const hookTexts = HOOK_CALLS.map((call) => JSON.stringify(call.args, (_key, value: unknown) => (value instanceof Error ? { message: value.message, stack: value.stack } : value)));
    for (const text of [...LINES, ...hookTexts]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(WRONG_PASSWORD);
      for (const token of ISSUED) expect(text).not.toContain(token);
    }
    for (const line of LINES) expect(line).toMatch(/^dualcloud keystone-test (GET|POST) 127\.0\.0\.1:\d+\/identity\/v3\/auth\/(projects|tokens) \d{3} attempt=\d+ \d+ms$/);
    const projectRequests = HOOK_CALLS.filter((c) => c.hook === 'beforeRequest').map((c) => c.args[0] as RequestInfo).filter((r) => r.url.endsWith('/auth/projects'));
    expect(projectRequests.length).toBeGreaterThan(50);
    for (const request of projectRequests) expect(request.headers['x-auth-token']).toBe(REDACTED);
    // Keystone returns the new token in X-Subject-Token: afterResponse must not see it.
    const issueResponses = HOOK_CALLS.filter((c) => c.hook === 'afterResponse' && (c.args[1] as ResponseInfo).status === 201).map((c) => c.args[1] as ResponseInfo);
    expect(issueResponses.length).toBeGreaterThan(10);
    for (const response of issueResponses) expect(response.headers['x-subject-token']).toBe(REDACTED);
  });
});
