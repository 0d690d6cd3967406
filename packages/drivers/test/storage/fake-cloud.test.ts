/**
 * S3 and GCS drivers against the embedded fake cloud (its own worker thread), in sync and async mode,
 * including fault injection: a failed part is retried, an upload that cannot finish is aborted and no longer
 * listed, and an interrupted download leaves nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import {
  ASYNC_MODE,
  GoogleStorageDriver,
  S3StorageDriver,
  type S3CompatibleOptions,
  type S3CompatibleStorageDriver,
} from '@dualcloud/drivers/storage';
import { AbortError, asArray, DriverConnection, NetworkError, sigV4Signer, UploadError } from '@dualcloud/core';
import { call, runScenario } from './helpers/scenario.js';

const PART = 64 * 1024;
let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ minPartSize: PART });
});
afterAll(() => cloud.close());

const providers = {
  s3: (extra: Partial<S3CompatibleOptions>): S3CompatibleStorageDriver =>
    new S3StorageDriver({ key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3'), minPartSize: PART, ...extra }),
  google_storage: (extra: Partial<S3CompatibleOptions>): S3CompatibleStorageDriver =>
    new GoogleStorageDriver({ key: FAKE_CREDENTIALS.gcs.accessKeyId, secret: FAKE_CREDENTIALS.gcs.secretAccessKey, ...cloud.endpoint('google_storage'), minPartSize: PART, ...extra }),
};

/** Multipart uploads still open in a bucket (ListMultipartUploads), read with a raw signed request. */
function openUploads(provider: 's3' | 'google_storage', bucket: string): number {
  const conn = new DriverConnection({
    provider,
    ...cloud.endpoint(provider),
    credentials:
      provider === 's3'
        ? sigV4Signer(FAKE_CREDENTIALS.aws, 'us-east-1', 's3')
        : sigV4Signer(FAKE_CREDENTIALS.gcs, 'auto', 'storage', undefined, 'GOOG4'),
  });
  const doc = conn.request({ method: 'GET', path: `/${bucket}`, query: { uploads: '' } }).xml();
  return asArray(doc.ListMultipartUploadsResult?.Upload).length;
}

test('one driver instance serves many concurrent calls (async mode)', async () => {
  const d = providers.s3({ [ASYNC_MODE]: true } as Partial<S3CompatibleOptions>);
  const c = await call(() => d.createContainer('concurrent'));
  const names = Array.from({ length: 24 }, (_, i) => `obj-${String(i).padStart(2, '0')}`);
  const uploaded = await Promise.all(names.map((n, i) => call(() => d.uploadObjectViaStream(`payload ${i}`, c, n))));
  expect(uploaded.map((o) => o.name)).toEqual(names);
  const [listed, heads] = await Promise.all([
    call(() => d.listContainerObjects(c, { pageSize: 5 })),
    Promise.all(names.map((n) => call(() => d.getObject('concurrent', n)))),
  ]);
  expect(listed.map((o) => o.name)).toEqual(names);
  expect(heads.map((o) => o.size)).toEqual(names.map((_, i) => `payload ${i}`.length));
  const bodies = await Promise.all(
    heads.map(async (o) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of d.downloadObjectAsStream(o) as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
      return Buffer.concat(parts).toString();
    }),
  );
  expect(bodies).toEqual(names.map((_, i) => `payload ${i}`));
  await Promise.all(heads.map((o) => call(() => d.deleteObject(o))));
  await call(() => d.deleteContainer(c));
});

test('a download cancelled through its AbortSignal leaves no file and no temporary file', async () => {
  const d = providers.s3({});
  const c = await call(() => d.createContainer('cancelled'));
  const obj = await call(() => d.uploadObjectViaStream(Buffer.alloc(1000, 1), c, 'obj'));
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-abort-'));
  try {
    await cloud.configure({ faults: { sequence: ['stall'], stallMs: 10_000 } });
    const controller = new AbortController();
    const pending = d.callAsync('downloadObject', [obj, join(dir, 'obj')], { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    await expect(pending).rejects.toThrow(AbortError);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    await cloud.configure({ faults: { rate: 0 } });
    rmSync(dir, { recursive: true, force: true });
  }
  await call(() => d.deleteObject(obj));
  await call(() => d.deleteContainer(c));
});

test('a multipart upload cancelled through its AbortSignal rejects with AbortError and is aborted on the server', async () => {
  const d = providers.s3({});
  const bucket = 'cancelled-upload';
  const c = await call(() => d.createContainer(bucket));
  try {
    // Requests: 1 initiate, 2 part 1 (stalls until the cancel), then the abort must still reach the server.
    await cloud.configure({ faults: { sequence: [null, 'stall'], stallMs: 10_000 } });
    const controller = new AbortController();
    const pending = d.callAsync('uploadObjectViaStream', [Buffer.alloc(PART * 3, 1), c, 'big.bin', { partSize: PART, concurrency: 1 }], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toMatch(/cancelled and its multipart upload aborted/);
  } finally {
    await cloud.configure({ faults: { rate: 0 } });
  }
  expect(openUploads('s3', bucket)).toBe(0);
  expect(await call(() => d.listContainerObjects(c))).toEqual([]);
  await call(() => d.deleteContainer(c));
});

describe.each(['s3', 'google_storage'] as const)('%s', (provider) => {
  beforeEach(() => cloud.configure({ faults: { rate: 0 } }));

  describe.each(['sync', 'async'] as const)('%s mode', (mode) => {
    const make = (extra: Partial<S3CompatibleOptions> = {}): S3CompatibleStorageDriver =>
      providers[provider]({ retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...extra, ...(mode === 'async' ? { [ASYNC_MODE]: true } : {}) } as Partial<S3CompatibleOptions>);

    test('full round trip', async () => {
      await runScenario({ driver: make(), container: `fc-${provider.replace('_', '-')}-${mode}`, partSize: PART });
    });

    test('fault injection: a failed part is retried; a part that keeps failing aborts the upload', async () => {
      const d = make();
      const bucket = `faults-${provider.replace('_', '-')}-${mode}`;
      const c = await call(() => d.createContainer(bucket));
      const data = Buffer.alloc(PART * 3, 7);
      // Requests: 1 initiate, 2 part 1, 3 part 2 (fails once with 503, then retried), ...
      await cloud.configure({ faults: { sequence: [null, null, '503'] } });
      const obj = await call(() => d.uploadObjectViaStream(data, c, 'retried.bin', { partSize: PART, concurrency: 1 }));
      expect(obj.size).toBe(data.length);
      expect((await cloud.stats()).faults['503']).toBeGreaterThanOrEqual(1);
      expect((await call(() => d.getObject(bucket, 'retried.bin'))).size).toBe(data.length);

      // Part 2 fails on every attempt (4 attempts): the upload is aborted and reported.
      await cloud.configure({ faults: { sequence: [null, null, '500', '500', '500', '500'] } });
      const error = await call(() => d.uploadObjectViaStream(data, c, 'failed.bin', { partSize: PART, concurrency: 1 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as { aborted?: boolean }).aborted).toBe(true);
      await cloud.configure({ faults: { rate: 0 } });
      expect(openUploads(provider, bucket)).toBe(0);
      expect((await call(() => d.listContainerObjects(c))).map((o) => o.name)).toEqual(['retried.bin']);

      // An interrupted download (truncated on every attempt) leaves no file and no temporary file.
      const dir = mkdtempSync(join(tmpdir(), 'dualcloud-fc-'));
      try {
        await cloud.configure({ faults: { sequence: ['truncated', 'truncated', 'truncated', 'truncated'] } });
        await expect(call(() => d.downloadObject(obj, join(dir, 'out.bin')))).rejects.toThrow(NetworkError);
        expect(existsSync(join(dir, 'out.bin'))).toBe(false);
        expect(readdirSync(dir)).toEqual([]);
        // Truncated once, then fine: the retry succeeds.
        await cloud.configure({ faults: { sequence: ['truncated'] } });
        expect(await call(() => d.downloadObject(obj, join(dir, 'out.bin')))).toBe(true);
        expect(readdirSync(dir)).toEqual(['out.bin']);
      } finally {
        await cloud.configure({ faults: { rate: 0 } });
        rmSync(dir, { recursive: true, force: true });
      }
      for (const o of await call(() => d.listContainerObjects(c))) await call(() => d.deleteObject(o));
      await call(() => d.deleteContainer(c));
    });
  });
});
