/**
 * Pure parsers and builders for the S3 XML API (also spoken by Google Cloud Storage's XML API).
 * @module
 */
import { asArray, MalformedResponseError, xmlText, type HttpResponse, type ProviderErrorInfo, type XmlDocument } from '@dualcloud/core';

/** A bucket from ListBuckets. */
export interface BucketEntry {
  readonly name: string;
  readonly creationDate?: string;
}

/** An object entry from ListObjectsV2. */
export interface ObjectEntry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified?: string;
  readonly storageClass?: string;
}

/**
 * One page of ListObjects. `nextToken` is V2's continuation token; `nextMarker` is where a V1-shaped page says
 * (or implies) the next one starts.
 */
export interface ObjectListing {
  readonly objects: ObjectEntry[];
  readonly commonPrefixes: string[];
  readonly nextToken?: string;
  readonly nextMarker?: string;
}

function root(doc: XmlDocument, name: string, provider: string): Record<string, any> {
  const node = doc[name];
  if (node === undefined) {
    throw new MalformedResponseError(`${provider}: expected <${name}> in the response, got <${Object.keys(doc)[0] ?? 'nothing'}>`, {
      code: 'UnexpectedXML',
      provider,
    });
  }
  return typeof node === 'object' && node !== null ? node : {};
}

function required(value: unknown, what: string, provider: string): string {
  const text = xmlText(value);
  if (text === undefined || text === '') throw new MalformedResponseError(`${provider}: response lacks ${what}`, { code: 'UnexpectedXML', provider });
  return text;
}

/** Parses `<ListAllMyBucketsResult>`. */
export function parseBucketList(doc: XmlDocument, provider: string): { buckets: BucketEntry[]; nextToken?: string } {
  const result = root(doc, 'ListAllMyBucketsResult', provider);
  const buckets = asArray<Record<string, unknown>>(result.Buckets?.Bucket).map((b) => {
    const creationDate = xmlText(b.CreationDate);
    return { name: required(b.Name, 'a bucket name', provider), ...(creationDate ? { creationDate } : {}) };
  });
  const nextToken = xmlText(result.ContinuationToken);
  return { buckets, ...(nextToken ? { nextToken } : {}) };
}

/**
 * Parses `<ListBucketResult>` of ListObjects, V2 or V1 shaped. A truncated page without
 * `NextContinuationToken` is read as V1 (as Libcloud and rclone read it, since older Ceph, appliances and
 * minimal servers answer V2 requests that way): the next marker is `NextMarker`, else the greatest of the
 * last key and the last common prefix.
 */
export function parseObjectList(doc: XmlDocument, provider: string): ObjectListing {
  const result = root(doc, 'ListBucketResult', provider);
  const objects = asArray<Record<string, unknown>>(result.Contents).map((c) => {
    const size = Number(xmlText(c.Size) ?? 'NaN');
    if (!Number.isSafeInteger(size) || size < 0) throw new MalformedResponseError(`${provider}: object listing has an invalid Size`, { code: 'UnexpectedXML', provider });
    const lastModified = xmlText(c.LastModified);
    const storageClass = xmlText(c.StorageClass);
    return {
      key: required(c.Key, 'an object key', provider),
      size,
      etag: xmlText(c.ETag) ?? '',
      ...(lastModified ? { lastModified } : {}),
      ...(storageClass ? { storageClass } : {}),
    };
  });
  const commonPrefixes = asArray<Record<string, unknown>>(result.CommonPrefixes)
    .map((p) => xmlText(p.Prefix))
    .filter((p): p is string => p !== undefined);
  const truncated = xmlText(result.IsTruncated) === 'true';
  if (!truncated) return { objects, commonPrefixes };
  const nextToken = xmlText(result.NextContinuationToken);
  if (nextToken) return { objects, commonPrefixes, nextToken };
  const lastKey = objects.at(-1)?.key;
  const lastPrefix = commonPrefixes.at(-1);
  const implied = lastKey !== undefined && lastPrefix !== undefined ? (lastKey > lastPrefix ? lastKey : lastPrefix) : (lastKey ?? lastPrefix);
  const nextMarker = xmlText(result.NextMarker) || implied;
  if (!nextMarker) throw new MalformedResponseError(`${provider}: truncated listing gives no way to the next page (no token, marker or entries)`, { code: 'UnexpectedXML', provider });
  return { objects, commonPrefixes, nextMarker };
}

/** Parses `<InitiateMultipartUploadResult>` and returns the upload id. */
export function parseUploadId(doc: XmlDocument, provider: string): string {
  return required(root(doc, 'InitiateMultipartUploadResult', provider).UploadId, 'an UploadId', provider);
}

/** Parses `<CompleteMultipartUploadResult>` (S3 can answer 200 with an `<Error>` document instead). */
export function parseCompleteResult(doc: XmlDocument, provider: string): { etag: string; checksumCrc32?: string } {
  const result = root(doc, 'CompleteMultipartUploadResult', provider);
  const checksumCrc32 = xmlText(result.ChecksumCRC32);
  return { etag: xmlText(result.ETag) ?? '', ...(checksumCrc32 ? { checksumCrc32 } : {}) };
}

/**
 * Parses `<CopyObjectResult>` or `<CopyPartResult>`: the ETag of what was written and, for a part of an upload
 * with checksums, its base64 CRC32. (A copy can answer 200 with an `<Error>` document: `root` refuses it.)
 */
export function parseCopyResult(doc: XmlDocument, element: 'CopyObjectResult' | 'CopyPartResult', provider: string): { etag: string; checksumCrc32?: string } {
  const result = root(doc, element, provider);
  const checksumCrc32 = xmlText(result.ChecksumCRC32);
  return { etag: required(result.ETag, 'an ETag', provider), ...(checksumCrc32 ? { checksumCrc32 } : {}) };
}

/** A completed part: its ETag and, with checksums, its base64 CRC32. */
export interface CompletedPart {
  readonly etag: string;
  readonly checksumCrc32?: string;
}

/** The `<CompleteMultipartUpload>` request body. */
export function completeMultipartBody(parts: readonly CompletedPart[]): string {
  const items = parts
    .map(
      (part, i) =>
        `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(part.etag)}</ETag>${part.checksumCrc32 ? `<ChecksumCRC32>${part.checksumCrc32}</ChecksumCRC32>` : ''}</Part>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items}</CompleteMultipartUpload>`;
}

/** Whether XML 1.0 can carry a key exactly (control characters other than tab and newline cannot be; a CR is normalised away). */
export function xmlSafeKey(key: string): boolean {
  return !/[\u0000-\u0008\u000b-\u001f\ufffe\uffff]/.test(key);
}

/** The `<Delete>` body of DeleteObjects (verbose: every key is reported). */
export function deleteObjectsBody(keys: readonly string[]): string {
  const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>${objects}</Delete>`;
}

/** What DeleteObjects reports: the keys deleted, and the keys it could not delete with their codes. */
export interface DeleteResult {
  readonly deleted: ReadonlySet<string>;
  readonly errors: ReadonlyMap<string, { readonly code: string; readonly message: string }>;
}

/** Parses `<DeleteResult>`. */
export function parseDeleteResult(doc: XmlDocument, provider: string): DeleteResult {
  const result = root(doc, 'DeleteResult', provider);
  const deleted = new Set(asArray<Record<string, unknown>>(result.Deleted).map((d) => required(d.Key, 'a deleted key', provider)));
  const errors = new Map<string, { code: string; message: string }>();
  for (const e of asArray<Record<string, unknown>>(result.Error)) {
    errors.set(required(e.Key, 'the key of an error', provider), { code: xmlText(e.Code) ?? 'InternalError', message: xmlText(e.Message) ?? '' });
  }
  return { deleted, errors };
}

/** The `<CreateBucketConfiguration>` body for a region other than us-east-1. */
export function createBucketBody(location: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${escapeXml(location)}</LocationConstraint></CreateBucketConfiguration>`;
}

/** Reads an `<Error>` document (S3 and GCS XML). */
export function parseS3Error(response: HttpResponse): ProviderErrorInfo | undefined {
  const error = response.xml().Error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object') return undefined;
  const code = xmlText(error.Code);
  const message = xmlText(error.Message);
  const requestId = xmlText(error.RequestId);
  return { ...(code ? { code } : {}), ...(message ? { message } : {}), ...(requestId ? { requestId } : {}) };
}

/** Escapes text for XML element content (quotes stay as they are: ETags keep their literal quotes). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

/** An ETag without its quotes. */
export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** Whether an ETag (unquoted) is a plain MD5 hex digest (single-part, non-KMS objects). */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/i.test(etag);
}
