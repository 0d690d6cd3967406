/**
 * The kit's readers: streamed reads as ranged GETs (one page per chunk, guarded by the object's ETag) and
 * downloads to a file through a temporary file. Both verify what they received inside the request (the spec's
 * `verify`), so a range or a download whose bytes fail the check is read again within the connection's retry
 * budget, and the destination file appears only after a verified read.
 * @module
 */
import { createHash } from 'node:crypto';
import type { DownloadOptions, StreamOptions } from '../drivers/storage.js';
import { CloudError, IntegrityError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { HttpResponse } from '../http/response.js';
import type { StorageObject } from '../models/storage.js';
import type { Operation } from '../runtime/effects.js';
import type { Page, PageOperation } from '../runtime/paging.js';
import { downloadViaTemporary } from './files.js';
import { reportProgress } from './progress.js';

/**
 * An integrity failure found while a request is still retryable: the connection sends the request again
 * (within its retry budget) before the caller sees it. `writtenEtag` names an object a PUT left behind.
 */
export function integrityMismatch(provider: string, message: string, code: string, writtenEtag?: string): IntegrityError {
  const error = new IntegrityError(`${provider}: ${message}`, { code, provider, retryable: true });
  if (writtenEtag !== undefined) Object.defineProperty(error, 'writtenEtag', { value: writtenEtag, enumerable: false });
  return error;
}

/** Sends one ranged GET for bytes `offset`..`end` (inclusive), with `If-Match` when given and the kit's `verify`. */
export type RangeFetch = (offset: number, end: number, ifMatch: string | undefined, verify: (response: HttpResponse) => void) => Operation<HttpResponse>;

/** Provider hooks of a ranged read. */
export interface RangedReadHooks {
  readonly fetch: RangeFetch;
  /** Base64 MD5 the provider gives for the returned range (Azure's `x-ms-range-get-content-md5`), if any. */
  readonly rangeMd5?: (response: HttpResponse, offset: number, end: number) => string | undefined;
  /**
   * Looks the object up after a 412 (some servers, Azurite among them, check `If-Match` before existence): it
   * throws the provider's not-found error when the object is gone, so a deleted object reads as not found.
   */
  readonly recheck?: () => Operation<unknown>;
}

/** The bytes of a range: a server that ignores Range answers 200 with the whole object, so cut it out. */
function rangeBody(response: HttpResponse, offset: number, end: number): Uint8Array {
  const body = response.body;
  return response.status === 200 && body.byteLength > end - offset + 1 ? body.subarray(offset, end + 1) : body;
}

/**
 * Pages of a streamed read: validates the range, asks `fetch` for one chunk per page, verifies each chunk
 * (length, and the provider's per-range MD5 when it gives one; a bad chunk is fetched again), and turns a 412
 * (the object changed under the ETag) into a non-retryable `IntegrityError`.
 */
export function rangedReadPages(
  provider: string,
  obj: StorageObject,
  options: StreamOptions,
  defaultChunkSize: number,
  etag: string | undefined,
  hooks: RangedReadHooks,
): PageOperation<Uint8Array> {
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const first = options.start ?? 0;
  const last = options.end ?? obj.size - 1;
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new InvalidArgumentError('chunkSize must be a positive integer');
  if (!Number.isSafeInteger(first) || first < 0 || !Number.isSafeInteger(last) || last < first - 1) {
    throw new InvalidArgumentError(`invalid range ${first}-${last} for ${obj.name}`);
  }
  return function* (token): Operation<Page<Uint8Array>> {
    const offset = token === undefined ? first : Number(token);
    if (offset > last) return { items: [] };
    const end = Math.min(last, offset + chunkSize - 1);
    const verify = (response: HttpResponse): void => {
      const body = rangeBody(response, offset, end);
      if (body.byteLength !== end - offset + 1) {
        throw integrityMismatch(provider, `ranged read of ${obj.name} returned ${body.byteLength} bytes, expected ${end - offset + 1}`, 'LengthMismatch');
      }
      const md5 = hooks.rangeMd5?.(response, offset, end);
      if (md5 && createHash('md5').update(body).digest('base64') !== md5) {
        throw integrityMismatch(provider, `bytes ${offset}-${end} of ${obj.name} do not match the provider's MD5 of the range`, 'HashMismatch');
      }
    };
    let response: HttpResponse;
    try {
      response = yield* hooks.fetch(offset, end, etag, verify);
    } catch (error) {
      if (CloudError.is(error) && error.status === 412) {
        if (hooks.recheck) {
          try {
            yield* hooks.recheck();
          } catch (lookup) {
            if (lookup instanceof NotFoundError) throw lookup;
            // Anything else says nothing about the object: report the 412 itself.
          }
        }
        throw new IntegrityError(`${provider}: ${obj.name} changed while it was being read (ETag no longer matches)`, {
          status: 412,
          code: error.code ?? 'PreconditionFailed',
          provider,
        });
      }
      throw error;
    }
    return { items: [rangeBody(response, offset, end)], next: end < last ? String(end + 1) : undefined };
  };
}

/** What a provider vouches for about a whole object's bytes, read from a GET's headers. */
export interface ExpectedDigest {
  /** Hex MD5. */
  readonly md5?: string;
  /** CRC32 of the whole object (S3 full-object checksums). */
  readonly crc32?: number;
}

/** Provider hooks of a download to a file. */
export interface DownloadHooks {
  /** Sends the GET that saves the body to `temporary`, with the kit's `verify`. */
  readonly fetch: (temporary: string, verify: (response: HttpResponse) => void) => Operation<HttpResponse>;
  /** The digests the response vouches for. */
  readonly expected: (response: HttpResponse) => ExpectedDigest;
}

/**
 * Downloads `obj` to `destination` through a temporary file next to it. The saved bytes are checked against
 * Content-Length and the provider's digests inside the request, so a corrupted or short read is fetched again
 * within the retry budget; the temporary file is renamed into place only after a verified read and removed on
 * failure.
 */
export function* downloadToFile(provider: string, obj: StorageObject, destination: string, options: DownloadOptions, hooks: DownloadHooks): Operation<boolean> {
  return yield* downloadViaTemporary(destination, options.overwriteExisting, function* (temporary) {
    const verify = (response: HttpResponse): void => {
      const bytes = response.saved?.bytes ?? 0;
      const length = response.header('content-length');
      if (length !== undefined && Number(length) !== bytes) {
        throw integrityMismatch(provider, `downloaded ${bytes} bytes of ${obj.name}, expected ${length}`, 'LengthMismatch');
      }
      if (options.verifyHash === false || !response.saved) return;
      const expected = hooks.expected(response);
      if (expected.md5 && expected.md5 !== response.saved.md5) {
        throw integrityMismatch(provider, `MD5 of the downloaded ${obj.name} does not match the provider's hash`, 'HashMismatch');
      }
      if (expected.crc32 !== undefined && expected.crc32 !== response.saved.crc32) {
        throw integrityMismatch(provider, `CRC32 of the downloaded ${obj.name} does not match the provider's checksum`, 'HashMismatch');
      }
    };
    const response = yield* hooks.fetch(temporary, verify);
    const bytes = response.saved?.bytes ?? 0;
    reportProgress(options.onProgress, bytes, bytes, provider);
  });
}
