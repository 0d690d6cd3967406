/**
 * The kit's readers: streamed reads as ranged GETs (one page per chunk, guarded by the object's ETag) and
 * downloads to a file through a temporary file. Both verify what they received inside the request (the spec's
 * `verify`), so a range or a download whose bytes fail the check is read again within the connection's retry
 * budget, and the destination file appears only after a verified read.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
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
  /**
   * The digests a range response vouches for about the whole object (an MD5 ETag, `x-goog-hash`). When the read
   * covers the whole object, the bytes delivered are checked against them on the last range.
   */
  readonly expected?: (response: HttpResponse) => ExpectedDigest;
  /**
   * Asked once, before the last range of a whole-object read, for digests no range response carries (S3's
   * full-object CRC32 of a multipart object, from a HEAD). Optional: provide it only when it is needed.
   */
  readonly wholeDigest?: () => Operation<ExpectedDigest>;
}

/** The running digests of one whole-object read, up to `position`. */
interface WholeRead {
  position: number;
  readonly md5: Hash;
  crc32: number;
  digest: ExpectedDigest;
}

/** The bytes of a range: a server that ignores Range answers 200 with the whole object, so cut it out. */
function rangeBody(response: HttpResponse, offset: number, end: number): Uint8Array {
  const body = response.body;
  return response.status === 200 && body.byteLength > end - offset + 1 ? body.subarray(offset, end + 1) : body;
}

/**
 * Pages of a streamed read: validates the range, asks `fetch` for one chunk per page, verifies each chunk
 * (length, and the provider's per-range MD5 when it gives one; a bad chunk is fetched again), and turns a 412
 * (the object changed under the ETag) into a non-retryable `IntegrityError`. A read of the whole object is also
 * checked against the digests the provider vouches for (`expected`, `wholeDigest`): the last range is fetched
 * again while the bytes delivered do not match, and the read fails with `IntegrityError` if they never do.
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
  const whole = first === 0 && last === obj.size - 1 && (hooks.expected !== undefined || hooks.wholeDigest !== undefined);
  // One entry per iteration in progress (the page token names it), so iterating twice never mixes digests.
  const reads = new Map<string, WholeRead>();
  let reading = 0;
  return function* (token): Operation<Page<Uint8Array>> {
    let offset = first;
    let id: string | undefined;
    if (token === undefined) {
      if (whole) reads.set((id = String(++reading)), { position: first, md5: createHash('md5'), crc32: 0, digest: {} });
    } else {
      const slash = token.indexOf('/');
      offset = Number(slash < 0 ? token : token.slice(0, slash));
      if (slash >= 0) id = token.slice(slash + 1);
    }
    const state = id !== undefined ? reads.get(id) : undefined;
    const read = state?.position === offset ? state : undefined;
    if (offset > last) {
      if (id !== undefined) reads.delete(id);
      return { items: [] };
    }
    const end = Math.min(last, offset + chunkSize - 1);
    let mismatched: string | undefined;
    const verify = (response: HttpResponse): void => {
      const body = rangeBody(response, offset, end);
      if (body.byteLength !== end - offset + 1) {
        throw integrityMismatch(provider, `ranged read of ${obj.name} returned ${body.byteLength} bytes, expected ${end - offset + 1}`, 'LengthMismatch');
      }
      const md5 = hooks.rangeMd5?.(response, offset, end);
      if (md5 && createHash('md5').update(body).digest('base64') !== md5) {
        throw integrityMismatch(provider, `bytes ${offset}-${end} of ${obj.name} do not match the provider's MD5 of the range`, 'HashMismatch');
      }
      if (read && end === last) {
        const expected = { ...read.digest, ...definedOnly(hooks.expected?.(response)) };
        const mismatch =
          (expected.md5 !== undefined && read.md5.copy().update(body).digest('hex') !== expected.md5) ||
          (expected.crc32 !== undefined && crc32(body, read.crc32) >>> 0 !== expected.crc32);
        if (mismatch) {
          // The same last range twice: the damage is in a range already delivered, so reading this one again is futile.
          const again = mismatched === (mismatched = createHash('md5').update(body).digest('hex'));
          const message = `the bytes read of ${obj.name} do not match the provider's hash of the object`;
          if (again) throw new IntegrityError(`${provider}: ${message} (a range already delivered was damaged)`, { code: 'HashMismatch', provider });
          throw integrityMismatch(provider, message, 'HashMismatch');
        }
      }
    };
    let response: HttpResponse;
    try {
      if (read && end === last && hooks.wholeDigest) read.digest = yield* hooks.wholeDigest();
      response = yield* hooks.fetch(offset, end, etag, verify);
    } catch (error) {
      if (id !== undefined) reads.delete(id);
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
    const body = rangeBody(response, offset, end);
    if (end === last) {
      if (id !== undefined) reads.delete(id);
      return { items: [body] };
    }
    if (read) {
      read.md5.update(body);
      read.crc32 = crc32(body, read.crc32) >>> 0;
      read.position = end + 1;
    }
    return { items: [body], next: id !== undefined ? `${end + 1}/${id}` : String(end + 1) };
  };
}

function definedOnly(digest: ExpectedDigest | undefined): ExpectedDigest {
  return { ...(digest?.md5 !== undefined ? { md5: digest.md5 } : {}), ...(digest?.crc32 !== undefined ? { crc32: digest.crc32 } : {}) };
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
