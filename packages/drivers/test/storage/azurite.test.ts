/** The Azure Blobs driver against Azurite (started once for this file, in a child process), sync and async. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, AzureBlobsStorageDriver, type AzureBlobsStorageDriverOptions } from '@dualcloud/drivers/storage';
import { Container, ContainerAlreadyExistsError, ContainerDoesNotExistError, InvalidCredentialsError, ObjectDoesNotExistError } from '@dualcloud/core';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Emulator } from './helpers/emulators.js';
import { call, runScenario } from './helpers/scenario.js';

let azurite: Emulator;
let options: AzureBlobsStorageDriverOptions;
beforeAll(async () => {
  azurite = await startAzurite();
  options = { key: AZURITE_ACCOUNT, secret: AZURITE_KEY, host: '127.0.0.1', port: azurite.port, secure: false };
}, 30_000);
afterAll(() => azurite.close());

describe.each(['sync', 'async'] as const)('%s mode', (mode) => {
  const make = (extra: Partial<AzureBlobsStorageDriverOptions> = {}): AzureBlobsStorageDriver =>
    new AzureBlobsStorageDriver({ ...options, ...extra, ...(mode === 'async' ? { [ASYNC_MODE]: true } : {}) } as AzureBlobsStorageDriverOptions);

  test('full round trip (Put Blob, Put Block + Put Block List, ranges, listing with markers)', async () => {
    const d = make();
    expect(d.mode).toBe(mode);
    await runScenario({ driver: d, container: `container-${mode}`, partSize: 64 * 1024 });
  });

  test('typed errors: missing container/blob, existing container, bad key', async () => {
    const d = make();
    await expect(call(() => d.getContainer('missing-container'))).rejects.toThrow(ContainerDoesNotExistError);
    await expect(call(() => d.listContainerObjects(new Container('missing-container', {}, d)))).rejects.toThrow(ContainerDoesNotExistError);
    const c = await call(() => d.createContainer(`errors-${mode}`));
    await expect(call(() => d.createContainer(`errors-${mode}`))).rejects.toThrow(ContainerAlreadyExistsError);
    await expect(call(() => d.getObject(c.name, 'nope'))).rejects.toThrow(ObjectDoesNotExistError);
    await expect(call(() => d.getObject('missing-container', 'nope'))).rejects.toThrow(ContainerDoesNotExistError);
    const bad = make({ secret: Buffer.from('not the key').toString('base64') });
    await expect(call(() => bad.listContainers())).rejects.toThrow(InvalidCredentialsError);
    await call(() => d.deleteContainer(c));
  });
});
