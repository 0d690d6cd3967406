/**
 * Tokens that expire mid-run, against a real Keystone v3 whose tokens live a few seconds (Debian's python3-keystone
 * started by the `openstack` jest project's global setup with `KEYSTONE_TOKEN_EXPIRATION`) and a real Swift behind
 * it (keystonemiddleware refuses expired tokens). The Swift storage driver (`OPENSTACK_SWIFT`), in the sync style
 * and in Design 3, uploads, lists and downloads for more than one token lifetime: no call fails, Keystone issues
 * several tokens (counted by the driver's hooks: `POST …/auth/tokens`), and Swift never answers 401 (the kit renews
 * a token before it expires). A wrong password is an `InvalidCredentialsError`; the password and every token stay
 * out of the error's printouts, the hooks' arguments and the debug lines.
 *
 * Counts and outcomes only: the loop is bounded by a count and by time, but nothing asserts how long a call took.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { InvalidCredentialsError, REDACTED, type Hooks, type RequestInfo, type ResponseInfo, type RetryInfo } from '@dualcloud/core';
import { Provider, type StorageDriver, type StorageObject } from '@dualcloud/drivers/storage';
import { openStyled, STORAGE, STYLE_LABEL, type StyledStorage, type StyleName } from './helpers/styles.js';
import { shortLivedServers } from '../openstack/servers.js';

const STYLES: readonly StyleName[] = ['sync', 'design3'];
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
/** Pause between rounds of the loop. */
const ROUND_PAUSE_MS = 300;
/** How long the loop outlasts one token lifetime. */
const EXTRA_MS = 4_000;
/** Upper bound on rounds, whatever the clock says. */
const MAX_ROUNDS = 150;
/** Per loop test: the loop, a last slow round and the clean-up on a loaded machine. */
const LOOP_TEST_TIMEOUT_MS = 180_000;
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`;

/** Every token any driver of this file held (from its connection's secrets), every debug line and hook call. */
const TOKENS = new Set<string>();
const LINES: string[] = [];
const HOOK_CALLS: Array<{ hook: string; args: unknown[] }> = [];

/** What one driver's hooks and debug option saw. */
interface Observed {
  readonly requests: RequestInfo[];
  readonly responses: Array<{ request: RequestInfo; response: ResponseInfo }>;
  readonly retries: RetryInfo[];
  readonly lines: string[];
}

function observer(): Observed & { hooks: Hooks; debug: (line: string) => void } {
  const o: Observed = { requests: [], responses: [], retries: [], lines: [] };
  return {
    ...o,
    hooks: {
      beforeRequest(request) {
        o.requests.push(request);
        HOOK_CALLS.push({ hook: 'beforeRequest', args: [request] });
      },
      afterResponse(request, response) {
        o.responses.push({ request, response });
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

/** The Swift driver, in a style, authenticated by the short-lived Keystone. */
function open(style: StyleName, password?: string): { d: StyledStorage; seen: Observed; password: string } {
  const { keystone, swift } = shortLivedServers();
  const obs = observer();
  const pw = password ?? swift.key;
  const d = openStyled<Provider, StorageDriver>(STORAGE, style, Provider.OPENSTACK_SWIFT, {
    authUrl: keystone.authUrl,
    username: swift.user,
    password: pw,
    projectName: swift.project,
    userDomainName: 'Default',
    regionName: keystone.region,
    retry: RETRY,
    hooks: obs.hooks,
    debug: obs.debug,
  });
  return { d, seen: obs, password: pw };
}

/** The tokens the driver holds now and remembers (its connection's secrets, minus the password). */
function noteTokens(d: StyledStorage, password: string): string[] {
  const tokens = (d.driver as StorageDriver).connection.secrets().filter((s) => s !== password);
  for (const t of tokens) TOKENS.add(t);
  return tokens;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pathOf = (url: string): string => new URL(url).pathname;
const isTokenRequest = (r: RequestInfo): boolean => r.method === 'POST' && pathOf(r.url).endsWith('/auth/tokens');
const names = (objects: readonly StorageObject[]): string[] => objects.map((o) => o.name).sort();

/** Fails when `text` shows a password or a token. */
function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Every way an error is usually printed. */
function printouts(error: unknown): string[] {
  const e = error as Error;
  return [e.message, e.stack ?? '', String(e), JSON.stringify(e), inspect(e), inspect(e, { showHidden: true, depth: Infinity })];
}

test('the short-lived Keystone issues tokens that live tokenExpiration seconds', async () => {
  const { keystone, swift } = shortLivedServers();
  expect(keystone.tokenExpiration).toBeGreaterThan(0);
  expect(keystone.tokenExpiration).toBeLessThanOrEqual(30);
  const domain = { id: 'default' };
  const res = await fetch(`${keystone.authUrl}/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: swift.user, domain, password: swift.key } } }, scope: { project: { name: swift.project, domain } } } }),
  });
  expect(res.status).toBe(201);
  const token = res.headers.get('x-subject-token');
  expect(token).toBeTruthy();
  TOKENS.add(token!);
  const body = (await res.json()) as { token: { issued_at: string; expires_at: string } };
  expect((Date.parse(body.token.expires_at) - Date.parse(body.token.issued_at)) / 1000).toBe(keystone.tokenExpiration);
});

describe.each(STYLES)('%s: a token expiring mid-run', (style) => {
  test(`${STYLE_LABEL[style]}: upload/list/download across more than one token lifetime: no failed call, several tokens, renewed before expiry`, async () => {
    const { keystone, swift } = shortLivedServers();
    const { d, seen, password } = open(style);
    const container = `expiry-${style}-${randomBytes(4).toString('hex')}`;
    const uploaded: string[] = [];
    /** The distinct tokens this driver held. */
    const held = new Set<string>();
    const note = (): string[] => {
      const tokens = noteTokens(d, password);
      for (const t of tokens) held.add(t);
      return tokens;
    };
    try {
      // The first call fetches the first token; the loop outlasts that token's lifetime.
      const c = await d.call('createContainer', container);
      const [firstToken] = note();
      expect(firstToken).toBeTruthy();
      const lifetimeMs = keystone.tokenExpiration * 1000;
      const started = Date.now();
      let rounds = 0;
      while (rounds < MAX_ROUNDS && Date.now() - started < lifetimeMs + EXTRA_MS) {
        const name = `o-${rounds}`;
        const body = `round ${rounds} ${randomBytes(8).toString('hex')}`;
        const obj = await d.call('uploadObjectViaStream', body, c, name);
        uploaded.push(name);
        expect(names(await d.call('listContainerObjects', c))).toEqual([...uploaded].sort());
        expect(Buffer.concat(await d.collect('downloadObjectAsStream', obj)).toString('utf8')).toBe(body);
        note();
        rounds++;
        await pause(ROUND_PAUSE_MS);
      }
      // The loop ended on time (not on its count bound): its calls spanned more than a token's lifetime.
      expect(rounds).toBeLessThan(MAX_ROUNDS);
      expect(rounds).toBeGreaterThan(0);

      // The first token has expired by now: Swift refuses it (so the calls above needed renewed tokens).
      const stale = await fetch(swift.storageUrl, { method: 'HEAD', headers: { 'x-auth-token': firstToken! } });
      expect(stale.status).toBe(401);

      const exchanges = seen.responses.map(({ request, response }) => ({
        kind: isTokenRequest(request) ? 'token' : request.url.startsWith(swift.proxyUrl) ? 'swift' : 'other',
        call: `${request.method} ${request.url}`,
        status: response.status,
      }));
      const tokenRequests = exchanges.filter((e) => e.kind === 'token');
      const swiftRequests = exchanges.filter((e) => e.kind === 'swift');
      expect(exchanges.filter((e) => e.kind === 'other')).toEqual([]);
      // Keystone issued at least two tokens (201 each), and each token it issued is one the driver held.
      expect(tokenRequests.length).toBeGreaterThanOrEqual(2);
      expect(tokenRequests.map((e) => e.status)).toEqual(tokenRequests.map(() => 201));
      expect(seen.requests.filter(isTokenRequest)).toHaveLength(tokenRequests.length);
      expect(held.size).toBe(tokenRequests.length);
      expect(swiftRequests.length).toBeGreaterThanOrEqual(1 + 3 * rounds);
      // Swift answered no error but 401, and a 401 at most once per call: the driver then fetched one new token and
      // the replay succeeded (the one allowed retry). Renewal before expiry is the rule: 401s (a request sent in
      // time but validated by Swift only after the token expired, on a very slow machine) are the exception, so
      // at least one renewal happened before any refusal.
      expect(swiftRequests.filter((e) => e.status >= 400 && e.status !== 401)).toEqual([]);
      const refused = exchanges.flatMap((e, i) => (e.kind === 'swift' && e.status === 401 ? [i] : []));
      for (const i of refused) {
        expect(exchanges[i + 1]).toMatchObject({ kind: 'token', status: 201 });
        expect(exchanges[i + 2]).toMatchObject({ kind: 'swift', call: exchanges[i]!.call });
        expect(exchanges[i + 2]!.status).toBeLessThan(400);
      }
      expect(tokenRequests.length - 1 - refused.length).toBeGreaterThanOrEqual(1);
      expect(seen.retries.filter((r) => r.error instanceof InvalidCredentialsError)).toEqual([]);
      // Every request and response as the hooks saw it: tokens only as [REDACTED].
      for (const request of seen.requests.filter((r) => r.url.startsWith(swift.proxyUrl))) expect(request.headers['x-auth-token']).toBe(REDACTED);
      for (const { request, response } of seen.responses) if (isTokenRequest(request)) expect(response.headers['x-subject-token']).toBe(REDACTED);
      expect(seen.lines.length).toBeGreaterThanOrEqual(seen.responses.length);
      if (process.env.DUALCLOUD_EXPIRY_REPORT) process.stderr.write(`${style}: ${rounds} rounds, ${swiftRequests.length} Swift requests, ${tokenRequests.length} tokens, ${refused.length} Swift 401\n`);
    } finally {
      // Clean up with the same driver (its token is fresh or renewed on the way).
      try {
        for (const name of uploaded) await d.call('deleteObject', await d.call('getObject', container, name));
        await d.call('deleteContainer', await d.call('getContainer', container));
      } finally {
        await d.close();
      }
    }
  }, LOOP_TEST_TIMEOUT_MS);

  test(`${STYLE_LABEL[style]}: a wrong password is InvalidCredentialsError, showing neither a password nor a token`, async () => {
    const { swift } = shortLivedServers();
    const { d, seen } = open(style, WRONG_PASSWORD);
    try {
      const error = await d.call('listContainers').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect((error as InvalidCredentialsError).status).toBe(401);
      // One login, refused, never replayed; Swift never asked.
      expect(seen.responses.map(({ request, response }) => `${request.method} ${pathOf(request.url)} ${response.status}`)).toEqual([`POST ${new URL(shortLivedServers().keystone.authUrl).pathname}/auth/tokens 401`]);
      const secrets = [WRONG_PASSWORD, swift.key, ...TOKENS];
      for (const text of printouts(error)) expectNoSecret(text, secrets);
      const { request, response } = error as InvalidCredentialsError;
      expectNoSecret(inspect({ request, response }, { showHidden: true, depth: Infinity }), secrets);
      expectNoSecret(JSON.stringify({ request, response }), secrets);
      for (const text of [inspect(d.driver, { showHidden: true, depth: Infinity }), JSON.stringify(d.driver), String(d.driver)]) expectNoSecret(text, secrets);
      for (const line of seen.lines) expectNoSecret(line, secrets);
    } finally {
      await d.close();
    }
  });
});

test('no debug line and no hook argument of any driver here showed a password or a token', () => {
  const { swift } = shortLivedServers();
  // Two styles, each through at least two tokens, plus the token fetched directly.
  expect(TOKENS.size).toBeGreaterThanOrEqual(2 * STYLES.length + 1);
  // At least: per style, a container, one round (upload, list, download) and two tokens; plus the wrong passwords.
  expect(LINES.length).toBeGreaterThanOrEqual(2 * 6 + 2);
  expect(HOOK_CALLS.length).toBeGreaterThanOrEqual(LINES.length);
  const secrets = [swift.key, WRONG_PASSWORD, ...TOKENS];
  for (const line of LINES) {
    expectNoSecret(line, secrets);
    expect(line).toMatch(/^dualcloud (openstack_swift|keystone) (GET|PUT|POST|HEAD|DELETE) 127\.0\.0\.1:\d+\/\S* \d{3} attempt=\d+ \d+ms$/);
  }
  for (const call of HOOK_CALLS) {
    const text = JSON.stringify(call.args, (_key, value: unknown) => (value instanceof Error ? { message: value.message, stack: value.stack, string: String(value) } : value));
    expectNoSecret(text, secrets);
    expectNoSecret(inspect(call.args, { showHidden: true, depth: Infinity }), secrets);
  }
});
