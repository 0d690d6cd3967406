import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, FAKE_CREDENTIALS, FAKE_PROVIDERS, resolveOptions, startFakeCloud, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { optionsFromArgs } from '../src/cli.js';
import { s3, send, sleep, type TestResponse } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({
    credentials: {
      keystone: [
        FAKE_CREDENTIALS.keystone,
        { ...FAKE_CREDENTIALS.keystone, project: 'second' },
        { username: 'alice', password: 'alice-secret', project: 'research', domain: 'Lab' },
      ],
    },
  });
  port = await server.listen();
});
afterAll(() => server.close());

const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;

/** The standard password body, scoped to a project by name unless `scope` says otherwise (`null`: unscoped). */
function passwordBody(user: Record<string, unknown>, secret: string, scope: unknown = { project: { name: project, domain: { name: domain } } }): string {
  return JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { ...user, password: secret } } }, ...(scope === null ? {} : { scope }) } });
}

function keystone(method: string, path: string, headers: Record<string, string> = {}, body?: string, p = port): Promise<TestResponse> {
  return send(p, { method, path: `/identity/v3${path}`, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body });
}

async function issue(body = passwordBody({ name: username, domain: { name: domain } }, password), p = port): Promise<TestResponse> {
  return keystone('POST', '/auth/tokens', {}, body, p);
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('Keystone v3 (minimal)', () => {
  test('FAKE_CREDENTIALS, provider name, defaults, CLI', () => {
    expect(FAKE_CREDENTIALS.keystone).toEqual({ username: 'demo', password: 'fake-keystone-password-000', project: 'demo', domain: 'Default', apiKey: 'fake-rackspace-api-key-0000000000' });
    expect(FAKE_PROVIDERS).toContain('keystone');
    expect(resolveOptions().tokenTtlMs).toBe(3_600_000);
    expect(resolveOptions().credentials.keystone).toEqual([FAKE_CREDENTIALS.keystone]);
    expect(optionsFromArgs(['--token-ttl-ms', '5000']).options.tokenTtlMs).toBe(5000);
  });

  test('endpoint("keystone") gives host, port, secure, basePath and authUrl; the others keep their shape', () => {
    expect(server.endpoint('keystone')).toEqual({ host: '127.0.0.1', port, secure: false, basePath: '/identity/v3', authUrl: `http://127.0.0.1:${port}/identity/v3` });
    expect(server.endpoint('s3')).toEqual({ host: '127.0.0.1', port, secure: false });
  });

  test('password auth scoped to a project: 201, X-Subject-Token and the token body', async () => {
    const before = Date.now();
    const res = await issue();
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['x-subject-token']).toMatch(/^gAAAAA[\w-]{100,}$/);
    expect(res.headers['x-openstack-request-id']).toMatch(/^req-/);
    const { token } = res.json();
    expect(token.methods).toEqual(['password']);
    expect(token.user).toMatchObject({ name: 'demo', domain: { id: 'default', name: 'Default' } });
    expect(token.user.id).toMatch(/^[0-9a-f]{32}$/);
    expect(token.project).toMatchObject({ name: 'demo', domain: { id: 'default', name: 'Default' } });
    expect(token.catalog.map((s: { type: string; name: string }) => `${s.type}:${s.name}`)).toEqual(['identity:keystone', 'compute:nova', 'image:glance', 'volumev3:cinderv3', 'object-store:swift']);
    const volume = token.catalog.find((s: { type: string }) => s.type === 'volumev3');
    for (const e of volume.endpoints) expect(e.url).toBe(`http://127.0.0.1:${port}/volume/v3/${token.project.id}`);
    const objectStore = token.catalog.find((s: { type: string }) => s.type === 'object-store');
    expect(objectStore.endpoints.map((e: { interface: string }) => e.interface).sort()).toEqual(['admin', 'internal', 'public']);
    for (const e of objectStore.endpoints) expect(e).toMatchObject({ region: 'RegionOne', region_id: 'RegionOne', url: `http://127.0.0.1:${port}/swift/v1/AUTH_${token.project.id}` });
    expect(token.roles.map((r: { name: string }) => r.name)).toContain('member');
    expect(token.issued_at).toMatch(ISO_MICROS);
    expect(token.expires_at).toMatch(ISO_MICROS);
    const ttl = Date.parse(token.expires_at) - Date.parse(token.issued_at);
    expect(ttl).toBe(3_600_000);
    expect(Date.parse(token.issued_at)).toBeGreaterThanOrEqual(before - 1);
  });

  test('user by id, domain by id, project by id; unscoped tokens have no project or catalog', async () => {
    const first = (await issue()).json().token;
    const byId = await issue(passwordBody({ id: first.user.id }, password, { project: { id: first.project.id } }));
    expect(byId.status).toBe(201);
    expect(byId.json().token.project.name).toBe('demo');
    const domainId = await issue(passwordBody({ name: username, domain: { id: 'default' } }, password, { project: { name: 'second', domain: { id: 'default' } } }));
    expect(domainId.json().token.project.name).toBe('second');
    const unscoped = await issue(passwordBody({ name: username, domain: { name: domain } }, password, null));
    expect(unscoped.status).toBe(201);
    expect(unscoped.json().token).not.toHaveProperty('project');
    expect(unscoped.json().token).not.toHaveProperty('catalog');
    const alice = await issue(passwordBody({ name: 'alice', domain: { name: 'Lab' } }, 'alice-secret', { project: { name: 'research', domain: { name: 'Lab' } } }));
    expect(alice.json().token.user.domain.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test("wrong password, unknown user, wrong domain or a foreign project: 401 with Keystone's error", async () => {
    const expected = { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } };
    for (const body of [
      passwordBody({ name: username, domain: { name: domain } }, 'wrong'),
      passwordBody({ name: 'nobody', domain: { name: domain } }, password),
      passwordBody({ name: username, domain: { name: 'Lab' } }, password),
      passwordBody({ name: username, domain: { name: domain } }, password, { project: { name: 'research', domain: { name: 'Lab' } } }),
    ]) {
      const res = await issue(body);
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(expected);
      expect(res.headers['www-authenticate']).toBe(`Keystone uri="http://127.0.0.1:${port}/identity"`);
    }
  });

  test('malformed requests are 400 (JSON error), unknown paths 404, wrong methods 405', async () => {
    const notJson = await issue('{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.json().error).toMatchObject({ code: 400, title: 'Bad Request' });
    expect((await issue(JSON.stringify({ auth: {} }))).status).toBe(400);
    expect((await issue(passwordBody({ name: username }, password))).status).toBe(400); // no domain
    expect((await keystone('GET', '/nowhere')).json().error).toMatchObject({ code: 404, title: 'Not Found' });
    expect((await keystone('PUT', '/auth/tokens', {}, '{}')).status).toBe(405);
    const version = await keystone('GET', '');
    expect(version.json().version).toMatchObject({ status: 'stable', links: [{ rel: 'self', href: `http://127.0.0.1:${port}/identity/v3/` }] });
  });

  test('GET /auth/projects needs a valid X-Auth-Token and lists the projects of its user', async () => {
    const token = (await issue()).headers['x-subject-token'] as string;
    const res = await keystone('GET', '/auth/projects', { 'x-auth-token': token });
    expect(res.status).toBe(200);
    expect(res.json().projects.map((p: { name: string }) => p.name).sort()).toEqual(['demo', 'second']);
    expect(res.json().projects[0]).toMatchObject({ domain_id: 'default', enabled: true });
    expect((await keystone('GET', '/auth/projects')).status).toBe(401);
    expect((await keystone('GET', '/auth/projects', { 'x-auth-token': 'gAAAAAnot-a-token' })).json().error.code).toBe(401);
  });

  test('GET /auth/tokens validates X-Subject-Token (200 / 404); HEAD checks; DELETE revokes', async () => {
    const caller = (await issue()).headers['x-subject-token'] as string;
    const subject = (await issue()).headers['x-subject-token'] as string;
    const ok = await keystone('GET', '/auth/tokens', { 'x-auth-token': caller, 'x-subject-token': subject });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-subject-token']).toBe(subject);
    expect(ok.json().token.project.name).toBe('demo');
    const missing = await keystone('GET', '/auth/tokens', { 'x-auth-token': caller, 'x-subject-token': 'gAAAAAgone' });
    expect(missing.status).toBe(404);
    expect(missing.json().error).toEqual({ code: 404, title: 'Not Found', message: 'Could not find token: gAAAAAgone.' });
    expect((await keystone('GET', '/auth/tokens', { 'x-subject-token': subject })).status).toBe(401);
    expect((await keystone('HEAD', '/auth/tokens', { 'x-auth-token': caller, 'x-subject-token': subject })).status).toBe(200);
    expect((await keystone('DELETE', '/auth/tokens', { 'x-auth-token': caller, 'x-subject-token': subject })).status).toBe(204);
    expect((await keystone('HEAD', '/auth/tokens', { 'x-auth-token': caller, 'x-subject-token': subject })).status).toBe(404);
    expect((await keystone('GET', '/auth/projects', { 'x-auth-token': subject })).status).toBe(401);
  });

  test('tokens expire after tokenTtlMs (changeable with configure)', async () => {
    server.configure({ tokenTtlMs: 150 });
    try {
      const res = await issue();
      const { token } = res.json();
      expect(Date.parse(token.expires_at) - Date.parse(token.issued_at)).toBe(150);
      const id = res.headers['x-subject-token'] as string;
      expect((await keystone('GET', '/auth/projects', { 'x-auth-token': id })).status).toBe(200);
      await sleep(200);
      expect((await keystone('GET', '/auth/projects', { 'x-auth-token': id })).status).toBe(401);
    } finally {
      server.configure({ tokenTtlMs: 3_600_000 });
    }
  });

  test('stats count the tokens issued (not the refused requests)', async () => {
    const before = server.stats();
    await issue();
    await issue(passwordBody({ name: username, domain: { name: domain } }, 'wrong'));
    const after = server.stats();
    expect(after.keystone.tokensIssued).toBe(before.keystone.tokensIssued + 1);
    expect(after.byProvider.keystone).toBe(before.byProvider.keystone + 2);
  });

  test('faults and latency apply to Keystone, in its error format; an S3 bucket named identity still works', async () => {
    server.configure({ faults: { sequence: ['503', '429'], retryAfterSeconds: 2 } });
    const unavailable = await issue();
    expect(unavailable.status).toBe(503);
    expect(unavailable.json().error).toMatchObject({ code: 503, title: 'Service Unavailable' });
    const limited = await issue();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    const issued = server.stats().keystone.tokensIssued;
    server.configure({ faults: { sequence: ['corrupt-response'] } });
    const corrupted = await issue();
    expect(corrupted.status).toBe(201); // the token was issued; its reply has one flipped bit
    expect(server.stats().keystone.tokensIssued).toBe(issued + 1);
    expect(server.stats().faults['corrupt-response']).toBe(1);
    server.configure({ faults: { rate: 0, providers: ['keystone'] }, latency: 40 });
    const t = Date.now();
    expect((await issue()).status).toBe(201);
    expect(Date.now() - t).toBeGreaterThanOrEqual(39);
    server.configure({ latency: 0 });
    expect((await s3(port, 'PUT', '/identity')).status).toBe(200);
    expect((await s3(port, 'PUT', '/identity/v3/auth/tokens', { body: 'an object' })).status).toBe(200);
    expect((await s3(port, 'GET', '/identity/v3/auth/tokens')).text).toBe('an object');
  });
});

describe('Keystone through startFakeCloud', () => {
  test('endpoint, configure(tokenTtlMs) and stats().keystone cross the worker boundary; reset zeroes them', async () => {
    const cloud = await startFakeCloud({ tokenTtlMs: 60_000 });
    try {
      expect(cloud.endpoint('keystone')).toEqual({ host: '127.0.0.1', port: cloud.port, secure: false, basePath: '/identity/v3', authUrl: `${cloud.url}/identity/v3` });
      const first = (await issue(undefined, cloud.port)).json().token;
      expect(Date.parse(first.expires_at) - Date.parse(first.issued_at)).toBe(60_000);
      await cloud.configure({ tokenTtlMs: 1000 });
      const second = (await issue(undefined, cloud.port)).json().token;
      expect(Date.parse(second.expires_at) - Date.parse(second.issued_at)).toBe(1000);
      expect((await cloud.stats()).keystone.tokensIssued).toBe(2);
      await cloud.reset();
      expect((await cloud.stats()).keystone.tokensIssued).toBe(0);
    } finally {
      await cloud.close();
    }
  });
});
