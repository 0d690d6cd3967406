/**
 * Request shapes, error mapping and multipart failure handling of the S3 and GCS drivers, with msw
 * (async mode; msw intercepts Node's http module, so the transport uses `adapter: 'http'`).
 */
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ASYNC_MODE,
  GoogleStorageDriver,
  S3StorageDriver,
  type S3StorageDriverOptions,
  type StorageObject,
  type UploadOptions,
} from '@dualcloud/drivers/storage';
import {
  isCommonPrefix,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotFoundError,
  ObjectDoesNotExistError,
  ProviderError,
  RateLimitError,
  RequestError,
  UploadError,
  runSync,
  toChunkSource,
  read,
  CloudError,
} from '@dualcloud/core';
import { PartPool, PartReader, planPartSize, streamFeed } from '@dualcloud/core';
import { fakeS3, s3Error, type FakeS3 } from './helpers/msw-s3.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-msw-'));
  dirs.push(d);
  return d;
}

const ORIGIN = 'http://s3.test';
const base: S3StorageDriverOptions = {
  key: 'AKIDEXAMPLE',
  secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  host: 's3.test',
  secure: false,
  minPartSize: 4,
  transport: { adapter: 'http' },
  retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
};
const asyncOpts = <T extends object>(o: T): T => ({ ...o, [ASYNC_MODE]: true });
const md5 = (b: Uint8Array | string): Buffer => createHash('md5').update(b).digest();

function setup(options: Partial<S3StorageDriverOptions> = {}): { fake: FakeS3; d: S3StorageDriver; c: Container } {
  const fake = fakeS3(ORIGIN);
  server.use(...fake.handlers);
  const d = new S3StorageDriver(asyncOpts({ ...base, ...options }));
  return { fake, d, c: new Container('bucket', {}, d) };
}

describe('request shapes', () => {
  test('PutObject: path-style, SigV4, Content-MD5, metadata, content type', async () => {
    const { fake, d, c } = setup();
    const obj = await (d.uploadObjectViaStream('hello', c, 'a b/c.txt', { metaData: { Owner: 'me' }, contentType: 'text/plain' }) as unknown as Promise<StorageObject>);
    expect(obj.hash).toBe(md5('hello').toString('hex'));
    const [put] = fake.seen;
    expect(put!.method).toBe('PUT');
    expect(put!.url.pathname).toBe('/bucket/a%20b/c.txt');
    expect(put!.headers['content-md5']).toBe(md5('hello').toString('base64'));
    expect(put!.headers['content-length']).toBe('5');
    expect(put!.headers['content-type']).toBe('text/plain');
    expect(put!.headers['x-amz-meta-owner']).toBe('me');
    expect(put!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update('hello').digest('hex'));
    expect(put!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
  });

  test('virtual-hosted addressing on AWS endpoints, LocationConstraint outside us-east-1', async () => {
    const seen: Array<{ url: string; body: string }> = [];
    server.use(
      http.all('https://photos.s3.eu-west-1.amazonaws.com/*', async ({ request }) => {
        seen.push({ url: request.url, body: await request.text() });
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const d = new S3StorageDriver(asyncOpts({ key: 'k', secret: 's', region: 'eu-west-1', transport: { adapter: 'http' as const } }));
    expect(d.pathStyle).toBe(false);
    await (d.createContainer('photos') as unknown as Promise<Container>);
    expect(seen[0]!.url).toBe('https://photos.s3.eu-west-1.amazonaws.com/');
    expect(seen[0]!.body).toContain('<LocationConstraint>eu-west-1</LocationConstraint>');
  });

  test('ListObjectsV2 passes prefix, delimiter, max-keys and continuation tokens', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${ORIGIN}/bucket`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        queries.push(q);
        const page = q.get('continuation-token')
          ? '<Contents><Key>p/b</Key><Size>2</Size><ETag>"e2"</ETag></Contents><IsTruncated>false</IsTruncated>'
          : '<Contents><Key>p/a</Key><Size>1</Size><ETag>"e1"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents><CommonPrefixes><Prefix>p/x/</Prefix></CommonPrefixes><IsTruncated>true</IsTruncated><NextContinuationToken>tok 1</NextContinuationToken>';
        return new HttpResponse(`<ListBucketResult>${page}</ListBucketResult>`, { headers: { 'content-type': 'application/xml' } });
      }),
    );
    const d = new S3StorageDriver(asyncOpts(base));
    const c = new Container('bucket', {}, d);
    const objects = await (d.listContainerObjects(c, { prefix: 'p/', delimiter: '/', pageSize: 1 }) as unknown as Promise<StorageObject[]>);
    expect(objects.map((o) => [o.name, o.size, o.hash, isCommonPrefix(o)])).toEqual([
      ['p/a', 1, 'e1', false],
      ['p/x/', 0, '', true],
      ['p/b', 2, 'e2', false],
    ]);
    expect(objects[0]!.lastModified?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(c.extra).toEqual({});
    expect(Object.fromEntries(queries[0]!)).toEqual({ 'list-type': '2', prefix: 'p/', delimiter: '/', 'max-keys': '1' });
    expect(queries[1]!.get('continuation-token')).toBe('tok 1');
  });

  test('GCS: GOOG4 signing, path-style on storage.googleapis.com, x-goog-meta-*', async () => {
    const seen: Array<Record<string, string> & { url: string }> = [];
    server.use(
      http.put('https://storage.googleapis.com/*', ({ request }) => {
        const h: Record<string, string> & { url: string } = { url: request.url };
        request.headers.forEach((v, k) => (h[k] = v));
        seen.push(h);
        return new HttpResponse(null, { status: 200, headers: { etag: `"${md5('x').toString('hex')}"` } });
      }),
    );
    const g = new GoogleStorageDriver(asyncOpts({ key: 'GOOGKEY', secret: 'secret', transport: { adapter: 'http' } }));
    await (g.uploadObjectViaStream('x', new Container('bkt', {}, g), 'k', { metaData: { a: 'b' } }) as unknown as Promise<unknown>);
    expect(seen[0]!.url).toBe('https://storage.googleapis.com/bkt/k');
    expect(seen[0]!.authorization).toMatch(/^GOOG4-HMAC-SHA256 Credential=GOOGKEY\/\d{8}\/auto\/storage\/goog4_request, /);
    expect(seen[0]!['x-goog-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(seen[0]!['x-goog-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(seen[0]!['x-goog-meta-a']).toBe('b');
  });

  test('GCS: a download whose x-goog-hash does not match fails and leaves no file', async () => {
    server.use(
      http.get('https://storage.googleapis.com/bkt/k', () =>
        new HttpResponse('data', { headers: { 'x-goog-hash': `crc32c=AAAAAA==,md5=${md5('other').toString('base64')}`, etag: '"abc"' } }),
      ),
    );
    const g = new GoogleStorageDriver(asyncOpts({ key: 'GOOGKEY', secret: 'secret', transport: { adapter: 'http' } }));
    const obj = { name: 'k', size: 4, hash: 'abc', extra: {}, container: new Container('bkt', {}, g) } as unknown as StorageObject;
    const dir = tempDir();
    await expect(g.downloadObject(obj, join(dir, 'k')) as unknown as Promise<boolean>).rejects.toThrow(IntegrityError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('error mapping', () => {
  const cases: Array<[string, number, string, new (...a: any[]) => Error]> = [
    ['NoSuchBucket', 404, 'list', ContainerDoesNotExistError],
    ['NoSuchKey', 404, 'stream', ObjectDoesNotExistError],
    ['BucketAlreadyOwnedByYou', 409, 'create', ContainerAlreadyExistsError],
    ['BucketAlreadyExists', 409, 'create', ContainerAlreadyExistsError],
    ['BucketNotEmpty', 409, 'deleteContainer', ContainerIsNotEmptyError],
    ['SlowDown', 503, 'list', RateLimitError],
    ['InvalidAccessKeyId', 403, 'list', InvalidCredentialsError],
    ['SignatureDoesNotMatch', 403, 'list', InvalidCredentialsError],
    ['BadDigest', 400, 'put', IntegrityError],
    ['AccessDenied', 403, 'list', RequestError],
    ['InternalError', 500, 'list', ProviderError],
  ];
  test.each(cases)('%s (%i) → %p', async (code, status, op, expected) => {
    server.use(http.all(`${ORIGIN}/*`, () => s3Error(status, code)));
    const d = new S3StorageDriver(asyncOpts({ ...base, retry: { maxAttempts: 1 } }));
    const c = new Container('bucket', {}, d);
    const obj = { name: 'k', size: 10, hash: '', extra: {}, container: c } as unknown as StorageObject;
    const run = {
      list: () => d.listContainerObjects(c),
      stream: async () => {
        for await (const _ of d.downloadObjectAsStream(obj) as unknown as AsyncIterable<Uint8Array>) void _;
      },
      create: () => d.createContainer('bucket'),
      deleteContainer: () => d.deleteContainer(c),
      put: () => d.uploadObjectViaStream('x', c, 'k'),
    }[op]!;
    const error = await Promise.resolve(run()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(expected);
    expect((error as CloudError).code).toBe(code);
    expect((error as CloudError).status).toBe(status);
  });

  test('HEAD 404 without a body: decided by the operation', async () => {
    server.use(http.head(`${ORIGIN}/*`, () => new HttpResponse(null, { status: 404 })));
    const d = new S3StorageDriver(asyncOpts(base));
    await expect(d.getObject('bucket', 'k') as unknown as Promise<unknown>).rejects.toThrow(ObjectDoesNotExistError);
    await expect(d.getContainer('bucket') as unknown as Promise<unknown>).rejects.toThrow(ContainerDoesNotExistError);
  });

  test('a 500 on HEAD object is a provider error, not "object does not exist"', async () => {
    server.use(http.head(`${ORIGIN}/*`, () => new HttpResponse(null, { status: 500 })));
    const d = new S3StorageDriver(asyncOpts({ ...base, retry: { maxAttempts: 1 } }));
    const error = await (d.getObject('bucket', 'k') as unknown as Promise<unknown>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(NotFoundError);
  });

  test.each([
    ['malformed XML', '<ListBucketResult><Contents>'],
    ['an HTML page', '<html><body>proxy error</body></html>'],
    ['the wrong document', '<Other/>'],
    ['an invalid Size', '<ListBucketResult><Contents><Key>k</Key><Size>-3</Size></Contents></ListBucketResult>'],
  ])('a 200 listing with %s → MalformedResponseError', async (_, body) => {
    server.use(http.get(`${ORIGIN}/bucket`, () => new HttpResponse(body, { status: 200 })));
    const d = new S3StorageDriver(asyncOpts({ ...base, retry: { maxAttempts: 1 } }));
    await expect(d.listContainerObjects(new Container('bucket', {}, d)) as unknown as Promise<unknown>).rejects.toThrow(MalformedResponseError);
  });

  test('a ranged read guarded by If-Match fails clearly when the object changed (412)', async () => {
    const seen: Record<string, string>[] = [];
    server.use(
      http.get(`${ORIGIN}/bucket/k`, ({ request }) => {
        seen.push({ range: request.headers.get('range') ?? '', ifMatch: request.headers.get('if-match') ?? '' });
        return s3Error(412, 'PreconditionFailed');
      }),
    );
    const d = new S3StorageDriver(asyncOpts(base));
    const obj = { name: 'k', size: 10, hash: 'abc', extra: { etag: '"abc"' }, container: new Container('bucket', {}, d) } as unknown as StorageObject;
    const it = (d.downloadObjectAsStream(obj, { chunkSize: 4 }) as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/changed while it was being read/);
    expect(seen[0]).toEqual({ range: 'bytes=0-3', ifMatch: '"abc"' });
  });
});

describe('multipart uploads', () => {
  const data = Buffer.from('0123456789abcdefghij'); // 20 bytes: parts of 8, 8, 4
  const opts: UploadOptions = { partSize: 8, concurrency: 2 };

  test('a part that fails once is retried; parts complete in order with their ETags and Content-MD5', async () => {
    const { fake, d, c } = setup();
    let failed = 0;
    fake.faults.push((req) => {
      if (req.url.searchParams.get('partNumber') === '2' && failed++ === 0) return s3Error(500, 'InternalError');
      return undefined;
    });
    const obj = await (d.uploadObjectViaStream(data, c, 'big', opts) as unknown as Promise<StorageObject>);
    expect(obj.size).toBe(20);
    expect(fake.objects.get('bucket/big')).toEqual(data);
    const part2 = fake.seen.filter((r) => r.url.searchParams.get('partNumber') === '2');
    expect(part2.length).toBe(2);
    expect(part2[1]!.headers['content-md5']).toBe(md5(data.subarray(8, 16)).toString('base64'));
    const complete = fake.seen.find((r) => r.method === 'POST' && r.url.searchParams.has('uploadId'))!;
    expect(complete.body.toString()).toMatch(/<Part><PartNumber>1<\/PartNumber><ETag>"[0-9a-f]{32}"<\/ETag>.*<\/Part><Part><PartNumber>2<\/PartNumber>.*<PartNumber>3<\/PartNumber>/);
    // Full-object CRC32 checksums: each part carries its own, and the completion the whole object's.
    const crcOf = (bytes: Buffer): string => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(bytes) >>> 0);
      return out.toString('base64');
    };
    expect(part2[1]!.headers['x-amz-checksum-crc32']).toBe(crcOf(data.subarray(8, 16)));
    expect(complete.body.toString()).toContain(`<ChecksumCRC32>${crcOf(data.subarray(16, 20))}</ChecksumCRC32>`);
    expect(complete.headers['x-amz-checksum-crc32']).toBe(crcOf(data));
    expect(complete.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
  });

  test('a file larger than partSize is sent as file slices, each with its Content-MD5', async () => {
    const { fake, d, c } = setup();
    const file = join(tempDir(), 'data.bin');
    writeFileSync(file, data);
    const progress: Array<[number, number | undefined]> = [];
    const obj = await (d.uploadObject(file, c, 'from-file', { ...opts, onProgress: (n, t) => progress.push([n, t]) }) as unknown as Promise<StorageObject>);
    expect(obj.size).toBe(20);
    expect(fake.objects.get('bucket/from-file')).toEqual(data);
    const parts = fake.seen.filter((r) => r.url.searchParams.has('partNumber'));
    expect(parts.map((r) => [r.url.searchParams.get('partNumber'), r.headers['content-length']]).sort()).toEqual([
      ['1', '8'],
      ['2', '8'],
      ['3', '4'],
    ]);
    expect(parts.every((r) => r.headers['content-md5'] === md5(r.body).toString('base64'))).toBe(true);
    expect(parts.every((r) => r.headers['x-amz-content-sha256'] === 'UNSIGNED-PAYLOAD')).toBe(true);
    expect(progress.at(-1)).toEqual([20, 20]);
  });

  test('an upload that cannot finish is aborted and reported; nothing is claimed complete', async () => {
    const { fake, d, c } = setup();
    fake.faults.push((req) => (req.url.searchParams.get('partNumber') === '2' ? s3Error(500, 'InternalError') : undefined));
    const error = (await (d.uploadObjectViaStream(data, c, 'big', opts) as unknown as Promise<unknown>).catch((e: unknown) => e)) as UploadError;
    expect(error).toBeInstanceOf(UploadError);
    expect(error.message).toMatch(/aborted/);
    expect((error as unknown as { aborted: boolean }).aborted).toBe(true);
    expect(fake.seen.some((r) => r.method === 'DELETE' && r.url.searchParams.has('uploadId'))).toBe(true);
    expect(fake.seen.some((r) => r.method === 'POST' && r.url.searchParams.has('uploadId'))).toBe(false);
    expect(fake.uploads.size).toBe(0); // no multipart upload left listed
    expect(fake.objects.has('bucket/big')).toBe(false);
  });

  test('CompleteMultipartUpload answering 200 with an <Error> body is a failure, and the upload is aborted', async () => {
    const { fake, d, c } = setup();
    fake.faults.push((req) =>
      req.method === 'POST' && req.url.searchParams.has('uploadId')
        ? new HttpResponse('<?xml version="1.0"?><Error><Code>InternalError</Code><Message>try again</Message></Error>', { status: 200 })
        : undefined,
    );
    await expect(d.uploadObjectViaStream(data, c, 'big', opts) as unknown as Promise<unknown>).rejects.toThrow(UploadError);
    expect(fake.uploads.size).toBe(0);
  });

  test('a failing source stream aborts the upload', async () => {
    const { fake, d, c } = setup();
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(8);
      yield Buffer.alloc(8);
      yield Buffer.alloc(8);
      throw new Error('disk on fire');
    }
    await expect(d.uploadObjectViaStream(broken(), c, 'big', opts) as unknown as Promise<unknown>).rejects.toThrow(/disk on fire/);
    expect(fake.uploads.size).toBe(0);
    expect(fake.objects.size).toBe(0);
  });

  test('part size validation and the 10,000-part limit', async () => {
    const { d, c } = setup({ minPartSize: 5 * 1024 * 1024 });
    await expect(d.uploadObjectViaStream('x', c, 'k', { partSize: 1024 }) as unknown as Promise<unknown>).rejects.toThrow(/at least 5242880/);
    const total = 200 * 1024 ** 3; // 200 GiB
    const size = planPartSize(total, 8 * 1024 * 1024, 10_000);
    expect(Math.ceil(total / size)).toBeLessThanOrEqual(10_000);
    expect(size % (1024 * 1024)).toBe(0);
    expect(planPartSize(1000, 8, 10_000)).toBe(8);
    // A stream longer than the part limit fails clearly (limit lowered to 3 to keep the test small).
    const reader = new PartReader(toChunkSource([Buffer.alloc(10)]), new PartPool(2));
    const feed = streamFeed(reader, 2, { md5: false, crc32: false }, [], 3);
    const parts = function* () {
      const out: number[] = [];
      for (let p = yield* feed.next(); p; p = yield* feed.next()) out.push(p.number);
      return out;
    };
    expect(() => runSync(parts())).toThrow(/longer than 3 parts/);
    expect(runSync(read(toChunkSource('ab'), 1))).toEqual(Buffer.from('a'));
  });
});
