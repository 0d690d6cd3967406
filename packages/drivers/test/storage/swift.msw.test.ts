/**
 * Every call of the Swift drivers against msw (async mode; msw intercepts Node's http module, so the transport
 * uses `adapter: 'http'`): the requests sent, the replies' parsing, error mapping, integrity (ETag both ways,
 * 422 resent), Static Large Objects and their cleanup, SLO-aware deletes, downloads, ranged reads, temp URLs,
 * and the identity flows (v1.0, Keystone v3 catalog by region, Rackspace v2.0 with the `cloudFiles` service).
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ASYNC_MODE,
  CloudError,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  InvalidArgumentError,
  InvalidCredentialsError,
  isCommonPrefix,
  NotFoundError,
  ObjectDoesNotExistError,
  ProviderError,
  RateLimitError,
  REDACTED,
  RequestError,
  StorageObject,
  UploadError,
  type ResponseInfo,
} from '@dualcloud/core';
import { CloudFilesStorageDriver, OpenStackSwiftStorageDriver, type CloudFilesStorageDriverOptions, type OpenStackSwiftStorageDriverOptions } from '@dualcloud/drivers/storage';
import { AUTH_URL, KEY, ORIGIN, STORAGE_URL, swiftError, swiftMock, USER, type SeenRequest, type SwiftMock } from './helpers/msw-swift.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-swift-msw-'));
  dirs.push(d);
  return d;
}

const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');
const RETRY = { baseDelayMs: 1, maxDelayMs: 2 };

/** The async-mode driver's promise (typed as its sync result). */
function p<T>(value: T): Promise<T> {
  if (!(value instanceof Promise)) throw new Error('expected a Promise from an async-mode driver');
  return value as unknown as Promise<T>;
}

async function collect<T>(iterable: Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable as unknown as AsyncIterable<T>) out.push(x);
  return out;
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

function swift(mock: SwiftMock, extra: Partial<OpenStackSwiftStorageDriverOptions> = {}): OpenStackSwiftStorageDriver {
  server.use(...mock.handlers);
  return new OpenStackSwiftStorageDriver({ authUrl: AUTH_URL, username: USER, password: KEY, transport: { adapter: 'http' }, retry: RETRY, ...extra, [ASYNC_MODE]: true } as OpenStackSwiftStorageDriverOptions);
}

const json = (body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response =>
  new HttpResponse(JSON.stringify(body), { status: init.status ?? 200, headers: { 'content-type': 'application/json; charset=utf-8', ...init.headers } });
const empty = (status: number, headers: Record<string, string> = {}): Response => new HttpResponse(null, { status, headers });

function objectOf(d: OpenStackSwiftStorageDriver, container: string, name: string, fields: Partial<{ size: number; hash: string; extra: Record<string, unknown> }> = {}): StorageObject {
  return new StorageObject({ name, size: fields.size ?? 0, hash: fields.hash ?? '', extra: fields.extra ?? {} }, new Container(container, {}, d), d);
}

describe('authentication', () => {
  test('v1.0 auth once; every request carries X-Auth-Token; a refused token is replaced once and the request replayed', async () => {
    const mock = swiftMock();
    let refused = false;
    mock.on('HEAD', '/c', (req) => {
      if (req.headers['x-auth-token'] === 'AUTH_tk1' && !refused) {
        refused = true;
        return swiftError(401, 'Unauthorized');
      }
      return empty(204, { 'x-container-object-count': '0', 'x-container-bytes-used': '0' });
    });
    const d = swift(mock);
    await p(d.getContainer('c'));
    await p(d.getContainer('c'));
    const auth = mock.seen.filter((r) => r.rawPath === '/auth/v1.0');
    expect(auth).toHaveLength(2);
    expect(auth[0]!.headers).toMatchObject({ 'x-auth-user': USER, 'x-auth-key': KEY });
    expect(mock.storage().map((r) => r.headers['x-auth-token'])).toEqual(['AUTH_tk1', 'AUTH_tk2', 'AUTH_tk2']);
  });

  test('a wrong key is InvalidCredentialsError, and the key appears in no error text', async () => {
    const d = swift(swiftMock(), { password: 'wrong-key-value-123' });
    const error = (await failure(p(d.listContainers()))) as CloudError;
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain('wrong-key-value-123');
  });

  test('Keystone v3: the object-store endpoint of the region asked for; several regions and none asked is an error', async () => {
    const catalog = [
      { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'http://keystone.test/v3' }] },
      {
        type: 'object-store',
        name: 'swift',
        endpoints: [
          { interface: 'public', region_id: 'RegionOne', url: 'http://one.test/v1/AUTH_p' },
          { interface: 'internal', region_id: 'RegionOne', url: 'http://one-internal.test/v1/AUTH_p' },
          { interface: 'public', region_id: 'RegionTwo', url: 'http://two.test/v1/AUTH_p' },
        ],
      },
    ];
    const bodies: unknown[] = [];
    const hosts: string[] = [];
    server.use(
      http.post('http://keystone.test/v3/auth/tokens', async ({ request }) => {
        bodies.push(await request.json());
        return json({ token: { expires_at: new Date(Date.now() + 3_600_000).toISOString(), project: { id: 'p' }, catalog } }, { status: 201, headers: { 'x-subject-token': 'ks-token' } });
      }),
      http.get(/http:\/\/(one|one-internal|two)\.test\/v1\/AUTH_p/, ({ request }) => {
        hosts.push(`${new URL(request.url).host} ${request.headers.get('x-auth-token')}`);
        return json([{ name: 'c', count: 1, bytes: 2 }]);
      }),
    );
    const base = { authUrl: 'http://keystone.test/v3', username: 'u', password: 'pw', projectName: 'p', transport: { adapter: 'http' as const }, retry: RETRY, [ASYNC_MODE]: true };
    const two = new OpenStackSwiftStorageDriver({ ...base, regionName: 'RegionTwo' } as OpenStackSwiftStorageDriverOptions);
    expect((await p(two.listContainers())).map((c) => [c.name, c.extra.objectCount, c.extra.bytesUsed])).toEqual([['c', 1, 2]]);
    const internal = new OpenStackSwiftStorageDriver({ ...base, region: 'RegionOne', interface: 'internal' } as OpenStackSwiftStorageDriverOptions);
    await p(internal.listContainers());
    expect(hosts).toEqual(['two.test ks-token', 'one-internal.test ks-token']);
    expect(bodies[0]).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'u', domain: { name: 'Default' }, password: 'pw' } } },
        scope: { project: { name: 'p', domain: { name: 'Default' } } },
      },
    });
    const anywhere = new OpenStackSwiftStorageDriver(base as OpenStackSwiftStorageDriverOptions);
    const error = (await failure(p(anywhere.listContainers()))) as CloudError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(/several regions \(RegionOne, RegionTwo\)/);
  });

  test("Cloud Files: Rackspace v2.0 with the API key, the catalog's cloudFiles service in the region (upper-cased)", async () => {
    const bodies: unknown[] = [];
    const hosts: string[] = [];
    server.use(
      http.post('https://identity.api.rackspacecloud.com/v2.0/tokens', async ({ request }) => {
        bodies.push(await request.json());
        return json({
          access: {
            token: { id: 'rax-token', expires: new Date(Date.now() + 3_600_000).toISOString(), tenant: { id: '123' } },
            serviceCatalog: [
              { name: 'cloudFilesCDN', type: 'rax:object-cdn', endpoints: [{ region: 'DFW', publicURL: 'https://cdn.test/v1/MossoCloudFS_1' }] },
              { name: 'otherStore', type: 'object-store', endpoints: [{ region: 'DFW', publicURL: 'https://wrong.test/v1/x' }] },
              {
                name: 'cloudFiles',
                type: 'object-store',
                endpoints: [
                  { region: 'ORD', publicURL: 'https://ord.test/v1/MossoCloudFS_1', internalURL: 'https://snet-ord.test/v1/MossoCloudFS_1' },
                  { region: 'DFW', publicURL: 'https://dfw.test/v1/MossoCloudFS_1', internalURL: 'https://snet-dfw.test/v1/MossoCloudFS_1' },
                ],
              },
            ],
          },
        });
      }),
      http.get(/https:\/\/(dfw|snet-ord|ord)\.test\/v1\/MossoCloudFS_1/, ({ request }) => {
        hosts.push(new URL(request.url).host);
        return json([]);
      }),
    );
    const base = { key: 'rackuser', secret: 'rack-api-key', transport: { adapter: 'http' as const }, retry: RETRY, [ASYNC_MODE]: true };
    await p(new CloudFilesStorageDriver({ ...base, region: 'dfw' } as CloudFilesStorageDriverOptions).listContainers());
    await p(new CloudFilesStorageDriver({ ...base, useInternalUrl: true } as CloudFilesStorageDriverOptions).listContainers());
    expect(hosts).toEqual(['dfw.test', 'snet-ord.test']);
    expect(bodies[0]).toEqual({ auth: { 'RAX-KSKEY:apiKeyCredentials': { username: 'rackuser', apiKey: 'rack-api-key' } } });
    const d = new CloudFilesStorageDriver(base as CloudFilesStorageDriverOptions);
    expect([d.type, d.name]).toEqual(['cloudfiles', 'Rackspace Cloud Files']);
  });
});

describe('containers', () => {
  test('listContainers pages with limit and marker while pages are full', async () => {
    const mock = swiftMock();
    const first = Array.from({ length: 10_000 }, (_, i) => ({ name: `c${String(i).padStart(5, '0')}`, count: i, bytes: i * 10, last_modified: '2026-11-30T23:27:05.577210' }));
    mock.on('GET', '', (req) => json(req.query.get('marker') ? [{ name: 'zz', count: 0, bytes: 0 }] : first));
    const names = (await p(swift(mock).listContainers())).map((c) => c.name);
    expect(names).toHaveLength(10_001);
    expect(names.at(-1)).toBe('zz');
    expect(mock.storage().map((r) => Object.fromEntries(r.query))).toEqual([
      { format: 'json', limit: '10000' },
      { format: 'json', limit: '10000', marker: 'c09999' },
    ]);
  });

  test('getContainer: HEAD; counts in extra; 404 is ContainerDoesNotExistError', async () => {
    const mock = swiftMock().on('HEAD', '/c', () => empty(204, { 'x-container-object-count': '3', 'x-container-bytes-used': '42', 'x-storage-policy': 'gold' }));
    const d = swift(mock);
    const c = await p(d.getContainer('c'));
    expect([c.name, c.extra]).toEqual(['c', { objectCount: 3, bytesUsed: 42, storagePolicy: 'gold' }]);
    const error = (await failure(p(d.getContainer('missing')))) as CloudError;
    expect(error).toBeInstanceOf(ContainerDoesNotExistError);
    expect(error.status).toBe(404);
    await expect(p(d.getContainer('a/b'))).rejects.toThrow(InvalidArgumentError);
  });

  test('createContainer: PUT; 202 (it existed) is ContainerAlreadyExistsError', async () => {
    const mock = swiftMock()
      .on('PUT', '/new', () => empty(201))
      .on('PUT', '/old', () => empty(202));
    const d = swift(mock);
    expect((await p(d.createContainer('new'))).name).toBe('new');
    await expect(p(d.createContainer('old'))).rejects.toThrow(ContainerAlreadyExistsError);
    expect(mock.storage().map((r) => `${r.method} ${r.path} ${r.headers['content-length']}`)).toEqual(['PUT /new 0', 'PUT /old 0']);
  });

  test('deleteContainer: 204, 404 → ContainerDoesNotExistError, 409 → ContainerIsNotEmptyError', async () => {
    const mock = swiftMock()
      .on('DELETE', '/empty', () => empty(204))
      .on('DELETE', '/full', () => swiftError(409, 'Conflict', 'There was a conflict when trying to complete your request.'));
    const d = swift(mock);
    expect(await p(d.deleteContainer(new Container('empty', {}, d)))).toBe(true);
    await expect(p(d.deleteContainer(new Container('gone', {}, d)))).rejects.toThrow(ContainerDoesNotExistError);
    await expect(p(d.deleteContainer(new Container('full', {}, d)))).rejects.toThrow(ContainerIsNotEmptyError);
  });
});

describe('listing objects', () => {
  test('prefix, delimiter and pageSize reach Swift; the marker of the next page is the last name (or subdir)', async () => {
    const mock = swiftMock();
    mock.on('GET', '/c', (req) => {
      const marker = req.query.get('marker');
      if (!marker)
        return json([
          { name: 'p/a', hash: md5('a'), bytes: 1, content_type: 'text/plain', last_modified: '2026-11-30T23:27:05.577210' },
          { subdir: 'p/q/' },
        ]);
      if (marker === 'p/q/') return json([{ name: 'p/z', hash: '6af88c78e03896752c79422db8494a16', bytes: 4000, content_type: 'application/x-test', last_modified: '2026-11-30T23:27:06', slo_etag: '"d43fcee8a7628cec5f030e6fc104058f"' }]);
      return json([]);
    });
    const d = swift(mock);
    const entries = await p(d.listContainerObjects(new Container('c', {}, d), { prefix: 'p/', delimiter: '/', pageSize: 2 }));
    expect(mock.storage().map((r) => Object.fromEntries(r.query))).toEqual([
      { format: 'json', limit: '2', prefix: 'p/', delimiter: '/' },
      { format: 'json', limit: '2', prefix: 'p/', delimiter: '/', marker: 'p/q/' },
    ]);
    expect(entries.map((o) => [o.name, isCommonPrefix(o), o.size, o.hash])).toEqual([
      ['p/a', false, 1, md5('a')],
      ['p/q/', true, 0, ''],
      ['p/z', false, 4000, 'd43fcee8a7628cec5f030e6fc104058f'],
    ]);
    expect(entries[0]!.lastModified?.toISOString()).toBe('2026-11-30T23:27:05.577Z');
    expect(entries[0]!.contentType).toBe('text/plain');
    expect(entries[0]!.extra).toEqual({ etag: md5('a'), staticLargeObject: false });
    expect(entries[2]!.extra).toEqual({ etag: '"d43fcee8a7628cec5f030e6fc104058f"', staticLargeObject: true, manifestEtag: '6af88c78e03896752c79422db8494a16' });
  });

  test('a missing container is ContainerDoesNotExistError; a bad pageSize is refused before any request', async () => {
    const mock = swiftMock();
    const d = swift(mock);
    await expect(p(d.listContainerObjects(new Container('gone', {}, d)))).rejects.toThrow(ContainerDoesNotExistError);
    expect(() => d.listContainerObjects(new Container('c', {}, d), { pageSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => d.listContainerObjects(new Container('c', {}, d), { pageSize: 10_001 })).toThrow(InvalidArgumentError);
    expect(mock.storage().map((r) => r.path)).toEqual(['/gone']);
  });
});

describe('objects', () => {
  test('getObject: HEAD; size, ETag, type, dates and X-Object-Meta-*; 404 → ObjectDoesNotExistError; 500 is not "missing"', async () => {
    const mock = swiftMock()
      .on('HEAD', '/c/dir/a b.txt', () =>
        empty(200, {
          'content-length': '5',
          etag: md5('hello'),
          'content-type': 'text/plain',
          'last-modified': 'Mon, 30 Nov 2026 23:26:58 GMT',
          'x-object-meta-owner': 'me',
          'x-timestamp': '1796081218.00000',
        }),
      )
      .on('HEAD', '/c/broken', () => empty(500));
    const d = swift(mock);
    const o = await p(d.getObject('c', 'dir/a b.txt'));
    expect([o.name, o.size, o.hash, o.contentType, o.metaData, o.lastModified?.toISOString(), o.container.name]).toEqual(['dir/a b.txt', 5, md5('hello'), 'text/plain', { owner: 'me' }, '2026-11-30T23:26:58.000Z', 'c']);
    expect(o.extra).toEqual({ etag: md5('hello'), staticLargeObject: false, timestamp: '1796081218.00000' });
    expect(mock.storage()[0]!.rawPath).toBe('/c/dir/a%20b.txt');
    await expect(p(d.getObject('c', 'nope'))).rejects.toThrow(ObjectDoesNotExistError);
    const error = await failure(p(swift(swiftMock().on('HEAD', '/c/broken', () => empty(500)), { retry: { maxAttempts: 1 } }).getObject('c', 'broken')));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(NotFoundError);
  });

  test('deleteObject: plain DELETE for a plain object, 404 → ObjectDoesNotExistError', async () => {
    const mock = swiftMock().on('DELETE', '/c/o', () => empty(204));
    const d = swift(mock);
    expect(await p(d.deleteObject(objectOf(d, 'c', 'o', { extra: { staticLargeObject: false } })))).toBe(true);
    await expect(p(d.deleteObject(objectOf(d, 'c', 'gone', { extra: { staticLargeObject: false } })))).rejects.toThrow(ObjectDoesNotExistError);
    expect(mock.storage().map((r) => `${r.method} ${r.path} ${r.query.toString()}`)).toEqual(['DELETE /c/o ', 'DELETE /c/gone ']);
  });

  test('deleteObject of an SLO: ?multipart-manifest=delete with its JSON report (segments go too); failures and not-found are typed', async () => {
    const report = (status: string, deleted: number, notFound: number, errors: string[][] = []) => json({ 'Response Status': status, 'Response Body': '', 'Number Deleted': deleted, 'Number Not Found': notFound, Errors: errors });
    const mock = swiftMock()
      .on('DELETE', '/c/big', () => report('200 OK', 3, 0))
      .on('DELETE', '/c/gone', () => report('200 OK', 0, 1))
      .on('DELETE', '/c/locked', () => report('400 Bad Request', 0, 0, [['/c_segments/x', '403 Forbidden']]));
    const d = swift(mock);
    const slo = { extra: { staticLargeObject: true } };
    expect(await p(d.deleteObject(objectOf(d, 'c', 'big', slo)))).toBe(true);
    expect(mock.storage()[0]).toMatchObject({ method: 'DELETE', path: '/c/big' });
    expect(Object.fromEntries(mock.storage()[0]!.query)).toEqual({ 'multipart-manifest': 'delete' });
    expect(mock.storage()[0]!.headers.accept).toBe('application/json');
    await expect(p(d.deleteObject(objectOf(d, 'c', 'gone', slo)))).rejects.toThrow(ObjectDoesNotExistError);
    const error = (await failure(p(d.deleteObject(objectOf(d, 'c', 'locked', slo))))) as CloudError;
    expect(error).toBeInstanceOf(RequestError);
    expect(error.message).toMatch(/\/c_segments\/x: 403 Forbidden/);
  });

  test('deleteObject of a model that does not say: SLO delete first, then a plain DELETE when Swift says it is not one', async () => {
    const mock = swiftMock().on('DELETE', '/c/o', (req) =>
      req.query.get('multipart-manifest') === 'delete'
        ? json({ 'Response Status': '400 Bad Request', 'Number Deleted': 0, 'Number Not Found': 0, Errors: [['/c/o', 'Not an SLO manifest']] })
        : empty(204),
    );
    const d = swift(mock);
    expect(await p(d.deleteObject(objectOf(d, 'c', 'o')))).toBe(true);
    expect(mock.storage().map((r) => r.query.toString())).toEqual(['multipart-manifest=delete', '']);
  });
});

describe('single-request uploads', () => {
  test('PUT with ETag (MD5), length, content type and X-Object-Meta-*; the reply ETag is checked', async () => {
    const mock = swiftMock().on('PUT', '/c/dir/o.txt', (req) => empty(201, { etag: md5(req.body) }));
    const d = swift(mock);
    const o = await p(d.uploadObjectViaStream('hello', new Container('c', {}, d), 'dir/o.txt', { contentType: 'text/plain', metaData: { Owner: 'me', 'x-y': 'z' } }));
    const put = mock.storage()[0]!;
    expect(put.headers).toMatchObject({ etag: md5('hello'), 'content-length': '5', 'content-type': 'text/plain', 'x-object-meta-owner': 'me', 'x-object-meta-x-y': 'z' });
    expect(put.body.toString()).toBe('hello');
    expect([o.name, o.size, o.hash, o.metaData, o.extra]).toEqual(['dir/o.txt', 5, md5('hello'), { owner: 'me', 'x-y': 'z' }, { etag: md5('hello'), staticLargeObject: false }]);
  });

  test('metadata names Swift would change, and values with line breaks, are refused before any request', async () => {
    const mock = swiftMock();
    const d = swift(mock);
    const c = new Container('c', {}, d);
    await expect(p(d.uploadObjectViaStream('x', c, 'o', { metaData: { under_score: 'v' } }))).rejects.toThrow(InvalidArgumentError);
    await expect(p(d.uploadObjectViaStream('x', c, 'o', { metaData: { ok: 'a\r\nb' } }))).rejects.toThrow(InvalidArgumentError);
    await expect(p(d.uploadObjectViaStream('x', c, ''))).rejects.toThrow(InvalidArgumentError);
    expect(mock.storage()).toEqual([]);
  });

  test('a 404 (container gone) is ContainerDoesNotExistError', async () => {
    const d = swift(swiftMock());
    await expect(p(d.uploadObjectViaStream('x', new Container('gone', {}, d), 'o'))).rejects.toThrow(ContainerDoesNotExistError);
  });

  test('a 422 (Swift received bytes whose MD5 is not the ETag) is sent again; on every attempt: IntegrityError, nothing stored', async () => {
    let puts = 0;
    const flaky = swiftMock().on('PUT', '/c/o', (req) => (++puts === 1 ? swiftError(422, 'Unprocessable Entity', 'Unable to process the contained instructions') : empty(201, { etag: md5(req.body) })));
    const d = swift(flaky);
    expect((await p(d.uploadObjectViaStream('data', new Container('c', {}, d), 'o'))).hash).toBe(md5('data'));
    expect(puts).toBe(2);
    const always = swiftMock().on('PUT', '/c/o', () => swiftError(422, 'Unprocessable Entity', 'Unable to process the contained instructions'));
    const error = (await failure(p(swift(always, { retry: { ...RETRY, maxAttempts: 3 } }).uploadObjectViaStream('data', new Container('c', {}, d), 'o')))) as CloudError;
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/refused o on every attempt.*nothing was stored/);
    expect(always.storage().map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  test("a reply ETag that is not the data's MD5 is resent; on every attempt the error says why the object is left (no conditional DELETE)", async () => {
    const mock = swiftMock().on('PUT', '/c/o', () => empty(201, { etag: md5('something else') }));
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 2 } });
    const error = (await failure(p(d.uploadObjectViaStream('data', new Container('c', {}, d), 'o')))) as CloudError;
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/left in place: Swift has no conditional DELETE \(it ignores If-Match on DELETE\)/);
    expect(mock.storage().map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });

  test('verifyHash: false sends no ETag and checks none', async () => {
    const mock = swiftMock().on('PUT', '/c/o', () => empty(201, { etag: md5('other') }));
    const d = swift(mock);
    const o = await p(d.uploadObjectViaStream('data', new Container('c', {}, d), 'o', { verifyHash: false }));
    expect(mock.storage()[0]!.headers.etag).toBeUndefined();
    expect(o.hash).toBe(md5('other'));
  });
});

/** A Swift that stores segments and manifests enough for SLO uploads (and records deletes). */
function sloMock(options: { segmentFails?: (n: number) => Response | undefined; manifest?: (req: SeenRequest) => Response | undefined; headManifest?: (req: SeenRequest) => Response | undefined } = {}): SwiftMock & { segments: Map<string, Buffer> } {
  const segments = new Map<string, Buffer>();
  const mock = swiftMock() as SwiftMock & { segments: Map<string, Buffer> };
  Object.assign(mock, { segments });
  mock
    .on('HEAD', '/c', () => empty(204))
    .on('PUT', '/c_segments', () => empty(202))
    .on('PUT', /^\/c_segments\/.+/, (req) => {
      const n = Number(req.path.slice(-8));
      const fault = options.segmentFails?.(n);
      if (fault) return fault;
      segments.set(req.path.slice('/c_segments/'.length), req.body);
      return empty(201, { etag: md5(req.body) });
    })
    .on('GET', '/c_segments', (req) => json([...segments.keys()].filter((k) => k.startsWith(req.query.get('prefix') ?? '')).map((name) => ({ name, hash: md5(segments.get(name)!), bytes: segments.get(name)!.length }))))
    .on('DELETE', /^\/c_segments\/.+/, (req) => (segments.delete(req.path.slice('/c_segments/'.length)) ? empty(204) : swiftError(404, 'Not Found')))
    .on('PUT', /^\/c\/.+/, (req) => options.manifest?.(req) ?? empty(201, { etag: `"${req.headers.etag}"` }))
    .on('HEAD', /^\/c\/.+/, (req) => options.headManifest?.(req));
  return mock;
}

describe('Static Large Objects', () => {
  test('segments in <container>_segments under a unique prefix, each with its ETag; then the manifest with the ETag of the whole', async () => {
    const mock = sloMock();
    const d = swift(mock);
    const data = Buffer.from('a'.repeat(10) + 'b'.repeat(10) + 'c'.repeat(5));
    const o = await p(d.uploadObjectViaStream(data, new Container('c', {}, d), 'big o', { partSize: 10, concurrency: 1, metaData: { k: 'v' }, contentType: 'text/x' }));
    const sent = mock.storage().map((r) => `${r.method} ${r.path.replace(/\/slo\/[\d.]+\/[0-9a-f]+\//, '/slo/T/ID/')}${r.query.toString() ? `?${r.query}` : ''}`);
    expect(sent).toEqual([
      'HEAD /c',
      'PUT /c_segments',
      'PUT /c_segments/big o/slo/T/ID/00000001',
      'PUT /c_segments/big o/slo/T/ID/00000002',
      'PUT /c_segments/big o/slo/T/ID/00000003',
      'PUT /c/big o?multipart-manifest=put',
    ]);
    const segmentPuts = mock.storage().filter((r) => r.path.startsWith('/c_segments/'));
    expect(segmentPuts.map((r) => r.headers.etag)).toEqual([md5('a'.repeat(10)), md5('b'.repeat(10)), md5('c'.repeat(5))]);
    const manifestPut = mock.storage().at(-1)!;
    const manifest = JSON.parse(manifestPut.body.toString()) as Array<{ path: string; etag: string; size_bytes: number }>;
    expect(manifest.map((s) => [s.path.replace(/\/slo\/[\d.]+\/[0-9a-f]+\//, '/slo/T/ID/'), s.etag, s.size_bytes])).toEqual([
      ['/c_segments/big o/slo/T/ID/00000001', md5('a'.repeat(10)), 10],
      ['/c_segments/big o/slo/T/ID/00000002', md5('b'.repeat(10)), 10],
      ['/c_segments/big o/slo/T/ID/00000003', md5('c'.repeat(5)), 5],
    ]);
    const whole = md5(manifest.map((s) => s.etag).join(''));
    expect(manifestPut.headers).toMatchObject({ etag: whole, 'content-type': 'text/x', 'x-object-meta-k': 'v' });
    expect([o.size, o.hash, o.extra]).toEqual([25, whole, { etag: `"${whole}"`, staticLargeObject: true }]);
  });

  test('two uploads of the same name never share segments', async () => {
    const mock = sloMock();
    const d = swift(mock);
    const c = new Container('c', {}, d);
    await Promise.all([p(d.uploadObjectViaStream(Buffer.alloc(20, 1), c, 'same', { partSize: 10 })), p(d.uploadObjectViaStream(Buffer.alloc(20, 2), c, 'same', { partSize: 10 }))]);
    const prefixes = new Set([...mock.segments.keys()].map((k) => k.replace(/\d{8}$/, '')));
    expect(prefixes.size).toBe(2);
  });

  test('a segment that keeps failing: UploadError (aborted), every segment written is deleted, no manifest', async () => {
    const mock = sloMock({ segmentFails: (n) => (n === 3 ? swiftError(503, 'Service Unavailable') : undefined) });
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 2 } });
    const error = (await failure(p(d.uploadObjectViaStream(Buffer.alloc(35, 7), new Container('c', {}, d), 'big', { partSize: 10, concurrency: 1 })))) as UploadError & { aborted: boolean };
    expect(error).toBeInstanceOf(UploadError);
    expect(error.aborted).toBe(true);
    expect(mock.segments.size).toBe(0);
    expect(mock.storage().filter((r) => r.path === '/c/big')).toEqual([]);
    const deleted = mock.storage().filter((r) => r.method === 'DELETE').map((r) => r.path.slice(-8));
    expect(deleted.sort()).toEqual(['00000001', '00000002', '00000003']); // 3 was sent (and failed): deleted too, 404 accepted
  });

  test('a refused manifest (400): its segments are deleted', async () => {
    const mock = sloMock({ manifest: () => swiftError(400, 'Bad Request', 'Errors: segment missing') });
    const d = swift(mock);
    const error = (await failure(p(d.uploadObjectViaStream(Buffer.alloc(25), new Container('c', {}, d), 'big', { partSize: 10 })))) as UploadError & { aborted: boolean };
    expect(error).toBeInstanceOf(UploadError);
    expect(error.message).toMatch(/segment missing/);
    expect(error.aborted).toBe(true);
    expect(mock.segments.size).toBe(0);
  });

  test('a manifest whose reply is lost may have landed: it is deleted with its segments while it is still ours', async () => {
    let manifestEtag = '';
    const deletes: string[] = [];
    const mock = sloMock({
      manifest: (req) => {
        manifestEtag = req.headers.etag!;
        return HttpResponse.error() as Response;
      },
      headManifest: () => empty(200, { 'x-static-large-object': 'True', etag: `"${manifestEtag}"`, 'content-length': '25' }),
    });
    mock.on('DELETE', '/c/big', (req) => {
      deletes.push(req.query.toString());
      return json({ 'Response Status': '200 OK', 'Number Deleted': 4, 'Number Not Found': 0, Errors: [] });
    });
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 2 } });
    const error = (await failure(p(d.uploadObjectViaStream(Buffer.alloc(25), new Container('c', {}, d), 'big', { partSize: 10 })))) as UploadError;
    expect(error).toBeInstanceOf(UploadError);
    expect(deletes).toEqual(['multipart-manifest=delete']);
    expect(mock.segments.size).toBe(0);
  });

  test("…but an object someone else wrote meanwhile (another ETag) is left alone", async () => {
    const deletes: string[] = [];
    const mock = sloMock({
      manifest: () => HttpResponse.error() as Response,
      headManifest: () => empty(200, { 'x-static-large-object': 'True', etag: '"0123456789abcdef0123456789abcdef"' }),
    });
    mock.on('DELETE', '/c/big', (req) => {
      deletes.push(req.query.toString());
      return empty(204);
    });
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 1 } });
    await expect(p(d.uploadObjectViaStream(Buffer.alloc(25), new Container('c', {}, d), 'big', { partSize: 10 }))).rejects.toThrow(UploadError);
    expect(deletes).toEqual([]);
    expect(mock.segments.size).toBe(0);
  });

  test('into a missing container: ContainerDoesNotExistError before any segment container or segment', async () => {
    const mock = swiftMock();
    const d = swift(mock);
    const error = await failure(p(d.uploadObjectViaStream(Buffer.alloc(25), new Container('gone', {}, d), 'big', { partSize: 10 })));
    expect(error).toBeInstanceOf(ContainerDoesNotExistError);
    expect(mock.storage().map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /gone']);
  });
});

describe('downloads and ranged reads', () => {
  test('a plain object is checked against its MD5 ETag: a mismatch fails and leaves no file', async () => {
    const mock = swiftMock()
      .on('GET', '/c/good', () => new HttpResponse('data', { headers: { etag: md5('data') } }))
      .on('GET', '/c/bad', () => new HttpResponse('data', { headers: { etag: md5('other') } }));
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 2 } });
    const dir = tempDir();
    expect(await p(d.downloadObject(objectOf(d, 'c', 'good'), join(dir, 'good')))).toBe(true);
    expect(readFileSync(join(dir, 'good'), 'utf8')).toBe('data');
    const error = (await failure(p(d.downloadObject(objectOf(d, 'c', 'bad'), join(dir, 'bad'))))) as CloudError;
    expect(error).toBeInstanceOf(IntegrityError);
    expect(mock.storage().filter((r) => r.path === '/c/bad')).toHaveLength(2); // read again once, then reported
    expect(readdirSync(dir)).toEqual(['good']);
  });

  test("an SLO's ETag is not the MD5 of its bytes: only the length is checked", async () => {
    const mock = swiftMock().on('GET', '/c/big', () => new HttpResponse('0123456789', { headers: { etag: '"d43fcee8a7628cec5f030e6fc104058f"', 'x-static-large-object': 'True' } }));
    const d = swift(mock);
    const dir = tempDir();
    expect(await p(d.downloadObject(objectOf(d, 'c', 'big', { extra: { staticLargeObject: true } }), join(dir, 'big')))).toBe(true);
    expect(readFileSync(join(dir, 'big'), 'utf8')).toBe('0123456789');
  });

  test('a missing object is ObjectDoesNotExistError and no file is left', async () => {
    const d = swift(swiftMock());
    const dir = tempDir();
    await expect(p(d.downloadObject(objectOf(d, 'c', 'gone'), join(dir, 'gone')))).rejects.toThrow(ObjectDoesNotExistError);
    expect(existsSync(join(dir, 'gone'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('ranged reads: Range and If-Match (the ETag, quoted) per chunk', async () => {
    const data = Buffer.from('0123456789abcdef');
    const mock = swiftMock().on('GET', '/c/o', (req) => {
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range!)!;
      return new HttpResponse(data.subarray(Number(a), Number(b) + 1), { status: 206, headers: { 'content-range': `bytes ${a}-${b}/16` } });
    });
    const d = swift(mock);
    const chunks = await collect(d.downloadObjectAsStream(objectOf(d, 'c', 'o', { size: 16, hash: md5(data), extra: { etag: md5(data) } }), { start: 2, end: 12, chunkSize: 4 }));
    expect(Buffer.concat(chunks).toString()).toBe('23456789abc');
    expect(mock.storage().map((r) => [r.headers.range, r.headers['if-match']])).toEqual([
      ['bytes=2-5', `"${md5(data)}"`],
      ['bytes=6-9', `"${md5(data)}"`],
      ['bytes=10-12', `"${md5(data)}"`],
    ]);
  });

  test('412 (the object changed) is IntegrityError; 412 on a deleted object is ObjectDoesNotExistError', async () => {
    const changed = swiftMock()
      .on('GET', '/c/o', () => swiftError(412, 'Precondition Failed'))
      .on('HEAD', '/c/o', () => empty(200, { 'content-length': '3', etag: md5('new') }));
    const d = swift(changed);
    const obj = objectOf(d, 'c', 'o', { size: 3, hash: md5('old'), extra: { etag: md5('old') } });
    const error = (await failure(collect(d.downloadObjectAsStream(obj)))) as CloudError;
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error.message).toMatch(/changed while it was being read/);
    const gone = swift(swiftMock().on('GET', '/c/o', () => swiftError(412, 'Precondition Failed')));
    await expect(collect(gone.downloadObjectAsStream(objectOf(gone, 'c', 'o', { size: 3, hash: md5('old') })))).rejects.toThrow(ObjectDoesNotExistError);
  });
});

describe('temp URLs (getObjectCdnUrl)', () => {
  test("the account's key is read once (HEAD); the URL is signed with it; hooks see the key redacted", async () => {
    const responses: ResponseInfo[] = [];
    const mock = swiftMock().on('HEAD', '', () => empty(204, { 'x-account-meta-temp-url-key': 'account-key-secret-0001', 'x-account-object-count': '1' }));
    const d = swift(mock, { hooks: { afterResponse: (_req, res) => void responses.push(res) } });
    const obj = objectOf(d, 'c', 'dir/a b.txt');
    const before = Math.floor(Date.now() / 1000);
    const url = new URL(await p(d.getObjectCdnUrl(obj, { expiresIn: 600 })));
    await p(d.getObjectCdnUrl(obj, { method: 'PUT', digest: 'sha1' }));
    expect(mock.storage().map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD ']);
    expect(`${url.origin}${url.pathname}`).toBe(`${STORAGE_URL}/c/dir/a%20b.txt`);
    const expires = Number(url.searchParams.get('temp_url_expires'));
    expect(expires).toBeGreaterThanOrEqual(before + 600);
    expect(expires).toBeLessThanOrEqual(before + 601);
    expect(url.searchParams.get('temp_url_sig')).toBe(createHmac('sha256', 'account-key-secret-0001').update(`GET\n${expires}\n/v1/AUTH_test/c/dir/a b.txt`).digest('hex'));
    const head = responses.find((r) => 'x-account-object-count' in r.headers)!;
    expect(head.headers['x-account-meta-temp-url-key']).toBe(REDACTED);
  });

  test('no key on the account: InvalidArgumentError (TempUrlKeyNotSet); exSetAccountMetadataTempUrlKey POSTs one and it is used', async () => {
    const mock = swiftMock()
      .on('HEAD', '', () => empty(204))
      .on('POST', '', () => empty(204));
    const d = swift(mock);
    const obj = objectOf(d, 'c', 'o');
    const error = (await failure(p(d.getObjectCdnUrl(obj)))) as CloudError;
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.code).toBe('TempUrlKeyNotSet');
    expect(await p(d.exSetAccountMetadataTempUrlKey('new-key-0001'))).toBe(true);
    const url = new URL(await p(d.getObjectCdnUrl(obj)));
    const expires = url.searchParams.get('temp_url_expires');
    expect(url.searchParams.get('temp_url_sig')).toBe(createHmac('sha256', 'new-key-0001').update(`GET\n${expires}\n/v1/AUTH_test/c/o`).digest('hex'));
    expect(mock.storage().map((r) => `${r.method} ${r.headers['x-account-meta-temp-url-key'] ?? ''}`)).toEqual(['HEAD ', 'POST new-key-0001']);
  });

  test('the tempUrlKey option skips the HEAD; bad options are refused', async () => {
    const mock = swiftMock();
    const d = swift(mock, { tempUrlKey: 'given-key' });
    const obj = objectOf(d, 'c', 'o');
    expect(await p(d.getObjectCdnUrl(obj, { digest: 'sha512' }))).toMatch(/temp_url_sig=[0-9a-f]{128}&/);
    expect(mock.storage()).toEqual([]);
    await expect(p(d.getObjectCdnUrl(obj, { expiresIn: 0 }))).rejects.toThrow(InvalidArgumentError);
    await expect(p(d.getObjectCdnUrl(obj, { method: 'PATCH' as never }))).rejects.toThrow(InvalidArgumentError);
    await expect(p(d.getObjectCdnUrl(obj, { digest: 'md5' as never }))).rejects.toThrow(InvalidArgumentError);
    expect(() => d.getObjectCdnUrl(obj, { expires: 5 } as never)).toThrow(InvalidArgumentError);
    await expect(p(d.exSetAccountMetadataTempUrlKey('bad\nkey'))).rejects.toThrow(InvalidArgumentError);
  });
});

describe('throttling', () => {
  test("Swift's 498 (ratelimit middleware) is retried, then RateLimitError", async () => {
    const mock = swiftMock().on('GET', '', () => new HttpResponse('Slow down', { status: 498 }));
    const d = swift(mock, { retry: { ...RETRY, maxAttempts: 3 } });
    await expect(p(d.listContainers())).rejects.toThrow(RateLimitError);
    expect(mock.storage()).toHaveLength(3);
  });
});

test('the origin helpers point where the mock listens', () => {
  expect(STORAGE_URL.startsWith(ORIGIN)).toBe(true);
});
