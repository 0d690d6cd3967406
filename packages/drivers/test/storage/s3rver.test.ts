/** The S3 driver against s3rver (a third-party S3 emulator) in a child process, in sync and async mode. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, S3StorageDriver, type S3StorageDriverOptions } from '@dualcloud/drivers/storage';
import { Container, ContainerDoesNotExistError, InvalidCredentialsError } from '@dualcloud/core';
import { startS3rver, type Emulator } from './helpers/emulators.js';
import { call, runScenario } from './helpers/scenario.js';

let s3rver: Emulator;
let options: S3StorageDriverOptions;
beforeAll(async () => {
  s3rver = await startS3rver();
  // s3rver does not enforce S3's 5 MiB part minimum: small parts keep the test fast.
  options = { key: 'S3RVER', secret: 'S3RVER', host: '127.0.0.1', port: s3rver.port, secure: false, minPartSize: 1024 };
});
afterAll(() => s3rver.close());

const PART = 64 * 1024;

test('custom endpoints default to path-style addressing', () => {
  const d = new S3StorageDriver(options);
  expect(d.pathStyle).toBe(true);
  expect(new S3StorageDriver({ key: 'k', secret: 's' }).pathStyle).toBe(false);
});

describe.each(['sync', 'async'] as const)('%s mode', (mode) => {
  const make = (): S3StorageDriver => new S3StorageDriver(mode === 'async' ? ({ ...options, [ASYNC_MODE]: true } as S3StorageDriverOptions) : options);

  test('full round trip', async () => {
    const d = make();
    expect(d.mode).toBe(mode);
    // s3rver does not implement multipart abort; the UploadError says so, and no object is claimed.
    await runScenario({ driver: d, container: `bucket-${mode}`, partSize: PART });
  });

  test('missing buckets and wrong credentials become typed errors', async () => {
    const d = make();
    await expect(call(() => d.getContainer('no-such-bucket'))).rejects.toThrow(ContainerDoesNotExistError);
    await expect(call(() => d.listContainerObjects(new Container('no-such-bucket', {}, d)))).rejects.toThrow(ContainerDoesNotExistError);
    const bad = new S3StorageDriver({ ...options, key: 'WRONGKEY', ...(mode === 'async' ? { [ASYNC_MODE]: true } : {}) } as S3StorageDriverOptions);
    await expect(call(() => bad.listContainers())).rejects.toThrow(InvalidCredentialsError);
  });
});
