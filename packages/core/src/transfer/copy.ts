/**
 * The kit's copies between providers and Libcloud's range reads, written once for every storage driver:
 * - {@link copyAcross}: a copy whose source is another driver's object streams through this process, read in
 *   verified ranges by the source driver and written by the destination's upload pipeline;
 * - {@link libcloudRange} and {@link rangeToFile}: `downloadObjectRange(obj, dest, start, end)` with Libcloud's
 *   exclusive `end`, written through a temporary file.
 * @module
 */
import { closeSync, openSync, write as writeCallback, writeSync } from 'node:fs';
import { driverOf } from '../drivers/base.js';
import type { CopyOptions, RangeDownloadOptions, UploadOptions } from '../drivers/storage.js';
import { IntegrityError, InvalidArgumentError } from '../errors/index.js';
import type { StorageObject } from '../models/storage.js';
import { read, type Operation } from '../runtime/effects.js';
import type { PageOperation } from '../runtime/paging.js';
import { downloadViaTemporary } from './files.js';
import { reportProgress } from './progress.js';
import { uploadPages, type UploadHooks, type UploadSettings } from './upload.js';

/**
 * Bytes `start` (inclusive) to `end` (exclusive, as Libcloud's `end_bytes`; default the object's size) as the
 * inclusive `{ start, end }` of `downloadObjectAsStream`. An `end` beyond the object is cut to its size; `start`
 * may equal the size (an empty range). Libcloud's rules for bad input: `InvalidArgumentError` (`InvalidRange`)
 * for a negative or fractional `start`, and for an `end` that is not greater than `start`.
 */
export function libcloudRange(provider: string, obj: StorageObject, start: number, end?: number | null): { start: number; end: number } {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidArgumentError(`${provider}: start must be a non-negative integer`, { code: 'InvalidRange', provider });
  }
  if (end !== undefined && end !== null && (!Number.isSafeInteger(end) || end <= start)) {
    throw new InvalidArgumentError(`${provider}: end must be an integer greater than start (end is exclusive, as Libcloud's end_bytes)`, { code: 'InvalidRange', provider });
  }
  const size = obj?.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new InvalidArgumentError(`${provider}: the object has no valid size`, { code: 'InvalidRange', provider });
  if (start > size) throw new InvalidArgumentError(`${provider}: start ${start} is beyond the end of ${obj.name} (${size} bytes)`, { code: 'InvalidRange', provider });
  return { start, end: Math.min(end ?? size, size) - 1 };
}

/**
 * Writes to a file through the executor: blocking in the sync style, with the fs callback API in async mode
 * (a `read` effect whose source performs the write and returns nothing). Opened at once, closed by `close()`.
 */
class FileSink {
  readonly #fd: number;
  #position = 0;
  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }

  *write(bytes: Uint8Array): Operation<void> {
    const fd = this.#fd;
    const at = this.#position;
    this.#position += bytes.byteLength;
    yield* read(
      {
        readSync() {
          for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done, at + done);
          return null;
        },
        async readAsync() {
          for (let done = 0; done < bytes.byteLength; ) {
            done += await new Promise<number>((resolve, reject) =>
              writeCallback(fd, bytes, done, bytes.byteLength - done, at + done, (error, written) => (error ? reject(error) : resolve(written))),
            );
          }
          return null;
        },
      },
      0,
    );
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Writes the pages of a ranged read (`total` bytes) to `destination` through a temporary file next to it, renamed
 * only when every page was read and verified and the length is right; on any failure the temporary file is
 * removed and nothing is left at the destination.
 */
export function* rangeToFile(provider: string, destination: string, total: number, options: RangeDownloadOptions, pages: PageOperation<Uint8Array>): Operation<boolean> {
  return yield* downloadViaTemporary(destination, options.overwriteExisting, function* (temporary) {
    const sink = new FileSink(temporary);
    try {
      let done = 0;
      const seen = new Set<string>();
      let token: string | undefined;
      do {
        const page = yield* pages(token);
        for (const chunk of page.items) {
          yield* sink.write(chunk);
          done += chunk.byteLength;
          reportProgress(options.onProgress, done, total, provider);
        }
        token = page.next;
        if (token !== undefined && seen.has(token)) throw new InvalidArgumentError(`${provider}: the ranged read repeated a page`, { code: 'RepeatedToken', provider });
        if (token !== undefined) seen.add(token);
      } while (token !== undefined);
      if (done !== total) throw new IntegrityError(`${provider}: the range read ${done} bytes, expected ${total}`, { code: 'LengthMismatch', provider });
      if (total === 0) reportProgress(options.onProgress, 0, 0, provider);
    } finally {
      sink.close();
    }
  });
}

/** What a copy needs of its source's driver: a fresh look at the object and its ranged reads. */
interface SourceDriver {
  getObjectOp(containerName: string, objectName: string): Operation<StorageObject>;
  downloadObjectAsStreamPages(obj: StorageObject, options?: { start?: number; end?: number; chunkSize?: number }): PageOperation<Uint8Array>;
}

/** Largest ranged GET of a streamed copy. */
const COPY_READ_CHUNK = 8 * 1024 * 1024;

/**
 * Copies `src` (an object of any driver) through this process: the source is looked up again (size, ETag,
 * metadata, content type), read whole by its own driver in ranges (each verified and guarded by the ETag, so a
 * source changed mid-copy fails the copy; the whole read is checked against the digests the source vouches,
 * an MD5 ETag, `x-goog-hash` or S3's full-object CRC32) and written by the destination's upload pipeline
 * (single PUT or multipart, every part verified). When the source's `hash` is an MD5, the bytes read must match
 * it before anything is committed. The copy keeps the source's metadata and content type unless
 * `options.metaData` replaces the metadata.
 */
export function* copyAcross(
  src: StorageObject,
  target: (upload: UploadOptions) => { hooks: UploadHooks<any>; settings: UploadSettings },
  options: CopyOptions,
): Operation<StorageObject> {
  const source = driverOf(src) as Partial<SourceDriver> | undefined;
  if (typeof source?.getObjectOp !== 'function' || typeof source.downloadObjectAsStreamPages !== 'function') {
    throw new InvalidArgumentError('copyObject: the source must be an object returned by a storage driver', { code: 'InvalidSource' });
  }
  const from = source as SourceDriver;
  const fresh = yield* from.getObjectOp(src.container.name, src.name);
  const upload: UploadOptions = {
    metaData: { ...(options.metaData ?? fresh.metaData) },
    ...(fresh.contentType !== undefined ? { contentType: fresh.contentType } : {}),
    ...(options.partSize !== undefined ? { partSize: options.partSize } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
  const { hooks, settings } = target(upload);
  // One read of the whole object, so the source driver's whole-object checks (MD5 ETag, x-goog-hash, S3's
  // full-object CRC32) apply to it, in chunks no larger than a part.
  const pages = from.downloadObjectAsStreamPages(fresh, { chunkSize: Math.min(settings.partSize, COPY_READ_CHUNK) });
  // An MD5-shaped hash is the content's MD5, except for a Swift Static Large Object (the MD5 of its segments' ETags).
  const md5 = /^[0-9a-f]{32}$/i.test(fresh.hash) && fresh.extra.staticLargeObject !== true ? fresh.hash.toLowerCase() : undefined;
  return yield* uploadPages(hooks, fresh.size, pages, settings, md5);
}
