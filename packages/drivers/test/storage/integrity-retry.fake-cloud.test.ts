/**
 * Integrity mismatches against the fake cloud (its own worker thread), in the sync style and in Design 3, with
 * the corruption faults: `corrupt-request` on a store that does not check Content-MD5 (`verifyContentMd5:
 * false`, so corrupted bytes really land) and `corrupt-response`. The requests each call made are recorded
 * through the `hooks` option (redacted copies, called in the caller's thread in both styles). The invariant:
 * a key ends holding the bytes that were sent, or nothing — never corrupted bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud, type FaultKind } from '@dualcloud/fake-cloud';
import { Container, IntegrityError, ObjectDoesNotExistError, UploadError, type S3StorageDriver, type StorageObject } from '@dualcloud/drivers/storage';
import { asArray, DriverConnection, sigV4Signer, type Hooks, type RequestInfo } from '@dualcloud/core';
import { drain, failure, run, s3In, STYLES, type Style } from './helpers/styles.js';

const PART = 16 * 1024;
const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
let cloud: FakeCloud;
const dirs: string[] = [];
beforeAll(async () => {
  cloud = await startFakeCloud({ minPartSize: PART, verifyContentMd5: false });
});
afterAll(async () => {
  await cloud.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => cloud.configure({ verifyContentMd5: false, faults: { rate: 0 } }));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-fc-integrity-'));
  dirs.push(d);
  return d;
}

const md5hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** What the hooks saw of one attempt. */
interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  status?: number;
  responseHeaders?: Readonly<Record<string, string>>;
}

/** Hooks recording every attempt and its response. */
function recorder(): { seen: Seen[]; hooks: Hooks } {
  const seen: Seen[] = [];
  const byInfo = new Map<RequestInfo, Seen>();
  return {
    seen,
    hooks: {
      beforeRequest(info) {
        const entry: Seen = { method: info.method, url: new URL(info.url), headers: info.headers };
        byInfo.set(info, entry);
        seen.push(entry);
      },
      afterResponse(info, response) {
        const entry = byInfo.get(info);
        if (entry) {
          entry.status = response.status;
          entry.responseHeaders = response.headers;
        }
      },
    },
  };
}

function s3(style: Style, hooks?: Hooks): S3StorageDriver {
  return s3In(style, {
    key: FAKE_CREDENTIALS.aws.accessKeyId,
    secret: FAKE_CREDENTIALS.aws.secretAccessKey,
    ...cloud.endpoint('s3'),
    minPartSize: PART,
    retry: RETRY,
    ...(hooks ? { hooks } : {}),
  });
}

/** Multipart uploads still open in a bucket (ListMultipartUploads, signed by hand). */
function openUploads(bucket: string): number {
  const conn = new DriverConnection({ provider: 's3', ...cloud.endpoint('s3'), credentials: sigV4Signer(FAKE_CREDENTIALS.aws, 'us-east-1', 's3') });
  return asArray(conn.request({ method: 'GET', path: `/${bucket}`, query: { uploads: '' } }).xml().ListMultipartUploadsResult?.Upload).length;
}

/** The next requests' faults (the sequence also turns random faults off). */
const faults = (...sequence: Array<FaultKind | null>): Promise<void> => cloud.configure({ verifyContentMd5: false, faults: { sequence } });

const objectRequests = (seen: Seen[], method: string, key: string): Seen[] => seen.filter((s) => s.method === method && s.url.pathname.endsWith(`/${key}`));

describe.each(STYLES)('%s style', (style) => {
  const bucket = `integrity-${style}`;
  let plain: S3StorageDriver;
  let container: Container;
  beforeAll(async () => {
    plain = s3(style);
    container = await run(plain, () => plain.createContainer(bucket));
  });

  /** The stored bytes of a key, read without faults. */
  async function stored(name: string): Promise<Buffer> {
    await cloud.configure({ faults: { rate: 0 } });
    const obj = await run(plain, () => plain.getObject(bucket, name));
    return Buffer.concat(await drain(plain, () => plain.downloadObjectAsStream(obj)));
  }

  describe('single PUT on a store that keeps corrupted bytes', () => {
    test('corrupted once: the ETag mismatch makes the PUT go again, and the key holds the sent bytes', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const data = randomBytes(3000);
      await faults('corrupt-request');
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'retried.bin'));
      expect(obj.hash).toBe(md5hex(data));
      const puts = objectRequests(seen, 'PUT', 'retried.bin');
      expect(puts).toHaveLength(2);
      expect(puts[0]!.responseHeaders!.etag).not.toBe(`"${md5hex(data)}"`); // the corrupted bytes' MD5
      expect(puts[1]!.responseHeaders!.etag).toBe(`"${md5hex(data)}"`);
      expect((await cloud.stats()).faults['corrupt-request']).toBeGreaterThanOrEqual(1);
      expect(await stored('retried.bin')).toEqual(data);
    });

    test('corrupted on every attempt: IntegrityError, the key is deleted with If-Match of the bad ETag, and is gone', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const data = randomBytes(3000);
      await faults(...Array<FaultKind>(RETRY.maxAttempts).fill('corrupt-request'));
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'spent.bin')));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(error.message).toMatch(/the object it wrote was deleted/);
      const puts = objectRequests(seen, 'PUT', 'spent.bin');
      const deletes = objectRequests(seen, 'DELETE', 'spent.bin');
      expect(puts).toHaveLength(RETRY.maxAttempts);
      expect(deletes).toHaveLength(1);
      const lastEtag = puts.at(-1)!.responseHeaders!.etag;
      expect(lastEtag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(lastEtag).not.toBe(`"${md5hex(data)}"`);
      expect(deletes[0]!.headers['if-match']).toBe(lastEtag);
      expect(deletes[0]!.status).toBe(204);
      await cloud.configure({ faults: { rate: 0 } });
      await expect(run(plain, () => plain.getObject(bucket, 'spent.bin'))).rejects.toThrow(ObjectDoesNotExistError);
    });
  });

  describe('a store that checks Content-MD5 (400 BadDigest: the corrupted bytes were refused, nothing stored)', () => {
    test('a PUT refused once with BadDigest is sent again and succeeds', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const data = randomBytes(2000);
      await cloud.configure({ verifyContentMd5: true, faults: { sequence: ['corrupt-request'] } });
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'bad-digest.bin'));
      expect(obj.hash).toBe(md5hex(data));
      expect(objectRequests(seen, 'PUT', 'bad-digest.bin').map((s) => s.status)).toEqual([400, 200]);
      expect(await stored('bad-digest.bin')).toEqual(data);
    });

    test('a part refused once with BadDigest is sent again; the upload completes', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const data = randomBytes(PART * 2);
      await cloud.configure({ verifyContentMd5: true, faults: { sequence: [null, 'corrupt-request'] } });
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'bad-digest-parts.bin', { partSize: PART, concurrency: 1 }));
      expect(obj.size).toBe(data.length);
      expect(seen.filter((s) => s.url.searchParams.has('partNumber')).map((s) => [s.url.searchParams.get('partNumber'), s.status])).toEqual([
        ['1', 400],
        ['1', 200],
        ['2', 200],
      ]);
      expect(await stored('bad-digest-parts.bin')).toEqual(data);
    });
  });

  describe('multipart part', () => {
    const data = randomBytes(PART * 3);
    const opts = { partSize: PART, concurrency: 1 };

    test('a part corrupted once is sent again; the object holds the sent bytes', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      // Requests: 1 initiate, 2 part 1, 3 part 2 (corrupted), ...
      await faults(null, null, 'corrupt-request');
      const obj = await run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'parts.bin', opts));
      expect(obj.size).toBe(data.length);
      const parts = seen.filter((s) => s.url.searchParams.has('partNumber')).map((s) => s.url.searchParams.get('partNumber'));
      expect(parts).toEqual(['1', '2', '2', '3']);
      expect(await stored('parts.bin')).toEqual(data);
    });

    test('a part corrupted on every attempt: UploadError, the upload is aborted, the key never appears', async () => {
      const d = s3(style);
      await faults(null, null, ...Array<FaultKind>(RETRY.maxAttempts).fill('corrupt-request'));
      const error = await failure(run(d, () => d.uploadObjectViaStream(data, new Container(bucket, {}, d), 'aborted.bin', opts)));
      expect(error).toBeInstanceOf(UploadError);
      expect((error as UploadError & { aborted?: boolean }).aborted).toBe(true);
      await cloud.configure({ faults: { rate: 0 } });
      expect(openUploads(bucket)).toBe(0);
      await expect(run(plain, () => plain.getObject(bucket, 'aborted.bin'))).rejects.toThrow(ObjectDoesNotExistError);
    });
  });

  describe('downloads', () => {
    let single: StorageObject;
    let multipart: StorageObject;
    const singleData = randomBytes(5000);
    const multipartData = randomBytes(PART * 2 + 100);
    beforeAll(async () => {
      await cloud.configure({ faults: { rate: 0 } });
      single = await run(plain, () => plain.uploadObjectViaStream(singleData, container, 'single.bin'));
      multipart = await run(plain, () => plain.uploadObjectViaStream(multipartData, container, 'multipart.bin', { partSize: PART }));
    });

    test('a response corrupted once fails the MD5 check, is read again, and the file is right', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const dir = tempDir();
      await faults('corrupt-response');
      expect(await run(d, () => d.downloadObject(single, join(dir, 'out')))).toBe(true);
      expect(readFileSync(join(dir, 'out'))).toEqual(singleData);
      expect(readdirSync(dir)).toEqual(['out']);
      expect(objectRequests(seen, 'GET', 'single.bin')).toHaveLength(2);
    });

    test('corrupted on every attempt: IntegrityError, no destination file and no temporary file', async () => {
      const d = s3(style);
      const dir = tempDir();
      await faults(...Array<FaultKind>(RETRY.maxAttempts).fill('corrupt-response'));
      const error = await failure(run(d, () => d.downloadObject(single, join(dir, 'out'))));
      expect(error).toBeInstanceOf(IntegrityError);
      expect(readdirSync(dir)).toEqual([]);
    });

    test('a multipart object is checked with its full-object CRC32; a corrupted response is read again', async () => {
      expect(multipart.hash).toMatch(/-3$/); // not an MD5: the checksum is what vouches for the bytes
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      const dir = tempDir();
      await faults('corrupt-response');
      expect(await run(d, () => d.downloadObject(multipart, join(dir, 'out')))).toBe(true);
      expect(readFileSync(join(dir, 'out'))).toEqual(multipartData);
      const gets = objectRequests(seen, 'GET', 'multipart.bin');
      expect(gets).toHaveLength(2);
      for (const get of gets) {
        expect(get.headers['x-amz-checksum-mode']).toBe('ENABLED');
        expect(get.responseHeaders!['x-amz-checksum-type']).toBe('FULL_OBJECT');
        expect(get.responseHeaders!['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
      }
    });

    test('a ranged read whose chunk is cut short is fetched again for that range only', async () => {
      const { seen, hooks } = recorder();
      const d = s3(style, hooks);
      // Ranges of 2048 bytes: 0-2047, 2048-4095 (truncated once), 4096-4999.
      await faults(null, 'truncated');
      const chunks = await drain(d, () => d.downloadObjectAsStream(single, { chunkSize: 2048 }));
      expect(Buffer.concat(chunks)).toEqual(singleData);
      expect(objectRequests(seen, 'GET', 'single.bin').map((s) => s.headers.range)).toEqual(['bytes=0-2047', 'bytes=2048-4095', 'bytes=2048-4095', 'bytes=4096-4999']);
    });
  });
});
