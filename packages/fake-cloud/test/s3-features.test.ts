/**
 * S3 ListObjects version 1 (and `s3ListV1Only`), conditional delete, full-object CRC32 checksums, CopyObject.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { asArray } from '@dualcloud/core';
import { createFakeCloudServer, FAKE_CREDENTIALS, resolveOptions, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { optionsFromArgs } from '../src/cli.js';
import { gcs, s3, type TestResponse } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ minPartSize: 10 });
  port = await server.listen();
});
afterAll(() => server.close());

function errorCode(res: TestResponse): string {
  return res.xml().Error.Code;
}

/** S3's `x-amz-checksum-crc32`: base64 of the big-endian CRC32. */
function crc32(data: Buffer | string): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE((zlib as unknown as { crc32(d: Buffer | string): number }).crc32(data));
  return b.toString('base64');
}

const KEYS = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e/x/y', 'f'];

/** Walks a V1 listing page by page as clients do: NextMarker, or the last key when there is none. */
async function walkV1(path: string, query: string, p = port): Promise<{ seen: string[]; pages: any[] }> {
  const seen: string[] = [];
  const pages: any[] = [];
  let marker = '';
  for (let page = 0; page < 20; page += 1) {
    const doc = (await s3(p, 'GET', `${path}?${query}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`)).xml().ListBucketResult;
    pages.push(doc);
    const keys = asArray(doc.Contents).map((c: any) => c.Key as string);
    const prefixes = asArray(doc.CommonPrefixes).map((c: any) => c.Prefix as string);
    seen.push(...keys, ...prefixes);
    if (doc.IsTruncated !== 'true') break;
    marker = doc.NextMarker ?? keys[keys.length - 1];
  }
  return { seen, pages };
}

describe('S3 ListObjects version 1', () => {
  beforeAll(async () => {
    await s3(port, 'PUT', '/v1list');
    for (const key of KEYS) await s3(port, 'PUT', `/v1list/${key}`, { body: key });
  });

  test('the V1 shape: Name, Prefix, Marker, MaxKeys, IsTruncated, Contents with Owner; no V2 fields', async () => {
    const doc = (await s3(port, 'GET', '/v1list?max-keys=3&prefix=')).xml().ListBucketResult;
    expect(doc).toMatchObject({ Name: 'v1list', MaxKeys: '3', IsTruncated: 'true' });
    expect(doc).toHaveProperty('Prefix');
    expect(doc).toHaveProperty('Marker');
    for (const v2 of ['KeyCount', 'ContinuationToken', 'NextContinuationToken', 'StartAfter', 'Delimiter', 'NextMarker']) expect(doc).not.toHaveProperty(v2);
    expect(asArray(doc.Contents).map((c: any) => c.Key)).toEqual(['a/1', 'a/2', 'b/1']);
    expect(asArray(doc.Contents)[0]).toMatchObject({ Size: '3', StorageClass: 'STANDARD', Owner: { DisplayName: 'fakecloud' } });
    const second = (await s3(port, 'GET', '/v1list?max-keys=3&marker=b%2F1')).xml().ListBucketResult;
    expect(second.Marker).toBe('b/1');
    expect(asArray(second.Contents).map((c: any) => c.Key)).toEqual(['c', 'd', 'e/x/y']);
  });

  test('paging with max-keys and no delimiter: no NextMarker, the client resumes after the last key', async () => {
    for (const maxKeys of [1, 2, 3, 7]) {
      const { seen, pages } = await walkV1('/v1list', `max-keys=${maxKeys}`);
      expect(seen).toEqual(KEYS);
      expect(pages).toHaveLength(Math.ceil(KEYS.length / maxKeys));
      for (const page of pages) expect(page).not.toHaveProperty('NextMarker');
    }
  });

  test('paging with max-keys and a delimiter: NextMarker on truncated pages, common prefixes once each', async () => {
    for (const maxKeys of [1, 2, 4]) {
      const { seen, pages } = await walkV1('/v1list', `delimiter=%2F&max-keys=${maxKeys}`);
      expect([...seen].sort()).toEqual(['a/', 'b/', 'c', 'd', 'e/', 'f']);
      expect(new Set(seen).size).toBe(seen.length);
      for (const page of pages) {
        expect(page.Delimiter).toBe('/');
        if (page.IsTruncated === 'true') expect(page.NextMarker).toBeDefined();
        else expect(page).not.toHaveProperty('NextMarker');
      }
    }
    const first = (await s3(port, 'GET', '/v1list?delimiter=%2F&max-keys=2')).xml().ListBucketResult;
    expect(first.NextMarker).toBe('b/');
    const prefixed = await walkV1('/v1list', 'prefix=a%2F&delimiter=%2F&max-keys=1');
    expect(prefixed.seen).toEqual(['a/1', 'a/2']);
  });

  test('s3ListV1Only answers V2 requests in the V1 shape (continuation-token, marker or start-after as marker)', async () => {
    expect(resolveOptions().s3ListV1Only).toBe(false);
    expect(optionsFromArgs(['--s3-list-v1-only']).options.s3ListV1Only).toBe(true);
    const v2 = (await s3(port, 'GET', '/v1list?list-type=2&max-keys=2')).xml().ListBucketResult;
    expect(v2).toHaveProperty('KeyCount');
    server.configure({ s3ListV1Only: true });
    try {
      const doc = (await s3(port, 'GET', '/v1list?list-type=2&max-keys=2')).xml().ListBucketResult;
      expect(doc).toMatchObject({ Name: 'v1list', MaxKeys: '2', IsTruncated: 'true' });
      expect(doc).toHaveProperty('Marker');
      for (const v2only of ['KeyCount', 'NextContinuationToken', 'ContinuationToken', 'StartAfter']) expect(doc).not.toHaveProperty(v2only);
      const names = async (q: string): Promise<string[]> => asArray((await s3(port, 'GET', `/v1list?list-type=2&${q}`)).xml().ListBucketResult.Contents).map((c: any) => c.Key);
      expect(await names('max-keys=2&continuation-token=a%2F2')).toEqual(['b/1', 'c']);
      expect(await names('max-keys=2&start-after=c')).toEqual(['d', 'e/x/y']);
      expect(await names('max-keys=2&marker=d')).toEqual(['e/x/y', 'f']);
      const delimited = (await s3(port, 'GET', '/v1list?list-type=2&delimiter=%2F&max-keys=2')).xml().ListBucketResult;
      expect(delimited.NextMarker).toBe('b/');
      // GCS keeps its V2 listing.
      await gcs(port, 'PUT', '/gcs-v2');
      expect((await gcs(port, 'GET', '/gcs-v2?list-type=2')).xml().ListBucketResult).toHaveProperty('KeyCount');
    } finally {
      server.configure({ s3ListV1Only: false });
    }
  });
});

describe('S3 conditional delete (If-Match)', () => {
  beforeAll(() => s3(port, 'PUT', '/conditional'));

  test('412 PreconditionFailed on another ETag, 404 NoSuchKey when absent, deletes on a match', async () => {
    const etag = (await s3(port, 'PUT', '/conditional/k', { body: 'v1' })).headers.etag as string;
    const other = await s3(port, 'DELETE', '/conditional/k', { headers: { 'if-match': `"${createHash('md5').update('v0').digest('hex')}"` } });
    expect(other.status).toBe(412);
    expect(errorCode(other)).toBe('PreconditionFailed');
    expect(other.xml().Error.Condition).toBe('If-Match');
    expect((await s3(port, 'GET', '/conditional/k')).text).toBe('v1');
    const absent = await s3(port, 'DELETE', '/conditional/none', { headers: { 'if-match': etag } });
    expect(absent.status).toBe(404);
    expect(errorCode(absent)).toBe('NoSuchKey');
    expect((await s3(port, 'DELETE', '/conditional/k', { headers: { 'if-match': etag } })).status).toBe(204);
    expect((await s3(port, 'HEAD', '/conditional/k')).status).toBe(404);
    expect((await s3(port, 'DELETE', '/conditional/k')).status).toBe(204); // unconditional: still 204 when absent
    await s3(port, 'PUT', '/conditional/any', { body: 'x' });
    expect((await s3(port, 'DELETE', '/conditional/any', { headers: { 'if-match': '*' } })).status).toBe(204);
  });
});

describe('DeleteObjects', () => {
  beforeAll(async () => {
    await s3(port, 'PUT', '/multi');
    await gcs(port, 'PUT', '/multi');
  });
  const md5b64 = (body: string): string => createHash('md5').update(body).digest('base64');

  test('S3 requires Content-MD5 (or a checksum); every key is reported Deleted, present or not; Quiet reports none', async () => {
    for (const k of ['a', 'b']) await s3(port, 'PUT', `/multi/${k}`, { body: k });
    const body = '<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object><Object><Key>never</Key></Object></Delete>';
    const bare = await s3(port, 'POST', '/multi?delete', { body });
    expect(bare.status).toBe(400);
    expect(errorCode(bare)).toBe('InvalidRequest');
    expect((await s3(port, 'HEAD', '/multi/a')).status).toBe(200); // nothing deleted
    const done = await s3(port, 'POST', '/multi?delete', { body, headers: { 'content-md5': md5b64(body) } });
    expect(done.status).toBe(200);
    expect(asArray(done.xml().DeleteResult.Deleted).map((d: any) => d.Key)).toEqual(['a', 'b', 'never']);
    expect((await s3(port, 'HEAD', '/multi/a')).status).toBe(404);
    const withChecksum = await s3(port, 'POST', '/multi?delete', { body, headers: { 'x-amz-checksum-crc32': crc32(body) } });
    expect(withChecksum.status).toBe(200);
    const quiet = '<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>';
    const result = (await s3(port, 'POST', '/multi?delete', { body: quiet, headers: { 'content-md5': md5b64(quiet) } })).xml().DeleteResult;
    expect([result.Deleted, result.Error]).toEqual([undefined, undefined]);
  });

  test("GCS's XML API takes it without Content-MD5", async () => {
    await gcs(port, 'PUT', '/multi/g', { body: 'g' });
    const body = '<Delete><Object><Key>g</Key></Object></Delete>';
    const done = await gcs(port, 'POST', '/multi?delete', { body });
    expect(done.status).toBe(200);
    expect((await gcs(port, 'HEAD', '/multi/g')).status).toBe(404);
  });
});

describe('S3 full-object CRC32 checksums', () => {
  beforeAll(() => s3(port, 'PUT', '/checksums'));

  test('crc32 helper: the standard check value', () => {
    expect(Buffer.from(crc32('123456789'), 'base64').readUInt32BE()).toBe(0xcbf43926);
  });

  test('PutObject stores x-amz-checksum-crc32 (checked); GET/HEAD return it with checksum mode, not for ranges', async () => {
    const body = 'checksummed body';
    const put = await s3(port, 'PUT', '/checksums/one', { body, headers: { 'x-amz-checksum-crc32': crc32(body) } });
    expect(put.status).toBe(200);
    expect(put.headers['x-amz-checksum-crc32']).toBe(crc32(body));
    const bad = await s3(port, 'PUT', '/checksums/one', { body, headers: { 'x-amz-checksum-crc32': crc32('other') } });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('BadDigest');
    const mode = { 'x-amz-checksum-mode': 'ENABLED' };
    const got = await s3(port, 'GET', '/checksums/one', { headers: mode });
    expect(got.headers['x-amz-checksum-crc32']).toBe(crc32(body));
    expect(got.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    const head = await s3(port, 'HEAD', '/checksums/one', { headers: mode });
    expect(head.headers['x-amz-checksum-crc32']).toBe(crc32(body));
    expect((await s3(port, 'GET', '/checksums/one')).headers).not.toHaveProperty('x-amz-checksum-crc32');
    const ranged = await s3(port, 'GET', '/checksums/one', { headers: { ...mode, range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers).not.toHaveProperty('x-amz-checksum-crc32');
    await s3(port, 'PUT', '/checksums/plain', { body });
    expect((await s3(port, 'GET', '/checksums/plain', { headers: mode })).headers).not.toHaveProperty('x-amz-checksum-type');
  });

  test('with verifyContentMd5 false a wrong CRC32 is stored as given', async () => {
    server.configure({ verifyContentMd5: false });
    try {
      expect((await s3(port, 'PUT', '/checksums/wrong', { body: 'abc', headers: { 'x-amz-checksum-crc32': crc32('abd') } })).status).toBe(200);
      expect((await s3(port, 'GET', '/checksums/wrong', { headers: { 'x-amz-checksum-mode': 'ENABLED' } })).headers['x-amz-checksum-crc32']).toBe(crc32('abd'));
    } finally {
      server.configure({ verifyContentMd5: true });
    }
  });

  async function initiateFullObject(key: string): Promise<string> {
    const res = await s3(port, 'POST', `/checksums/${key}?uploads`, { headers: { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    expect(res.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
    return res.xml().InitiateMultipartUploadResult.UploadId;
  }

  const completeBody = (etags: string[]): string =>
    `<CompleteMultipartUpload>${etags.map((e, k) => `<Part><PartNumber>${k + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

  test('multipart FULL_OBJECT: parts checked and echoed, the whole-object CRC32 checked, stored and returned', async () => {
    const id = await initiateFullObject('mpu');
    const parts = ['p'.repeat(12), 'q'.repeat(11), 'tail'];
    const badPart = await s3(port, 'PUT', `/checksums/mpu?partNumber=1&uploadId=${id}`, { body: parts[0], headers: { 'x-amz-checksum-crc32': crc32('nope') } });
    expect(errorCode(badPart)).toBe('BadDigest');
    const etags: string[] = [];
    for (const [k, part] of parts.entries()) {
      const res = await s3(port, 'PUT', `/checksums/mpu?partNumber=${k + 1}&uploadId=${id}`, { body: part, headers: { 'x-amz-checksum-crc32': crc32(part) } });
      expect(res.headers['x-amz-checksum-crc32']).toBe(crc32(part));
      etags.push(res.headers.etag as string);
    }
    const listed = (await s3(port, 'GET', `/checksums/mpu?uploadId=${id}`)).xml().ListPartsResult;
    expect(asArray(listed.Part).map((p: any) => p.ChecksumCRC32)).toEqual(parts.map(crc32));
    const whole = parts.join('');
    const headers = { 'x-amz-checksum-crc32': crc32(whole), 'x-amz-checksum-type': 'FULL_OBJECT' };
    const wrong = await s3(port, 'POST', `/checksums/mpu?uploadId=${id}`, { body: completeBody(etags), headers: { ...headers, 'x-amz-checksum-crc32': crc32('not it') } });
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong)).toBe('BadDigest');
    const done = await s3(port, 'POST', `/checksums/mpu?uploadId=${id}`, { body: completeBody(etags), headers }); // the upload survived
    expect(done.status).toBe(200);
    const result = done.xml().CompleteMultipartUploadResult;
    expect(result.ChecksumCRC32).toBe(crc32(whole));
    expect(result.ChecksumType).toBe('FULL_OBJECT');
    const got = await s3(port, 'GET', '/checksums/mpu', { headers: { 'x-amz-checksum-mode': 'ENABLED' } });
    expect(got.text).toBe(whole);
    expect(got.headers['x-amz-checksum-crc32']).toBe(crc32(whole));
    expect(got.headers['x-amz-checksum-type']).toBe('FULL_OBJECT');
  });

  test('multipart FULL_OBJECT without the client value: S3 computes it; mismatched modes and algorithms are refused', async () => {
    const id = await initiateFullObject('computed');
    const part = await s3(port, 'PUT', `/checksums/computed?partNumber=1&uploadId=${id}`, { body: 'only part' });
    expect(part.headers['x-amz-checksum-crc32']).toBe(crc32('only part'));
    const mismatched = await s3(port, 'PUT', `/checksums/computed?partNumber=1&uploadId=${id}`, { body: 'x', headers: { 'x-amz-checksum-sha256': createHash('sha256').update('x').digest('base64') } });
    expect(errorCode(mismatched)).toBe('InvalidRequest');
    const composite = await s3(port, 'POST', `/checksums/computed?uploadId=${id}`, { body: completeBody([part.headers.etag as string]), headers: { 'x-amz-checksum-type': 'COMPOSITE' } });
    expect(errorCode(composite)).toBe('InvalidRequest');
    const done = (await s3(port, 'POST', `/checksums/computed?uploadId=${id}`, { body: completeBody([part.headers.etag as string]) })).xml().CompleteMultipartUploadResult;
    expect(done.ChecksumCRC32).toBe(crc32('only part'));
    const sha = await s3(port, 'POST', '/checksums/x?uploads', { headers: { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-type': 'FULL_OBJECT' } });
    expect(errorCode(sha)).toBe('InvalidRequest');
    const unknown = await s3(port, 'POST', '/checksums/x?uploads', { headers: { 'x-amz-checksum-algorithm': 'MD4' } });
    expect(errorCode(unknown)).toBe('InvalidRequest');
    // Without a declared type the upload is COMPOSITE, which is not emulated: no checksum is stored.
    const plain = (await s3(port, 'POST', '/checksums/composite?uploads', { headers: { 'x-amz-checksum-algorithm': 'CRC32' } })).xml().InitiateMultipartUploadResult.UploadId;
    const e = (await s3(port, 'PUT', `/checksums/composite?partNumber=1&uploadId=${plain}`, { body: 'c' })).headers.etag as string;
    expect((await s3(port, 'POST', `/checksums/composite?uploadId=${plain}`, { body: completeBody([e]) })).xml().CompleteMultipartUploadResult).not.toHaveProperty('ChecksumType');
  });

  test('an upload created without a checksum can be completed with a FULL_OBJECT CRC32', async () => {
    const id = (await s3(port, 'POST', '/checksums/late?uploads')).xml().InitiateMultipartUploadResult.UploadId;
    const e = (await s3(port, 'PUT', `/checksums/late?partNumber=1&uploadId=${id}`, { body: 'late' })).headers.etag as string;
    const done = await s3(port, 'POST', `/checksums/late?uploadId=${id}`, { body: completeBody([e]), headers: { 'x-amz-checksum-crc32': crc32('late'), 'x-amz-checksum-type': 'FULL_OBJECT' } });
    expect(done.xml().CompleteMultipartUploadResult).toMatchObject({ ChecksumCRC32: crc32('late'), ChecksumType: 'FULL_OBJECT' });
  });

  test('@aws-sdk/client-s3: a FULL_OBJECT CRC32 multipart upload, validated on read; a stored corruption is caught', async () => {
    const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: FAKE_CREDENTIALS.aws, maxAttempts: 1 });
    try {
      const Bucket = 'checksums';
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'sdk', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
      const parts = [Buffer.alloc(20, 1), Buffer.alloc(5, 2)];
      const uploaded = [];
      for (const [k, Body] of parts.entries()) {
        const res = await client.send(new UploadPartCommand({ Bucket, Key: 'sdk', UploadId, PartNumber: k + 1, Body, ChecksumAlgorithm: 'CRC32' }));
        uploaded.push({ ETag: res.ETag, PartNumber: k + 1, ChecksumCRC32: res.ChecksumCRC32 });
      }
      const whole = Buffer.concat(parts);
      const done = await client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: 'sdk', UploadId, ChecksumCRC32: crc32(whole), ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts: uploaded } }),
      );
      expect(done.ChecksumCRC32).toBe(crc32(whole));
      expect(done.ChecksumType).toBe('FULL_OBJECT');
      const got = await client.send(new GetObjectCommand({ Bucket, Key: 'sdk', ChecksumMode: 'ENABLED' }));
      expect(got.ChecksumCRC32).toBe(crc32(whole));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(whole)).toBe(true);
      // A store that does not verify keeps a corrupted upload with the client's checksum: the reader catches it.
      server.configure({ verifyContentMd5: false, faults: { sequence: ['corrupt-request'] } });
      await client.send(new PutObjectCommand({ Bucket, Key: 'sdk-corrupted', Body: 'precious bytes', ChecksumAlgorithm: 'CRC32' }));
      const corrupted = await client.send(new GetObjectCommand({ Bucket, Key: 'sdk-corrupted', ChecksumMode: 'ENABLED' }));
      await expect(corrupted.Body!.transformToString()).rejects.toThrow(/checksum/i);
    } finally {
      server.configure({ verifyContentMd5: true, faults: { rate: 0 } });
      client.destroy();
    }
  });
});

describe('S3 CopyObject', () => {
  test('copies to another key without touching the source (metadata copied, checksum kept)', async () => {
    await s3(port, 'PUT', '/copies');
    await s3(port, 'PUT', '/copies/src', { body: 'original', headers: { 'content-type': 'text/plain', 'x-amz-meta-a': '1', 'x-amz-checksum-crc32': crc32('original') } });
    const copied = await s3(port, 'PUT', '/copies/dst', { headers: { 'x-amz-copy-source': '/copies/src' } });
    expect(copied.status).toBe(200);
    const dst = await s3(port, 'GET', '/copies/dst', { headers: { 'x-amz-checksum-mode': 'ENABLED' } });
    expect(dst.text).toBe('original');
    expect(dst.headers['x-amz-meta-a']).toBe('1');
    expect(dst.headers['x-amz-checksum-crc32']).toBe(crc32('original'));
    expect((await s3(port, 'GET', '/copies/src')).text).toBe('original');
    const keys = asArray((await s3(port, 'GET', '/copies?list-type=2')).xml().ListBucketResult.Contents).map((c: any) => c.Key);
    expect(keys).toEqual(['dst', 'src']);
  });

  test('x-amz-copy-source-if-match / -if-none-match guard the source (412 PreconditionFailed, nothing written)', async () => {
    await s3(port, 'PUT', '/copies/guarded', { body: 'guarded source' });
    const etag = (await s3(port, 'HEAD', '/copies/guarded')).headers.etag as string;
    const ok = await s3(port, 'PUT', '/copies/guarded-1', { headers: { 'x-amz-copy-source': '/copies/guarded', 'x-amz-copy-source-if-match': etag } });
    expect(ok.status).toBe(200);
    expect(ok.xml().CopyObjectResult.ETag).toBe(etag);
    const stale = await s3(port, 'PUT', '/copies/guarded-2', { headers: { 'x-amz-copy-source': '/copies/guarded', 'x-amz-copy-source-if-match': '"00000000000000000000000000000000"' } });
    expect(stale.status).toBe(412);
    expect(errorCode(stale)).toBe('PreconditionFailed');
    const none = await s3(port, 'PUT', '/copies/guarded-3', { headers: { 'x-amz-copy-source': '/copies/guarded', 'x-amz-copy-source-if-none-match': etag } });
    expect(none.status).toBe(412);
    for (const key of ['guarded-2', 'guarded-3']) expect((await s3(port, 'HEAD', `/copies/${key}`)).status).toBe(404);
  });

  test('UploadPartCopy: ranges of the source become parts (ETag = MD5 of the range), CRC32 computed for an upload that asks for it', async () => {
    const source = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    await s3(port, 'PUT', '/copies/parts-src', { body: source });
    const uploadId = (await s3(port, 'POST', '/copies/parts-dst?uploads', { headers: { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT' } })).xml().InitiateMultipartUploadResult.UploadId;
    const copyPart = (n: number, range?: string) =>
      s3(port, 'PUT', `/copies/parts-dst?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`, {
        headers: { 'x-amz-copy-source': '/copies/parts-src', ...(range ? { 'x-amz-copy-source-range': range } : {}) },
      });
    const first = await copyPart(1, 'bytes=0-19');
    expect(first.status).toBe(200);
    expect(first.xml().CopyPartResult.ETag).toBe(`"${createHash('md5').update(source.subarray(0, 20)).digest('hex')}"`);
    expect(first.xml().CopyPartResult.ChecksumCRC32).toBe(crc32(source.subarray(0, 20)));
    const second = await copyPart(2, 'bytes=20-35');
    expect(second.status).toBe(200);
    for (const bad of ['bytes=20-36', 'bytes=5-4', 'bytes=0-', 'items=0-1']) {
      const res = await copyPart(3, bad);
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('InvalidArgument');
    }
    const parts = [first, second].map((r, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${r.xml().CopyPartResult.ETag}</ETag></Part>`).join('');
    const done = await s3(port, 'POST', `/copies/parts-dst?uploadId=${encodeURIComponent(uploadId)}`, {
      body: `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
      headers: { 'x-amz-checksum-crc32': crc32(source), 'x-amz-checksum-type': 'FULL_OBJECT' },
    });
    expect(done.status).toBe(200);
    expect((await s3(port, 'GET', '/copies/parts-dst')).body.equals(source)).toBe(true);
    // Without a range, the whole source; a guard that does not hold is 412.
    const whole = await s3(port, 'POST', '/copies/whole?uploads');
    const id = whole.xml().InitiateMultipartUploadResult.UploadId;
    const all = await s3(port, 'PUT', `/copies/whole?partNumber=1&uploadId=${encodeURIComponent(id)}`, { headers: { 'x-amz-copy-source': '/copies/parts-src' } });
    expect(all.xml().CopyPartResult.ETag).toBe(`"${createHash('md5').update(source).digest('hex')}"`);
    const guarded = await s3(port, 'PUT', `/copies/whole?partNumber=2&uploadId=${encodeURIComponent(id)}`, { headers: { 'x-amz-copy-source': '/copies/parts-src', 'x-amz-copy-source-if-match': '"nope"' } });
    expect(guarded.status).toBe(412);
  });

  test('a signed GET takes response-* overrides (response-content-type, response-content-disposition)', async () => {
    await s3(port, 'PUT', '/copies/override', { body: 'x', headers: { 'content-type': 'text/plain' } });
    const res = await s3(port, 'GET', '/copies/override?response-content-type=application%2Fx-over&response-content-disposition=attachment');
    expect(res.headers['content-type']).toBe('application/x-over');
    expect(res.headers['content-disposition']).toBe('attachment');
    expect((await s3(port, 'GET', '/copies/override')).headers['content-type']).toBe('text/plain');
  });

  test('GCS: x-goog-copy-source with its if-match guard; no UploadPartCopy in the XML API (501)', async () => {
    await gcs(port, 'PUT', '/gcopies');
    await gcs(port, 'PUT', '/gcopies/src', { body: 'gcs source', headers: { 'x-goog-meta-k': 'v' } });
    const etag = (await gcs(port, 'HEAD', '/gcopies/src')).headers.etag as string;
    const ok = await gcs(port, 'PUT', '/gcopies/dst', { headers: { 'x-goog-copy-source': '/gcopies/src', 'x-goog-copy-source-if-match': etag } });
    expect(ok.status).toBe(200);
    expect((await gcs(port, 'GET', '/gcopies/dst')).headers['x-goog-meta-k']).toBe('v');
    const stale = await gcs(port, 'PUT', '/gcopies/dst2', { headers: { 'x-goog-copy-source': '/gcopies/src', 'x-goog-copy-source-if-match': '"stale"' } });
    expect(stale.status).toBe(412);
    const id = (await gcs(port, 'POST', '/gcopies/mp?uploads')).xml().InitiateMultipartUploadResult.UploadId;
    const part = await gcs(port, 'PUT', `/gcopies/mp?partNumber=1&uploadId=${encodeURIComponent(id)}`, { headers: { 'x-goog-copy-source': '/gcopies/src' } });
    expect(part.status).toBe(501);
  });
});
