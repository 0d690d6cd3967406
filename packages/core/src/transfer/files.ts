/**
 * Local file helpers shared by the storage drivers: chunk sources over files (read through the `read`
 * effect so async mode never blocks on disk), MD5 of a file range, and download finalisation
 * (temporary file next to the destination, renamed only once verified).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { InvalidArgumentError } from '../errors/index.js';
import { read, type ChunkSource, type Operation } from '../runtime/effects.js';

/** Bytes read per `read` effect when hashing files. */
const HASH_CHUNK = 1024 * 1024;

/**
 * A chunk source over bytes `[start, end]` (inclusive) of a file. Sync reads use `readSync`, async reads use
 * `fs/promises`; the descriptor is opened lazily and closed at the end.
 */
export function fileChunkSource(file: string, start: number, end: number): ChunkSource {
  let position = start;
  let fd: number | undefined;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const remaining = (): number => end - position + 1;
  return {
    readSync(max) {
      const n = Math.min(max, remaining());
      if (n <= 0) {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        return null;
      }
      fd ??= openSync(file, 'r');
      const buffer = Buffer.allocUnsafe(n);
      const got = readSync(fd, buffer, 0, n, position);
      if (got === 0) throw new InvalidArgumentError(`file ${basename(file)} shrank while it was being read`);
      position += got;
      return buffer.subarray(0, got);
    },
    async readAsync(max) {
      const n = Math.min(max, remaining());
      if (n <= 0) {
        await handle?.close();
        handle = undefined;
        return null;
      }
      handle ??= await open(file, 'r');
      const buffer = Buffer.allocUnsafe(n);
      const { bytesRead } = await handle.read(buffer, 0, n, position);
      if (bytesRead === 0) throw new InvalidArgumentError(`file ${basename(file)} shrank while it was being read`);
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
  };
}

/** MD5 (raw digest) and/or CRC32 of bytes `[start, end]` of a file, read in chunks through the executor. */
export function* digestOfFile(file: string, start: number, end: number, which: { md5: boolean; crc32: boolean }): Operation<{ md5?: Buffer; crc32?: number }> {
  const hash = which.md5 ? createHash('md5') : undefined;
  let crc = 0;
  const source = fileChunkSource(file, start, end);
  for (let chunk = yield* read(source, HASH_CHUNK); chunk; chunk = yield* read(source, HASH_CHUNK)) {
    hash?.update(chunk);
    if (which.crc32) crc = crc32(chunk, crc);
  }
  return { ...(hash ? { md5: hash.digest() } : {}), ...(which.crc32 ? { crc32: crc >>> 0 } : {}) };
}

/** MD5 (raw digest) of bytes `[start, end]` of a file. */
export function* md5OfFile(file: string, start: number, end: number): Operation<Buffer> {
  return (yield* digestOfFile(file, start, end, { md5: true, crc32: false })).md5!;
}

/** Size of a regular file, or `InvalidArgumentError` when it is missing or not a file. */
export function fileSize(file: string): number {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    throw new InvalidArgumentError(`cannot upload ${basename(file)}: file not found or not readable`, { code: 'ENOENT' });
  }
  if (!stats.isFile()) throw new InvalidArgumentError(`cannot upload ${basename(file)}: not a regular file`);
  return stats.size;
}

/**
 * Checks a download destination and returns the temporary path to write to (same directory, so the final
 * rename is atomic). An existing destination is an error unless `overwrite`.
 */
export function prepareDownload(destination: string, overwrite: boolean | undefined): string {
  if (!overwrite && existsSync(destination)) {
    throw new InvalidArgumentError(`download destination ${basename(destination)} already exists (pass overwriteExisting: true to replace it)`, {
      code: 'DestinationExists',
    });
  }
  if (!existsSync(dirname(destination))) {
    throw new InvalidArgumentError(`download destination directory does not exist: ${dirname(destination)}`, { code: 'ENOENT' });
  }
  return join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.dualcloud-part`);
}

/**
 * Downloads through a temporary file next to `destination`: `write(temporary)` fills and verifies it, and the
 * file is renamed into place only when that succeeds. A failure removes it, so nothing is left behind.
 */
export function* downloadViaTemporary(destination: string, overwrite: boolean | undefined, write: (temporary: string) => Operation<void>): Operation<boolean> {
  const temporary = prepareDownload(destination, overwrite);
  try {
    yield* write(temporary);
    finishDownload(temporary, destination);
    return true;
  } catch (error) {
    discardDownload(temporary);
    throw error;
  }
}

/** Moves a verified temporary download into place. */
export function finishDownload(temporary: string, destination: string): void {
  renameSync(temporary, destination);
}

/** Removes a temporary download (ignoring a file that is already gone). */
export function discardDownload(temporary: string): void {
  rmSync(temporary, { force: true });
}
