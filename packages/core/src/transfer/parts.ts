/**
 * Part planning and part feeding for multipart (S3) and block (Azure) uploads, shared by the drivers.
 *
 * Parts are uploaded by a few "lanes" run with core's `all()`: each lane takes the next part from a feed,
 * uploads it, and repeats. Only `lanes × partSize` bytes of a stream are in memory at once, and a lane that
 * fails stops the others from taking new parts.
 * @module
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError, UploadError } from '../errors/index.js';
import type { RequestBody } from '../http/types.js';
import { all, read, type ChunkSource, type Operation } from '../runtime/effects.js';
import { crc32 } from 'node:zlib';
import { collectTransferred } from '../runtime/transient-memory.js';
import { digestOfFile } from './files.js';

/** 1 MiB. */
export const MiB = 1024 * 1024;

/** One part ready to send. */
export interface PartData {
  /** 1-based part number, in source order. */
  readonly number: number;
  readonly body: RequestBody;
  readonly length: number;
  /** Raw MD5 digest, when integrity checking is on. */
  readonly md5?: Buffer;
  /** CRC32, when the provider takes per-part checksums (S3 full-object CRC32). */
  readonly crc32?: number;
}

/** Which digests each part carries. */
export interface PartDigests {
  readonly md5: boolean;
  readonly crc32: boolean;
}

/** The digests of in-memory bytes. */
export function digestBytes(body: Uint8Array, digests: PartDigests): { md5?: Buffer; crc32?: number } {
  return {
    ...(digests.md5 ? { md5: createHash('md5').update(body).digest() } : {}),
    ...(digests.crc32 ? { crc32: crc32(body) >>> 0 } : {}),
  };
}

/** Hands out parts in order; `null` when there are no more. Safe to call from concurrent lanes. */
export interface PartFeed {
  next(): Operation<PartData | null>;
  /** Called once a part's request is over (sent or failed), so its buffer can be reused. */
  release?(part: PartData): void;
}

/**
 * The part size to use for `total` bytes: at least `requested`, grown (to a whole MiB) so the upload needs at
 * most `maxParts` parts.
 */
export function planPartSize(total: number, requested: number, maxParts: number): number {
  if (total <= requested * maxParts) return requested;
  return Math.ceil(total / maxParts / MiB) * MiB;
}

/** Parts over in-memory bytes (sub-arrays: nothing is copied). */
export function bytesFeed(bytes: Uint8Array, partSize: number, digests: PartDigests): PartFeed {
  let offset = 0;
  let number = 0;
  return {
    // eslint-disable-next-line require-yield
    *next() {
      if (offset >= bytes.byteLength) return null;
      const body = bytes.subarray(offset, offset + partSize);
      offset += body.byteLength;
      number++;
      return { number, body, length: body.byteLength, ...digestBytes(body, digests) };
    },
  };
}

/** Parts over a file, sent as `{file, start, end}` slices so the transport streams them from disk. */
export function fileFeed(file: string, size: number, partSize: number, digests: PartDigests): PartFeed {
  let offset = 0;
  let number = 0;
  return {
    *next() {
      if (offset >= size) return null;
      const start = offset;
      const end = Math.min(size, start + partSize) - 1;
      offset = end + 1;
      const part = ++number; // claimed before any yield, so concurrent lanes never share a number
      const digest = digests.md5 || digests.crc32 ? yield* digestOfFile(file, start, end, digests) : {};
      return { number: part, body: { file, start, end }, length: end - start + 1, ...digest };
    },
  };
}

/**
 * Reusable part buffers backed by `SharedArrayBuffer`s: the sync bridge then shares a part with its HTTP worker
 * instead of copying it, and a long upload allocates `lanes + 2` buffers in all instead of one per part, so
 * memory stays flat whatever the object size (and in async mode nothing changes but the reuse).
 */
export class PartPool {
  private readonly free: Uint8Array[] = [];
  constructor(private readonly size: number) {}

  /** A buffer of `size` bytes (contents unspecified). */
  acquire(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(new SharedArrayBuffer(this.size));
  }

  /** Returns a buffer (or a view of one) once its request is over. */
  release(buffer: Uint8Array): void {
    if (buffer.buffer instanceof SharedArrayBuffer && buffer.buffer.byteLength === this.size) this.free.push(new Uint8Array(buffer.buffer));
  }
}

/**
 * A chunk source that returns whole parts: each read fills up to `max` bytes (a pooled buffer of the pool's
 * size) from the inner source, or ends with a short last part. Reads are serialised and numbered in order, so
 * concurrent lanes get distinct, ordered parts.
 */
export class PartReader implements ChunkSource {
  private readonly numbers = new WeakMap<Uint8Array, number>();
  private count = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inner: ChunkSource,
    readonly pool: PartPool,
  ) {}

  /** The part number of a chunk this reader returned. */
  numberOf(chunk: Uint8Array): number {
    const n = this.numbers.get(chunk);
    if (n === undefined) throw new InvalidArgumentError('not a part produced by this reader');
    return n;
  }

  readSync(max: number): Uint8Array | null {
    const part = this.pool.acquire();
    const limit = Math.min(max, part.byteLength);
    let have = 0;
    while (have < limit) {
      const chunk = this.inner.readSync(limit - have);
      if (!chunk) break;
      part.set(chunk, have);
      have += chunk.byteLength;
    }
    return this.finish(part, have);
  }

  readAsync(max: number): Promise<Uint8Array | null> {
    const next = this.chain.then(async () => {
      const part = this.pool.acquire();
      const limit = Math.min(max, part.byteLength);
      let have = 0;
      while (have < limit) {
        const chunk = await this.inner.readAsync(limit - have);
        if (!chunk) break;
        part.set(chunk, have);
        have += chunk.byteLength;
      }
      return this.finish(part, have);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private finish(part: Uint8Array, have: number): Uint8Array | null {
    // The source's chunks were copied into the pooled part and are garbage now.
    collectTransferred(have);
    if (have === 0) {
      this.pool.release(part);
      return null;
    }
    const view = have === part.byteLength ? part : part.subarray(0, have);
    this.numbers.set(view, ++this.count);
    return view;
  }
}

/** Parts read from a stream source; `first` holds parts already read (to decide single PUT vs multipart). */
export function streamFeed(reader: PartReader, partSize: number, digests: PartDigests, first: Uint8Array[], maxParts: number): PartFeed {
  const pending = [...first];
  let ended = false;
  return {
    *next() {
      let body = pending.shift();
      if (!body) {
        if (ended) return null;
        const chunk = yield* read(reader, partSize);
        if (!chunk) {
          ended = true;
          return null;
        }
        body = chunk;
      }
      const number = reader.numberOf(body);
      if (number > maxParts) {
        throw new UploadError(`the source is longer than ${maxParts} parts of ${partSize} bytes; pass a larger partSize`, {
          code: 'TooManyParts',
        });
      }
      return { number, body, length: body.byteLength, ...digestBytes(body, digests) };
    },
    release(part) {
      reader.pool.release(part.body as Uint8Array);
    },
  };
}

/** What a lane does with one part: upload it and return the provider's token for it (ETag, block id). */
export type SendPart = (part: PartData) => Operation<string>;

/**
 * Uploads every part of `feed` with at most `concurrency` parts in flight. Returns the tokens in part order.
 * After the first failure no lane takes a new part; the failure is rethrown once the running parts settle.
 */
export function* sendParts(feed: PartFeed, concurrency: number, send: SendPart, onPart: (part: PartData) => void): Operation<string[]> {
  const tokens: string[] = [];
  const state = { failed: false };
  function* lane(): Operation<void> {
    try {
      while (!state.failed) {
        const part = yield* feed.next();
        if (!part) return;
        try {
          tokens[part.number - 1] = yield* send(part);
        } finally {
          feed.release?.(part);
        }
        onPart(part);
      }
    } catch (error) {
      state.failed = true;
      throw error;
    }
  }
  yield* all(
    Array.from({ length: Math.max(1, concurrency) }, () => lane()),
    concurrency,
  );
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === undefined) throw new UploadError(`part ${i + 1} was never uploaded`, { code: 'MissingPart' });
  }
  return tokens;
}
