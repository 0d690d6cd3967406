/**
 * The fake cloud's OpenStack Swift, over plain HTTP: the three ways to a token (v1.0 auth, Keystone v3 with the
 * catalog, Rackspace-style v2.0), account/container/object calls and their statuses, JSON and plain listings
 * with paging and subdirs, ETag checks, ranges and conditionals, SLO manifests, account metadata and temp URLs.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, FAKE_CREDENTIALS, FAKE_PROVIDERS, RACKSPACE_IDENTITY_PATH, SWIFT_AUTH_PATH, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { send, type TestResponse } from './helpers/http.js';

const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;
let server: FakeCloudServer;
let port: number;
let token: string;
let account: string; // the path of the v1.0 account: /swift/v1/AUTH_demo

beforeAll(async () => {
  server = createFakeCloudServer({ credentials: { keystone: [FAKE_CREDENTIALS.keystone, { username: 'eve', password: 'eve-password', project: 'evil', domain: 'Default' }] } });
  port = await server.listen();
  const auth = await send(port, { method: 'GET', path: SWIFT_AUTH_PATH, headers: { 'x-auth-user': `${project}:${username}`, 'x-auth-key': password } });
  token = String(auth.headers['x-auth-token']);
  account = new URL(String(auth.headers['x-storage-url'])).pathname;
});
afterAll(() => server.close());

const md5 = (b: string | Buffer): string => createHash('md5').update(b).digest('hex');

function swift(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<TestResponse> {
  return send(port, { method, path: `${account}${path}`, headers: { 'x-auth-token': token, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers }, body });
}

describe('tokens', () => {
  test('v1.0 auth: token, storage URL of AUTH_<project>, expiry; a wrong key is 401', async () => {
    expect(FAKE_PROVIDERS).toContain('swift');
    expect(server.endpoint('swift')).toEqual({ host: '127.0.0.1', port, secure: false, authUrl: `http://127.0.0.1:${port}/auth/v1.0` });
    const ok = await send(port, { method: 'GET', path: SWIFT_AUTH_PATH, headers: { 'x-auth-user': `${project}:${username}`, 'x-auth-key': password } });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-auth-token']).toMatch(/^AUTH_tk[0-9a-f]{32}$/);
    expect(ok.headers['x-storage-token']).toBe(ok.headers['x-auth-token']);
    expect(ok.headers['x-storage-url']).toBe(`http://127.0.0.1:${port}/swift/v1/AUTH_demo`);
    expect(Number(ok.headers['x-auth-token-expires'])).toBeGreaterThan(3500);
    const bad = await send(port, { method: 'GET', path: SWIFT_AUTH_PATH, headers: { 'x-auth-user': `${project}:${username}`, 'x-auth-key': 'nope' } });
    expect(bad.status).toBe(401);
  });

  test('Keystone v3: the catalog names the object store of the project; its token opens AUTH_<project id>', async () => {
    const issued = await send(port, {
      method: 'POST',
      path: '/identity/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: username, domain: { name: domain }, password } } }, scope: { project: { name: project, domain: { name: domain } } } } }),
    });
    const body = issued.json().token;
    const url = body.catalog.find((s: { type: string }) => s.type === 'object-store').endpoints.find((e: { interface: string }) => e.interface === 'public').url as string;
    expect(url).toBe(`http://127.0.0.1:${port}/swift/v1/AUTH_${body.project.id}`);
    const path = new URL(url).pathname;
    const head = await send(port, { method: 'HEAD', path, headers: { 'x-auth-token': String(issued.headers['x-subject-token']) } });
    expect(head.status).toBe(204);
    // That token does not open another account.
    expect((await send(port, { method: 'HEAD', path: account, headers: { 'x-auth-token': String(issued.headers['x-subject-token']) } })).status).toBe(403);
  });

  test('Rackspace v2.0: RAX-KSKEY API key → token and cloudFiles in ORD and DFW; a wrong key is 401', async () => {
    const res = await send(port, {
      method: 'POST',
      path: `${RACKSPACE_IDENTITY_PATH}/tokens`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { 'RAX-KSKEY:apiKeyCredentials': { username, apiKey: password } } }),
    });
    expect(res.status).toBe(200);
    const access = res.json().access;
    const files = access.serviceCatalog.find((s: { name: string }) => s.name === 'cloudFiles');
    expect(files.type).toBe('object-store');
    expect(files.endpoints.map((e: { region: string }) => e.region)).toEqual(['ORD', 'DFW']);
    const path = new URL(files.endpoints[0].publicURL).pathname;
    expect(path).toBe('/swift/v1/MossoCloudFS_demo');
    expect((await send(port, { method: 'GET', path: `${path}?format=json`, headers: { 'x-auth-token': access.token.id } })).status).toBe(200);
    const bad = await send(port, { method: 'POST', path: `${RACKSPACE_IDENTITY_PATH}/tokens`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ auth: { 'RAX-KSKEY:apiKeyCredentials': { username, apiKey: 'x' } } }) });
    expect(bad.status).toBe(401);
  });

  test('no token or an unknown one: 401 with an HTML body (none for HEAD)', async () => {
    const none = await send(port, { method: 'GET', path: `${account}?format=json` });
    expect(none.status).toBe(401);
    expect(none.text).toMatch(/<h1>Unauthorized<\/h1>/);
    const head = await send(port, { method: 'HEAD', path: account, headers: { 'x-auth-token': 'AUTH_tknope' } });
    expect([head.status, head.body.length]).toEqual([401, 0]);
  });
});

describe('containers and listings', () => {
  test('PUT 201 then 202; HEAD counts; DELETE 409 when not empty, 204, then 404', async () => {
    expect((await swift('PUT', '/box')).status).toBe(201);
    expect((await swift('PUT', '/box')).status).toBe(202);
    await swift('PUT', '/box/a', {}, 'hello');
    const head = await swift('HEAD', '/box');
    expect([head.status, head.headers['x-container-object-count'], head.headers['x-container-bytes-used']]).toEqual([204, '1', '5']);
    expect((await swift('DELETE', '/box')).status).toBe(409);
    expect((await swift('DELETE', '/box/a')).status).toBe(204);
    expect((await swift('DELETE', '/box/a')).status).toBe(404);
    expect((await swift('DELETE', '/box')).status).toBe(204);
    expect((await swift('DELETE', '/box')).status).toBe(404);
    expect((await swift('HEAD', '/box')).status).toBe(404);
  });

  test('JSON listings: fields, prefix, delimiter (subdirs), limit and marker (a subdir marker skips its objects)', async () => {
    await swift('PUT', '/list');
    for (const n of ['a', 'p/1', 'p/2', 'p/q/3', 'z']) await swift('PUT', `/list/${n}`, { 'content-type': 'text/plain' }, `body ${n}`);
    const all = (await swift('GET', '/list?format=json')).json();
    expect(all.map((e: { name: string }) => e.name)).toEqual(['a', 'p/1', 'p/2', 'p/q/3', 'z']);
    expect(all[0]).toEqual({ name: 'a', bytes: 6, hash: md5('body a'), content_type: 'text/plain', last_modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/) });
    expect((await swift('GET', '/list?format=json&delimiter=/')).json()).toEqual([expect.objectContaining({ name: 'a' }), { subdir: 'p/' }, expect.objectContaining({ name: 'z' })]);
    expect((await swift('GET', '/list?format=json&delimiter=/&prefix=p/')).json().map((e: { name?: string; subdir?: string }) => e.name ?? e.subdir)).toEqual(['p/1', 'p/2', 'p/q/']);
    expect((await swift('GET', '/list?format=json&limit=2')).json().map((e: { name: string }) => e.name)).toEqual(['a', 'p/1']);
    expect((await swift('GET', '/list?format=json&limit=2&marker=p/1')).json().map((e: { name: string }) => e.name)).toEqual(['p/2', 'p/q/3']);
    expect((await swift('GET', '/list?format=json&delimiter=/&marker=p/')).json().map((e: { name: string }) => e.name)).toEqual(['z']);
    const plain = await swift('GET', '/list?prefix=p/');
    expect(plain.text).toBe('p/1\np/2\np/q/3\n');
    expect((await swift('GET', '/list?format=json&limit=10001')).status).toBe(412);
    expect((await swift('GET', '/nothing?format=json')).status).toBe(404);
  });

  test('account listing and metadata; removing a key with an empty value', async () => {
    const res = await swift('GET', '?format=json');
    expect(res.json().map((c: { name: string }) => c.name)).toContain('list');
    expect(res.json().find((c: { name: string }) => c.name === 'list')).toMatchObject({ count: 5, bytes: 6 + 8 + 8 + 10 + 6 });
    expect((await swift('POST', '', { 'x-account-meta-temp-url-key': 'k1', 'x-account-meta-color': 'blue' })).status).toBe(204);
    expect((await swift('HEAD', '')).headers).toMatchObject({ 'x-account-meta-temp-url-key': 'k1', 'x-account-meta-color': 'blue' });
    await swift('POST', '', { 'x-account-meta-color': '' });
    expect((await swift('HEAD', '')).headers['x-account-meta-color']).toBeUndefined();
  });
});

describe('objects', () => {
  beforeAll(async () => {
    await swift('PUT', '/obj');
  });

  test('PUT checks ETag (422 and nothing stored); GET/HEAD give size, ETag, type, metadata', async () => {
    const bad = await swift('PUT', '/obj/x', { etag: md5('other') }, 'data');
    expect(bad.status).toBe(422);
    expect((await swift('HEAD', '/obj/x')).status).toBe(404);
    const put = await swift('PUT', '/obj/x', { etag: md5('data'), 'content-type': 'text/x', 'x-object-meta-owner': 'me' }, 'data');
    expect([put.status, put.headers.etag]).toEqual([201, md5('data')]);
    const get = await swift('GET', '/obj/x');
    expect([get.status, get.text, get.headers.etag, get.headers['content-type'], get.headers['x-object-meta-owner'], get.headers['content-length']]).toEqual([200, 'data', md5('data'), 'text/x', 'me', '4']);
    expect((await swift('PUT', '/none/x', {}, 'data')).status).toBe(404);
  });

  test('ranges (206, 416) and conditionals (If-Match 412, If-None-Match 304)', async () => {
    await swift('PUT', '/obj/r', {}, '0123456789');
    const range = await swift('GET', '/obj/r', { range: 'bytes=2-4' });
    expect([range.status, range.text, range.headers['content-range']]).toEqual([206, '234', 'bytes 2-4/10']);
    expect((await swift('GET', '/obj/r', { range: 'bytes=20-30' })).status).toBe(416);
    expect((await swift('GET', '/obj/r', { 'if-match': `"${md5('0123456789')}"` })).status).toBe(200);
    expect((await swift('GET', '/obj/r', { 'if-match': '"nope"', range: 'bytes=0-0' })).status).toBe(412);
    expect((await swift('GET', '/obj/r', { 'if-none-match': md5('0123456789') })).status).toBe(304);
  });

  test('SLO: segments checked (ETag, size), the ETag of the whole checked, assembled on GET, deleted with its segments', async () => {
    await swift('PUT', '/obj_segments');
    await swift('PUT', '/obj_segments/s1', {}, 'aaaa');
    await swift('PUT', '/obj_segments/s2', {}, 'bb');
    const manifest = [
      { path: '/obj_segments/s1', etag: md5('aaaa'), size_bytes: 4 },
      { path: '/obj_segments/s2', etag: md5('bb'), size_bytes: 2 },
    ];
    const whole = md5(md5('aaaa') + md5('bb'));
    expect((await swift('PUT', '/obj/slo?multipart-manifest=put', {}, JSON.stringify([{ ...manifest[0], etag: md5('x') }]))).status).toBe(400);
    expect((await swift('PUT', '/obj/slo?multipart-manifest=put', {}, JSON.stringify([{ ...manifest[0], size_bytes: 5 }]))).status).toBe(400);
    expect((await swift('PUT', '/obj/slo?multipart-manifest=put', {}, JSON.stringify([{ path: '/obj_segments/missing' }]))).status).toBe(400);
    expect((await swift('PUT', '/obj/slo?multipart-manifest=put', { etag: md5('wrong') }, JSON.stringify(manifest))).status).toBe(422);
    const put = await swift('PUT', '/obj/slo?multipart-manifest=put', { etag: whole, 'x-object-meta-k': 'v' }, JSON.stringify(manifest));
    expect([put.status, put.headers.etag]).toEqual([201, `"${whole}"`]);
    const get = await swift('GET', '/obj/slo');
    expect([get.text, get.headers.etag, get.headers['x-static-large-object'], get.headers['content-length'], get.headers['x-object-meta-k']]).toEqual(['aaaabb', `"${whole}"`, 'True', '6', 'v']);
    expect((await swift('GET', '/obj/slo', { range: 'bytes=3-4' })).text).toBe('ab');
    const listed = (await swift('GET', '/obj?format=json&prefix=slo')).json()[0];
    expect([listed.bytes, listed.slo_etag]).toEqual([6, `"${whole}"`]);
    expect((await swift('HEAD', '/obj/slo')).headers['content-length']).toBe('6');
    const json = { accept: 'application/json' };
    expect((await swift('DELETE', '/obj/r?multipart-manifest=delete', json)).json()).toMatchObject({ 'Response Status': '400 Bad Request', Errors: [['/obj/r', 'Not an SLO manifest']] });
    expect((await swift('DELETE', '/obj/slo?multipart-manifest=delete', json)).json()).toMatchObject({ 'Response Status': '200 OK', 'Number Deleted': 3, 'Number Not Found': 0 });
    expect((await swift('GET', '/obj_segments?format=json')).json()).toEqual([]);
    expect((await swift('DELETE', '/obj/slo?multipart-manifest=delete', json)).json()).toMatchObject({ 'Number Deleted': 0, 'Number Not Found': 1 });
  });
});

describe('temp URLs', () => {
  const sign = (key: string, method: string, expires: number, path: string, digest = 'sha256'): string => createHmac(digest, key).update(`${method}\n${expires}\n${path}`).digest('hex');

  test("GET with the account key's signature works without a token; expired, tampered, other methods and objects are 401", async () => {
    await swift('POST', '', { 'x-account-meta-temp-url-key': 'tk-1', 'x-account-meta-temp-url-key-2': 'tk-2' });
    await swift('PUT', '/temp');
    await swift('PUT', '/temp/a%20b', {}, 'secret body');
    const path = `${account}/temp/a b`;
    const url = (sig: string, expires: number, p = `${account}/temp/a%20b`): string => `${p}?temp_url_sig=${sig}&temp_url_expires=${expires}`;
    const future = Math.floor(Date.now() / 1000) + 60;
    const ok = await send(port, { method: 'GET', path: url(sign('tk-1', 'GET', future, path), future) });
    expect([ok.status, ok.text]).toEqual([200, 'secret body']);
    expect((await send(port, { method: 'GET', path: url(sign('tk-2', 'GET', future, path, 'sha1'), future) })).status).toBe(200); // second key, sha1
    expect((await send(port, { method: 'HEAD', path: url(sign('tk-1', 'GET', future, path), future) })).status).toBe(200);
    const past = Math.floor(Date.now() / 1000) - 1;
    expect((await send(port, { method: 'GET', path: url(sign('tk-1', 'GET', past, path), past) })).status).toBe(401);
    expect((await send(port, { method: 'GET', path: url(sign('tk-1', 'GET', future, path), future + 1) })).status).toBe(401);
    expect((await send(port, { method: 'GET', path: url(sign('wrong', 'GET', future, path), future) })).status).toBe(401);
    expect((await send(port, { method: 'DELETE', path: url(sign('tk-1', 'GET', future, path), future) })).status).toBe(401);
    expect((await send(port, { method: 'GET', path: url(sign('tk-1', 'GET', future, path), future, `${account}/temp/other`) })).status).toBe(401);
    const putPath = `${account}/temp/new`;
    const put = await send(port, { method: 'PUT', path: url(sign('tk-1', 'PUT', future, putPath), future, putPath), headers: { 'content-length': '3' }, body: 'new' });
    expect(put.status).toBe(201);
    expect((await swift('GET', '/temp/new')).text).toBe('new');
  });
});
