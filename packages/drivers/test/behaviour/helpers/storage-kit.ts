/**
 * The storage behaviour suite's vocabulary (backend rows, capability flags) and its scenarios, written once.
 * `storage.behaviour.test.ts` holds the table of backends and runs every scenario a backend's capabilities
 * allow, in each of the four styles.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  BulkError,
  BulkSkippedError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  ProgressCallbackError,
  type BulkProgress,
  type UploadItem,
  isCommonPrefix,
  LocalStorageDriver,
  ObjectDoesNotExistError,
  StorageObject,
  type Container,
  type Provider,
  type StorageDriver,
  type UploadSource,
} from '@dualcloud/drivers/storage';
import { InvalidArgumentError, REDACTED, redactUrl, type Hooks } from '@dualcloud/core';
import { openStyled, STORAGE, STYLE_LABEL, STYLE_NAMES, type StyledStorage } from './styles.js';

/**
 * What a storage backend can do. A scenario lists the flags it needs; a backend without one of them does not
 * get that scenario at all (it is left out when the table is built, never skipped at run time).
 */
export interface StorageCapabilities {
  /** Multipart / block uploads with a caller-chosen part size (and a progress report per part). */
  readonly multipart: boolean;
  /** `downloadObjectAsStream` with `start`/`end` reads only that byte range. */
  readonly rangedReads: boolean;
  /** Listings grouped by a delimiter, with common prefixes. */
  readonly delimiter: boolean;
  /** User metadata given at upload is returned by `getObject`. */
  readonly metadata: boolean;
  /** The content type given at upload is returned by `getObject`. */
  readonly contentType: boolean;
  /**
   * `pageSize` is sent to the backend, which pages listings. Every such row checks that listings stay complete
   * and ordered across page boundaries; rows with `requestCount` also check the number of list requests.
   */
  readonly paging: boolean;
  /** The object's `hash` after a single-request upload is the MD5 of its bytes (checked against downloads). */
  readonly hashOnDownload: boolean;
  /** Deleting a non-empty container fails with `ContainerIsNotEmptyError`. */
  readonly checksNotEmpty: boolean;
  /**
   * A one-byte range at offset 0 (`start: 0, end: 0`) reads exactly one byte. (s3rver takes an end of 0 for
   * "no end" and answers 206 with the whole object, which the driver rightly rejects as `IntegrityError`.)
   */
  readonly firstByteRange: boolean;
  /** `getObjectCdnUrl` gives URLs that read (GET) and write (PUT) the object with a plain HTTP client. */
  readonly signedUrls: boolean;
  /** The server refuses a signed URL whose signature was tampered with or that names another object. */
  readonly checksSignatures: boolean;
  /** `copyObject` within the backend moves no object bytes through the client (a server-side copy). */
  readonly serverSideCopy: boolean;
  /** `copyObject` refuses a source changed since its model was read (its ETag no longer matches). */
  readonly copyChecksSource: boolean;
  /** Above `multipartCopyThreshold` a copy is made of server-side part copies (S3 UploadPartCopy). */
  readonly multipartCopy: boolean;
}

/** One flag of {@link StorageCapabilities}. */
export type StorageCapability = keyof StorageCapabilities;

/** A backend once started: what the driver is constructed with, and how to stop it. */
export interface RunningStorageBackend {
  /** Driver constructor options (never `async`: the style adapter adds what each style needs). */
  readonly options: object;
  /** Requests this backend has received so far, where the backend can tell (used to check paging). */
  requestCount?(): Promise<number>;
  stop(): Promise<void>;
}

/** One row of the storage table. */
export interface StorageBackend {
  /** Short id used in test titles and container names: lower-case letters, digits and single hyphens. */
  readonly id: string;
  /** The provider, as registered in `@dualcloud/drivers/storage`. */
  readonly provider: Provider;
  /** Starts the backend once for the file (in another thread or process: the sync style blocks this one). */
  start(): Promise<RunningStorageBackend>;
  readonly capabilities: StorageCapabilities;
  /** Part size used by the multipart scenarios (required when `capabilities.multipart`). */
  readonly partSize?: number;
}

/** What a scenario gets. */
export interface StorageContext {
  readonly d: StyledStorage;
  readonly backend: StorageBackend;
  readonly running: RunningStorageBackend;
  /** A scratch directory, removed after the scenario. */
  readonly dir: string;
  /** A new container with a unique name (removed, with its objects, after the scenario). */
  newContainer(): Promise<Container>;
  /** A unique container name that is not created. */
  uniqueName(): string;
}

/** A scenario, written once for every backend and style. */
export interface StorageScenario {
  readonly title: string;
  readonly needs: readonly StorageCapability[];
  run(ctx: StorageContext): Promise<void>;
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
/** Signed URLs are fetched as a browser would, on connections closed after each response (no socket outlives a test). */
const CLOSE: RequestInit = { headers: { connection: 'close' } };

/** Names that need escaping somewhere on the way: spaces, non-ASCII, slashes, `%` and `+`. */
export const ODD_NAMES = ['with space.txt', 'unicodé-日本語-😀.txt', 'a/b/c', 'per%cent', 'plus+sign', '%2F+ %20mixed'] as const;

/** Bytes of a stored object, read back with `downloadObjectAsStream`. */
async function streamed(d: StyledStorage, obj: StorageObject, options?: { start?: number; end?: number; chunkSize?: number }): Promise<Buffer> {
  return Buffer.concat(await d.collect('downloadObjectAsStream', obj, options));
}

/** Bytes of a stored object, read back with `downloadObject` into `dir`. */
async function downloaded(d: StyledStorage, obj: StorageObject, dir: string, file = `dl-${randomBytes(4).toString('hex')}`): Promise<Buffer> {
  const dest = join(dir, file);
  expect(await d.call('downloadObject', obj, dest)).toBe(true);
  return readFileSync(dest);
}

/** An upload source of unknown length made of `pieces`: a sync iterable in the sync style, a Node Readable otherwise. */
function streamSource(d: StyledStorage, pieces: readonly Buffer[]): UploadSource {
  return d.isSync ? (pieces[Symbol.iterator]() as Iterable<Uint8Array>) : Readable.from(pieces);
}

const names = (entries: readonly StorageObject[]): string[] => entries.map((o) => o.name);

/** Every scenario of the storage suite. */
export const STORAGE_SCENARIOS: readonly StorageScenario[] = [
  {
    title: 'creates, gets, lists, iterates and deletes a container',
    needs: [],
    async run({ d, uniqueName }) {
      const name = uniqueName();
      const c = await d.call('createContainer', name);
      expect(c.name).toBe(name);
      expect((await d.call('getContainer', name)).name).toBe(name);
      expect((await d.call('listContainers')).map((x) => x.name)).toContain(name);
      expect((await d.collect('iterateContainers')).map((x) => x.name)).toContain(name);
      expect(await d.call('deleteContainer', c)).toBe(true);
      await expect(d.call('getContainer', name)).rejects.toBeInstanceOf(ContainerDoesNotExistError);
      expect((await d.call('listContainers')).map((x) => x.name)).not.toContain(name);
    },
  },
  {
    title: 'a missing container is ContainerDoesNotExistError (get, list, iterate, upload, delete)',
    needs: [],
    async run({ d, uniqueName }) {
      const name = uniqueName();
      await expect(d.call('getContainer', name)).rejects.toBeInstanceOf(ContainerDoesNotExistError);
      // A model of a container that existed once: every call through it must report the container missing.
      const gone = await d.call('createContainer', name);
      expect(await d.call('deleteContainer', gone)).toBe(true);
      await expect(d.call('listContainerObjects', gone)).rejects.toBeInstanceOf(ContainerDoesNotExistError);
      await expect(d.collect('iterateContainerObjects', gone)).rejects.toBeInstanceOf(ContainerDoesNotExistError);
      await expect(d.call('uploadObjectViaStream', 'orphan', gone, 'orphan.txt')).rejects.toBeInstanceOf(ContainerDoesNotExistError);
      await expect(d.call('deleteContainer', gone)).rejects.toBeInstanceOf(ContainerDoesNotExistError);
    },
  },
  {
    title: 'a non-empty container is not deleted (ContainerIsNotEmptyError)',
    needs: ['checksNotEmpty'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const obj = await d.call('uploadObjectViaStream', 'x', c, 'keep.txt');
      await expect(d.call('deleteContainer', c)).rejects.toBeInstanceOf(ContainerIsNotEmptyError);
      expect((await d.call('getContainer', c.name)).name).toBe(c.name);
      expect(await d.call('deleteObject', obj)).toBe(true);
      expect(await d.call('deleteContainer', c)).toBe(true);
    },
  },
  {
    title: 'lists and iterates with a prefix',
    needs: [],
    async run({ d, newContainer }) {
      const c = await newContainer();
      for (const n of ['p/a', 'p/b', 'p/c/d', 'pq', 'q/e', 'top']) await d.call('uploadObjectViaStream', `body of ${n}`, c, n);
      expect(names(await d.call('listContainerObjects', c, { prefix: 'p/' }))).toEqual(['p/a', 'p/b', 'p/c/d']);
      expect(names(await d.collect('iterateContainerObjects', c, { prefix: 'p' }))).toEqual(['p/a', 'p/b', 'p/c/d', 'pq']);
      expect(await d.call('listContainerObjects', c, { prefix: 'nothing-here/' })).toEqual([]);
      const all = await d.call('listContainerObjects', c);
      expect(names(all)).toEqual(['p/a', 'p/b', 'p/c/d', 'pq', 'q/e', 'top']);
      expect(all.map((o) => o.size)).toEqual(['p/a', 'p/b', 'p/c/d', 'pq', 'q/e', 'top'].map((n) => `body of ${n}`.length));
    },
  },
  {
    title: 'lists with a delimiter: objects and common prefixes',
    needs: ['delimiter'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      for (const n of ['p/a', 'p/c/d', 'q/e', 'top', 'zz']) await d.call('uploadObjectViaStream', 'x', c, n);
      const top = await d.call('listContainerObjects', c, { delimiter: '/' });
      expect(names(top.filter((o) => !isCommonPrefix(o))).sort()).toEqual(['top', 'zz']);
      expect(names(top.filter(isCommonPrefix)).sort()).toEqual(['p/', 'q/']);
      const below = await d.call('listContainerObjects', c, { prefix: 'p/', delimiter: '/' });
      expect(names(below.filter((o) => !isCommonPrefix(o)))).toEqual(['p/a']);
      expect(names(below.filter(isCommonPrefix))).toEqual(['p/c/']);
      expect(c.extra).not.toHaveProperty('commonPrefixes');
    },
  },
  {
    title: 'pages listings with a small pageSize, lazily',
    needs: ['paging'],
    async run({ d, newContainer, running }) {
      const c = await newContainer();
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
      for (const k of keys) await d.call('uploadObjectViaStream', k, c, k);
      const before = await running.requestCount?.();
      expect(names(await d.call('listContainerObjects', c, { pageSize: 2 }))).toEqual(keys);
      const after = await running.requestCount?.();
      // 5 objects, 2 per page: three list requests where the backend can count them.
      if (before !== undefined && after !== undefined) expect(after - before).toBe(3);
      expect(names(await d.collect('iterateContainerObjects', c, { pageSize: 1, prefix: 'k' }))).toEqual(keys);
      // Stopping early: the rest is never needed.
      const firstTwo: string[] = [];
      for await (const o of d.iterate('iterateContainerObjects', c, { pageSize: 2 })) {
        firstTwo.push(o.name);
        if (firstTwo.length === 2) break;
      }
      expect(firstTwo).toEqual(['k0', 'k1']);
    },
  },
  {
    title: 'stores objects with odd names (spaces, unicode, a/b/c, %, +)',
    needs: [],
    async run({ d, newContainer }) {
      const c = await newContainer();
      for (const n of ODD_NAMES) expect((await d.call('uploadObjectViaStream', `content of ${n}`, c, n)).name).toBe(n);
      expect(names(await d.call('listContainerObjects', c)).sort()).toEqual([...ODD_NAMES].sort());
      for (const n of ODD_NAMES) {
        const head = await d.call('getObject', c.name, n);
        expect(head.name).toBe(n);
        expect(head.size).toBe(Buffer.byteLength(`content of ${n}`));
        expect((await streamed(d, head)).toString()).toBe(`content of ${n}`);
        expect(await d.call('deleteObject', head)).toBe(true);
      }
      expect(await d.call('listContainerObjects', c)).toEqual([]);
    },
  },
  {
    title: 'uploads a small object in one request',
    needs: [],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const progress: number[] = [];
      const obj = await d.call('uploadObjectViaStream', 'hello world', c, 'hello.txt', { onProgress: (done) => progress.push(done) });
      expect([obj.name, obj.size]).toEqual(['hello.txt', 11]);
      expect(progress.at(-1)).toBe(11);
      const head = await d.call('getObject', c.name, 'hello.txt');
      expect(head.size).toBe(11);
      expect(head.container.name).toBe(c.name);
      expect((await streamed(d, head)).toString()).toBe('hello world');
      const empty = await d.call('uploadObjectViaStream', new Uint8Array(0), c, 'empty');
      expect(empty.size).toBe(0);
      expect((await d.call('getObject', c.name, 'empty')).size).toBe(0);
    },
  },
  {
    title: 'returns the user metadata given at upload',
    needs: ['metadata'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      await d.call('uploadObjectViaStream', 'm', c, 'meta.txt', { metaData: { owner: 'tests', purpose: 'behaviour' } });
      expect((await d.call('getObject', c.name, 'meta.txt')).metaData).toEqual({ owner: 'tests', purpose: 'behaviour' });
    },
  },
  {
    title: 'returns the content type given at upload',
    needs: ['contentType'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      await d.call('uploadObjectViaStream', '{"a":1}', c, 'doc.json', { contentType: 'application/json' });
      expect((await d.call('getObject', c.name, 'doc.json')).contentType).toMatch(/^application\/json/);
    },
  },
  {
    title: 'multipart upload from bytes, with progress per part',
    needs: ['multipart'],
    async run({ d, newContainer, backend, dir }) {
      const partSize = backend.partSize!;
      const c = await newContainer();
      const big = randomBytes(Math.floor(partSize * 2.5));
      const progress: number[] = [];
      const obj = await d.call('uploadObjectViaStream', big, c, 'big/bytes.bin', { partSize, concurrency: 2, onProgress: (done) => progress.push(done) });
      expect(obj.size).toBe(big.length);
      expect(progress.length).toBe(3);
      expect(progress.at(-1)).toBe(big.length);
      const head = await d.call('getObject', c.name, 'big/bytes.bin');
      expect(head.size).toBe(big.length);
      expect(md5(await downloaded(d, head, dir))).toBe(md5(big));
    },
  },
  {
    title: 'uploads from a stream of unknown length',
    needs: [],
    async run({ d, newContainer, backend, dir }) {
      const c = await newContainer();
      const piece = backend.capabilities.multipart ? Math.ceil(backend.partSize! / 3) : 4096;
      const pieces = Array.from({ length: 8 }, () => randomBytes(piece));
      const joined = Buffer.concat(pieces);
      const options = backend.capabilities.multipart ? { partSize: backend.partSize!, concurrency: 2 } : {};
      const obj = await d.call('uploadObjectViaStream', streamSource(d, pieces), c, 'streamed.bin', options);
      expect(obj.size).toBe(joined.length);
      expect((await d.call('getObject', c.name, 'streamed.bin')).size).toBe(joined.length);
      expect(md5(await downloaded(d, obj, dir))).toBe(md5(joined));
      if (d.isSync) {
        // A Node stream cannot be read synchronously: a typed error, and nothing stored.
        await expect(d.call('uploadObjectViaStream', Readable.from([Buffer.from('x')]), c, 'never.bin')).rejects.toBeInstanceOf(InvalidArgumentError);
      } else {
        async function* generated(): AsyncGenerator<Uint8Array> {
          yield Buffer.from('async ');
          yield Buffer.from('generator');
        }
        expect((await d.call('uploadObjectViaStream', generated(), c, 'gen.txt')).size).toBe(15);
        expect((await streamed(d, await d.call('getObject', c.name, 'gen.txt'))).toString()).toBe('async generator');
      }
      expect(names(await d.call('listContainerObjects', c)).sort()).toEqual(d.isSync ? ['streamed.bin'] : ['gen.txt', 'streamed.bin']);
    },
  },
  {
    title: 'uploads from a file (single request and, where possible, multipart)',
    needs: [],
    async run({ d, newContainer, backend, dir }) {
      const c = await newContainer();
      writeFileSync(join(dir, 'small.txt'), 'tiny file');
      expect((await d.call('uploadObject', join(dir, 'small.txt'), c, 'small.txt')).size).toBe(9);
      const data = randomBytes(backend.capabilities.multipart ? backend.partSize! * 2 + 17 : 50_000);
      writeFileSync(join(dir, 'upload.bin'), data);
      const options = backend.capabilities.multipart ? { partSize: backend.partSize! } : {};
      const obj = await d.call('uploadObject', join(dir, 'upload.bin'), c, 'from/file.bin', options);
      expect(obj.size).toBe(data.length);
      expect((await downloaded(d, await d.call('getObject', c.name, 'from/file.bin'), dir)).equals(data)).toBe(true);
      expect((await downloaded(d, await d.call('getObject', c.name, 'small.txt'), dir)).toString()).toBe('tiny file');
    },
  },
  {
    title: 'downloads to a file with the same bytes; never over an existing file unless asked',
    needs: [],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      const data = randomBytes(30_000);
      const obj = await d.call('uploadObjectViaStream', data, c, 'payload.bin');
      const dest = join(dir, 'payload.bin');
      const progress: number[] = [];
      expect(await d.call('downloadObject', obj, dest, { onProgress: (done) => progress.push(done) })).toBe(true);
      expect(readFileSync(dest).equals(data)).toBe(true);
      expect(progress.at(-1)).toBe(data.length);
      await expect(d.call('downloadObject', obj, dest)).rejects.toBeInstanceOf(InvalidArgumentError);
      const other = await d.call('uploadObjectViaStream', 'replacement', c, 'other.txt');
      expect(await d.call('downloadObject', other, dest, { overwriteExisting: true })).toBe(true);
      expect(readFileSync(dest, 'utf8')).toBe('replacement');
      // No temporary file is left next to the destination.
      expect(readdirSync(dir)).toEqual(['payload.bin']);
    },
  },
  {
    title: "an object's hash is the MD5 of its bytes",
    needs: ['hashOnDownload'],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      const data = randomBytes(20_000);
      await d.call('uploadObjectViaStream', data, c, 'hashed.bin');
      const head = await d.call('getObject', c.name, 'hashed.bin');
      expect(head.hash.toLowerCase()).toBe(md5(data));
      expect(md5(await downloaded(d, head, dir))).toBe(head.hash.toLowerCase());
    },
  },
  {
    title: 'streams an object, whole and as a byte range',
    needs: ['rangedReads'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const data = randomBytes(5000);
      const obj = await d.call('uploadObjectViaStream', data, c, 'ranged.bin');
      const whole = await d.collect('downloadObjectAsStream', obj, { chunkSize: 2048 });
      expect(whole.map((b) => b.byteLength)).toEqual([2048, 2048, 904]);
      expect(Buffer.concat(whole).equals(data)).toBe(true);
      const range = await d.collect('downloadObjectAsStream', obj, { start: 10, end: 1009, chunkSize: 300 });
      expect(range.map((b) => b.byteLength)).toEqual([300, 300, 300, 100]);
      expect(Buffer.concat(range).equals(data.subarray(10, 1010))).toBe(true);
      expect((await streamed(d, obj, { start: 4990 })).equals(data.subarray(4990))).toBe(true);
      expect((await streamed(d, obj, { start: 2500, end: 2500 })).equals(data.subarray(2500, 2501))).toBe(true);
    },
  },
  {
    title: 'streams a one-byte range at offset 0',
    needs: ['rangedReads', 'firstByteRange'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const obj = await d.call('uploadObjectViaStream', 'abcdef', c, 'first.txt');
      expect((await streamed(d, obj, { start: 0, end: 0 })).toString()).toBe('a');
      expect((await streamed(d, obj, { start: 0, end: 1 })).toString()).toBe('ab');
    },
  },
  {
    title: 'a missing object is ObjectDoesNotExistError (get, download)',
    needs: [],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      await expect(d.call('getObject', c.name, 'never-uploaded.txt')).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      const obj = await d.call('uploadObjectViaStream', 'short-lived', c, 'gone.txt');
      expect(await d.call('deleteObject', obj)).toBe(true);
      await expect(d.call('getObject', c.name, 'gone.txt')).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      const dest = join(dir, 'gone.txt');
      await expect(d.call('downloadObject', obj, dest)).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      expect(existsSync(dest)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    },
  },
  {
    title: 'streaming a deleted object is ObjectDoesNotExistError (also where the server checks If-Match first, as Azurite does)',
    needs: [],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const obj = await d.call('uploadObjectViaStream', 'short-lived', c, 'gone.txt');
      expect(await d.call('deleteObject', obj)).toBe(true);
      await expect(d.collect('downloadObjectAsStream', obj)).rejects.toBeInstanceOf(ObjectDoesNotExistError);
    },
  },
  {
    title: 'deletes objects: gone from get and from listings, others untouched',
    needs: [],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const a = await d.call('uploadObjectViaStream', 'a', c, 'a.txt');
      await d.call('uploadObjectViaStream', 'b', c, 'b.txt');
      expect(await d.call('deleteObject', a)).toBe(true);
      await expect(d.call('getObject', c.name, 'a.txt')).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      expect(names(await d.call('listContainerObjects', c))).toEqual(['b.txt']);
      expect((await d.call('getObject', c.name, 'b.txt')).size).toBe(1);
      for (const o of await d.call('listContainerObjects', c)) expect(await d.call('deleteObject', o)).toBe(true);
      expect(await d.call('listContainerObjects', c)).toEqual([]);
      expect(await d.call('deleteContainer', c)).toBe(true);
    },
  },
  {
    title: 'a signed GET URL (getObjectCdnUrl) reads the object with plain fetch, and is redacted in logs',
    needs: ['signedUrls'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const data = randomBytes(2345);
      const obj = await d.call('uploadObjectViaStream', data, c, 'signed/get me.bin');
      const url = await d.call('getObjectCdnUrl', obj, { expiresIn: 300 });
      expect(redactUrl(url)).toContain(REDACTED);
      const res = await fetch(url, CLOSE);
      expect(res.status).toBe(200);
      expect(md5(Buffer.from(await res.arrayBuffer()))).toBe(md5(data));
    },
  },
  {
    title: 'a signed PUT URL writes the object with plain fetch',
    needs: ['signedUrls'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const target = new StorageObject({ name: 'signed/put.txt', size: 0, hash: '' }, c, d.driver as StorageDriver);
      const url = await d.call('getObjectCdnUrl', target, { method: 'PUT', expiresIn: 300 });
      // Azure's Put Blob needs its blob type header; S3 and GCS ignore it.
      const res = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', connection: 'close' }, body: 'written with a signed URL' });
      expect(res.status).toBeLessThan(300);
      const head = await d.call('getObject', c.name, 'signed/put.txt');
      expect((await streamed(d, head)).toString()).toBe('written with a signed URL');
    },
  },
  {
    title: 'a signed URL with a tampered signature, or pointed at another object, is refused',
    needs: ['signedUrls', 'checksSignatures'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const obj = await d.call('uploadObjectViaStream', 'private bytes', c, 'a.txt');
      await d.call('uploadObjectViaStream', 'other bytes', c, 'b.txt');
      const url = new URL(await d.call('getObjectCdnUrl', obj, { expiresIn: 300 }));
      const name = ['X-Amz-Signature', 'X-Goog-Signature', 'sig'].find((n) => url.searchParams.has(n))!;
      const tampered = new URL(url);
      const sig = tampered.searchParams.get(name)!;
      tampered.searchParams.set(name, sig.replace(/[0-9a-zA-Z](?==*$)/, (ch) => (ch === 'a' ? 'b' : 'a')));
      const retargeted = new URL(url);
      retargeted.pathname = retargeted.pathname.replace(/a\.txt$/, 'b.txt');
      for (const bad of [tampered, retargeted]) {
        const res = await fetch(bad, CLOSE);
        expect(res.status).toBe(403);
        expect(await res.text()).not.toMatch(/private bytes|other bytes/);
      }
      expect((await fetch(url, CLOSE)).status).toBe(200);
    },
  },
  {
    title: 'copyObject within the backend is server-side: no object bytes pass through the client',
    needs: ['serverSideCopy'],
    async run({ d, backend, running, newContainer }) {
      const c = await newContainer();
      const data = randomBytes(20_000);
      const src = await d.call('uploadObjectViaStream', data, c, 'src.bin');
      const actions: string[] = [];
      const hooks: Hooks = { beforeRequest: (info) => void actions.push(info.action ?? info.method) };
      const recording = openStyled<Provider, StorageDriver>(STORAGE, d.style, backend.provider, { ...running.options, hooks });
      try {
        const srcSeen = await recording.call('getObject', c.name, 'src.bin');
        actions.length = 0;
        const copy = await recording.call('copyObject', srcSeen, c, 'dir/copy é.bin');
        expect(copy.size).toBe(data.length);
      } finally {
        await recording.close();
      }
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /^(PutObject|UploadPart|GetObject|PutBlob|PutBlock|GetBlob)$/.test(a))).toEqual([]);
      expect(md5(await streamed(d, await d.call('getObject', c.name, 'dir/copy é.bin')))).toBe(md5(data));
      expect(md5(await streamed(d, src))).toBe(md5(data)); // the source is untouched
    },
  },
  {
    title: 'copyObject keeps the metadata and content type, or replaces the metadata with metaData',
    needs: ['metadata', 'contentType'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const src = await d.call('uploadObjectViaStream', 'with metadata', c, 'src.txt', { metaData: { owner: 'alice' }, contentType: 'text/x-src' });
      const kept = await d.call('copyObject', src, c, 'kept.txt');
      expect(kept.metaData).toEqual({ owner: 'alice' });
      expect(kept.contentType).toBe('text/x-src');
      const replaced = await d.call('copyObject', src, c, 'replaced.txt', { metaData: { owner: 'bob' } });
      expect(replaced.metaData).toEqual({ owner: 'bob' });
      expect((await d.call('getObject', c.name, 'replaced.txt')).contentType).toBe('text/x-src');
      expect((await streamed(d, replaced)).toString()).toBe('with metadata');
    },
  },
  {
    title: 'copyObject refuses a source changed since its model was read (IntegrityError), writing nothing',
    needs: ['copyChecksSource'],
    async run({ d, newContainer }) {
      const c = await newContainer();
      const stale = await d.call('uploadObjectViaStream', 'first version', c, 'src.txt');
      await d.call('uploadObjectViaStream', 'second, longer version', c, 'src.txt');
      await expect(d.call('copyObject', stale, c, 'copy.txt')).rejects.toBeInstanceOf(IntegrityError);
      await expect(d.call('getObject', c.name, 'copy.txt')).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      const fresh = await d.call('getObject', c.name, 'src.txt');
      expect((await streamed(d, await d.call('copyObject', fresh, c, 'copy.txt'))).toString()).toBe('second, longer version');
    },
  },
  {
    title: 'copyObject above multipartCopyThreshold copies server-side part by part',
    needs: ['multipartCopy', 'multipart'],
    async run({ d, backend, running, newContainer }) {
      const c = await newContainer();
      const part = backend.partSize!;
      const data = randomBytes(Math.floor(part * 2.5));
      const src = await d.call('uploadObjectViaStream', data, c, 'big.bin', { partSize: part });
      const actions: string[] = [];
      const hooks: Hooks = { beforeRequest: (info) => void actions.push(info.action ?? info.method) };
      const recording = openStyled<Provider, StorageDriver>(STORAGE, d.style, backend.provider, { ...running.options, hooks });
      try {
        const seen = await recording.call('getObject', c.name, 'big.bin');
        const copy = await recording.call('copyObject', seen, c, 'big-copy.bin', { multipartCopyThreshold: part, partSize: part });
        expect(copy.size).toBe(data.length);
      } finally {
        await recording.close();
      }
      expect(actions.filter((a) => a === 'UploadPartCopy')).toHaveLength(3);
      expect(md5(await streamed(d, await d.call('getObject', c.name, 'big-copy.bin')))).toBe(md5(data));
      expect(md5(await streamed(d, src))).toBe(md5(data));
    },
  },
  {
    title: 'copyObject to and from another driver (a local directory) streams through, verified, keeping the metadata',
    needs: [],
    async run({ d, backend, newContainer, dir }) {
      const c = await newContainer();
      const local = new LocalStorageDriver({ key: join(dir, 'other-driver') });
      const box = local.createContainer('box');
      const data = randomBytes(backend.capabilities.multipart ? Math.floor(backend.partSize! * 2.5) : 30_000);
      const inLocal = local.uploadObjectViaStream(data, box, 'src.bin');
      const options = backend.capabilities.multipart ? { partSize: backend.partSize!, concurrency: 2 } : {};
      const copied = await d.call('copyObject', inLocal, c, 'from-local.bin', { ...options, metaData: { origin: 'local' } });
      expect(copied.size).toBe(data.length);
      const head = await d.call('getObject', c.name, 'from-local.bin');
      expect(md5(await streamed(d, head))).toBe(md5(data));
      if (backend.capabilities.metadata) expect(head.metaData).toEqual({ origin: 'local' });
      const back = local.copyObject(head, box, 'back.bin');
      expect(back.hash).toBe(md5(data));
      expect(readFileSync(join(dir, 'other-driver', 'box', 'back.bin')).equals(data)).toBe(true);
    },
  },
  {
    title: "downloadObjectRange and downloadObjectRangeAsStream take Libcloud's exclusive end; no partial file is left",
    needs: ['rangedReads'],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      const data = randomBytes(5000);
      const obj = await d.call('uploadObjectViaStream', data, c, 'r.bin');
      expect(await d.call('downloadObjectRange', obj, join(dir, 'mid.bin'), 100, 1100, { chunkSize: 400 })).toBe(true);
      expect(readFileSync(join(dir, 'mid.bin')).equals(data.subarray(100, 1100))).toBe(true);
      expect(await d.call('downloadObjectRange', obj, join(dir, 'tail.bin'), 4000)).toBe(true);
      expect(readFileSync(join(dir, 'tail.bin')).equals(data.subarray(4000))).toBe(true);
      await expect(d.call('downloadObjectRange', obj, join(dir, 'tail.bin'), 0, 10)).rejects.toBeInstanceOf(InvalidArgumentError); // exists
      const chunks = await d.collect('downloadObjectRangeAsStream', obj, 0, 10, { chunkSize: 4 });
      expect(chunks.map((b) => b.byteLength)).toEqual([4, 4, 2]);
      expect(Buffer.concat(chunks).equals(data.subarray(0, 10))).toBe(true);
      expect(Buffer.concat(await d.collect('downloadObjectRangeAsStream', obj, 4990, 99_999)).equals(data.subarray(4990))).toBe(true);
      await expect(d.call('downloadObjectRange', obj, join(dir, 'bad.bin'), 10, 10)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(d.collect('downloadObjectRangeAsStream', obj, 7, 3)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await d.call('deleteObject', obj)).toBe(true);
      await expect(d.call('downloadObjectRange', obj, join(dir, 'gone.bin'), 0, 10)).rejects.toBeInstanceOf(ObjectDoesNotExistError);
      expect(readdirSync(dir).sort()).toEqual(['mid.bin', 'tail.bin']);
    },
  },
];

/** Progress reports of a bulk call, and what they must satisfy whatever the backend and style. */
function progressLog(): { reports: BulkProgress[]; onProgress: (p: BulkProgress) => void; check(total: number, bytes: [done: number, total: number] | undefined, concurrency: number): void } {
  const reports: BulkProgress[] = [];
  return {
    reports,
    onProgress: (p) => void reports.push(p),
    check(total, bytes, concurrency) {
      const last = reports.at(-1)!;
      expect(last).toMatchObject({ objectsDone: total, objectsTotal: total, inFlight: 0, etaMs: 0 });
      if (bytes !== undefined) expect([last.bytesDone, last.bytesTotal]).toEqual(bytes);
      for (const p of reports) {
        expect(p.inFlight).toBeLessThanOrEqual(concurrency);
        expect(p.objectsDone + p.inFlight).toBeLessThanOrEqual(total);
        expect(p.elapsedMs).toBeGreaterThanOrEqual(0);
      }
      // Counters never go back.
      reports.reduce((prev, p) => (expect(p.objectsDone).toBeGreaterThanOrEqual(prev.objectsDone), expect(p.bytesDone).toBeGreaterThanOrEqual(prev.bytesDone), p));
    },
  };
}

/** The bulk scenarios: uploadObjects, downloadObjects, deleteObjects (concurrent, one settled result per item). */
export const BULK_SCENARIOS: readonly StorageScenario[] = [
  {
    title: 'bulk: uploads files and sources, downloads them into a tree, deletes them; a result per item, with progress',
    needs: [],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(500 + i * 97));
      const items: UploadItem[] = bodies.map((body, i) => {
        const objectName = i % 3 === 0 ? `tree/${i}/leaf.bin` : `flat-${i}.bin`;
        if (i % 2 === 0) {
          writeFileSync(join(dir, `src-${i}`), body);
          return { container: c, objectName, filePath: join(dir, `src-${i}`) };
        }
        return { container: c, objectName, source: body, options: { contentType: 'application/x-test' } };
      });
      const total = bodies.reduce((n, b) => n + b.length, 0);
      const up = progressLog();
      const uploaded = await d.call('uploadObjects', items, { concurrency: 4, onProgress: up.onProgress });
      expect([uploaded.succeeded, uploaded.failed, uploaded.skipped, uploaded.bytes]).toEqual([12, 0, 0, total]);
      expect(uploaded.results.map((r) => [r.index, r.name, r.ok])).toEqual(items.map((it, i) => [i, it.objectName, true]));
      up.check(12, [total, total], 4);
      const objects = uploaded.results.map((r) => (r.ok ? r.value : undefined)!);
      expect(objects.map((o) => o.size)).toEqual(bodies.map((b) => b.length));
      expect(names(await d.call('listContainerObjects', c)).sort()).toEqual(items.map((it) => it.objectName).sort());

      // One object deleted behind the call's back: its download fails, alone, and leaves no file.
      const gone = objects[1]!;
      expect(await d.call('deleteObject', gone)).toBe(true);
      const out = join(dir, 'out');
      const down = progressLog();
      const downloaded = await d.call('downloadObjects', objects, out, { concurrency: 3, onProgress: down.onProgress });
      expect([downloaded.succeeded, downloaded.failed, downloaded.skipped]).toEqual([11, 1, 0]);
      const failed = downloaded.results[1]!;
      expect(failed.ok).toBe(false);
      if (!failed.ok) expect(failed.error).toBeInstanceOf(ObjectDoesNotExistError);
      expect(existsSync(join(out, gone.name))).toBe(false);
      down.check(12, [total - bodies[1]!.length, total], 3);
      expect(down.reports.at(-1)!.objectsFailed).toBe(1);
      for (const [i, r] of downloaded.results.entries()) {
        if (i === 1) continue;
        expect(r.ok && r.value).toBe(join(out, items[i]!.objectName));
        expect(readFileSync(join(out, items[i]!.objectName)).equals(bodies[i]!)).toBe(true);
      }
      // Downloading again refuses to overwrite, per item, unless asked.
      const again = await d.call('downloadObjects', objects.slice(2, 4), out);
      expect(again.results.map((r) => !r.ok && r.error instanceof InvalidArgumentError)).toEqual([true, true]);
      expect((await d.call('downloadObjects', objects.slice(2, 4), out, { overwriteExisting: true })).succeeded).toBe(2);

      // Deleting counts an object already gone as deleted; the container ends up empty.
      const del = progressLog();
      const deleted = await d.call('deleteObjects', objects, { onProgress: del.onProgress });
      expect([deleted.succeeded, deleted.failed]).toEqual([12, 0]);
      expect(deleted.results.every((r) => r.ok && r.value === true)).toBe(true);
      del.check(12, undefined, 16);
      expect(await d.call('listContainerObjects', c)).toEqual([]);
      expect((await d.call('deleteObjects', [])).results).toEqual([]);
    },
  },
  {
    title: 'bulk: failures are settled per item; failFast stops and throws BulkError with every result; a throwing progress callback stops the call',
    needs: [],
    async run({ d, newContainer, dir }) {
      const c = await newContainer();
      const items: UploadItem[] = [
        { container: c, objectName: 'a.txt', source: 'a' },
        { container: c, objectName: 'missing.txt', filePath: join(dir, 'no-such-file') },
        { container: c, objectName: 'b.txt', source: 'b' },
      ];
      const settled = await d.call('uploadObjects', items, { concurrency: 2 });
      expect(settled.results.map((r) => r.ok)).toEqual([true, false, true]);
      const failure = settled.results[1]!;
      if (!failure.ok) expect([failure.error instanceof InvalidArgumentError, failure.skipped]).toEqual([true, false]);
      expect(names(await d.call('listContainerObjects', c))).toEqual(['a.txt', 'b.txt']);

      const fast: UploadItem[] = [items[1]!, ...['c', 'd', 'e'].map((n) => ({ container: c, objectName: `${n}.txt`, source: n }))];
      const error = await d.call('uploadObjects', fast, { concurrency: 1, failFast: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BulkError);
      const results = (error as BulkError).results;
      expect(results.map((r) => [r.name, r.ok, !r.ok && r.skipped])).toEqual([
        ['missing.txt', false, false],
        ['c.txt', false, true],
        ['d.txt', false, true],
        ['e.txt', false, true],
      ]);
      expect(results.slice(1).every((r) => !r.ok && r.error instanceof BulkSkippedError)).toBe(true);
      // Nothing after the failure was sent.
      expect(names(await d.call('listContainerObjects', c))).toEqual(['a.txt', 'b.txt']);

      let calls = 0;
      const boom = await d
        .call('uploadObjects', ['f', 'g', 'h'].map((n) => ({ container: c, objectName: `${n}.txt`, source: n })), {
          concurrency: 1,
          onProgress: () => {
            if (++calls === 2) throw new Error('callback failed');
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(boom).toBeInstanceOf(ProgressCallbackError);
      expect(((boom as Error).cause as Error).message).toBe('callback failed');
      // The item running when the callback threw finished; no other started.
      expect(names(await d.call('listContainerObjects', c))).toEqual(['a.txt', 'b.txt', 'f.txt']);
      await expect(d.call('uploadObjects', 'not a list' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(d.call('uploadObjects', [{ container: c, objectName: 'x', source: 'x', filePath: 'y' }])).rejects.toBeInstanceOf(InvalidArgumentError);
    },
  },
  {
    title: 'bulk: multipart uploads report their parts as byte progress',
    needs: ['multipart'],
    async run({ d, newContainer, backend, dir }) {
      const c = await newContainer();
      const partSize = backend.partSize!;
      const big = randomBytes(partSize * 3);
      writeFileSync(join(dir, 'big.bin'), big);
      const items: UploadItem[] = [
        { container: c, objectName: 'big-file.bin', filePath: join(dir, 'big.bin'), options: { partSize, concurrency: 2 } },
        { container: c, objectName: 'big-bytes.bin', source: big, options: { partSize, concurrency: 2 } },
      ];
      const log = progressLog();
      const result = await d.call('uploadObjects', items, { onProgress: log.onProgress });
      expect(result.succeeded).toBe(2);
      log.check(2, [big.length * 2, big.length * 2], 16);
      // Bytes moved before any object was done: parts are counted as they complete.
      expect(log.reports.some((p) => p.objectsDone === 0 && p.bytesDone > 0 && p.bytesDone < big.length * 2)).toBe(true);
      const downloadedAll = await d.call('downloadObjects', result.results.map((r) => (r.ok ? r.value : undefined)!), join(dir, 'back'));
      expect(downloadedAll.succeeded).toBe(2);
      expect(md5(readFileSync(join(dir, 'back', 'big-file.bin')))).toBe(md5(big));
      expect(md5(readFileSync(join(dir, 'back', 'big-bytes.bin')))).toBe(md5(big));
    },
  },
];

/** The scenarios a backend can run: those whose every needed capability the backend has. */
export function scenariosFor(backend: StorageBackend): StorageScenario[] {
  if (backend.capabilities.multipart && !(backend.partSize && backend.partSize > 0)) {
    throw new Error(`storage backend ${backend.id}: multipart needs a partSize`);
  }
  return [...STORAGE_SCENARIOS, ...BULK_SCENARIOS].filter((s) => s.needs.every((flag) => backend.capabilities[flag]));
}

let sequence = 0;

/**
 * Runs one scenario: a fresh scratch directory, unique container names, and afterwards every container the
 * scenario made is emptied and deleted (best effort: a failing scenario keeps its own error).
 */
export async function runStorageScenario(scenario: StorageScenario, backend: StorageBackend, running: RunningStorageBackend, d: StyledStorage): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-behaviour-'));
  const made: Container[] = [];
  const uniqueName = (): string => `bh-${backend.id}-${d.style}-${++sequence}-${randomBytes(3).toString('hex')}`;
  try {
    await scenario.run({
      d,
      backend,
      running,
      dir,
      uniqueName,
      newContainer: async () => {
        const c = await d.call('createContainer', uniqueName());
        made.push(c);
        return c;
      },
    });
  } finally {
    for (const c of made) {
      try {
        for (const o of await d.call('listContainerObjects', c)) await d.call('deleteObject', o);
        await d.call('deleteContainer', c);
      } catch {
        // Already deleted by the scenario, or the scenario failed; its own error is the one reported.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Declares the suite for `backends`: each is started once for the file (all at once) and stopped at the end, and
 * every scenario its capabilities allow runs in each of the four styles.
 */
export function describeStorageBackends(backends: readonly StorageBackend[], startTimeoutMs = 60_000): void {
  const running = new Map<string, RunningStorageBackend>();
  beforeAll(async () => {
    const started = await Promise.allSettled(backends.map(async (b) => running.set(b.id, await b.start())));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, startTimeoutMs);
  afterAll(async () => {
    await Promise.all([...running.values()].map((r) => r.stop()));
  });

  describe.each(backends.map((b) => [b.id, b] as const))('%s', (_id, backend) => {
    const scenarios = scenariosFor(backend);
    describe.each(STYLE_NAMES.map((s) => [STYLE_LABEL[s], s] as const))('%s', (_label, style) => {
      test.each(scenarios.map((s) => [s.title, s] as const))('%s', async (_title, scenario) => {
        const started = running.get(backend.id);
        if (!started) throw new Error(`${backend.id} did not start`);
        const d: StyledStorage = openStyled(STORAGE, style, backend.provider, started.options);
        try {
          await runStorageScenario(scenario, backend, started, d);
        } finally {
          await d.close();
        }
      });
    });
  });
}
