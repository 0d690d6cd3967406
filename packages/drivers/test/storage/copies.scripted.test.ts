/**
 * Server-side copies against a scripted server (its own worker thread), in the sync style and in Design 3:
 * the replies no emulator here gives — an Azure Copy Blob that stays pending (polled with sleep effects until
 * it succeeds, fails or times out and is aborted), an S3 copy answered 200 with an `<Error>` document, a copy
 * whose ETag is not its source's MD5, a multipart copy whose part fails (aborted).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Container, IntegrityError, StorageObject, UploadError } from '@dualcloud/drivers/storage';
import { ProviderError, TimeoutError } from '@dualcloud/core';
import { startSequenceServer, type SequenceServer } from './helpers/sequence-server.js';
import { azureIn, failure, run, s3In, STYLES, type Style } from './helpers/styles.js';

let server: SequenceServer;
beforeAll(async () => {
  server = await startSequenceServer();
});
afterAll(() => server.close());

const KEY = Buffer.from('a scripted account key').toString('base64');
const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const md5hex = (text: string): string => createHash('md5').update(text).digest('hex');
const md5b64 = (text: string): string => createHash('md5').update(text).digest('base64');

const azure = (style: Style) => azureIn(style, { key: 'acct', secret: KEY, host: '127.0.0.1', port: server.port, secure: false, retry: RETRY });
const s3 = (style: Style) => s3In(style, { key: 'AKIDSCRIPTED', secret: 'scripted-secret', host: '127.0.0.1', port: server.port, secure: false, retry: RETRY, minPartSize: 4 });

describe.each(STYLES)('%s', (style) => {
  describe('Azure Copy Blob', () => {
    const source = (d: ReturnType<typeof azure>): StorageObject =>
      new StorageObject({ name: 'src a.bin', size: 10, hash: md5hex('0123456789'), extra: { etag: '"0xSRC"', contentMd5: md5b64('0123456789') } }, new Container('c', {}, d), d);
    const done = { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'success', 'content-length': '10', 'content-md5': md5b64('0123456789'), etag: '"0xDST"' };

    test('a pending copy is polled (sleeping pollInterval between checks) until it succeeds, reporting progress', async () => {
      await server.script({
        'PUT /acct/c/dst': [{ status: 202, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending', etag: '"0xDST"' } }],
        'HEAD /acct/c/dst': [
          { status: 200, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending', 'x-ms-copy-progress': '4/10' } },
          { status: 200, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending', 'x-ms-copy-progress': '8/10' } },
          { status: 200, headers: done },
        ],
      });
      const d = azure(style);
      const progress: number[] = [];
      const started = Date.now();
      const copy = await run(d, () => d.copyObject(source(d), new Container('c', {}, d), 'dst', { pollInterval: 40, onProgress: (n) => progress.push(n) }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
      expect(copy.size).toBe(10);
      expect(progress).toEqual([4, 8, 10]);
      const log = await server.requests();
      expect(log.map((r) => r.method)).toEqual(['PUT', 'HEAD', 'HEAD', 'HEAD', 'HEAD']); // three polls, then the copy's properties
      const put = log[0]!;
      expect(put.headers['x-ms-copy-source']).toBe(`http://127.0.0.1:${server.port}/acct/c/src%20a.bin`);
      expect(put.headers['x-ms-source-if-match']).toBe('"0xSRC"');
      expect(put.headers.authorization).toMatch(/^SharedKey acct:/);
    });

    test('a copy still pending after `timeout` is aborted: TimeoutError', async () => {
      await server.script({
        'PUT /acct/c/dst': [{ status: 202, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending' } }],
        'PUT /acct/c/dst?comp=copy&copyid=cp-1': [{ status: 204 }],
        'HEAD /acct/c/dst': [{ status: 200, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending', 'x-ms-copy-progress': '1/10' } }],
      });
      const d = azure(style);
      const error = await failure(run(d, () => d.copyObject(source(d), new Container('c', {}, d), 'dst', { pollInterval: 10, timeout: 60 })));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).code).toBe('CopyTimeout');
      expect(error.message).toMatch(/was aborted/);
      const abort = (await server.requests()).find((r) => r.query.comp === 'copy');
      expect(abort?.headers['x-ms-copy-action']).toBe('abort');
      expect(abort?.query.copyid).toBe('cp-1');
    });

    test('a copy that ends failed is a ProviderError with its description; one that does not match its source is an IntegrityError', async () => {
      await server.script({
        'PUT /acct/c/dst': [{ status: 202, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'pending' } }],
        'HEAD /acct/c/dst': [{ status: 200, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'failed', 'x-ms-copy-status-description': '500 InternalError copying' } }],
      });
      const d = azure(style);
      const failed = await failure(run(d, () => d.copyObject(source(d), new Container('c', {}, d), 'dst', { pollInterval: 1 })));
      expect(failed).toBeInstanceOf(ProviderError);
      expect((failed as ProviderError).code).toBe('CopyFailed');
      expect(failed.message).toContain('500 InternalError copying');
      await server.script({
        'PUT /acct/c/dst': [{ status: 202, headers: { 'x-ms-copy-id': 'cp-1', 'x-ms-copy-status': 'success' } }],
        'HEAD /acct/c/dst': [{ status: 200, headers: { ...done, 'content-md5': md5b64('something else') } }],
      });
      expect(await failure(run(d, () => d.copyObject(source(d), new Container('c', {}, d), 'dst')))).toBeInstanceOf(IntegrityError);
    });
  });

  describe('S3 CopyObject and UploadPartCopy', () => {
    const body = '0123456789';
    const source = (d: ReturnType<typeof s3>, size = body.length): StorageObject =>
      new StorageObject({ name: 'src.bin', size, hash: md5hex(body), extra: { etag: `"${md5hex(body)}"` } }, new Container('b', {}, d), d);
    const copyResult = (etag: string): string => `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"${etag}"</ETag></CopyObjectResult>`;
    const s3Error = (code: string): string => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} during the copy</Message></Error>`;
    const head = { status: 200, headers: { 'content-length': '10', etag: `"${md5hex(body)}"` } };

    test('a 200 reply carrying a transient <Error> is retried; a copy whose ETag is not the source MD5 is copied again', async () => {
      await server.script({
        'PUT /b/dst.bin': [
          { status: 200, body: s3Error('InternalError') },
          { status: 200, body: copyResult(md5hex('damaged')) },
          { status: 200, body: copyResult(md5hex(body)) },
        ],
        'HEAD /b/dst.bin': [head],
      });
      const d = s3(style);
      const copy = await run(d, () => d.copyObject(source(d), new Container('b', {}, d), 'dst.bin'));
      expect(copy.hash).toBe(md5hex(body));
      const puts = (await server.requests()).filter((r) => r.method === 'PUT');
      expect(puts).toHaveLength(3);
      expect(puts.map((r) => r.headers['x-amz-copy-source'])).toEqual(Array(3).fill('/b/src.bin'));
      expect(puts.map((r) => r.headers['x-amz-copy-source-if-match'])).toEqual(Array(3).fill(`"${md5hex(body)}"`));
    });

    test('a 200 reply carrying a lasting <Error> fails; a copy that never matches its source is deleted (guarded by its ETag)', async () => {
      await server.script({ 'PUT /b/dst.bin': [{ status: 200, body: s3Error('AccessDenied') }] });
      const d = s3(style);
      const denied = await failure(run(d, () => d.copyObject(source(d), new Container('b', {}, d), 'dst.bin')));
      expect(denied).toBeInstanceOf(ProviderError);
      expect((denied as ProviderError).code).toBe('AccessDenied');
      expect((await server.requests()).filter((r) => r.method === 'PUT')).toHaveLength(1);
      await server.script({ 'PUT /b/dst.bin': [{ status: 200, body: copyResult(md5hex('damaged')) }], 'DELETE /b/dst.bin': [{ status: 204 }] });
      const mismatch = await failure(run(d, () => d.copyObject(source(d), new Container('b', {}, d), 'dst.bin')));
      expect(mismatch).toBeInstanceOf(IntegrityError);
      expect(mismatch.message).toMatch(/the copy was deleted/);
      const del = (await server.requests()).find((r) => r.method === 'DELETE');
      expect(del?.headers['if-match']).toBe(`"${md5hex('damaged')}"`);
    });

    test('a multipart copy whose part fails is aborted (UploadError), nothing completed', async () => {
      const partResult = (etag: string): string => `<?xml version="1.0" encoding="UTF-8"?><CopyPartResult><ETag>"${etag}"</ETag></CopyPartResult>`;
      await server.script({
        'HEAD /b/src.bin': [head],
        'POST /b/big.bin?uploads': [{ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>' }],
        'PUT /b/big.bin?partNumber=1&uploadId=up-1': [{ status: 200, body: partResult(md5hex('01234')) }],
        'PUT /b/big.bin?partNumber=2&uploadId=up-1': [{ status: 403, body: s3Error('AccessDenied') }],
        'DELETE /b/big.bin?uploadId=up-1': [{ status: 204 }],
      });
      const d = s3(style);
      const error = await failure(run(d, () => d.copyObject(source(d), new Container('b', {}, d), 'big.bin', { multipartCopyThreshold: 5, partSize: 5, concurrency: 1 })));
      expect(error).toBeInstanceOf(UploadError);
      expect((error as UploadError & { aborted: boolean }).aborted).toBe(true);
      const log = await server.requests();
      expect(log.map((r) => `${r.method} ${r.query.partNumber ?? ''}`)).toEqual(['HEAD ', 'POST ', 'PUT 1', 'PUT 2', 'DELETE ']);
      expect(log.filter((r) => r.method === 'PUT').map((r) => r.headers['x-amz-copy-source-range'])).toEqual(['bytes=0-4', 'bytes=5-9']);
      expect(log.some((r) => r.method === 'POST' && r.query.uploadId)).toBe(false);
    });
  });
});
