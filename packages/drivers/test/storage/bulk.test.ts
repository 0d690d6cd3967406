/**
 * Bulk calls beyond the behaviour suite: how many requests they send (S3 DeleteObjects batches of 1,000 keys,
 * Azure Blob Batch of 256 subrequests, one request per object without batches), that the sync style keeps their
 * requests in flight together, per-key outcomes and retries of DeleteObjects and Blob Batch replies (msw), the
 * fallback when a service refuses batches, and the pure pieces (batch bodies and replies, download paths).
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import {
  ASYNC_MODE,
  AzureBlobsStorageDriver,
  S3StorageDriver,
  type AzureBlobsStorageDriverOptions,
  type BulkProgress,
  type S3StorageDriverOptions,
} from '@dualcloud/drivers/storage';
import { azureSharedKeySigner, Container, downloadPath, InvalidArgumentError, InvalidCredentialsError, StorageObject, type Hooks } from '@dualcloud/core';
import { batchBody, boundaryOf, parseBatchReply } from '../../src/storage/azure/batch.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Emulator } from './helpers/emulators.js';

/** Counts requests per action (the spec's `action`, seen by the `beforeRequest` hook) and the most in flight at once. */
function counter(): { hooks: Hooks; actions: Map<string, number>; maxInFlight: () => number } {
  const actions = new Map<string, number>();
  let inFlight = 0;
  let max = 0;
  return {
    actions,
    maxInFlight: () => max,
    hooks: {
      beforeRequest: (r) => {
        actions.set(r.action ?? '?', (actions.get(r.action ?? '?') ?? 0) + 1);
        max = Math.max(max, ++inFlight);
      },
      afterResponse: () => void inFlight--,
    },
  };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dualcloud-bulk-'));
  dirs.push(d);
  return d;
};

describe('against the fake cloud (S3) and azurite', () => {
  let cloud: FakeCloud;
  let azurite: Emulator;
  beforeAll(async () => {
    [cloud, azurite] = await Promise.all([startFakeCloud(), startAzurite()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([cloud?.close(), azurite?.close()]);
  });

  const s3 = (hooks: Hooks, extra: Partial<S3StorageDriverOptions> = {}): S3StorageDriver =>
    new S3StorageDriver({ key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, ...cloud.endpoint('s3'), hooks, ...extra });
  const azureOptions = (hooks: Hooks): AzureBlobsStorageDriverOptions => ({ key: AZURITE_ACCOUNT, secret: AZURITE_KEY, host: '127.0.0.1', port: azurite.port, secure: false, hooks });

  test('sync style: one blocking call keeps `concurrency` requests in flight together, and reports it', () => {
    const count = counter();
    const d = s3(count.hooks);
    const c = d.createContainer('bulk-sync-inflight');
    const uploads = d.uploadObjects(
      Array.from({ length: 24 }, (_, i) => ({ container: c, objectName: `k${i}`, source: `body ${i}` })),
      { concurrency: 8 },
    );
    expect(uploads.succeeded).toBe(24);
    expect(count.maxInFlight()).toBe(8);
    const reports: BulkProgress[] = [];
    const objects = uploads.results.map((r) => (r.ok ? r.value : undefined)!);
    const downloads = d.downloadObjects(objects, tempDir(), { concurrency: 6, onProgress: (p) => void reports.push(p) });
    expect(downloads.succeeded).toBe(24);
    expect(Math.max(...reports.map((p) => p.inFlight))).toBe(6);
    expect(count.maxInFlight()).toBe(8);
    expect(d.deleteObjects(objects).succeeded).toBe(24);
  });

  test('S3: DeleteObjects batches of 1,000 keys per bucket; keys XML cannot carry go one by one', () => {
    const count = counter();
    const d = s3(count.hooks);
    const a = d.createContainer('bulk-batches-a');
    const b = d.createContainer('bulk-batches-b');
    const names = Array.from({ length: 1001 }, (_, i) => `n/${String(i).padStart(4, '0')}`);
    const items = [...names.map((objectName) => ({ container: a, objectName, source: 'x' })), { container: b, objectName: 'only-in-b', source: 'y' }, { container: a, objectName: 'ctl\u0001key', source: 'z' }];
    expect(d.uploadObjects(items, { concurrency: 50 }).succeeded).toBe(items.length);
    const objects = items.map((it) => new StorageObject({ name: it.objectName, size: 1, hash: '', extra: {} }, it.container, d));
    count.actions.clear();
    const result = d.deleteObjects(objects, { concurrency: 3 });
    expect([result.succeeded, result.failed]).toEqual([items.length, 0]);
    // 1,000 + 1 keys in bucket a, 1 in bucket b: three DeleteObjects; the control-character key alone.
    expect(Object.fromEntries(count.actions)).toEqual({ DeleteObjects: 3, DeleteObject: 1 });
    expect(d.listContainerObjects(a)).toEqual([]);
    expect(d.listContainerObjects(b)).toEqual([]);
    count.actions.clear();
    const oneByOne = s3(count.hooks, { batchDeletes: false });
    const again = oneByOne.uploadObjects(items.slice(0, 5), { concurrency: 5 });
    expect(oneByOne.deleteObjects(again.results.map((r) => (r.ok ? r.value : undefined)!)).succeeded).toBe(5);
    expect(count.actions.get('DeleteObject')).toBe(5);
    expect(count.actions.get('DeleteObjects')).toBeUndefined();
  });

  test.each(['sync', 'async'] as const)('Azure (%s): Blob Batch deletes 256 blobs a request, on azurite; without batches one Delete Blob each', async (mode) => {
    const count = counter();
    const make = (extra: Partial<AzureBlobsStorageDriverOptions> = {}): AzureBlobsStorageDriver =>
      new AzureBlobsStorageDriver({ ...azureOptions(count.hooks), ...extra, ...(mode === 'async' ? { [ASYNC_MODE]: true } : {}) } as AzureBlobsStorageDriverOptions);
    const d = make();
    const c = await d.createContainer(`bulk-batch-${mode}`);
    const items = Array.from({ length: 300 }, (_, i) => ({ container: c, objectName: `dir/blob ${i}.txt`, source: `blob ${i}` }));
    expect((await d.uploadObjects(items, { concurrency: 32 })).succeeded).toBe(300);
    const objects = items.map((it) => new StorageObject({ name: it.objectName, size: 1, hash: '', extra: {} }, c, d));
    const ghost = new StorageObject({ name: 'never-uploaded', size: 0, hash: '', extra: {} }, c, d);
    count.actions.clear();
    const result = await d.deleteObjects([...objects, ghost]);
    expect([result.succeeded, result.failed]).toEqual([301, 0]);
    expect(Object.fromEntries(count.actions)).toEqual({ BlobBatch: 2 });
    expect(await d.listContainerObjects(c)).toEqual([]);
    // The same without batches.
    const single = make({ batchDeletes: false });
    await single.uploadObjects(items.slice(0, 4));
    count.actions.clear();
    expect((await single.deleteObjects(objects.slice(0, 4))).succeeded).toBe(4);
    expect(Object.fromEntries(count.actions)).toEqual({ DeleteBlob: 4 });
    // A container that does not exist fails every item of its batch with the container's error.
    const missing = new Container('no-such-container', {}, d);
    const failed = await d.deleteObjects([new StorageObject({ name: 'x', size: 0, hash: '', extra: {} }, missing, d)]);
    expect(failed.failed).toBe(1);
    expect(failed.results[0]!.ok).toBe(false);
    expect(await d.deleteContainer(c)).toBe(true);
  }, 60_000);
});

describe('per-key outcomes (msw, async mode)', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const s3 = (): S3StorageDriver =>
    new S3StorageDriver({ key: 'AKIDEXAMPLE', secret: 'not-a-secret', host: 's3.test', secure: false, transport: { adapter: 'http' }, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, [ASYNC_MODE]: true } as S3StorageDriverOptions);
  const objectsIn = (d: S3StorageDriver, keys: string[]): StorageObject[] => keys.map((k) => new StorageObject({ name: k, size: 1, hash: '', extra: {} }, new Container('bucket', {}, d), d));

  test('S3: Deleted, a per-key error, a transient error sent again, and an incomplete reply asked for again', async () => {
    const bodies: string[] = [];
    let round = 0;
    server.use(
      http.post('http://s3.test/bucket', async ({ request }) => {
        const body = await request.text();
        expect(new URL(request.url).search).toBe('?delete=');
        expect(request.headers.get('content-md5')).toBe(createHash('md5').update(body).digest('base64'));
        bodies.push(body);
        round++;
        const xml = (inner: string): Response => new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?><DeleteResult>${inner}</DeleteResult>`, { headers: { 'content-type': 'application/xml' } });
        // 1: incomplete (no word on c) → the same request again; 2: a, b refused, c transient; 3: c deleted.
        if (round === 1) return xml('<Deleted><Key>a</Key></Deleted>');
        if (round === 2) return xml('<Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error><Error><Key>c</Key><Code>InternalError</Code><Message>try again</Message></Error>');
        return xml('<Deleted><Key>c</Key></Deleted>');
      }),
    );
    const d = s3();
    const result = await (d.deleteObjects(objectsIn(d, ['a', 'b', 'c'])) as unknown as Promise<ReturnType<S3StorageDriver['deleteObjects']>>);
    expect(result.results.map((r) => r.ok)).toEqual([true, false, true]);
    const refused = result.results[1]!;
    if (!refused.ok) {
      expect(refused.error).toBeInstanceOf(InvalidCredentialsError);
      expect((refused.error as InvalidCredentialsError).code).toBe('AccessDenied');
    }
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toBe(bodies[1]);
    expect(bodies[2]).toContain('<Key>c</Key>');
    expect(bodies[2]).not.toContain('<Key>a</Key>');
  });

  test('Azure: a service that refuses batches gets one Delete Blob per blob; a subrequest error is that blob\'s', async () => {
    const KEY = Buffer.from('a fake account key for tests').toString('base64');
    const deletes: string[] = [];
    server.use(
      http.post('https://acct.blob.core.windows.net/c', () =>
        new HttpResponse('<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidQueryParameterValue</Code><Message>comp</Message></Error>', {
          status: 400,
          headers: { 'x-ms-error-code': 'InvalidQueryParameterValue' },
        }),
      ),
      http.delete('https://acct.blob.core.windows.net/c/:blob', ({ params }) => {
        deletes.push(String(params.blob));
        if (params.blob === 'locked') return new HttpResponse(null, { status: 412, headers: { 'x-ms-error-code': 'LeaseIdMissing' } });
        return new HttpResponse(null, { status: 202 });
      }),
    );
    const d = new AzureBlobsStorageDriver({ key: 'acct', secret: KEY, transport: { adapter: 'http' }, retry: { maxAttempts: 1 }, [ASYNC_MODE]: true } as AzureBlobsStorageDriverOptions);
    const c = new Container('c', {}, d);
    const objects = ['a', 'locked', 'b'].map((n) => new StorageObject({ name: n, size: 1, hash: '', extra: {} }, c, d));
    const result = await (d.deleteObjects(objects) as unknown as Promise<ReturnType<AzureBlobsStorageDriver['deleteObjects']>>);
    expect(result.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(deletes.sort()).toEqual(['a', 'b', 'locked']);
  });
});

describe('pure pieces', () => {
  test('a Blob Batch body: one application/http part per subrequest, Content-ID in order, CRLF line ends', () => {
    const body = batchBody('batch_1', [
      { method: 'DELETE', path: '/c/a', headers: { 'x-ms-date': 'D', authorization: 'SharedKey acct:sig1', 'content-length': '0' } },
      { method: 'DELETE', path: '/c/b%20c', headers: { 'x-ms-date': 'D', authorization: 'SharedKey acct:sig2', 'content-length': '0' } },
    ]);
    expect(body).toBe(
      [
        '--batch_1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        'Content-ID: 0',
        '',
        'DELETE /c/a HTTP/1.1',
        'x-ms-date: D',
        'authorization: SharedKey acct:sig1',
        'content-length: 0',
        '',
        '--batch_1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        'Content-ID: 1',
        '',
        'DELETE /c/b%20c HTTP/1.1',
        'x-ms-date: D',
        'authorization: SharedKey acct:sig2',
        'content-length: 0',
        '',
        '--batch_1--',
        '',
      ].join('\r\n'),
    );
  });

  test('a Blob Batch reply: statuses and error codes by Content-ID; a part without one is a batch failure', () => {
    const reply = [
      '--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed',
      'Content-Type: application/http',
      'Content-ID: 0',
      '',
      'HTTP/1.1 202 Accepted',
      'x-ms-delete-type-permanent: true',
      'x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e284f',
      'x-ms-version: 2018-11-09',
      '',
      '--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed',
      'Content-Type: application/http',
      'Content-ID: 1',
      '',
      'HTTP/1.1 404 The specified blob does not exist.',
      'x-ms-error-code: BlobNotFound',
      'x-ms-request-id: 778fdc83-801e-0000-62ff-0334671e2852',
      'Content-Length: 216',
      'Content-Type: application/xml',
      '',
      '<?xml version="1.0" encoding="utf-8"?>',
      '<Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.',
      'RequestId:778fdc83-801e-0000-62ff-0334671e2852</Message></Error>',
      '--batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed--',
    ].join('\r\n');
    const parsed = parseBatchReply(reply, boundaryOf('multipart/mixed; boundary=batchresponse_66925647-d0cb-4109-b6d3-28efe3e1e5ed')!);
    expect([...parsed.byId.entries()]).toEqual([
      [0, { status: 202, message: 'Accepted' }],
      [1, { status: 404, code: 'BlobNotFound', message: 'The specified blob does not exist.' }],
    ]);
    expect(parsed.batchFailure).toBeUndefined();
    const failure = parseBatchReply('--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 One of the request inputs is not valid.\r\nx-ms-error-code: InvalidInput\r\n\r\n--b--', 'b');
    expect(failure).toEqual({ byId: new Map(), batchFailure: { status: 400, code: 'InvalidInput', message: 'One of the request inputs is not valid.' } });
    expect(boundaryOf('multipart/mixed; boundary="quoted_1"')).toBe('quoted_1');
    expect(boundaryOf('application/xml')).toBeUndefined();
  });

  test('a Blob Batch subrequest is signed without x-ms-version (given empty), as the service checks it', () => {
    const key = Buffer.from('a fake account key for tests');
    const signer = azureSharedKeySigner('acct', key.toString('base64'), () => new Date(0));
    const draft = { method: 'DELETE', url: 'https://acct.blob.core.windows.net/c/b%20c' };
    const normal = signer.sign({ ...draft, headers: { 'content-length': '0' } });
    const sub = signer.sign({ ...draft, headers: { 'content-length': '0', 'x-ms-version': '' } });
    expect(normal['x-ms-version']).toBe('2021-08-06');
    expect(Object.keys(sub).sort()).toEqual(['authorization', 'content-length', 'x-ms-date']);
    const stringToSign = `DELETE${'\n'.repeat(12)}x-ms-date:Thu, 01 Jan 1970 00:00:00 GMT\n/acct/c/b%20c`;
    expect(sub.authorization).toBe(`SharedKey acct:${createHmac('sha256', key).update(stringToSign).digest('base64')}`);
    expect(sub.authorization).not.toBe(normal.authorization);
  });

  test('download paths stay below the directory', () => {
    expect(downloadPath('/data/out', 'a/b/c.txt')).toBe('/data/out/a/b/c.txt');
    for (const bad of ['../escape', 'a/../../escape', '/etc/passwd', '', 'dir/', 'nul\0byte']) {
      expect(() => downloadPath('/data/out', bad)).toThrow(InvalidArgumentError);
    }
  });
});
