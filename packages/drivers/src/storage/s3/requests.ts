/**
 * Request builders of the S3 REST API (also spoken by GCS's XML API): pure functions from arguments to request
 * descriptors, tested with `toEqual` and no network. The driver adds the addressing (path or virtual host)
 * and, where a response must be checked, the `verify` of the kit.
 * @module
 */
import { type Headers, md5Base64, type Query, type RequestBody, type RequestSpec, uriEncode } from '@dualcloud/core';
import { type CompletedPart, completeMultipartBody, createBucketBody, deleteObjectsBody } from './xml.js';

/** An S3 request: a descriptor without its path, plus the bucket and key it targets. */
export type S3Request = Omit<RequestSpec, 'path'> & { readonly bucket?: string; readonly key?: string };

/** Which ListObjects the driver speaks. */
export type ListVersion = 1 | 2;

/** Arguments of a listing page. */
export interface ListObjectsArgs {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly pageSize?: number;
}

/** ListBuckets. */
export function listBucketsRequest(token?: string): S3Request {
  return { method: 'GET', query: token ? { 'continuation-token': token } : {}, action: 'ListBuckets' };
}

/** HeadBucket (404 handled by the caller). */
export function headBucketRequest(bucket: string): S3Request {
  return { bucket, method: 'HEAD', acceptStatus: [404], action: 'HeadBucket' };
}

/** CreateBucket, with a location constraint outside us-east-1. */
export function createBucketRequest(bucket: string, location: string | undefined): S3Request {
  const body = location ? createBucketBody(location) : undefined;
  return { bucket, method: 'PUT', ...(body ? { body, headers: { 'content-type': 'application/xml' } } : {}), action: 'CreateBucket' };
}

/** DeleteBucket. */
export function deleteBucketRequest(bucket: string): S3Request {
  return { bucket, method: 'DELETE', action: 'DeleteBucket' };
}

/**
 * One page of ListObjects: V2 (`list-type=2`, continuation token) or V1 (`marker`). `next` is the token or
 * marker the previous page gave; with V2, a marker from a V1-shaped answer goes in `start-after`.
 */
export function listObjectsRequest(bucket: string, version: ListVersion, args: ListObjectsArgs, next?: { token?: string; marker?: string }): S3Request {
  const common: Query = { prefix: args.prefix, delimiter: args.delimiter, 'max-keys': args.pageSize };
  const query: Query =
    version === 1
      ? { ...common, marker: next?.marker ?? next?.token }
      : { ...common, 'list-type': '2', 'continuation-token': next?.token, 'start-after': next?.marker };
  return { bucket, method: 'GET', query, action: version === 1 ? 'ListObjects' : 'ListObjectsV2' };
}

/** HeadObject (404 handled by the caller); asks for checksums when `checksums` is true. */
export function headObjectRequest(bucket: string, key: string, checksums = false): S3Request {
  return { bucket, key, method: 'HEAD', acceptStatus: [404], ...(checksums ? { headers: { 'x-amz-checksum-mode': 'ENABLED' } } : {}), action: 'HeadObject' };
}

/** DeleteObject; with `ifMatch`, only while the object still has that ETag. */
export function deleteObjectRequest(bucket: string, key: string, ifMatch?: string): S3Request {
  return { bucket, key, method: 'DELETE', ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}), action: 'DeleteObject' };
}

/** The most keys one DeleteObjects request may name. */
export const MAX_DELETE_KEYS = 1000;

/**
 * DeleteObjects (multi-object delete) of up to 1,000 keys, verbose (every key is reported `Deleted` or `Error`).
 * S3 requires Content-MD5 (or a checksum) on it. Repeating it is harmless (a key already deleted is reported
 * deleted again), so it is marked idempotent and survives a lost reply.
 */
export function deleteObjectsRequest(bucket: string, keys: readonly string[]): S3Request {
  const body = deleteObjectsBody(keys);
  return {
    bucket,
    method: 'POST',
    query: { delete: '' },
    headers: { 'content-type': 'application/xml', 'content-md5': md5Base64(body), 'content-length': String(Buffer.byteLength(body)) },
    body,
    idempotent: true,
    action: 'DeleteObjects',
  };
}

/** PutObject with its headers (content type, metadata, length, Content-MD5, checksum). */
export function putObjectRequest(bucket: string, key: string, headers: Headers, body: RequestBody): S3Request {
  return { bucket, key, method: 'PUT', headers, body, action: 'PutObject' };
}

/**
 * CreateMultipartUpload; with `crc32`, asks for a full-object CRC32 checksum. Marked idempotent, as the AWS SDKs
 * retry it: a repeat only starts another upload, and one whose reply was lost stays empty and invisible (bucket
 * lifecycle rules abort it).
 */
export function createMultipartUploadRequest(bucket: string, key: string, headers: Headers, crc32: boolean): S3Request {
  const checksum: Headers = crc32 ? { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT' } : {};
  return { bucket, key, method: 'POST', query: { uploads: '' }, headers: { ...headers, ...checksum }, idempotent: true, action: 'CreateMultipartUpload' };
}

/** UploadPart. */
export function uploadPartRequest(bucket: string, key: string, uploadId: string, partNumber: number, headers: Headers, body: RequestBody): S3Request {
  return { bucket, key, method: 'PUT', query: { partNumber, uploadId }, headers, body, action: 'UploadPart' };
}

/**
 * CompleteMultipartUpload. Repeating it is safe (S3 answers the same for an upload already completed), so it
 * is marked idempotent and survives a lost reply.
 */
export function completeMultipartUploadRequest(bucket: string, key: string, uploadId: string, parts: readonly CompletedPart[], fullCrc32?: string): S3Request {
  const checksum: Headers = fullCrc32 ? { 'x-amz-checksum-crc32': fullCrc32, 'x-amz-checksum-type': 'FULL_OBJECT' } : {};
  return {
    bucket,
    key,
    method: 'POST',
    query: { uploadId },
    headers: { 'content-type': 'application/xml', ...checksum },
    body: completeMultipartBody(parts),
    idempotent: true,
    action: 'CompleteMultipartUpload',
  };
}

/** AbortMultipartUpload (404: already gone). */
export function abortMultipartUploadRequest(bucket: string, key: string, uploadId: string): S3Request {
  return { bucket, key, method: 'DELETE', query: { uploadId }, action: 'AbortMultipartUpload', acceptStatus: [404] };
}

/** GetObject: the whole object saved to a file, or a range; `checksums` asks for the full-object checksum. */
export function getObjectRequest(bucket: string, key: string, options: { saveTo?: string; range?: [number, number]; ifMatch?: string; checksums?: boolean } = {}): S3Request {
  const headers: Headers = {};
  if (options.range) headers.range = `bytes=${options.range[0]}-${options.range[1]}`;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (options.checksums) headers['x-amz-checksum-mode'] = 'ENABLED';
  return { bucket, key, method: 'GET', ...(Object.keys(headers).length ? { headers } : {}), ...(options.saveTo ? { saveTo: options.saveTo } : {}), action: 'GetObject' };
}

/** The source of a server-side copy: an object of the same store, and the ETag it must still have. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** `<prefix>copy-source-if-match`: the copy fails with 412 when the source no longer has this ETag. */
  readonly ifMatch?: string;
}

/** The `<prefix>copy-source` headers of a copy (`x-amz-` for S3, `x-goog-` for GCS); the key is percent-encoded. */
function copySourceHeaders(prefix: string, source: CopySource): Headers {
  return {
    [`${prefix}copy-source`]: `/${source.bucket}/${uriEncode(source.key, true)}`,
    ...(source.ifMatch ? { [`${prefix}copy-source-if-match`]: source.ifMatch } : {}),
  };
}

/**
 * CopyObject (GCS: the same with `x-goog-` headers). With `replace`, the metadata directive is REPLACE and
 * `headers` (content type, stored headers, `*-meta-*`) become the copy's; otherwise the source's are kept.
 */
export function copyObjectRequest(bucket: string, key: string, prefix: 'x-amz-' | 'x-goog-', source: CopySource, replace?: Headers): S3Request {
  return {
    bucket,
    key,
    method: 'PUT',
    headers: { ...copySourceHeaders(prefix, source), ...(replace ? { [`${prefix}metadata-directive`]: 'REPLACE', ...replace } : {}) },
    action: 'CopyObject',
  };
}

/** UploadPartCopy: bytes `range` (inclusive) of the source become part `partNumber` of an upload. */
export function uploadPartCopyRequest(bucket: string, key: string, uploadId: string, partNumber: number, source: CopySource, range: readonly [number, number]): S3Request {
  return {
    bucket,
    key,
    method: 'PUT',
    query: { partNumber, uploadId },
    headers: { ...copySourceHeaders('x-amz-', source), 'x-amz-copy-source-range': `bytes=${range[0]}-${range[1]}` },
    action: 'UploadPartCopy',
  };
}
