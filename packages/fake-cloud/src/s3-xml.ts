/**
 * S3 (and GCS XML API) documents: listings, multipart results, errors; and parsing of request bodies.
 * @module
 */
import { asArray, parseXml, xmlText } from '@dualcloud/core';
import { checksumElement } from './checksums.js';
import type { Bucket, ListEntry, Part, StoredObject, Upload } from './object-store.js';
import { ApiError } from './wire.js';
import { xmlDocument, type XmlObject } from './xml.js';

/** Per-dialect differences in documents. */
export interface XmlDialect {
  readonly xmlns: string;
  /** GCS adds generations to listings. */
  readonly gcs: boolean;
}

const OWNER = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'fakecloud' };

/** ISO timestamp with milliseconds, as listings show it. */
function iso(d: Date): string {
  return d.toISOString();
}

/** `ListAllMyBucketsResult`. */
export function listBucketsXml(d: XmlDialect, buckets: Bucket[], continuationToken?: string): string {
  return xmlDocument(
    'ListAllMyBucketsResult',
    {
      Owner: OWNER,
      Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: iso(b.created), BucketRegion: d.gcs ? undefined : b.region })) },
      ContinuationToken: continuationToken,
    },
    d.xmlns,
  );
}

function contentsXml(d: XmlDialect, o: StoredObject, owner: boolean, encode: (s: string) => string): XmlObject {
  return {
    Key: encode(o.key),
    Generation: d.gcs ? o.generation : undefined,
    MetaGeneration: d.gcs ? 1 : undefined,
    LastModified: iso(o.lastModified),
    ETag: o.etag,
    Size: o.data.length,
    Owner: owner ? OWNER : undefined,
    StorageClass: 'STANDARD',
  };
}

/** What a listing response reports besides its entries. */
export interface ListingInfo {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly encodingType?: string;
  readonly truncated: boolean;
  readonly entries: ListEntry[];
  readonly fetchOwner: boolean;
}

function encoder(info: ListingInfo): (s: string) => string {
  return info.encodingType === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

/** `ListBucketResult` of ListObjectsV2. */
export function listV2Xml(d: XmlDialect, info: ListingInfo, v2: { continuationToken?: string; nextContinuationToken?: string; startAfter?: string }): string {
  const enc = encoder(info);
  return xmlDocument(
    'ListBucketResult',
    {
      Name: info.bucket,
      Prefix: enc(info.prefix),
      Delimiter: info.delimiter ? enc(info.delimiter) : undefined,
      MaxKeys: info.maxKeys,
      EncodingType: info.encodingType,
      KeyCount: info.entries.length,
      IsTruncated: info.truncated,
      ContinuationToken: v2.continuationToken,
      NextContinuationToken: v2.nextContinuationToken,
      StartAfter: v2.startAfter !== undefined ? enc(v2.startAfter) : undefined,
      Contents: info.entries.flatMap((e) => (e.kind === 'object' ? [contentsXml(d, e.object, info.fetchOwner, enc)] : [])),
      CommonPrefixes: info.entries.flatMap((e) => (e.kind === 'prefix' ? [{ Prefix: enc(e.prefix) }] : [])),
    },
    d.xmlns,
  );
}

/** `ListBucketResult` of ListObjects (version 1, with markers). */
export function listV1Xml(d: XmlDialect, info: ListingInfo, marker: string, nextMarker?: string): string {
  const enc = encoder(info);
  return xmlDocument(
    'ListBucketResult',
    {
      Name: info.bucket,
      Prefix: enc(info.prefix),
      Marker: enc(marker),
      NextMarker: nextMarker !== undefined ? enc(nextMarker) : undefined,
      MaxKeys: info.maxKeys,
      Delimiter: info.delimiter ? enc(info.delimiter) : undefined,
      EncodingType: info.encodingType,
      IsTruncated: info.truncated,
      Contents: info.entries.flatMap((e) => (e.kind === 'object' ? [contentsXml(d, e.object, true, enc)] : [])),
      CommonPrefixes: info.entries.flatMap((e) => (e.kind === 'prefix' ? [{ Prefix: enc(e.prefix) }] : [])),
    },
    d.xmlns,
  );
}

/** `InitiateMultipartUploadResult`. */
export function initiateXml(d: XmlDialect, bucket: string, u: Upload): string {
  return xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: u.key, UploadId: u.id }, d.xmlns);
}

/** `CompleteMultipartUploadResult`, with `Checksum<ALGORITHM>` and `ChecksumType` when a checksum was stored. */
export function completeXml(d: XmlDialect, location: string, bucket: string, o: StoredObject): string {
  const checksum: XmlObject = o.checksum ? { [checksumElement(o.checksum.algorithm)]: o.checksum.value, ChecksumType: o.checksum.type } : {};
  return xmlDocument('CompleteMultipartUploadResult', { Location: location, Bucket: bucket, Key: o.key, ETag: o.etag, ...checksum }, d.xmlns);
}

/** `ListPartsResult`. */
export function listPartsXml(d: XmlDialect, bucket: string, u: Upload, parts: Part[], marker: number, maxParts: number, truncated: boolean): string {
  return xmlDocument(
    'ListPartsResult',
    {
      Bucket: bucket,
      Key: u.key,
      UploadId: u.id,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      NextPartNumberMarker: parts.length ? parts[parts.length - 1]!.number : undefined,
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: parts.map((p) => ({
        PartNumber: p.number,
        LastModified: iso(p.lastModified),
        ETag: p.etag,
        ...(p.checksum ? { [checksumElement(p.checksum.algorithm)]: p.checksum.value } : {}),
        Size: p.data.length,
      })),
    },
    d.xmlns,
  );
}

/** `ListMultipartUploadsResult`. */
export function listUploadsXml(
  d: XmlDialect,
  bucket: string,
  uploads: Upload[],
  q: { keyMarker: string; uploadIdMarker: string; prefix: string; maxUploads: number; truncated: boolean },
): string {
  const last = uploads[uploads.length - 1];
  return xmlDocument(
    'ListMultipartUploadsResult',
    {
      Bucket: bucket,
      KeyMarker: q.keyMarker,
      UploadIdMarker: q.uploadIdMarker,
      NextKeyMarker: q.truncated && last ? last.key : undefined,
      NextUploadIdMarker: q.truncated && last ? last.id : undefined,
      Prefix: q.prefix,
      MaxUploads: q.maxUploads,
      IsTruncated: q.truncated,
      Upload: uploads.map((u) => ({ Key: u.key, UploadId: u.id, Initiator: OWNER, Owner: OWNER, StorageClass: 'STANDARD', Initiated: iso(u.initiated) })),
    },
    d.xmlns,
  );
}

function malformed(): ApiError {
  return new ApiError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

function parseBody(body: Buffer): Record<string, any> {
  try {
    return parseXml(body.toString('utf8'));
  } catch {
    throw malformed();
  }
}

/** Parses a `CompleteMultipartUpload` body into its part list. */
export function parseCompleteBody(body: Buffer): { partNumber: number; etag: string }[] {
  const doc = parseBody(body);
  const root = doc.CompleteMultipartUpload;
  if (root === undefined) throw malformed();
  return asArray<unknown>(root?.Part).map((p) => {
    const part = p as Record<string, unknown>;
    const n = Number(xmlText(part?.PartNumber));
    const etag = xmlText(part?.ETag);
    if (!Number.isInteger(n) || etag === undefined) throw malformed();
    return { partNumber: n, etag };
  });
}

/** Parses a `Delete` (DeleteObjects) body. */
export function parseDeleteBody(body: Buffer): { keys: string[]; quiet: boolean } {
  const root = parseBody(body).Delete;
  if (root === undefined) throw malformed();
  const keys = asArray<unknown>(root?.Object).map((o) => {
    const key = xmlText((o as Record<string, unknown>)?.Key);
    if (!key) throw malformed();
    return key;
  });
  if (keys.length > 1000) throw malformed();
  return { keys, quiet: xmlText(root?.Quiet) === 'true' };
}

/** Parses an optional `CreateBucketConfiguration` body; returns its LocationConstraint. */
export function parseCreateBucketBody(body: Buffer): string | undefined {
  if (body.length === 0 || body.toString('utf8').trim() === '') return undefined;
  const root = parseBody(body).CreateBucketConfiguration;
  if (root === undefined) throw malformed();
  return xmlText(root?.LocationConstraint) || undefined;
}

/** `DeleteResult`. */
export function deleteResultXml(d: XmlDialect, deleted: string[], quiet: boolean): string {
  return xmlDocument('DeleteResult', { Deleted: quiet ? [] : deleted.map((Key) => ({ Key })) }, d.xmlns);
}
