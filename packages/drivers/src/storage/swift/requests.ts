/**
 * Request builders of the OpenStack Swift object storage API: pure functions from arguments to request
 * descriptors (paths below the account's storage URL), tested with `toEqual` and no network.
 * @see https://docs.openstack.org/api-ref/object-store/
 * @module
 */
import { InvalidArgumentError, uriEncode, type Headers, type RequestBody, type RequestSpec } from '@dualcloud/core';

/** Entries per listing page when the caller gives no `pageSize` (Swift's own maximum). */
export const DEFAULT_LISTING_LIMIT = 10_000;

/** The path of the account (the storage URL itself), a container or an object. */
export function swiftPath(container?: string, object?: string): string {
  if (container === undefined) return '';
  return `/${uriEncode(container)}${object !== undefined ? `/${uriEncode(object, true)}` : ''}`;
}

/** Throws `InvalidArgumentError` for a container name Swift refuses (empty, with `/`, over 256 bytes). */
export function checkContainerName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('/') || Buffer.byteLength(name) > 256 || name.includes('\0')) {
    throw new InvalidArgumentError(`invalid Swift container name "${String(name).slice(0, 64)}" (1-256 bytes, no "/")`, { code: 'InvalidContainerName' });
  }
}

/** Throws `InvalidArgumentError` for an object name Swift refuses (empty, over 1024 bytes, NUL). */
export function checkObjectName(name: string): void {
  if (typeof name !== 'string' || name === '' || Buffer.byteLength(name) > 1024 || name.includes('\0')) {
    throw new InvalidArgumentError('invalid Swift object name (empty, over 1024 bytes, or containing NUL)', { code: 'InvalidObjectName' });
  }
}

/** GET on the account: one page of containers (JSON). */
export function listContainersRequest(limit: number, marker?: string): RequestSpec {
  return { method: 'GET', path: swiftPath(), query: { format: 'json', limit, marker }, action: 'ListContainers' };
}

/** HEAD on the account (metadata, temp URL keys). */
export function headAccountRequest(): RequestSpec {
  return { method: 'HEAD', path: swiftPath(), action: 'HeadAccount' };
}

/** POST on the account: sets (or, with an empty value, removes) account metadata headers. */
export function postAccountRequest(headers: Headers): RequestSpec {
  return { method: 'POST', path: swiftPath(), headers, idempotent: true, action: 'PostAccount' };
}

/** HEAD on a container (404 handled by the caller). */
export function headContainerRequest(container: string): RequestSpec {
  return { method: 'HEAD', path: swiftPath(container), acceptStatus: [404], action: 'HeadContainer' };
}

/** PUT a container: 201 when created, 202 when it already existed. */
export function createContainerRequest(container: string): RequestSpec {
  return { method: 'PUT', path: swiftPath(container), headers: { 'content-length': '0' }, action: 'CreateContainer' };
}

/** DELETE a container (404 and 409 handled by the caller). */
export function deleteContainerRequest(container: string): RequestSpec {
  return { method: 'DELETE', path: swiftPath(container), acceptStatus: [404, 409], action: 'DeleteContainer' };
}

/** Arguments of a container listing page. */
export interface ListObjectsArgs {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly limit: number;
  readonly marker?: string;
}

/** GET on a container: one page of objects and subdirs (JSON; 404 handled by the caller). */
export function listObjectsRequest(container: string, args: ListObjectsArgs): RequestSpec {
  return {
    method: 'GET',
    path: swiftPath(container),
    query: { format: 'json', limit: args.limit, marker: args.marker, prefix: args.prefix || undefined, delimiter: args.delimiter || undefined },
    acceptStatus: [404],
    action: 'ListObjects',
  };
}

/** HEAD on an object (404 handled by the caller). */
export function headObjectRequest(container: string, object: string): RequestSpec {
  return { method: 'HEAD', path: swiftPath(container, object), acceptStatus: [404], action: 'HeadObject' };
}

/** GET an object: saved to a file, or a range guarded by `If-Match`. */
export function getObjectRequest(container: string, object: string, options: { saveTo?: string; range?: readonly [number, number]; ifMatch?: string } = {}): RequestSpec {
  const headers: Headers = {};
  if (options.range) headers.range = `bytes=${options.range[0]}-${options.range[1]}`;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  return {
    method: 'GET',
    path: swiftPath(container, object),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(options.saveTo ? { saveTo: options.saveTo } : {}),
    action: 'GetObject',
  };
}

/** PUT an object (or an SLO segment) with its headers: length, `ETag` (MD5 hex, checked by Swift), type, metadata. */
export function putObjectRequest(container: string, object: string, headers: Headers, body: RequestBody): RequestSpec {
  return { method: 'PUT', path: swiftPath(container, object), headers, body, action: 'PutObject' };
}

/** One segment of a Static Large Object manifest. */
export interface SloSegment {
  /** `/container/object`, not percent-encoded. */
  readonly path: string;
  readonly etag: string;
  readonly size_bytes: number;
}

/** The manifest body (a JSON array of segments). */
export function sloManifestBody(segments: readonly SloSegment[]): string {
  return JSON.stringify(segments.map((s) => ({ path: s.path, etag: s.etag, size_bytes: s.size_bytes })));
}

/**
 * PUT a Static Large Object manifest (`?multipart-manifest=put`). The `ETag` header, when given, is the MD5 of
 * the segments' ETags, which Swift checks against the segments it finds. Repeating it is harmless.
 */
export function putManifestRequest(container: string, object: string, headers: Headers, segments: readonly SloSegment[]): RequestSpec {
  const body = sloManifestBody(segments);
  return {
    method: 'PUT',
    path: swiftPath(container, object),
    query: { 'multipart-manifest': 'put' },
    headers: { ...headers, 'content-type': headers['content-type'] ?? 'application/octet-stream', 'content-length': String(Buffer.byteLength(body)) },
    body,
    idempotent: true,
    action: 'PutSloManifest',
  };
}

/**
 * DELETE an object. With `manifest`, an SLO's manifest and segments (`?multipart-manifest=delete`, answered 200
 * with a JSON report); otherwise the object alone (404 handled by the caller).
 */
export function deleteObjectRequest(container: string, object: string, manifest = false): RequestSpec {
  if (manifest) {
    return { method: 'DELETE', path: swiftPath(container, object), query: { 'multipart-manifest': 'delete' }, headers: { accept: 'application/json' }, action: 'DeleteSloObject' };
  }
  return { method: 'DELETE', path: swiftPath(container, object), acceptStatus: [404], action: 'DeleteObject' };
}
