/**
 * The kit's one upload pipeline. A provider implements a few small hooks (single PUT, start / put part /
 * complete / abort, and a guarded delete); everything else is written once here: choosing single PUT or
 * multipart, part sizing, bounded parallel parts from a pooled buffer budget, per-part integrity, progress,
 * abort on failure, and the rule that no key is left holding bytes the caller did not send.
 * @module
 */
import { createHash } from 'node:crypto';
import type { UploadOptions } from '../drivers/storage.js';
import { AbortError, CloudError, IntegrityError, UploadError } from '../errors/index.js';
import type { RequestBody } from '../http/types.js';
import type { StorageObject } from '../models/storage.js';
import { all, detached, read, type Operation } from '../runtime/effects.js';
import type { PageOperation } from '../runtime/paging.js';
import { toChunkSource, type UploadSource } from '../runtime/sources.js';
import { crc32Combine } from './crc32.js';
import { digestOfFile, fileSize } from './files.js';
import { bytesFeed, digestBytes, fileFeed, PartPool, PartReader, planPartSize, sendParts, streamFeed, type PartData, type PartDigests, type PartFeed } from './parts.js';
import { reportProgress } from './progress.js';

/** The digests of a whole single-PUT body. */
export interface BodyDigest {
  readonly md5?: Buffer;
  readonly crc32?: number;
}

/** What `complete` learns about the whole upload. */
export interface UploadSummary {
  readonly size: number;
  /** CRC32 of the whole object, combined from the parts' (when the provider takes CRC32 checksums). */
  readonly crc32?: number;
  /** Each part's CRC32, in part order (with CRC32 checksums). */
  readonly partCrc32s?: readonly number[];
}

/** A provider's upload hooks; `H` is its handle of a multipart upload (S3's upload id, nothing for Azure). */
export interface UploadHooks<H> {
  /** Provider name, for errors and progress. */
  readonly provider: string;
  /** The provider's limit on the number of parts. */
  readonly maxParts: number;
  /** Whether parts and bodies carry a CRC32 besides the MD5 (S3 full-object checksums). */
  readonly crc32?: boolean;
  /**
   * Uploads the whole body in one request. With a digest, the request's `verify` should compare what the
   * provider echoes (ETag, Content-MD5, x-goog-hash) and throw `integrityMismatch(..., writtenEtag)`, so a
   * corrupted PUT is sent again.
   */
  putSingle(body: RequestBody, size: number, digest: BodyDigest | undefined): Operation<StorageObject>;
  /**
   * Deletes the object a failed single PUT wrote, only if it still has `etag` (If-Match), so a concurrent
   * writer's object is never deleted. Returns whether it was deleted.
   */
  deleteWritten?(etag: string): Operation<boolean>;
  /**
   * Why a provider without {@link UploadHooks.deleteWritten} leaves the object a failed single PUT wrote (e.g. it
   * has no conditional delete, so deleting could remove a concurrent writer's object); put in the error.
   */
  readonly writtenKept?: string;
  /** Starts a multipart upload. */
  start(): Operation<H>;
  /** Uploads one part (verified, so a corrupted part is sent again); returns the provider's token for it. */
  putPart(handle: H, part: PartData): Operation<string>;
  /** Commits the parts, in order. */
  complete(handle: H, tokens: string[], summary: UploadSummary): Operation<StorageObject>;
  /** Discards an unfinished upload; returns whether nothing is left behind. Must not throw. */
  abort(handle: H): Operation<boolean>;
}

/** The settings of one upload, from the caller's options and the provider's defaults. */
export interface UploadSettings {
  /** The object's name (for messages). */
  readonly name: string;
  readonly partSize: number;
  readonly concurrency: number;
  readonly options: UploadOptions;
}

function digestsOf<H>(hooks: UploadHooks<H>, options: UploadOptions): PartDigests {
  const verify = options.verifyHash !== false;
  return { md5: verify, crc32: verify && hooks.crc32 === true };
}

/** Uploads a file: one PUT when it fits in a part, else multipart with file slices streamed from disk. */
export function* uploadFile<H>(hooks: UploadHooks<H>, filePath: string, settings: UploadSettings): Operation<StorageObject> {
  const size = fileSize(filePath);
  const partSize = planPartSize(size, settings.partSize, hooks.maxParts);
  const digests = digestsOf(hooks, settings.options);
  if (size <= partSize) {
    const digest = digests.md5 || digests.crc32 ? yield* digestOfFile(filePath, 0, size - 1, digests) : undefined;
    return yield* single(hooks, { file: filePath }, size, digest, settings);
  }
  return yield* multipart(hooks, fileFeed(filePath, size, partSize, digests), size, settings);
}

/** Uploads bytes, a stream or an iterable: one PUT when the source fits in a part, else multipart. */
export function* uploadSource<H>(hooks: UploadHooks<H>, source: UploadSource, settings: UploadSettings): Operation<StorageObject> {
  const digests = digestsOf(hooks, settings.options);
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
    const partSize = planPartSize(bytes.byteLength, settings.partSize, hooks.maxParts);
    if (bytes.byteLength <= partSize) return yield* single(hooks, bytes, bytes.byteLength, digestOrNone(bytes, digests), settings);
    return yield* multipart(hooks, bytesFeed(bytes, partSize, digests), bytes.byteLength, settings);
  }
  // Unknown length: read up to two parts to decide; memory stays within the pool (lanes + 2 parts).
  const partSize = settings.partSize;
  const reader = new PartReader(toChunkSource(source), new PartPool(partSize));
  const first = yield* read(reader, partSize);
  const second = first && first.byteLength === partSize ? yield* read(reader, partSize) : null;
  if (!second) {
    const bytes = first ?? new Uint8Array(0);
    return yield* single(hooks, bytes, bytes.byteLength, digestOrNone(bytes, digests), settings);
  }
  return yield* multipart(hooks, streamFeed(reader, partSize, digests, [first!, second], hooks.maxParts), undefined, settings);
}

function digestOrNone(bytes: Uint8Array, digests: PartDigests): BodyDigest | undefined {
  return digests.md5 || digests.crc32 ? digestBytes(bytes, digests) : undefined;
}

/**
 * One PUT. When its verification still fails after the retries (a store that does not check Content-MD5 kept
 * corrupted bytes), the object it wrote is deleted, guarded by its ETag, and the error says so.
 */
function* single<H>(hooks: UploadHooks<H>, body: RequestBody, size: number, digest: BodyDigest | undefined, settings: UploadSettings): Operation<StorageObject> {
  let object: StorageObject;
  try {
    object = yield* hooks.putSingle(body, size, digest);
  } catch (error) {
    const written = error instanceof IntegrityError ? (error as IntegrityError & { writtenEtag?: string }).writtenEtag : undefined;
    if (written === undefined) throw error;
    let outcome: string;
    if (!hooks.deleteWritten) outcome = hooks.writtenKept ? `the object it wrote was left in place: ${hooks.writtenKept}` : 'the object it wrote may hold them';
    else {
      try {
        outcome = (yield* detached(hooks.deleteWritten(written)))
          ? 'the object it wrote was deleted'
          : 'the object it wrote had already been replaced, so it was left alone';
      } catch (cleanup) {
        outcome = `deleting the object it wrote FAILED (${cleanup instanceof Error ? cleanup.message : String(cleanup)})`;
      }
    }
    const failure = new IntegrityError(
      `${hooks.provider}: upload of ${settings.name} was corrupted on every attempt (the provider stored bytes that were not sent); ${outcome}`,
      { code: error instanceof CloudError && error.code ? error.code : 'ETagMismatch', provider: hooks.provider },
    );
    Object.defineProperty(failure, 'cause', { value: error, enumerable: false });
    throw failure;
  }
  reportProgress(settings.options.onProgress, size, size, hooks.provider);
  return object;
}

/** Multipart: start, parts in bounded parallel lanes, complete; on any failure abort and report `UploadError`. */
function* multipart<H>(hooks: UploadHooks<H>, feed: PartFeed, total: number | undefined, settings: UploadSettings): Operation<StorageObject> {
  const handle = yield* hooks.start();
  let size = 0;
  const crcs: Array<{ crc: number; length: number }> = [];
  try {
    const tokens = yield* sendParts(
      feed,
      settings.concurrency,
      (part) => hooks.putPart(handle, part),
      (part) => {
        size += part.length;
        if (part.crc32 !== undefined) crcs[part.number - 1] = { crc: part.crc32, length: part.length };
        reportProgress(settings.options.onProgress, size, total, hooks.provider);
      },
    );
    const withCrc = hooks.crc32 === true && tokens.length > 0 && crcs.length === tokens.length;
    const crc32 = withCrc ? crcs.reduce((acc, p, i) => (i === 0 ? p.crc : crc32Combine(acc, p.crc, p.length)), 0) : undefined;
    return yield* hooks.complete(handle, tokens, { size, ...(withCrc ? { crc32, partCrc32s: crcs.map((p) => p.crc) } : {}) });
  } catch (error) {
    const aborted = yield* hooks.abort(handle);
    throw uploadFailure(hooks.provider, settings.name, error, aborted);
  }
}

/**
 * Exactly `n` bytes at a time (fewer at the end) from the pages of a read, which may be of any size: pages are
 * pulled in order, as a read of the whole object (so the reader's own whole-object checks apply), and what a
 * page has beyond `n` is kept for the next call.
 */
class PageBytes {
  private pending: Uint8Array[] = [];
  private buffered = 0;
  private token: string | undefined;
  private started = false;
  private ended = false;
  private readonly seen = new Set<string>();
  constructor(private readonly pages: PageOperation<Uint8Array>) {}

  *take(n: number): Operation<Uint8Array> {
    while (this.buffered < n && !this.ended) {
      const page = yield* this.pages(this.started ? this.token : undefined);
      this.started = true;
      for (const item of page.items) {
        if (item.byteLength === 0) continue;
        this.pending.push(item);
        this.buffered += item.byteLength;
      }
      if (page.next === undefined) this.ended = true;
      else if (this.seen.has(page.next)) throw new IntegrityError('the read repeated a page', { code: 'RepeatedToken' });
      else this.seen.add(page.next);
      this.token = page.next;
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out = all.subarray(0, Math.min(n, all.byteLength));
    const rest = all.subarray(out.byteLength);
    this.pending = rest.byteLength > 0 ? [rest] : [];
    this.buffered = rest.byteLength;
    return out;
  }
}

/**
 * Uploads the `size` bytes of another object's read (a copy between providers; `pages` read it whole, in
 * order): one PUT when they fit in a part, else multipart, reading the next `concurrency` parts while the
 * previous ones are sent, so at most 2 × concurrency parts are in memory. The reader's checks apply (lengths,
 * per-range and whole-object digests, a changed source); besides, when `expectedMd5` (hex) is given and the
 * bytes read differ, nothing is committed: the single PUT is not sent, the multipart upload is aborted.
 */
export function* uploadPages<H>(hooks: UploadHooks<H>, size: number, pages: PageOperation<Uint8Array>, settings: UploadSettings, expectedMd5?: string): Operation<StorageObject> {
  const partSize = planPartSize(size, settings.partSize, hooks.maxParts);
  const digests = digestsOf(hooks, settings.options);
  const source = new PageBytes(pages);
  const whole = createHash('md5');
  const check = (): void => {
    if (expectedMd5 !== undefined && whole.digest('hex') !== expectedMd5) {
      throw new IntegrityError(`${hooks.provider}: the bytes read for ${settings.name} do not match the source's MD5; nothing was committed`, {
        code: 'HashMismatch',
        provider: hooks.provider,
      });
    }
  };
  function* part(number: number): Operation<PartData> {
    const length = Math.min(partSize, size - (number - 1) * partSize);
    const body = yield* source.take(length);
    if (body.byteLength !== length) {
      throw new IntegrityError(`${hooks.provider}: the source of ${settings.name} ended after ${(number - 1) * partSize + body.byteLength} bytes, expected ${size}`, {
        code: 'LengthMismatch',
        provider: hooks.provider,
      });
    }
    whole.update(body);
    return { number, body, length, ...digestBytes(body, digests) };
  }
  if (size <= partSize) {
    const bytes = size > 0 ? (yield* part(1)).body : new Uint8Array(0);
    check();
    return yield* single(hooks, bytes, size, digestOrNone(bytes as Uint8Array, digests), settings);
  }
  const count = Math.ceil(size / partSize);
  const lanes = Math.max(1, Math.min(settings.concurrency, count));
  function* readBatch(first: number): Operation<PartData[]> {
    const parts: PartData[] = [];
    for (let n = first; n <= Math.min(first + lanes - 1, count); n++) parts.push(yield* part(n));
    return parts;
  }
  const handle = yield* hooks.start();
  const tokens: string[] = [];
  const crcs: Array<{ crc: number; length: number }> = [];
  let done = 0;
  try {
    let batch = yield* readBatch(1);
    for (let next = 1 + lanes; batch.length > 0; next += lanes) {
      const sends = batch.map(function* (p): Operation<PartData[] | undefined> {
        tokens[p.number - 1] = yield* hooks.putPart(handle, p);
        if (p.crc32 !== undefined) crcs[p.number - 1] = { crc: p.crc32, length: p.length };
        done += p.length;
        reportProgress(settings.options.onProgress, done, size, hooks.provider);
        return undefined;
      });
      const results = yield* all<PartData[] | undefined>([...sends, readBatch(next)], lanes + 1);
      batch = results[results.length - 1] ?? [];
    }
    check();
    const withCrc = hooks.crc32 === true && crcs.length === tokens.length && crcs.every(Boolean);
    const crc32 = withCrc ? crcs.reduce((acc, p, i) => (i === 0 ? p.crc : crc32Combine(acc, p.crc, p.length)), 0) : undefined;
    return yield* hooks.complete(handle, tokens, { size, ...(withCrc ? { crc32, partCrc32s: crcs.map((p) => p.crc) } : {}) });
  } catch (error) {
    const aborted = yield* hooks.abort(handle);
    throw uploadFailure(hooks.provider, settings.name, error, aborted);
  }
}

/** The error reported for a failed multipart upload (a cancel stays an `AbortError`). */
export function uploadFailure(provider: string, name: string, cause: unknown, aborted: boolean): UploadError | AbortError {
  const outcome = aborted ? 'aborted' : 'NOT aborted (abort failed; the incomplete upload may remain)';
  if (cause instanceof AbortError) {
    return new AbortError(`${provider}: upload of ${name} was cancelled and its multipart upload ${outcome}`, { provider });
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new UploadError(`${provider}: upload of ${name} failed and was ${outcome}: ${reason}`, {
    code: CloudError.is(cause) && cause.code ? cause.code : 'UploadFailed',
    provider,
    ...(CloudError.is(cause) && cause.status !== undefined ? { status: cause.status } : {}),
  });
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  Object.defineProperty(error, 'aborted', { value: aborted, enumerable: true });
  return error;
}
