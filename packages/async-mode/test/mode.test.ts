/** Design 3 specifics: the flag decides the mode, models follow their driver, options are checked. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDriver, Provider, withAsyncMode } from '@dualcloud/async-mode/compute';
import { getDriver as getStorageDriver, Provider as StorageProvider } from '@dualcloud/async-mode/storage';
import { InvalidArgumentError } from '@dualcloud/core';
import { DummyNodeDriver } from '@dualcloud/drivers/compute';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dualcloud-mode-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the async flag', () => {
  test('without it the driver is the sync driver; with it every method returns a Promise', async () => {
    const Dummy = getDriver(Provider.DUMMY);
    expect(Dummy).toBe(withAsyncMode(DummyNodeDriver));
    const plain = new Dummy({ key: 'any' });
    expect(plain.mode).toBe('sync');
    expect(Array.isArray(plain.listNodes())).toBe(true);
    const d = new Dummy({ key: 'any', async: true });
    expect(d.mode).toBe('async');
    expect(d).toBeInstanceOf(DummyNodeDriver);
    const pending = d.listNodes();
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).map((n) => n.name)).toEqual(['dummy-1', 'dummy-2']);
  });

  test('model methods call back into the async driver', async () => {
    const d = new (getDriver(Provider.DUMMY))({ async: true });
    const [node] = await d.listNodes();
    const rebooted = node!.reboot();
    expect(rebooted).toBeInstanceOf(Promise);
    await expect(rebooted).resolves.toBe(true);

    const Local = getStorageDriver(StorageProvider.LOCAL);
    const sync = new Local({ key: root });
    const bucket = sync.createContainer('photos');
    sync.uploadObjectViaStream('meow', bucket, 'cat.txt');
    const local = new Local({ key: root, async: true });
    const container = await local.getContainer('photos');
    const listing = container.listObjects();
    expect(listing).toBeInstanceOf(Promise);
    const [obj] = await listing;
    const chunks: Uint8Array[] = [];
    for await (const chunk of obj!.asStream()) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('meow');
  });

  test('bad options are typed errors', () => {
    const Dummy = getDriver(Provider.DUMMY);
    expect(() => new Dummy({ async: 'yes' as never })).toThrow(InvalidArgumentError);
    expect(() => new Dummy({ signal: new AbortController().signal } as never)).toThrow(/needs async: true/);
    expect(() => new Dummy({ async: true, signal: 'x' as never })).toThrow(InvalidArgumentError);
    expect(() => (new Dummy() as unknown as { withSignal(s: AbortSignal): unknown }).withSignal(new AbortController().signal)).toThrow(InvalidArgumentError);
    expect(() => getDriver('nope' as never)).toThrow(InvalidArgumentError);
  });
});
