/**
 * Integrity mismatches are retried, in the sync style and in Design 3, against a scripted server in a worker
 * thread (the sync style blocks the test's thread). Each route answers a sequence (a wrong ETag, then the right
 * one), so every retry, every cleanup request and every header of it can be checked exactly.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Container, IntegrityError, StorageObject, UploadError } from '@dualcloud/drivers/storage';
import type { AzureBlobsStorageDriver, S3StorageDriver } from '@dualcloud/drivers/storage';
import { startSequenceServer, type LoggedRequest, type Reply, type SequenceServer } from './helpers/sequence-server.js';
import { azureIn, drain, failure, run, s3In, STYLES, type Style } from './helpers/styles.js';

let server: SequenceServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startSequenceServer();
});
afterAll(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-integrity-'));
  dirs.push(d);
  return d;
}

const md5hex = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');
const md5b64 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('base64');
const crc32b64 = (b: Uint8Array): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString('base64');
};
/** The same bytes with bit 0 of one byte flipped. */
const flipped = (b: Buffer, at: number): Buffer => {
  const copy = Buffer.from(b);
  copy[at] = copy[at]! ^ 1;
  return copy;
};
/** A quoted hex ETag that is not the MD5 of anything sent here. */
const badEtag = (n: number): string => `"${String(n).padStart(32, 'f')}"`;
const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

const xml = (body: string): Reply => ({ status: 200, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>${body}` });

function s3(style: Style): S3StorageDriver {
  return s3In(style, { key: 'AKIDEXAMPLE', secret: 'not-a-secret', host: '127.0.0.1', port: server.port, secure: false, minPartSize: 4, retry: RETRY });
}

const AZURE_KEY = Buffer.from('an azure key for the scripted server').toString('base64');
function azure(style: Style): AzureBlobsStorageDriver {
  return azureIn(style, { key: 'acct', secret: AZURE_KEY, host: '127.0.0.1', port: server.port, secure: false, retry: RETRY });
}

const only = (log: LoggedRequest[], method: string): LoggedRequest[] => log.filter((r) => r.method === method);

describe.each(STYLES)('%s style', (style) => {
  describe('S3 single PUT', () => {
    const data = Buffer.from('bytes whose MD5 the ETag must echo');

    test('an ETag that is not the MD5 of the bytes sent makes the PUT go again; the right answer ends it', async () => {
      await server.script({
        'PUT /bkt/obj': [
          { status: 200, headers: { etag: badEtag(1) } },
          { status: 200, echoMd5: true },
        ],
      });
      const d = s3(style);
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'obj'));
      expect(obj.hash).toBe(md5hex(data));
      const log = await server.requests();
      expect(log.map((r) => r.method)).toEqual(['PUT', 'PUT']);
      // Both attempts carried the same bytes and the same Content-MD5.
      for (const put of log) {
        expect(put.bodyMd5).toBe(md5hex(data));
        expect(put.headers['content-md5']).toBe(md5b64(data));
      }
    });

    test('every attempt mismatching: IntegrityError, and a DELETE guarded by the last bad ETag', async () => {
      await server.script({
        'PUT /bkt/obj': [1, 2, 3].map((n) => ({ status: 200, headers: { etag: badEtag(n) } })),
        'DELETE /bkt/obj': [{ status: 204 }],
      });
      const d = s3(style);
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'obj')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('ETagMismatch');
      expect(error.message).toMatch(/corrupted on every attempt/);
      expect(error.message).toMatch(/the object it wrote was deleted/);
      const log = await server.requests();
      expect(log.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT', 'DELETE']);
      expect(log[3]!.headers['if-match']).toBe(badEtag(3));
      expect(log[3]!.path).toBe('/bkt/obj');
    });

    test('the guarded DELETE itself failing: the IntegrityError says the delete FAILED (the bad object may remain)', async () => {
      await server.script({
        'PUT /bkt/obj': [{ status: 200, headers: { etag: badEtag(9) } }],
        'DELETE /bkt/obj': [{ status: 403, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>' }],
      });
      const d = s3(style);
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'obj')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(/deleting the object it wrote FAILED \(.*AccessDenied/);
      expect(only(await server.requests(), 'DELETE').map((r) => r.headers['if-match'])).toEqual([badEtag(9)]);
    });

    test('a PUT the store refused with 400 BadDigest (corrupted on the way, nothing stored) is sent again', async () => {
      await server.script({
        'PUT /bkt/obj': [
          { status: 400, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message></Error>' },
          { status: 200, echoMd5: true },
        ],
      });
      const d = s3(style);
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'obj'));
      expect(obj.hash).toBe(md5hex(data));
      expect((await server.requests()).map((r) => r.method)).toEqual(['PUT', 'PUT']);
    });

    test('the guarded DELETE answered 412 (someone replaced the object): it is left alone and the error says so', async () => {
      await server.script({
        'PUT /bkt/obj': [{ status: 200, headers: { etag: badEtag(7) } }],
        'DELETE /bkt/obj': [{ status: 412, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>PreconditionFailed</Code></Error>' }],
      });
      const d = s3(style);
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'obj')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(/already been replaced, so it was left alone/);
      const deletes = only(await server.requests(), 'DELETE');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]!.headers['if-match']).toBe(badEtag(7));
    });
  });

  describe('S3 multipart part', () => {
    const data = Buffer.from('0123456789abcdefghij'); // parts of 8, 8, 4
    const opts = { partSize: 8, concurrency: 1 };
    const common = (): Record<string, Reply[]> => ({
      'POST /bkt/big?uploads': [xml('<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>big</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>')],
      'PUT /bkt/big?partNumber&uploadId=up-1': [{ status: 200, echoMd5: true }],
      'POST /bkt/big?uploadId=up-1': [xml(`<CompleteMultipartUploadResult><Key>big</Key><ETag>"${'a'.repeat(32)}-3"</ETag></CompleteMultipartUploadResult>`)],
      'DELETE /bkt/big?uploadId=up-1': [{ status: 204 }],
    });

    test('a part whose ETag mismatches is sent again, and the upload completes', async () => {
      await server.script({ ...common(), 'PUT /bkt/big?partNumber=2&uploadId=up-1': [{ status: 200, headers: { etag: badEtag(2) } }, { status: 200, echoMd5: true }] });
      const d = s3(style);
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'big', opts));
      expect(obj.size).toBe(20);
      const log = await server.requests();
      const parts = log.filter((r) => r.query.partNumber !== undefined).map((r) => r.query.partNumber);
      expect(parts).toEqual(['1', '2', '2', '3']);
      const complete = log.find((r) => r.method === 'POST' && r.query.uploadId === 'up-1');
      expect(complete).toBeDefined();
      expect(log.some((r) => r.method === 'DELETE')).toBe(false);
    });

    test('a part mismatching on every attempt: UploadError, the upload is aborted and never completed', async () => {
      await server.script({ ...common(), 'PUT /bkt/big?partNumber=2&uploadId=up-1': [{ status: 200, headers: { etag: badEtag(2) } }] });
      const d = s3(style);
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container('bkt', {}, d), 'big', opts)));
      expect(error).toBeInstanceOf(UploadError);
      expect(error.message).toMatch(/was aborted/);
      expect((error as UploadError & { aborted: boolean }).aborted).toBe(true);
      expect((error as UploadError).code).toBe('ETagMismatch');
      expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(IntegrityError);
      const log = await server.requests();
      expect(log.filter((r) => r.query.partNumber === '2')).toHaveLength(RETRY.maxAttempts);
      expect(log.filter((r) => r.method === 'DELETE').map((r) => r.query)).toEqual([{ uploadId: 'up-1' }]);
      expect(log.some((r) => r.method === 'POST' && r.query.uploadId !== undefined)).toBe(false);
    });
  });

  describe('S3 download to a file', () => {
    const data = Buffer.from('the bytes of a single-part object, checked against its MD5 ETag');
    const good: Reply = { status: 200, headers: { etag: `"${md5hex(data)}"` }, bodyBase64: data.toString('base64') };
    const corrupted: Reply = { ...good, bodyBase64: flipped(data, 5).toString('base64') };

    function object(d: S3StorageDriver, size = data.length, etag = `"${md5hex(data)}"`): StorageObject {
      return new StorageObject({ name: 'k', size, hash: etag.replace(/"/g, ''), extra: { etag } }, new Container('bkt', {}, d), d);
    }

    test('bytes that fail the MD5 check are read again; the final file is right', async () => {
      await server.script({ 'GET /bkt/k': [corrupted, good] });
      const d = s3(style);
      const dir = tempDir();
      expect(await run(d, () => d.downloadObject(object(d), join(dir, 'out')))).toBe(true);
      expect(readFileSync(join(dir, 'out'))).toEqual(data);
      expect(readdirSync(dir)).toEqual(['out']);
      expect(only(await server.requests(), 'GET')).toHaveLength(2);
    });

    test('corrupted on every attempt: IntegrityError, no destination file and no temporary file', async () => {
      await server.script({ 'GET /bkt/k': [corrupted] });
      const d = s3(style);
      const dir = tempDir();
      const error = await failure(run(d, () => d.downloadObject(object(d), join(dir, 'out'))));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('HashMismatch');
      expect(readdirSync(dir)).toEqual([]);
      expect(only(await server.requests(), 'GET')).toHaveLength(RETRY.maxAttempts);
    });

    test('a multipart object is verified with its full-object CRC32; a corrupted response is read again', async () => {
      const etag = `"${'b'.repeat(32)}-3"`; // not an MD5: only the checksum can vouch for the bytes
      const crcHeaders = { etag, 'x-amz-checksum-crc32': crc32b64(data), 'x-amz-checksum-type': 'FULL_OBJECT' };
      await server.script({
        'GET /bkt/k': [
          { status: 200, headers: crcHeaders, bodyBase64: flipped(data, 9).toString('base64') },
          { status: 200, headers: crcHeaders, bodyBase64: data.toString('base64') },
        ],
      });
      const d = s3(style);
      const dir = tempDir();
      expect(await run(d, () => d.downloadObject(object(d, data.length, etag), join(dir, 'out')))).toBe(true);
      expect(readFileSync(join(dir, 'out'))).toEqual(data);
      const gets = only(await server.requests(), 'GET');
      expect(gets).toHaveLength(2);
      for (const get of gets) expect(get.headers['x-amz-checksum-mode']).toBe('ENABLED');
    });

    test('a multipart object whose CRC32 never matches: IntegrityError naming the CRC32, nothing left behind', async () => {
      const etag = `"${'b'.repeat(32)}-3"`;
      await server.script({
        'GET /bkt/k': [{ status: 200, headers: { etag, 'x-amz-checksum-crc32': crc32b64(data), 'x-amz-checksum-type': 'FULL_OBJECT' }, bodyBase64: flipped(data, 0).toString('base64') }],
      });
      const d = s3(style);
      const dir = tempDir();
      const error = await failure(run(d, () => d.downloadObject(object(d, data.length, etag), join(dir, 'out'))));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(/CRC32/);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  describe('S3 ranged stream', () => {
    const data = Buffer.from('0123456789'); // chunks 0-3, 4-7, 8-9
    const range = (from: number, to: number, body: Buffer = data.subarray(from, to + 1)): Reply => ({
      status: 206,
      headers: { etag: `"${md5hex(data)}"`, 'content-range': `bytes ${from}-${to}/${data.length}` },
      bodyBase64: body.toString('base64'),
    });

    test('a chunk that comes back short is fetched again, for that range only', async () => {
      await server.script({
        'GET /bkt/k bytes=0-3': [range(0, 3)],
        'GET /bkt/k bytes=4-7': [range(4, 7, data.subarray(4, 7)), range(4, 7)],
        'GET /bkt/k bytes=8-9': [range(8, 9)],
      });
      const d = s3(style);
      const obj = new StorageObject({ name: 'k', size: 10, hash: md5hex(data), extra: { etag: `"${md5hex(data)}"` } }, new Container('bkt', {}, d), d);
      const chunks = await drain(d, () => d.downloadObjectAsStream(obj, { chunkSize: 4 }));
      expect(Buffer.concat(chunks)).toEqual(data);
      const log = await server.requests();
      expect(log.map((r) => r.headers.range)).toEqual(['bytes=0-3', 'bytes=4-7', 'bytes=4-7', 'bytes=8-9']);
      for (const r of log) expect(r.headers['if-match']).toBe(`"${md5hex(data)}"`);
    });

    test('a chunk short on every attempt: IntegrityError, and no later range is asked for', async () => {
      await server.script({
        'GET /bkt/k bytes=0-3': [range(0, 3)],
        'GET /bkt/k bytes=4-7': [range(4, 7, data.subarray(4, 6))],
      });
      const d = s3(style);
      const obj = new StorageObject({ name: 'k', size: 10, hash: md5hex(data), extra: { etag: `"${md5hex(data)}"` } }, new Container('bkt', {}, d), d);
      const error = await failure(drain(d, () => d.downloadObjectAsStream(obj, { chunkSize: 4 })));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('LengthMismatch');
      expect(error.message).toMatch(/returned 2 bytes, expected 4/);
      expect((await server.requests()).map((r) => r.headers.range)).toEqual(['bytes=0-3', 'bytes=4-7', 'bytes=4-7', 'bytes=4-7']);
    });
  });

  describe('Azure', () => {
    const data = Buffer.from('azure blob bytes');

    test('Put Blob answered with another Content-MD5 is sent again; the right answer ends it', async () => {
      await server.script({
        'PUT /acct/box/blob': [
          { status: 201, headers: { etag: '"0x8D1"', 'content-md5': md5b64('something else') } },
          { status: 201, headers: { etag: '"0x8D2"', 'content-md5': md5b64(data) } },
        ],
      });
      const d = azure(style);
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container('box', {}, d), 'blob'));
      expect(obj.hash).toBe(md5hex(data));
      expect(obj.extra.etag).toBe('"0x8D2"');
      const log = await server.requests();
      expect(log.map((r) => r.method)).toEqual(['PUT', 'PUT']);
      for (const put of log) expect(put.headers['content-md5']).toBe(md5b64(data));
    });

    test('Put Blob refused with 400 Md5Mismatch (corrupted on the way, nothing stored) is sent again', async () => {
      await server.script({
        'PUT /acct/box/blob': [
          {
            status: 400,
            headers: { 'x-ms-error-code': 'Md5Mismatch', 'content-type': 'application/xml' },
            body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>Md5Mismatch</Code><Message>The MD5 value specified in the request did not match with the MD5 value calculated by the server.</Message></Error>',
          },
          { status: 201, headers: { etag: '"0x8D5"', 'content-md5': md5b64(data) } },
        ],
      });
      const d = azure(style);
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container('box', {}, d), 'blob'));
      expect(obj.extra.etag).toBe('"0x8D5"');
      expect((await server.requests()).map((r) => r.method)).toEqual(['PUT', 'PUT']);
    });

    test('Put Blob mismatching on every attempt: IntegrityError, then DELETE with If-Match of the last ETag', async () => {
      await server.script({
        'PUT /acct/box/blob': [1, 2, 3].map((n) => ({ status: 201, headers: { etag: `"0x8D${n}"`, 'content-md5': md5b64(`other ${n}`) } })),
        'DELETE /acct/box/blob': [{ status: 202 }],
      });
      const d = azure(style);
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container('box', {}, d), 'blob')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(/the object it wrote was deleted/);
      const log = await server.requests();
      expect(log.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT', 'DELETE']);
      expect(log[3]!.headers['if-match']).toBe('"0x8D3"');
    });

    test('a range whose x-ms-range-get-content-md5 answer mismatches is fetched again, that range only', async () => {
      const r = (from: number, to: number, md5: string): Reply => ({
        status: 206,
        headers: { etag: '"0x8D9"', 'content-md5': md5, 'content-range': `bytes ${from}-${to}/${data.length}` },
        bodyBase64: data.subarray(from, to + 1).toString('base64'),
      });
      await server.script({
        'GET /acct/box/blob bytes=0-7': [r(0, 7, md5b64(data.subarray(0, 8)))],
        'GET /acct/box/blob bytes=8-15': [r(8, 15, md5b64('not these bytes')), r(8, 15, md5b64(data.subarray(8, 16)))],
      });
      const d = azure(style);
      const obj = new StorageObject({ name: 'blob', size: data.length, hash: md5hex(data), extra: { etag: '"0x8D9"' } }, new Container('box', {}, d), d);
      const chunks = await drain(d, () => d.downloadObjectAsStream(obj, { chunkSize: 8 }));
      expect(Buffer.concat(chunks)).toEqual(data);
      const log = await server.requests();
      expect(log.map((x) => x.headers['x-ms-range'])).toEqual(['bytes=0-7', 'bytes=8-15', 'bytes=8-15']);
      for (const x of log) expect(x.headers['x-ms-range-get-content-md5']).toBe('true');
    });
  });
});
