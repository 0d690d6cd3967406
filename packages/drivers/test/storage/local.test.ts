import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  ASYNC_MODE,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  getDriver,
  LocalStorageDriver,
  ObjectDoesNotExistError,
  Provider,
  ProgressCallbackError,
} from '@dualcloud/drivers/storage';
import { InvalidArgumentError, isCommonPrefix } from '@dualcloud/core';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-local-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('getDriver(Provider.LOCAL) is the local driver', () => {
  expect(getDriver(Provider.LOCAL)).toBe(LocalStorageDriver);
  expect(() => getDriver('nope' as Provider)).toThrow(InvalidArgumentError);
});

describe('sync mode', () => {
  test('containers and objects round-trip', () => {
    const root = tempDir();
    const d = new LocalStorageDriver({ key: root });
    const c = d.createContainer('photos');
    expect(() => d.createContainer('photos')).toThrow(ContainerAlreadyExistsError);
    expect(d.listContainers().map((x) => x.name)).toEqual(['photos']);
    const progress: Array<[number, number | undefined]> = [];
    const obj = d.uploadObjectViaStream(['hello ', 'world'], c, 'a/b.txt', { onProgress: (n, t) => progress.push([n, t]) });
    expect(obj.size).toBe(11);
    expect(obj.hash).toBe('5eb63bbbe01eeed093cb22bb8f5acdc3');
    expect(progress.at(-1)).toEqual([11, 11]);
    d.uploadObjectViaStream('x', c, 'top.txt');
    expect(d.listContainerObjects(c).map((o) => o.name)).toEqual(['a/b.txt', 'top.txt']);
    expect(d.listContainerObjects(c, { prefix: 'a/' }).map((o) => o.name)).toEqual(['a/b.txt']);
    const grouped = d.listContainerObjects(c, { delimiter: '/' });
    expect(grouped.map((o) => [o.name, isCommonPrefix(o)])).toEqual([
      ['top.txt', false],
      ['a/', true],
    ]);
    expect(c.extra).not.toHaveProperty('commonPrefixes');
    const chunks = [...d.downloadObjectAsStream(obj, { chunkSize: 4, start: 2, end: 8 })];
    expect(chunks.map((b) => Buffer.from(b).toString())).toEqual(['llo ', 'wor']);
    const dest = join(tempDir(), 'out.txt');
    expect(d.downloadObject(obj, dest)).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe('hello world');
    expect(() => d.downloadObject(obj, dest)).toThrow(InvalidArgumentError);
    expect(d.downloadObject(obj, dest, { overwriteExisting: true })).toBe(true);
    expect(() => d.deleteContainer(c)).toThrow(ContainerIsNotEmptyError);
    expect(d.deleteObject(obj)).toBe(true);
    expect(() => d.getObject('photos', 'a/b.txt')).toThrow(ObjectDoesNotExistError);
    d.deleteObject(d.getObject('photos', 'top.txt'));
    expect(d.deleteContainer(c)).toBe(true);
    expect(() => d.getContainer('photos')).toThrow(ContainerDoesNotExistError);
  });

  test('uploads a file through a temporary file and rename', () => {
    const root = tempDir();
    const src = join(tempDir(), 'src.bin');
    writeFileSync(src, Buffer.alloc(5000, 7));
    const d = new LocalStorageDriver({ key: root });
    const c = d.createContainer('c');
    const obj = d.uploadObject(src, c, 'file.bin');
    expect(obj.size).toBe(5000);
    expect(readdirSync(join(root, '.dualcloud-tmp'))).toEqual([]);
    expect(d.listContainers().map((x) => x.name)).toEqual(['c']);
  });

  test.each(['../escape', '/etc/passwd', 'a/../../b', 'nul\0byte', 'a//b', ''])('rejects object name %j', (name) => {
    const d = new LocalStorageDriver({ key: tempDir() });
    const c = d.createContainer('c');
    expect(() => d.uploadObjectViaStream('x', c, name)).toThrow(InvalidArgumentError);
  });

  test('rejects container names that escape the root', () => {
    const d = new LocalStorageDriver({ key: tempDir() });
    expect(() => d.createContainer('..')).toThrow(InvalidArgumentError);
    expect(() => d.createContainer('a/b')).toThrow(InvalidArgumentError);
  });

  test('a throwing progress callback fails the upload cleanly and leaves nothing behind', () => {
    const root = tempDir();
    const d = new LocalStorageDriver({ key: root });
    const c = d.createContainer('c');
    expect(() =>
      d.uploadObjectViaStream('data', c, 'x', {
        onProgress: () => {
          throw new Error('boom');
        },
      }),
    ).toThrow(ProgressCallbackError);
    expect(d.listContainerObjects(c)).toEqual([]);
    expect(readdirSync(join(root, '.dualcloud-tmp'))).toEqual([]);
  });
});

describe('async mode', () => {
  test('upload from an async iterable, list, stream and download', async () => {
    const root = tempDir();
    const d = new LocalStorageDriver({ key: root, [ASYNC_MODE]: true } as { key: string });
    expect(d.mode).toBe('async');
    const c = await (d.createContainer('c') as unknown as Promise<ReturnType<typeof d.createContainer>>);
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('abc');
      yield Buffer.from('def');
    }
    const obj = await (d.uploadObjectViaStream(gen(), c, 'x.txt') as unknown as Promise<ReturnType<typeof d.getObject>>);
    expect(obj.size).toBe(6);
    const out: string[] = [];
    for await (const chunk of d.downloadObjectAsStream(obj, { chunkSize: 4 }) as unknown as AsyncIterable<Uint8Array>) out.push(Buffer.from(chunk).toString());
    expect(out).toEqual(['abcd', 'ef']);
    const dest = join(tempDir(), 'x.txt');
    await d.downloadObject(obj, dest);
    expect(readFileSync(dest, 'utf8')).toBe('abcdef');
    expect(existsSync(dest)).toBe(true);
  });
});
