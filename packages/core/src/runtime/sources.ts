/**
 * Upload sources as chunk readers for the `read` effect.
 * @module
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { ChunkSource } from './effects.js';

/** What `uploadObjectViaStream` accepts: bytes, text, a Node Readable, or a (async) iterable of byte chunks. */
export type UploadSource =
  | Uint8Array
  | string
  | Iterable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | NodeJS.ReadableStream;

function toBytes(chunk: Uint8Array | string): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  throw new InvalidArgumentError('upload source yielded something that is not bytes or a string');
}

/**
 * Wraps a source so the executors can read it in chunks of at most `max` bytes.
 * Sync mode can read bytes, strings and sync iterables; async iterables and streams need an async executor.
 */
export function toChunkSource(source: UploadSource): ChunkSource {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const bytes = toBytes(source);
    let offset = 0;
    const readSync = (max: number): Uint8Array | null => {
      if (offset >= bytes.byteLength) return null;
      const chunk = bytes.subarray(offset, offset + max);
      offset += chunk.byteLength;
      return chunk;
    };
    return { readSync, readAsync: async (max) => readSync(max) };
  }
  let pending: Uint8Array | null = null;
  let ended = false;
  const take = (max: number): Uint8Array | null => {
    if (!pending) return null;
    const chunk = pending.subarray(0, max);
    pending = pending.byteLength > max ? pending.subarray(max) : null;
    return chunk;
  };
  const syncIterable = typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function';
  const asyncIterable = typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
  if (!syncIterable && !asyncIterable) throw new InvalidArgumentError('upload source must be bytes, a string, a stream or an iterable of chunks');
  let syncIt: Iterator<Uint8Array | string> | undefined;
  let asyncIt: AsyncIterator<Uint8Array | string> | undefined;
  return {
    readSync(max) {
      if (!syncIterable) {
        throw new InvalidArgumentError('this upload source is a stream or async iterable: use a file path, bytes or a sync iterable in sync mode, or an async API');
      }
      while (!pending && !ended) {
        syncIt ??= (source as Iterable<Uint8Array | string>)[Symbol.iterator]();
        const next = syncIt.next();
        if (next.done) ended = true;
        else {
          const bytes = toBytes(next.value);
          if (bytes.byteLength > 0) pending = bytes;
        }
      }
      return take(max);
    },
    async readAsync(max) {
      while (!pending && !ended) {
        if (asyncIterable) asyncIt ??= (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
        else syncIt ??= (source as Iterable<Uint8Array | string>)[Symbol.iterator]();
        const next = asyncIt ? await asyncIt.next() : syncIt!.next();
        if (next.done) ended = true;
        else {
          const bytes = toBytes(next.value);
          if (bytes.byteLength > 0) pending = bytes;
        }
      }
      return take(max);
    },
  };
}
