/**
 * Signed URLs, copies and Libcloud's range reads of the S3 and GCS drivers against the fake cloud (its own
 * worker thread), in the sync style and in Design 3. Signed URLs are used as their receivers use them: plain
 * `fetch`, no SDK. The fake cloud checks SigV4 / GOOG4 query signatures and their expiry, so tampered and
 * expired URLs must be refused. Signed URLs are never printed (checks go through `redactUrl`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { Container, IntegrityError, ObjectDoesNotExistError, StorageObject, UploadError, type S3CompatibleStorageDriver } from '@dualcloud/drivers/storage';
import { asArray, closeTransports, DriverConnection, InvalidArgumentError, presignV4, REDACTED, redactUrl, sigV4Signer, sleepSync, type Hooks } from '@dualcloud/core';
import { otherObject, paramNames, plainFetch, tamperSignature } from './helpers/signed.js';
import { drain, failure, gcsIn, localIn, run, s3In, STYLES, type Style } from './helpers/styles.js';

const PART = 16 * 1024;
const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
let cloud: FakeCloud;
const dirs: string[] = [];
beforeAll(async () => {
  cloud = await startFakeCloud({ minPartSize: PART });
});
afterAll(async () => {
  await closeTransports(); // Design 3's keep-alive pools
  await cloud.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-urls-'));
  dirs.push(d);
  return d;
}

const md5hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${++sequence}-${randomBytes(3).toString('hex')}`;

type ProviderName = 's3' | 'google_storage';
const PROVIDERS: readonly ProviderName[] = ['s3', 'google_storage'];

/** A driver of `provider` in `style`, recording the actions it sends (and their redacted headers). */
function open(provider: ProviderName, style: Style): { d: S3CompatibleStorageDriver; actions: string[]; headers: Array<Readonly<Record<string, string>>> } {
  const actions: string[] = [];
  const headers: Array<Readonly<Record<string, string>>> = [];
  const hooks: Hooks = {
    beforeRequest: (info) => {
      actions.push(info.action ?? info.method);
      headers.push(info.headers);
    },
  };
  const d =
    provider === 's3'
      ? s3In(style, { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3'), minPartSize: PART, retry: RETRY, hooks })
      : gcsIn(style, { key: FAKE_CREDENTIALS.gcs.accessKeyId, secret: FAKE_CREDENTIALS.gcs.secretAccessKey, ...cloud.endpoint('google_storage'), minPartSize: PART, retry: RETRY, hooks });
  return { d, actions, headers };
}

/** A raw signed S3 connection to the fake cloud (for requests no driver method makes). */
function rawS3(): DriverConnection {
  return new DriverConnection({ provider: 's3', ...cloud.endpoint('s3'), credentials: sigV4Signer(FAKE_CREDENTIALS.aws, 'us-east-1', 's3') });
}

/** Multipart uploads still open in an S3 bucket. */
function openUploads(bucket: string): number {
  return asArray(rawS3().request({ method: 'GET', path: `/${bucket}`, query: { uploads: '' } }).xml().ListMultipartUploadsResult?.Upload).length;
}

/** A model of an object that does not exist yet (the target of a signed PUT). */
function future(d: S3CompatibleStorageDriver, c: Container, name: string): StorageObject {
  return new StorageObject({ name, size: 0, hash: '' }, c, d);
}

describe.each(STYLES)('%s', (style) => {
  describe.each(PROVIDERS)('%s', (provider) => {
    test('a signed GET URL reads the object with plain fetch (also through obj.getCdnUrl), with a response Content-Type', async () => {
      const { d, actions } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('get')));
      const data = randomBytes(3000);
      const obj = await run(d, () => d.uploadObjectViaStream(data, c, 'dir/a b+c.bin', { contentType: 'application/x-test' }));
      const before = actions.length;
      const url = await run(d, () => d.getObjectCdnUrl(obj, { expiresIn: 300 }));
      expect(actions.length).toBe(before); // signing sends nothing
      expect(typeof url).toBe('string');
      expect(paramNames(url)).toContain(provider === 's3' ? 'X-Amz-Signature' : 'X-Goog-Signature');
      expect(redactUrl(url)).toContain(REDACTED);
      const got = await plainFetch(url);
      expect(got.status).toBe(200);
      expect(md5hex(got.body)).toBe(md5hex(data));
      expect(got.headers.get('content-type')).toBe('application/x-test');

      const viaModel = await run(d, () => obj.getCdnUrl({ expiresIn: 60, contentType: 'text/x-override' }) as string);
      const overridden = await plainFetch(viaModel);
      expect(overridden.status).toBe(200);
      expect(overridden.headers.get('content-type')).toBe('text/x-override');
      expect(md5hex(overridden.body)).toBe(md5hex(data));
    });

    test('a signed PUT URL writes the object with plain fetch; the signed Content-Type is required', async () => {
      const { d } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('put')));
      const url = await run(d, () => d.getObjectCdnUrl(future(d, c, 'uploaded.txt'), { method: 'PUT', contentType: 'text/plain', expiresIn: 300 }));
      expect(new URL(url).searchParams.get(provider === 's3' ? 'X-Amz-SignedHeaders' : 'X-Goog-SignedHeaders')).toBe('content-type;host');
      const put = await plainFetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'written through a signed URL' });
      expect(put.status).toBe(200);
      const head = await run(d, () => d.getObject(c.name, 'uploaded.txt'));
      expect(head.size).toBe('written through a signed URL'.length);
      expect(head.contentType).toBe('text/plain');
      expect(Buffer.concat(await drain(d, () => d.downloadObjectAsStream(head))).toString()).toBe('written through a signed URL');
      // Another Content-Type than the signed one is refused, and nothing changes.
      const wrong = await plainFetch(url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: '<b>not this</b>' });
      expect(wrong.status).toBe(403);
      expect((await run(d, () => d.getObject(c.name, 'uploaded.txt'))).size).toBe(head.size);
      // A PUT URL without contentType accepts any body.
      const free = await run(d, () => d.getObjectCdnUrl(future(d, c, 'free.bin'), { method: 'PUT' }));
      expect((await plainFetch(free, { method: 'PUT', body: new Uint8Array([1, 2, 3]) })).status).toBe(200);
      expect((await run(d, () => d.getObject(c.name, 'free.bin'))).size).toBe(3);
    });

    test('a tampered signature, another object, another method and a URL signed long ago are refused (403)', async () => {
      const { d } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('tamper')));
      const obj = await run(d, () => d.uploadObjectViaStream('secret content', c, 'a.txt'));
      await run(d, () => d.uploadObjectViaStream('other content', c, 'b.txt'));
      const url = await run(d, () => d.getObjectCdnUrl(obj, { expiresIn: 300 }));
      expect((await plainFetch(url)).status).toBe(200);
      for (const bad of [tamperSignature(url), otherObject(url, 'b.txt')]) {
        const res = await plainFetch(bad);
        expect(res.status).toBe(403);
        expect(res.body.toString()).not.toContain('secret content');
      }
      expect((await plainFetch(url, { method: 'DELETE' })).status).toBe(403);
      expect((await run(d, () => d.getObject(c.name, 'a.txt'))).size).toBe(14);
      // Signed an hour ago for one minute: expired.
      const keys = provider === 's3' ? FAKE_CREDENTIALS.aws : FAKE_CREDENTIALS.gcs;
      const { port } = cloud.endpoint(provider);
      const old = presignV4({ method: 'GET', url: `http://127.0.0.1:${port}/${c.name}/a.txt` }, keys, {
        region: provider === 's3' ? 'us-east-1' : 'auto',
        service: provider === 's3' ? 's3' : 'storage',
        scheme: provider === 's3' ? 'AWS4' : 'GOOG4',
        expiresIn: 60,
        date: new Date(Date.now() - 3600_000),
      });
      const expired = await plainFetch(old.url);
      expect(expired.status).toBe(403);
      expect(expired.body.toString()).toContain('expired');
    });

    test('bad signed URL options are typed errors, refused before anything is signed', async () => {
      const { d } = open(provider, style);
      const obj = future(d, new Container('bucket', {}, d), 'k');
      for (const options of [{ expiresIn: 0 }, { expiresIn: 604_801 }, { expiresIn: 1.5 }, { method: 'DELETE' as 'GET' }, { contentType: 'a\nb' }]) {
        expect(await failure(run(d, () => d.getObjectCdnUrl(obj, options)))).toBeInstanceOf(InvalidArgumentError);
      }
    });

    test('copyObject within the store: one copy request, metadata kept or replaced, a changed source refused', async () => {
      const { d, actions } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('copy')));
      const other = await run(d, () => d.createContainer(unique('copy-dst')));
      const data = randomBytes(5000);
      const src = await run(d, () => d.uploadObjectViaStream(data, c, 'src.bin', { metaData: { owner: 'alice' }, contentType: 'application/x-src' }));
      actions.length = 0;
      const copy = await run(d, () => d.copyObject(src, other, 'copy of src.bin'));
      expect(actions).toEqual(['CopyObject', 'HeadObject']);
      expect(copy.size).toBe(data.length);
      expect(copy.metaData).toEqual({ owner: 'alice' });
      expect(copy.contentType).toBe('application/x-src');
      expect(md5hex(Buffer.concat(await drain(d, () => d.downloadObjectAsStream(copy))))).toBe(md5hex(data));
      const replaced = await run(d, () => d.copyObject(src, c, 'replaced.bin', { metaData: { owner: 'bob', team: 'x' } }));
      expect(replaced.metaData).toEqual({ owner: 'bob', team: 'x' });
      expect(replaced.contentType).toBe('application/x-src');
      // The model still holds the old ETag: after an overwrite the copy is refused and nothing is written.
      await run(d, () => d.uploadObjectViaStream('changed', c, 'src.bin'));
      const error = await failure(run(d, () => d.copyObject(src, c, 'stale.bin')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('SourceChanged');
      expect(await failure(run(d, () => d.getObject(c.name, 'stale.bin')))).toBeInstanceOf(ObjectDoesNotExistError);
      // A missing source.
      const gone = new StorageObject({ name: 'never.bin', size: 1, hash: '' }, c, d);
      expect(await failure(run(d, () => d.copyObject(gone, c, 'x.bin')))).toBeInstanceOf(ObjectDoesNotExistError);
    });

    test(provider === 's3' ? 'above multipartCopyThreshold the copy is UploadPartCopy ranges with the source CRC32 checked' : 'GCS copies any size in one request (no part copy)', async () => {
      const { d, actions, headers } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('mpcopy')));
      const data = randomBytes(Math.floor(PART * 3.5));
      const src = await run(d, () => d.uploadObjectViaStream(data, c, 'big.bin', { partSize: PART, metaData: { kind: 'big' }, contentType: 'application/x-big' }));
      actions.length = 0;
      headers.length = 0;
      const progress: number[] = [];
      const copy = await run(d, () => d.copyObject(src, c, 'big-copy.bin', { multipartCopyThreshold: PART, partSize: PART, concurrency: 2, onProgress: (done) => progress.push(done) }));
      if (provider === 's3') {
        expect(actions.filter((a) => a === 'UploadPartCopy')).toHaveLength(4);
        expect(actions).toEqual(expect.arrayContaining(['HeadObject', 'CreateMultipartUpload', 'CompleteMultipartUpload']));
        const sent = (action: string): Readonly<Record<string, string>> => headers[actions.indexOf(action)]!;
        // Every part is guarded by the source's ETag; the upload asks for, and completes with, the source's CRC32.
        expect(headers.filter((_, i) => actions[i] === 'UploadPartCopy').map((h) => h['x-amz-copy-source-if-match'])).toEqual(Array(4).fill(src.extra.etag));
        expect(headers.filter((_, i) => actions[i] === 'UploadPartCopy').map((h) => h['x-amz-copy-source-range']).sort()).toEqual(
          [`bytes=0-${PART - 1}`, `bytes=${PART}-${2 * PART - 1}`, `bytes=${2 * PART}-${3 * PART - 1}`, `bytes=${3 * PART}-${data.length - 1}`].sort(),
        );
        expect(sent('CreateMultipartUpload')['x-amz-checksum-type']).toBe('FULL_OBJECT');
        expect(sent('CompleteMultipartUpload')['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
        expect(copy.hash).toMatch(/-4$/);
        expect(progress.at(-1)).toBe(data.length);
      } else {
        expect(actions).toEqual(['CopyObject', 'HeadObject']);
      }
      expect(copy.size).toBe(data.length);
      expect(copy.metaData).toEqual({ kind: 'big' });
      expect(copy.contentType).toBe('application/x-big');
      expect(md5hex(Buffer.concat(await drain(d, () => d.downloadObjectAsStream(copy))))).toBe(md5hex(data));
      expect(await failure(run(d, () => d.copyObject(src, c, 'x', { multipartCopyThreshold: 0 })))).toBeInstanceOf(InvalidArgumentError);
    });

    if (provider === 's3') {
      test('a multipart copy of a source whose bytes do not match its stored CRC32 is refused and aborted', async () => {
        const { d } = open(provider, style);
        const c = await run(d, () => d.createContainer(unique('badcrc')));
        // A store that kept a wrong checksum: written raw, with verification off for that one request.
        await cloud.configure({ verifyContentMd5: false });
        try {
          rawS3().request({ method: 'PUT', path: `/${c.name}/lying.bin`, headers: { 'x-amz-checksum-crc32': 'AAAAAA==' }, body: randomBytes(PART * 2) });
        } finally {
          await cloud.configure({ verifyContentMd5: true });
        }
        const src = await run(d, () => d.getObject(c.name, 'lying.bin'));
        const error = await failure(run(d, () => d.copyObject(src, c, 'copy.bin', { multipartCopyThreshold: PART, partSize: PART })));
        expect(error).toBeInstanceOf(UploadError);
        expect((error as UploadError).message).toMatch(/aborted/);
        expect(await failure(run(d, () => d.getObject(c.name, 'copy.bin')))).toBeInstanceOf(ObjectDoesNotExistError);
        expect(openUploads(c.name)).toBe(0);
      });
    }

    test("downloadObjectRange and downloadObjectRangeAsStream take Libcloud's exclusive end; nothing is left on failure", async () => {
      const { d } = open(provider, style);
      const c = await run(d, () => d.createContainer(unique('range')));
      const data = randomBytes(10_000);
      const obj = await run(d, () => d.uploadObjectViaStream(data, c, 'r.bin'));
      const dir = tempDir();
      expect(await run(d, () => d.downloadObjectRange(obj, join(dir, 'a'), 100, 1100, { chunkSize: 300 }))).toBe(true);
      expect(readFileSync(join(dir, 'a')).equals(data.subarray(100, 1100))).toBe(true);
      expect(await run(d, () => obj.downloadRange(join(dir, 'tail'), 9_000) as boolean)).toBe(true);
      expect(readFileSync(join(dir, 'tail')).equals(data.subarray(9_000))).toBe(true);
      const streamed = await drain(d, () => d.downloadObjectRangeAsStream(obj, 0, 5, { chunkSize: 2 }));
      expect(streamed.map((b) => b.byteLength)).toEqual([2, 2, 1]);
      expect(Buffer.concat(streamed).equals(data.subarray(0, 5))).toBe(true);
      expect(Buffer.concat(await drain(d, () => obj.rangeAsStream(9_990, 20_000) as Iterable<Uint8Array>)).equals(data.subarray(9_990))).toBe(true);
      expect(Buffer.concat(await drain(d, () => c.downloadObjectRangeAsStream(obj, 10_000) as Iterable<Uint8Array>))).toHaveLength(0);
      // Libcloud's rules: end is exclusive and must be greater than start.
      for (const [start, end] of [[5, 5], [6, 5], [-1, 4], [10_001, undefined]] as const) {
        expect(await failure(run(d, () => d.downloadObjectRange(obj, join(dir, 'bad'), start, end)))).toBeInstanceOf(InvalidArgumentError);
      }
      // A vanished object: an error, no file, no temporary file.
      await run(d, () => d.deleteObject(obj));
      expect(await failure(run(d, () => d.downloadObjectRange(obj, join(dir, 'gone'), 0, 10)))).toBeInstanceOf(ObjectDoesNotExistError);
      expect(existsSync(join(dir, 'gone'))).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['a', 'tail']);
    });
  });

  test('copies between drivers stream through, verified: S3 → GCS (multipart), GCS → local → S3', async () => {
    const s3 = open('s3', style).d;
    const gcs = open('google_storage', style).d;
    const local = localIn(style, { key: tempDir() });
    const a = await run(s3, () => s3.createContainer(unique('across')));
    const b = await run(gcs, () => gcs.createContainer(unique('across')));
    const l = await run(local, () => local.createContainer('box'));
    const data = randomBytes(Math.floor(PART * 2.5));
    const src = await run(s3, () => s3.uploadObjectViaStream(data, a, 'x.bin', { metaData: { origin: 's3' }, contentType: 'application/x-x' }));
    const progress: number[] = [];
    const inGcs = await run(gcs, () => gcs.copyObject(src, b, 'from-s3.bin', { partSize: PART, concurrency: 2, onProgress: (done) => progress.push(done) }));
    expect(inGcs.size).toBe(data.length);
    expect(progress.at(-1)).toBe(data.length);
    const head = await run(gcs, () => gcs.getObject(b.name, 'from-s3.bin'));
    expect(head.metaData).toEqual({ origin: 's3' });
    expect(head.contentType).toBe('application/x-x');
    expect(head.hash).toMatch(/-3$/); // a multipart upload on the destination
    expect(md5hex(Buffer.concat(await drain(gcs, () => gcs.downloadObjectAsStream(head))))).toBe(md5hex(data));
    const inLocal = await run(local, () => local.copyObject(head, l, 'from-gcs.bin'));
    expect(inLocal.hash).toBe(md5hex(data));
    const back = await run(s3, () => s3.copyObject(inLocal, a, 'from-local.bin', { metaData: { origin: 'local' } }));
    expect(back.hash).toBe(md5hex(data));
    expect((await run(s3, () => s3.getObject(a.name, 'from-local.bin'))).metaData).toEqual({ origin: 'local' });
  });
});

test('a copy between drivers whose source read was damaged commits nothing (the whole read is checked)', async () => {
  for (const style of STYLES) {
    const s3 = open('s3', style).d;
    const gcs = open('google_storage', style).d;
    const a = await run(s3, () => s3.createContainer(unique('damaged')));
    const b = await run(gcs, () => gcs.createContainer(unique('damaged')));
    const data = randomBytes(PART * 3);
    // A multipart source: its ETag is not an MD5, its full-object CRC32 vouches for it.
    const src = await run(s3, () => s3.uploadObjectViaStream(data, a, 'src.bin', { partSize: PART }));
    expect(src.hash).toMatch(/-3$/);
    // S3 requests of the copy: HEAD (the fresh look), then the first ranged GET, whose body gets one bit flipped.
    await cloud.configure({ faults: { sequence: [null, 'corrupt-response'], providers: ['s3'] } });
    try {
      const error = await failure(run(gcs, () => gcs.copyObject(src, b, 'copy.bin', { partSize: PART })));
      expect(error).toBeInstanceOf(UploadError);
      expect((error as UploadError).code).toBe('HashMismatch');
    } finally {
      await cloud.configure({ faults: { rate: 0 } });
    }
    expect(await failure(run(gcs, () => gcs.getObject(b.name, 'copy.bin')))).toBeInstanceOf(ObjectDoesNotExistError);
  }
});

test('a signed URL stops working once expiresIn has passed (sync style)', async () => {
  for (const provider of PROVIDERS) {
    const { d } = open(provider, 'sync');
    const c = d.createContainer(unique('expiry'));
    const obj = d.uploadObjectViaStream('short-lived', c, 'e.txt');
    const url = d.getObjectCdnUrl(obj, { expiresIn: 1 });
    expect(new URL(url).searchParams.get(provider === 's3' ? 'X-Amz-Expires' : 'X-Goog-Expires')).toBe('1');
    sleepSync(2100);
    const res = await plainFetch(url);
    expect(res.status).toBe(403);
    expect(res.body.toString()).not.toContain('short-lived');
  }
});
