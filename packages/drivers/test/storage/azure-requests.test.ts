/** Request shapes and error mapping of the Azure Blobs driver, with msw (async mode, `adapter: 'http'`). */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ASYNC_MODE, AzureBlobsStorageDriver, type AzureBlobsStorageDriverOptions, type StorageObject } from '@dualcloud/drivers/storage';
import {
  isCommonPrefix,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  InvalidCredentialsError,
  MalformedResponseError,
  ObjectDoesNotExistError,
  RateLimitError,
  UploadError,
  type CloudError,
} from '@dualcloud/core';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const KEY = Buffer.from('a fake account key for tests').toString('base64');
const base: AzureBlobsStorageDriverOptions = { key: 'acct', secret: KEY, transport: { adapter: 'http' }, retry: { maxAttempts: 1 } };
const make = (o: Partial<AzureBlobsStorageDriverOptions> = {}): AzureBlobsStorageDriver =>
  new AzureBlobsStorageDriver({ ...base, ...o, [ASYNC_MODE]: true } as AzureBlobsStorageDriverOptions);
const ORIGIN = 'https://acct.blob.core.windows.net';

function azError(status: number, code: string): Response {
  return new HttpResponse(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code} happened\nRequestId:x</Message></Error>`, {
    status,
    headers: { 'x-ms-error-code': code, 'x-ms-request-id': 'rid-1' },
  });
}

interface Seen {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}
function record(seen: Seen[], respond: (s: Seen) => Response): Parameters<typeof http.all>[1] {
  return async ({ request }) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    const s = { method: request.method, url: new URL(request.url), headers, body: await request.text() };
    seen.push(s);
    return respond(s);
  };
}

describe('request shapes', () => {
  test('Put Blob: SharedKey, version, blob type, Content-MD5, metadata', async () => {
    const seen: Seen[] = [];
    server.use(http.all(`${ORIGIN}/*`, record(seen, () => new HttpResponse(null, { status: 201, headers: { etag: '"0x1"' } }))));
    const d = make();
    const obj = await (d.uploadObjectViaStream('hello', new Container('box', {}, d), 'a b.txt', { metaData: { owner: 'me' }, contentType: 'text/plain' }) as unknown as Promise<StorageObject>);
    expect(obj.hash).toBe(createHash('md5').update('hello').digest('hex'));
    const put = seen[0]!;
    expect(put.url.pathname).toBe('/box/a%20b.txt');
    expect(put.headers['x-ms-blob-type']).toBe('BlockBlob');
    expect(put.headers['x-ms-version']).toBe('2021-08-06');
    expect(put.headers['x-ms-meta-owner']).toBe('me');
    expect(put.headers['content-type']).toBe('text/plain');
    expect(put.headers['content-md5']).toBe(createHash('md5').update('hello').digest('base64'));
    expect(put.headers.authorization).toMatch(/^SharedKey acct:[A-Za-z0-9+/]{43}=$/);
  });

  test('account in the path for IP hosts (Azurite), blocks then a block list for large blobs', async () => {
    const seen: Seen[] = [];
    server.use(http.all('http://127.0.0.1:10999/*', record(seen, () => new HttpResponse(null, { status: 201, headers: { etag: '"0x2"' } }))));
    const d = make({ host: '127.0.0.1', port: 10999, secure: false });
    await (d.uploadObjectViaStream(Buffer.alloc(10, 1), new Container('box', {}, d), 'big', { partSize: 4, concurrency: 2 }) as unknown as Promise<unknown>);
    const blocks = seen.filter((s) => s.url.searchParams.get('comp') === 'block');
    expect(blocks.map((s) => s.url.pathname)).toEqual(['/acct/box/big', '/acct/box/big', '/acct/box/big']);
    const ids = blocks.map((s) => s.url.searchParams.get('blockid')!).sort();
    expect(new Set(ids.map((id) => id.length)).size).toBe(1); // Azure wants equal-length ids
    const list = seen.find((s) => s.url.searchParams.get('comp') === 'blocklist')!;
    expect(list.body).toBe(`<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`);
  });

  test('listing passes prefix, delimiter, maxresults and markers; include=metadata', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(
        `${ORIGIN}/box`,
        record(seen, (s) =>
          s.url.searchParams.get('marker')
            ? new HttpResponse('<EnumerationResults><Blobs><Blob><Name>p/b</Name><Properties><Content-Length>2</Content-Length><Etag>0x2</Etag></Properties></Blob></Blobs><NextMarker/></EnumerationResults>')
            : new HttpResponse(
                '<EnumerationResults><Blobs><Blob><Name>p/a</Name><Properties><Content-Length>1</Content-Length><Etag>0x1</Etag><Content-MD5>DMF1ucDxtqgxw5niaXcmYQ==</Content-MD5></Properties><Metadata><Owner>me</Owner></Metadata></Blob><BlobPrefix><Name>p/x/</Name></BlobPrefix></Blobs><NextMarker>m1</NextMarker></EnumerationResults>',
              ),
        ),
      ),
    );
    const d = make();
    const c = new Container('box', {}, d);
    const objects = await (d.listContainerObjects(c, { prefix: 'p/', delimiter: '/', pageSize: 1 }) as unknown as Promise<StorageObject[]>);
    expect(objects.map((o) => [o.name, o.size, isCommonPrefix(o)])).toEqual([
      ['p/a', 1, false],
      ['p/x/', 0, true],
      ['p/b', 2, false],
    ]);
    expect(objects[0]!.hash).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(objects[0]!.metaData).toEqual({ owner: 'me' });
    expect(c.extra).toEqual({});
    expect(Object.fromEntries(seen[0]!.url.searchParams)).toEqual({ restype: 'container', comp: 'list', include: 'metadata', prefix: 'p/', delimiter: '/', maxresults: '1' });
    expect(seen[1]!.url.searchParams.get('marker')).toBe('m1');
  });
});

describe('errors', () => {
  const cases: Array<[string, number, string, new (...a: any[]) => Error]> = [
    ['ContainerNotFound', 404, 'list', ContainerDoesNotExistError],
    ['BlobNotFound', 404, 'stream', ObjectDoesNotExistError],
    ['ContainerAlreadyExists', 409, 'create', ContainerAlreadyExistsError],
    ['AuthenticationFailed', 403, 'list', InvalidCredentialsError],
    ['Md5Mismatch', 400, 'put', IntegrityError],
    ['ServerBusy', 503, 'list', RateLimitError],
  ];
  test.each(cases)('%s (%i) → %p', async (code, status, op, expected) => {
    server.use(http.all(`${ORIGIN}/*`, () => azError(status, code)));
    const d = make();
    const c = new Container('box', {}, d);
    const obj = { name: 'k', size: 4, hash: '', extra: { etag: '"0x1"' }, container: c } as unknown as StorageObject;
    const run = {
      list: () => d.listContainerObjects(c),
      stream: async () => {
        for await (const _ of d.downloadObjectAsStream(obj) as unknown as AsyncIterable<Uint8Array>) void _;
      },
      create: () => d.createContainer('box'),
      put: () => d.uploadObjectViaStream('x', c, 'k'),
    }[op]!;
    const error = (await Promise.resolve(run()).then(
      () => undefined,
      (e: unknown) => e,
    )) as CloudError;
    expect(error).toBeInstanceOf(expected);
    expect(error.code).toBe(code);
    expect(error.requestId).toBe('rid-1');
    expect(error.message).not.toContain(KEY);
  });

  test('HEAD 404: x-ms-error-code tells a missing container from a missing blob', async () => {
    server.use(http.head(`${ORIGIN}/gone/*`, () => new HttpResponse(null, { status: 404, headers: { 'x-ms-error-code': 'ContainerNotFound' } })));
    server.use(http.head(`${ORIGIN}/box/*`, () => new HttpResponse(null, { status: 404, headers: { 'x-ms-error-code': 'BlobNotFound' } })));
    const d = make();
    await expect(d.getObject('gone', 'k') as unknown as Promise<unknown>).rejects.toThrow(ContainerDoesNotExistError);
    await expect(d.getObject('box', 'k') as unknown as Promise<unknown>).rejects.toThrow(ObjectDoesNotExistError);
  });

  test('deleting a non-empty container fails without sending DELETE', async () => {
    const seen: Seen[] = [];
    server.use(
      http.all(
        `${ORIGIN}/box`,
        record(seen, () => new HttpResponse('<EnumerationResults><Blobs><Blob><Name>a</Name><Properties><Content-Length>1</Content-Length></Properties></Blob></Blobs></EnumerationResults>')),
      ),
    );
    const d = make();
    await expect(d.deleteContainer(new Container('box', {}, d)) as unknown as Promise<unknown>).rejects.toThrow(ContainerIsNotEmptyError);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  test('malformed listing XML → MalformedResponseError', async () => {
    server.use(http.get(`${ORIGIN}/box`, () => new HttpResponse('<EnumerationResults><Blobs>')));
    const d = make();
    await expect(d.listContainerObjects(new Container('box', {}, d)) as unknown as Promise<unknown>).rejects.toThrow(MalformedResponseError);
  });

  test('a block that keeps failing reports UploadError and never commits a block list', async () => {
    const seen: Seen[] = [];
    server.use(
      http.all(
        `${ORIGIN}/*`,
        record(seen, (s) => (s.url.searchParams.get('blockid') && s.headers['content-length'] === '4' && seen.length > 1 ? azError(500, 'InternalError') : new HttpResponse(null, { status: 201 }))),
      ),
    );
    const d = make({ retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await expect(d.uploadObjectViaStream(Buffer.alloc(12), new Container('box', {}, d), 'big', { partSize: 4, concurrency: 1 }) as unknown as Promise<unknown>).rejects.toThrow(UploadError);
    expect(seen.some((s) => s.url.searchParams.get('comp') === 'blocklist')).toBe(false);
  });
});
