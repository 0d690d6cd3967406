/**
 * What the HTTP storage drivers share about reading objects: streamed reads as ranged GETs, one page per
 * chunk, guarded by the object's ETag; and the length check of a download.
 * @module
 */
import {
  CloudError,
  IntegrityError,
  InvalidArgumentError,
  type HttpResponse,
  type Operation,
  type Page,
  type PageOperation,
  type StorageObject,
  type StreamOptions,
} from '@dualcloud/core';

/** Fetches bytes `offset`..`end` (inclusive), sending `If-Match: etag` when given. */
export type RangeFetch = (offset: number, end: number, etag: string | undefined) => Operation<Uint8Array>;

/**
 * Pages of a streamed read: validates the range, asks `fetch` for one chunk per page, turns a 412 (the object
 * changed under the ETag) into `IntegrityError`, and checks each chunk's length.
 */
export function rangedReadPages(
  provider: string,
  obj: StorageObject,
  options: StreamOptions,
  defaultChunkSize: number,
  etag: string | undefined,
  fetch: RangeFetch,
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
    let body: Uint8Array;
    try {
      body = yield* fetch(offset, end, etag);
    } catch (error) {
      if (CloudError.is(error) && error.status === 412) {
        throw new IntegrityError(`${provider}: ${obj.name} changed while it was being read (ETag no longer matches)`, {
          status: 412,
          code: error.code ?? 'PreconditionFailed',
          provider,
        });
      }
      throw error;
    }
    if (body.byteLength !== end - offset + 1) {
      throw new IntegrityError(`${provider}: ranged read of ${obj.name} returned ${body.byteLength} bytes, expected ${end - offset + 1}`, {
        code: 'LengthMismatch',
        provider,
      });
    }
    return { items: [body], next: end < last ? String(end + 1) : undefined };
  };
}

/** Checks that a download saved as many bytes as its Content-Length announced; returns the byte count. */
export function checkDownloadedLength(provider: string, obj: StorageObject, res: HttpResponse): number {
  const bytes = res.saved?.bytes ?? 0;
  const length = res.header('content-length');
  if (length !== undefined && Number(length) !== bytes) {
    throw new IntegrityError(`${provider}: downloaded ${bytes} bytes of ${obj.name}, expected ${length}`, { code: 'LengthMismatch', provider });
  }
  return bytes;
}
