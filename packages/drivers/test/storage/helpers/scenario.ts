/**
 * One storage scenario run against every backend, in sync and async mode. Calls are awaited whatever the
 * mode (awaiting a plain value is harmless), and iterables are consumed with `for await`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from '@jest/globals';
import {
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  ObjectDoesNotExistError,
  UploadError,
  type Container,
  type StorageDriver,
  type StorageObject,
} from '@dualcloud/drivers/storage';
import { InvalidArgumentError, isCommonPrefix } from '@dualcloud/core';

/** Runs a driver call and awaits its result: a Promise in async mode, a plain value (or a throw) in sync mode. */
export async function call<T>(fn: () => T): Promise<Awaited<T>> {
  return await fn();
}

/** Collects an Iterable (sync mode) or AsyncIterable (async mode). */
export async function collect<T>(iterable: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** Scenario parameters. */
export interface ScenarioOptions {
  readonly driver: StorageDriver;
  readonly container: string;
  /** Part size for multipart uploads (the driver must accept it). */
  readonly partSize: number;
  /** Whether the backend implements ContainerIsNotEmpty on delete. */
  readonly checksNotEmpty?: boolean;
}

/** A temporary directory removed by the returned function. */
export function scratch(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-scenario-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Full round trip: containers, small and multipart uploads from every source kind, listing, ranges, downloads, deletes. */
export async function runScenario({ driver: d, container: name, partSize, checksNotEmpty = true }: ScenarioOptions): Promise<void> {
  const { dir, remove } = scratch();
  try {
    const async = d.mode === 'async';
    const c: Container = await call(() => d.createContainer(name));
    expect(c.name).toBe(name);
    expect((await call(() => d.getContainer(name))).name).toBe(name);
    expect((await call(() => d.listContainers())).map((x) => x.name)).toContain(name);
    expect((await collect(d.iterateContainers())).map((x) => x.name)).toContain(name);

    // Small object from a string, with metadata.
    const small = await call(() => d.uploadObjectViaStream('hello world', c, 'dir/hello.txt', { metaData: { owner: 'tests' }, contentType: 'text/plain' }));
    expect(small.size).toBe(11);
    const head = await call(() => d.getObject(name, 'dir/hello.txt'));
    expect(head.size).toBe(11);
    expect(head.metaData).toEqual({ owner: 'tests' });

    // Multipart from in-memory bytes (2.5 parts), with progress per part.
    const big = randomBytes(Math.floor(partSize * 2.5));
    const progress: number[] = [];
    const bigObj = await call(() => d.uploadObjectViaStream(big, c, 'big/bytes.bin', { partSize, onProgress: (done) => progress.push(done) }));
    expect(bigObj.size).toBe(big.length);
    expect(progress.length).toBe(3);
    expect(progress.at(-1)).toBe(big.length);

    // Multipart from a file: FileBody slices streamed by the transport.
    const filePath = join(dir, 'upload.bin');
    const fileData = randomBytes(partSize * 2 + 17);
    writeFileSync(filePath, fileData);
    const fileObj = await call(() => d.uploadObject(filePath, c, 'big/file.bin', { partSize }));
    expect(fileObj.size).toBe(fileData.length);
    // Single-part file upload.
    writeFileSync(join(dir, 'small.bin'), 'tiny file');
    expect((await call(() => d.uploadObject(join(dir, 'small.bin'), c, 'small.bin'))).size).toBe(9);

    // Unknown length: a sync iterable (sync mode) or a Node Readable / async generator (async mode).
    const pieces = Array.from({ length: 7 }, () => randomBytes(Math.floor(partSize / 3)));
    const joined = Buffer.concat(pieces);
    const source = async ? Readable.from(pieces) : pieces[Symbol.iterator]();
    const streamed = await call(() => d.uploadObjectViaStream(async ? source : (pieces as Iterable<Uint8Array>), c, 'big/stream.bin', { partSize, concurrency: 2 }));
    expect(streamed.size).toBe(joined.length);
    if (async) {
      async function* gen(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('async ');
        yield Buffer.from('generator');
      }
      expect((await call(() => d.uploadObjectViaStream(gen(), c, 'gen.txt'))).size).toBe(15);
    } else {
      // Streams cannot be read synchronously: a clear typed error, nothing sent.
      await expect(call(() => d.uploadObjectViaStream(Readable.from(['x']), c, 'never.txt'))).rejects.toThrow(InvalidArgumentError);
    }

    // Listing with paging, prefix and delimiter.
    const all = await call(() => d.listContainerObjects(c, { pageSize: 2 }));
    const expectedNames = ['big/bytes.bin', 'big/file.bin', 'big/stream.bin', 'dir/hello.txt', ...(async ? ['gen.txt'] : []), 'small.bin'];
    expect(all.map((o) => o.name).sort()).toEqual(expectedNames);
    expect((await collect(d.iterateContainerObjects(c, { prefix: 'big/', pageSize: 1 }))).map((o) => o.name)).toEqual(['big/bytes.bin', 'big/file.bin', 'big/stream.bin']);
    const top = await call(() => d.listContainerObjects(c, { delimiter: '/' }));
    expect(top.filter((o) => !isCommonPrefix(o)).map((o) => o.name).sort()).toEqual([...(async ? ['gen.txt'] : []), 'small.bin']);
    expect(top.filter(isCommonPrefix).map((o) => o.name).sort()).toEqual(['big/', 'dir/']);
    expect(c.extra).not.toHaveProperty('commonPrefixes'); // the caller's container is not modified

    // Streamed and ranged reads.
    const bigListed = all.find((o) => o.name === 'big/bytes.bin') as StorageObject;
    const chunks = await collect(d.downloadObjectAsStream(bigListed, { chunkSize: partSize }));
    expect(chunks.length).toBe(3);
    expect(md5(Buffer.concat(chunks))).toBe(md5(big));
    const range = await collect(d.downloadObjectAsStream(bigListed, { start: 10, end: 1009, chunkSize: 300 }));
    expect(range.map((b) => b.byteLength)).toEqual([300, 300, 300, 100]);
    expect(Buffer.concat(range).equals(big.subarray(10, 1010))).toBe(true);

    // Downloads to a path, verified, never over an existing file unless asked.
    const streamedHead = await call(() => d.getObject(name, 'big/stream.bin'));
    const dest = join(dir, 'download.bin');
    expect(await call(() => d.downloadObject(streamedHead, dest))).toBe(true);
    expect(md5(readFileSync(dest))).toBe(md5(joined));
    await expect(call(() => d.downloadObject(streamedHead, dest))).rejects.toThrow(InvalidArgumentError);
    const fileHead = await call(() => d.getObject(name, 'big/file.bin'));
    expect(await call(() => d.downloadObject(fileHead, dest, { overwriteExisting: true }))).toBe(true);
    expect(md5(readFileSync(dest))).toBe(md5(fileData));
    expect(readdirSync(dir).filter((f) => f.includes('dualcloud-part'))).toEqual([]);

    // A throwing progress callback fails the upload cleanly (multipart: aborted, UploadError).
    await expect(
      call(() =>
        d.uploadObjectViaStream(big, c, 'never-complete.bin', {
          partSize,
          onProgress: () => {
            throw new Error('callback bug');
          },
        }),
      ),
    ).rejects.toThrow(UploadError);
    await expect(call(() => d.getObject(name, 'never-complete.bin'))).rejects.toThrow(ObjectDoesNotExistError);

    // Deletes.
    if (checksNotEmpty) await expect(call(() => d.deleteContainer(c))).rejects.toThrow(ContainerIsNotEmptyError);
    for (const o of await call(() => d.listContainerObjects(c))) expect(await call(() => d.deleteObject(o))).toBe(true);
    await expect(call(() => d.getObject(name, 'small.bin'))).rejects.toThrow(ObjectDoesNotExistError);
    expect(await call(() => d.deleteContainer(c))).toBe(true);
    await expect(call(() => d.getContainer(name))).rejects.toThrow(ContainerDoesNotExistError);
    expect(existsSync(dest)).toBe(true);
  } finally {
    remove();
  }
}
