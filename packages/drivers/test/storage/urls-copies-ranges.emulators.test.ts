/**
 * Signed URLs, copies and Libcloud's range reads against third-party servers in child processes: the Azure
 * driver against Azurite, the S3 driver against s3rver, in the sync style and in Design 3. Signed URLs are
 * fetched with plain `fetch` and never printed.
 *
 * What the servers check, and so what can be tested here:
 * - Azurite verifies a service SAS (signature over permissions, times, resource, version...), its expiry and
 *   its permissions; it does not apply the response overrides (`rsct`), so those are only checked in the URL.
 * - s3rver does NOT verify SigV4 signatures (header or query: "Signature version 4 calculation is
 *   unimplemented"), nor `x-amz-copy-source-if-match`, and has no UploadPartCopy. It does check a presigned
 *   URL's X-Amz-Date + X-Amz-Expires (expiry), the 7-day limit and the access key id; those are tested. Tampered
 *   signatures are tested against the fake cloud and Azurite instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  Container,
  IntegrityError,
  ObjectDoesNotExistError,
  StorageObject,
  type AzureBlobsStorageDriver,
  type S3StorageDriver,
  type StorageDriver,
} from '@dualcloud/drivers/storage';
import { azureBlobSas, closeTransports, InvalidArgumentError, presignV4, REDACTED, redactUrl, sleepSync } from '@dualcloud/core';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver, type Emulator } from './helpers/emulators.js';
import { otherObject, paramNames, plainFetch, tamperSignature } from './helpers/signed.js';
import { azureIn, drain, failure, run, s3In, STYLES, type Style } from './helpers/styles.js';

const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
let azurite: Emulator;
let s3rver: Emulator;
const dirs: string[] = [];
beforeAll(async () => {
  [azurite, s3rver] = await Promise.all([startAzurite(), startS3rver()]);
}, 60_000);
afterAll(async () => {
  await closeTransports(); // Design 3's keep-alive pools
  await Promise.all([azurite?.close(), s3rver?.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-urls-emu-'));
  dirs.push(d);
  return d;
}

const md5hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
let sequence = 0;
const unique = (prefix: string): string => `${prefix}-${++sequence}-${randomBytes(3).toString('hex')}`;

const azure = (style: Style): AzureBlobsStorageDriver =>
  azureIn(style, { key: AZURITE_ACCOUNT, secret: AZURITE_KEY, host: '127.0.0.1', port: azurite.port, secure: false, retry: RETRY });
const s3 = (style: Style): S3StorageDriver =>
  s3In(style, { key: 'S3RVER', secret: 'S3RVER', host: '127.0.0.1', port: s3rver.port, secure: false, minPartSize: 1024, retry: RETRY });

const future = (d: StorageDriver, c: Container, name: string): StorageObject => new StorageObject({ name, size: 0, hash: '' }, c, d);

/** Downloads an object whole through the driver. */
async function bytesOf(d: StorageDriver, obj: StorageObject): Promise<Buffer> {
  return Buffer.concat(await drain(d, () => d.downloadObjectAsStream(obj)));
}

describe.each(STYLES)('%s', (style) => {
  describe('azurite', () => {
    test('a signed GET URL (service SAS) reads the blob with plain fetch; a tampered, retargeted or misused one is refused', async () => {
      const d = azure(style);
      const c = await run(d, () => d.createContainer(unique('sas')));
      const data = randomBytes(4000);
      const obj = await run(d, () => d.uploadObjectViaStream(data, c, 'dir/a b.bin'));
      await run(d, () => d.uploadObjectViaStream('other', c, 'other.bin'));
      const url = await run(d, () => d.getObjectCdnUrl(obj, { expiresIn: 300, contentType: 'application/x-sas' }));
      expect(paramNames(url).sort()).toEqual(['rsct', 'se', 'sig', 'sp', 'spr', 'sr', 'st', 'sv']);
      const q = new URL(url).searchParams;
      expect([q.get('sr'), q.get('sp'), q.get('spr'), q.get('sv'), q.get('rsct')]).toEqual(['b', 'r', 'https,http', '2021-08-06', 'application/x-sas']);
      expect(new Date(q.get('se')!).getTime() - Date.now()).toBeGreaterThan(290_000);
      expect(redactUrl(url)).toContain(`sig=${REDACTED}`);
      const got = await plainFetch(url);
      expect(got.status).toBe(200);
      expect(md5hex(got.body)).toBe(md5hex(data));
      expect(md5hex((await plainFetch(await run(d, () => obj.getCdnUrl() as string))).body)).toBe(md5hex(data));
      for (const bad of [tamperSignature(url), otherObject(url, 'other.bin')]) expect((await plainFetch(bad)).status).toBe(403);
      // A read SAS does not write.
      expect((await plainFetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwrite' })).status).toBe(403);
      expect(md5hex(await bytesOf(d, obj))).toBe(md5hex(data));
      // A SAS that expired a minute ago.
      const expired = azureBlobSas({ account: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, container: c.name, blob: 'other.bin', permissions: 'r', expiresOn: new Date(Date.now() - 60_000) });
      expect((await plainFetch(`http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}/${c.name}/other.bin?${expired.query}`)).status).toBe(403);
    });

    test('a signed PUT URL writes the blob with plain fetch (x-ms-blob-type: BlockBlob); contentType is refused for PUT', async () => {
      const d = azure(style);
      const c = await run(d, () => d.createContainer(unique('sasput')));
      const target = future(d, c, 'uploaded é.txt');
      const url = await run(d, () => d.getObjectCdnUrl(target, { method: 'PUT', expiresIn: 120 }));
      expect(new URL(url).searchParams.get('sp')).toBe('cw');
      const put = await plainFetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/plain' }, body: 'through a SAS' });
      expect(put.status).toBe(201);
      const head = await run(d, () => d.getObject(c.name, 'uploaded é.txt'));
      expect(head.contentType).toBe('text/plain');
      expect((await bytesOf(d, head)).toString()).toBe('through a SAS');
      // Replacing it needs w, which cw has.
      expect((await plainFetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'again' })).status).toBe(201);
      const error = await failure(run(d, () => d.getObjectCdnUrl(target, { method: 'PUT', contentType: 'text/plain' })));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).code).toBe('NotSupported');
    });

    test('copyObject: Copy Blob within the account, metadata kept or replaced, a changed source refused', async () => {
      const d = azure(style);
      const c = await run(d, () => d.createContainer(unique('copy')));
      const data = randomBytes(70_000);
      const src = await run(d, () => d.uploadObjectViaStream(data, c, 'src a.bin', { metaData: { owner: 'alice' }, contentType: 'application/x-src', partSize: 16_384 }));
      const copy = await run(d, () => d.copyObject(src, c, 'copy b.bin'));
      expect(copy.size).toBe(data.length);
      expect(copy.metaData).toEqual({ owner: 'alice' });
      expect(copy.contentType).toBe('application/x-src');
      expect(md5hex(await bytesOf(d, copy))).toBe(md5hex(data));
      const replaced = await run(d, () => d.copyObject(src, c, 'replaced.bin', { metaData: { owner: 'bob' } }));
      expect(replaced.metaData).toEqual({ owner: 'bob' });
      await run(d, () => d.uploadObjectViaStream('changed', c, 'src a.bin'));
      const error = await failure(run(d, () => d.copyObject(src, c, 'stale.bin')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('SourceChanged');
      expect(await failure(run(d, () => d.getObject(c.name, 'stale.bin')))).toBeInstanceOf(ObjectDoesNotExistError);
    });

    test("downloadObjectRange and downloadObjectRangeAsStream (exclusive end), through a temporary file", async () => {
      const d = azure(style);
      const c = await run(d, () => d.createContainer(unique('range')));
      const data = randomBytes(9000);
      const obj = await run(d, () => d.uploadObjectViaStream(data, c, 'r.bin'));
      const dir = tempDir();
      expect(await run(d, () => d.downloadObjectRange(obj, join(dir, 'mid'), 1000, 5000, { chunkSize: 1500 }))).toBe(true);
      expect(readFileSync(join(dir, 'mid')).equals(data.subarray(1000, 5000))).toBe(true);
      expect(Buffer.concat(await drain(d, () => d.downloadObjectRangeAsStream(obj, 8990))).equals(data.subarray(8990))).toBe(true);
      await run(d, () => d.deleteObject(obj));
      expect(await failure(run(d, () => d.downloadObjectRange(obj, join(dir, 'gone'), 0, 100)))).toBeInstanceOf(ObjectDoesNotExistError);
      expect(readdirSync(dir)).toEqual(['mid']);
    });
  });

  describe('s3rver', () => {
    test('a presigned GET URL reads the object with plain fetch, with response-content-type', async () => {
      const d = s3(style);
      const c = await run(d, () => d.createContainer(unique('get')));
      const data = randomBytes(2000);
      const obj = await run(d, () => d.uploadObjectViaStream(data, c, 'dir/a b.bin'));
      const url = await run(d, () => d.getObjectCdnUrl(obj, { expiresIn: 300, contentType: 'application/x-presigned' }));
      const got = await plainFetch(url);
      expect(got.status).toBe(200);
      expect(md5hex(got.body)).toBe(md5hex(data));
      expect(got.headers.get('content-type')).toBe('application/x-presigned');
    });

    test('a presigned PUT URL writes the object with plain fetch', async () => {
      const d = s3(style);
      const c = await run(d, () => d.createContainer(unique('put')));
      const url = await run(d, () => d.getObjectCdnUrl(future(d, c, 'up.txt'), { method: 'PUT', contentType: 'text/plain' }));
      expect((await plainFetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'presigned put' })).status).toBe(200);
      const head = await run(d, () => d.getObject(c.name, 'up.txt'));
      expect((await bytesOf(d, head)).toString()).toBe('presigned put');
    });

    test('what s3rver checks of a presigned URL: expiry, the 7-day limit and the access key id', async () => {
      const d = s3(style);
      const c = await run(d, () => d.createContainer(unique('checks')));
      await run(d, () => d.uploadObjectViaStream('x', c, 'k'));
      const at = `http://127.0.0.1:${s3rver.port}/${c.name}/k`;
      const sign = (credentials: { accessKeyId: string; secretAccessKey: string }, date: Date, expiresIn = 60): string =>
        presignV4({ method: 'GET', url: at }, credentials, { region: 'us-east-1', service: 's3', expiresIn, date }).url;
      const keys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
      expect((await plainFetch(sign(keys, new Date()))).status).toBe(200);
      const expired = await plainFetch(sign(keys, new Date(Date.now() - 3600_000)));
      expect(expired.status).toBe(403);
      expect(expired.body.toString()).toContain('Request has expired');
      const unknown = await plainFetch(sign({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'S3RVER' }, new Date()));
      expect(unknown.status).toBe(403);
      expect(unknown.body.toString()).toContain('InvalidAccessKeyId');
      // Over 7 days: built by hand, since presignV4 refuses it.
      const tooLong = new URL(sign(keys, new Date()));
      tooLong.searchParams.set('X-Amz-Expires', '604801');
      expect((await plainFetch(tooLong.toString())).status).toBe(400);
    });

    test('copyObject with CopyObject (metadata kept or replaced) and range reads', async () => {
      const d = s3(style);
      const c = await run(d, () => d.createContainer(unique('copy')));
      const data = randomBytes(6000);
      const src = await run(d, () => d.uploadObjectViaStream(data, c, 'src é.bin', { metaData: { owner: 'alice' }, contentType: 'application/x-src' }));
      const copy = await run(d, () => d.copyObject(src, c, 'copy é.bin'));
      expect(copy.metaData).toEqual({ owner: 'alice' });
      expect(md5hex(await bytesOf(d, copy))).toBe(md5hex(data));
      const replaced = await run(d, () => d.copyObject(src, c, 'replaced.bin', { metaData: { owner: 'bob' } }));
      expect(replaced.metaData).toEqual({ owner: 'bob' });
      expect(replaced.contentType).toBe('application/x-src');
      const dir = tempDir();
      expect(await run(d, () => d.downloadObjectRange(copy, join(dir, 'r'), 10, 20))).toBe(true);
      expect(readFileSync(join(dir, 'r')).equals(data.subarray(10, 20))).toBe(true);
      expect(Buffer.concat(await drain(d, () => d.downloadObjectRangeAsStream(copy, 5990))).equals(data.subarray(5990))).toBe(true);
    });
  });

  test('copies between Azurite and s3rver stream through, verified, both ways (block and multipart uploads)', async () => {
    const a = azure(style);
    const s = s3(style);
    const ac = await run(a, () => a.createContainer(unique('across')));
    const sc = await run(s, () => s.createContainer(unique('across')));
    const data = randomBytes(50_000);
    const src = await run(a, () => a.uploadObjectViaStream(data, ac, 'from azure.bin', { metaData: { origin: 'azure' }, contentType: 'application/x-a' }));
    const inS3 = await run(s, () => s.copyObject(src, sc, 'to s3.bin', { partSize: 16_384, concurrency: 2 }));
    expect(inS3.size).toBe(data.length);
    const head = await run(s, () => s.getObject(sc.name, 'to s3.bin'));
    expect(head.metaData).toEqual({ origin: 'azure' });
    expect(head.contentType).toBe('application/x-a');
    expect(md5hex(await bytesOf(s, head))).toBe(md5hex(data));
    const back = await run(a, () => a.copyObject(head, ac, 'back.bin', { partSize: 20_000 }));
    expect(md5hex(await bytesOf(a, back))).toBe(md5hex(data));
    expect(back.metaData).toEqual({ origin: 'azure' });
  });
});

test('signed URLs stop working once expiresIn has passed: Azurite SAS and s3rver presigned (sync style)', async () => {
  const a = azure('sync');
  const s = s3('sync');
  const ac = a.createContainer(unique('expiry'));
  const sc = s.createContainer(unique('expiry'));
  const urls = [a.getObjectCdnUrl(a.uploadObjectViaStream('soon gone', ac, 'e'), { expiresIn: 1 }), s.getObjectCdnUrl(s.uploadObjectViaStream('soon gone', sc, 'e'), { expiresIn: 1 })];
  sleepSync(2100);
  for (const url of urls) {
    const res = await plainFetch(url);
    expect(res.status).toBe(403);
    expect(res.body.toString()).not.toContain('soon gone');
  }
});
