/**
 * The object store shared by the S3 and GCS emulators (each has its own instance): buckets, objects, multipart
 * uploads, listing, with bounded memory. Operations throw {@link ApiError} with S3's codes (GCS uses the same).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChecksumAlgorithm, ObjectChecksum } from './checksums.js';
import { ApiError } from './wire.js';

/** Object fields set from request headers. */
export interface ObjectMeta {
  readonly contentType: string;
  /** Other stored headers: content-encoding, content-disposition, cache-control, content-language, expires. */
  readonly headers: Readonly<Record<string, string>>;
  /** User metadata, names lower-case without the `x-amz-meta-` / `x-goog-meta-` prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A stored object. */
export interface StoredObject extends ObjectMeta {
  readonly key: string;
  readonly data: Buffer;
  /** Quoted ETag. */
  readonly etag: string;
  readonly md5: Buffer;
  readonly lastModified: Date;
  readonly generation: number;
  readonly partsCount?: number;
  /** The whole-object checksum the client gave (or S3 computed for a FULL_OBJECT multipart upload). */
  readonly checksum?: ObjectChecksum;
}

/** An uploaded part. */
export interface Part {
  readonly number: number;
  readonly data: Buffer;
  readonly etag: string;
  readonly md5: Buffer;
  readonly lastModified: Date;
  /** The part's checksum, as the client gave it. */
  readonly checksum?: ObjectChecksum;
}

/** The checksum a multipart upload was created with (`x-amz-checksum-algorithm`, `x-amz-checksum-type`). */
export interface UploadChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** A multipart upload in progress. */
export interface Upload extends ObjectMeta {
  readonly id: string;
  readonly key: string;
  readonly initiated: Date;
  readonly parts: Map<number, Part>;
  readonly checksum?: UploadChecksum;
}

/** A bucket. */
export interface Bucket {
  readonly name: string;
  readonly created: Date;
  readonly region: string;
  readonly objects: Map<string, StoredObject>;
  readonly uploads: Map<string, Upload>;
  /** Keys in UTF-8 byte order; dropped on every change, rebuilt when listing. */
  sortedKeys?: string[];
}

/** Limits the store enforces. */
export interface StoreLimits {
  readonly maxObjectBytes: number;
  readonly maxTotalBytes: number;
  readonly maxBuckets: number;
  readonly minPartSize: number;
}

/** One listing entry: an object or a rolled-up common prefix. */
export type ListEntry = { readonly kind: 'object'; readonly object: StoredObject } | { readonly kind: 'prefix'; readonly prefix: string };

/** Listing parameters. */
export interface ListParams {
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  /** List keys strictly after this one (marker, start-after, or a continuation token's position). */
  readonly after: string;
}

/** Bytes charged per object or part besides its data, so that many empty objects still hit `maxTotalBytes`. */
export const ENTRY_OVERHEAD_BYTES = 512;

function cost(data: Buffer, key = ''): number {
  return data.length + key.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * Compares keys in UTF-8 byte order (= code point order), as S3 lists them, without encoding: UTF-16 code units
 * order the same way except that surrogates (code points >= 0x10000) must sort after U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Strips quotes (and `&quot;`) around an ETag. */
export function bareEtag(etag: string): string {
  return etag.trim().replace(/^(&quot;|")|(&quot;|")$/g, '');
}

/** An in-memory object store. */
export class ObjectStore {
  readonly buckets = new Map<string, Bucket>();
  private totalBytes = 0;
  private generation = Date.now() * 1000;

  constructor(private readonly limits: () => StoreLimits) {}

  /** Bytes charged for objects and parts (data plus a fixed overhead each). */
  get storedBytes(): number {
    return this.totalBytes;
  }

  /** Creates a bucket. */
  createBucket(name: string, region: string, now: number): Bucket {
    if (this.buckets.has(name)) throw new ApiError(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name });
    if (this.buckets.size >= this.limits().maxBuckets) throw new ApiError(400, 'TooManyBuckets', 'You have attempted to create more buckets than allowed.', { BucketName: name });
    const bucket: Bucket = { name, created: new Date(now), region, objects: new Map(), uploads: new Map() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /** A bucket, or `NoSuchBucket`. */
  bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new ApiError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    return b;
  }

  /** Deletes an empty bucket (pending uploads are aborted). */
  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.objects.size > 0) throw new ApiError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: name });
    for (const u of b.uploads.values()) this.release(u);
    this.buckets.delete(name);
  }

  /** An object, or `NoSuchKey`. */
  object(bucket: string, key: string): StoredObject {
    const o = this.bucket(bucket).objects.get(key);
    if (!o) throw new ApiError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return o;
  }

  /** Stores an object (replacing any previous one). Only the {@link ObjectMeta} fields of `meta` are used. */
  putObject(bucket: string, key: string, data: Buffer, meta: ObjectMeta, now: number, checksum?: ObjectChecksum): StoredObject {
    const b = this.bucket(bucket);
    this.checkSize(data.length, this.limits().maxObjectBytes, false);
    const md5 = createHash('md5').update(data).digest();
    const { contentType, headers, metadata } = meta; // `meta` may be a whole source object (CopyObject)
    return this.store(b, { key, data, md5, etag: `"${md5.toString('hex')}"`, lastModified: new Date(now), generation: this.nextGeneration(), contentType, headers, metadata, checksum });
  }

  /** Deletes an object; returns whether it existed. */
  deleteObject(bucket: string, key: string): boolean {
    const b = this.bucket(bucket);
    const old = b.objects.get(key);
    if (!old) return false;
    this.totalBytes -= cost(old.data, old.key);
    b.objects.delete(key);
    b.sortedKeys = undefined;
    return true;
  }

  /** Lists objects and common prefixes in key order. */
  list(bucket: string, p: ListParams): { entries: ListEntry[]; truncated: boolean } {
    const b = this.bucket(bucket);
    b.sortedKeys ??= [...b.objects.keys()].sort(compareKeys);
    const keys = b.sortedKeys;
    let lo = 0;
    let hi = keys.length;
    const start = compareKeys(p.after, p.prefix) > 0 ? p.after : p.prefix;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keys[mid]!, start) < 0) lo = mid + 1;
      else hi = mid;
    }
    const entries: ListEntry[] = [];
    let lastPrefix: string | undefined;
    for (let i = lo; i < keys.length; i += 1) {
      const key = keys[i]!;
      if (compareKeys(key, p.after) <= 0) continue;
      if (!key.startsWith(p.prefix)) {
        if (compareKeys(key, p.prefix) > 0) break;
        continue;
      }
      const cut = p.delimiter ? key.indexOf(p.delimiter, p.prefix.length) : -1;
      if (cut >= 0) {
        const cp = key.slice(0, cut + p.delimiter.length);
        // A prefix at or before the resume point was returned on an earlier page.
        if (cp === lastPrefix || compareKeys(cp, p.after) <= 0) continue;
        if (entries.length >= p.maxKeys) return { entries, truncated: true };
        entries.push({ kind: 'prefix', prefix: cp });
        lastPrefix = cp;
        continue;
      }
      if (entries.length >= p.maxKeys) return { entries, truncated: true };
      entries.push({ kind: 'object', object: b.objects.get(key)! });
    }
    return { entries, truncated: false };
  }

  /** Starts a multipart upload. */
  initiate(bucket: string, key: string, meta: ObjectMeta, now: number, checksum?: UploadChecksum): Upload {
    const b = this.bucket(bucket);
    if (b.uploads.size >= 10_000) throw new ApiError(400, 'TooManyUploads', 'Too many multipart uploads in progress in this bucket.');
    const upload: Upload = { id: randomBytes(24).toString('base64url'), key, initiated: new Date(now), parts: new Map(), ...meta, checksum };
    b.uploads.set(upload.id, upload);
    return upload;
  }

  /** An upload, or `NoSuchUpload`. */
  upload(bucket: string, key: string, uploadId: string): Upload {
    const u = this.bucket(bucket).uploads.get(uploadId);
    if (!u || u.key !== key) {
      throw new ApiError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
    }
    return u;
  }

  /** Stores a part (replacing a previous part with the same number). */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, data: Buffer, now: number, checksum?: ObjectChecksum): Part {
    const u = this.upload(bucket, key, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new ApiError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) });
    }
    this.checkSize(data.length, this.limits().maxObjectBytes, true);
    const md5 = createHash('md5').update(data).digest();
    const old = u.parts.get(partNumber);
    if (old) this.totalBytes -= cost(old.data);
    const part: Part = { number: partNumber, data, md5, etag: `"${md5.toString('hex')}"`, lastModified: new Date(now), checksum };
    this.totalBytes += cost(data);
    u.parts.set(partNumber, part);
    return part;
  }

  /**
   * Completes an upload from the client's part list (checked for order, existence, ETags and sizes). `checksum`
   * sees the assembled bytes before anything changes: it gives the object's checksum, or throws to refuse.
   */
  complete(
    bucket: string,
    key: string,
    uploadId: string,
    list: readonly { partNumber: number; etag: string }[],
    now: number,
    checksum: (data: Buffer) => ObjectChecksum | undefined = () => undefined,
  ): StoredObject {
    const b = this.bucket(bucket);
    const u = this.upload(bucket, key, uploadId);
    if (list.length === 0) throw new ApiError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const parts: Part[] = [];
    for (const [k, item] of list.entries()) {
      if (k > 0 && item.partNumber <= list[k - 1]!.partNumber) throw new ApiError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
      const part = u.parts.get(item.partNumber);
      if (!part || bareEtag(item.etag) !== bareEtag(part.etag)) {
        throw new ApiError(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: uploadId, PartNumber: String(item.partNumber), ETag: item.etag });
      }
      parts.push(part);
    }
    const min = this.limits().minPartSize;
    for (const part of parts.slice(0, -1)) {
      if (part.data.length < min) {
        throw new ApiError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { ProposedSize: String(part.data.length), MinSizeAllowed: String(min), PartNumber: String(part.number) });
      }
    }
    const data = Buffer.concat(parts.map((p) => p.data));
    const objectChecksum = checksum(data);
    const md5 = createHash('md5')
      .update(Buffer.concat(parts.map((p) => p.md5)))
      .digest('hex');
    const partBytes = this.release(u);
    let object: StoredObject;
    try {
      object = this.store(b, {
        key,
        data,
        md5: createHash('md5').update(data).digest(),
        etag: `"${md5}-${parts.length}"`,
        lastModified: new Date(now),
        generation: this.nextGeneration(),
        partsCount: parts.length,
        contentType: u.contentType,
        headers: u.headers,
        metadata: u.metadata,
        checksum: objectChecksum,
      });
    } catch (e) {
      this.totalBytes += partBytes;
      throw e;
    }
    b.uploads.delete(uploadId);
    return object;
  }

  /** Aborts an upload. */
  abort(bucket: string, key: string, uploadId: string): void {
    const u = this.upload(bucket, key, uploadId);
    this.release(u);
    this.bucket(bucket).uploads.delete(uploadId);
  }

  /** Drops every bucket. */
  clear(): void {
    this.buckets.clear();
    this.totalBytes = 0;
  }

  private store(b: Bucket, object: StoredObject): StoredObject {
    const old = b.objects.get(object.key);
    const delta = cost(object.data, object.key) - (old ? cost(old.data, old.key) : 0);
    if (this.totalBytes + delta > this.limits().maxTotalBytes) {
      throw new ApiError(400, 'EntityTooLarge', `The fake cloud's storage limit (${this.limits().maxTotalBytes} bytes) would be exceeded.`, { MaxSizeAllowed: String(this.limits().maxTotalBytes) });
    }
    this.totalBytes += delta;
    if (!old) b.sortedKeys = undefined;
    b.objects.set(object.key, object);
    return object;
  }

  private checkSize(size: number, max: number, countTotal: boolean): void {
    if (size > max) throw new ApiError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: String(size), MaxSizeAllowed: String(max) });
    if (countTotal && this.totalBytes + size + ENTRY_OVERHEAD_BYTES > this.limits().maxTotalBytes) {
      throw new ApiError(400, 'EntityTooLarge', `The fake cloud's storage limit (${this.limits().maxTotalBytes} bytes) would be exceeded.`, { MaxSizeAllowed: String(this.limits().maxTotalBytes) });
    }
  }

  /** Stops counting an upload's parts; returns their bytes. */
  private release(u: Upload): number {
    let bytes = 0;
    for (const p of u.parts.values()) bytes += cost(p.data);
    this.totalBytes -= bytes;
    return bytes;
  }

  private nextGeneration(): number {
    this.generation = Math.max(this.generation + 1, Date.now() * 1000);
    return this.generation;
  }
}
