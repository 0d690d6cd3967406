/**
 * The S3-compatible storage driver base: the S3 REST/XML API as operations on the driver kit. `S3StorageDriver`
 * (AWS and S3-compatible stores) and `GoogleStorageDriver` (GCS XML API with HMAC keys) differ only in the
 * hooks declared here (credentials, endpoint, metadata prefix, addressing, checksums).
 * @module
 */
import { createHash } from 'node:crypto';
import {
  all,
  CloudError,
  commonPrefixEntry,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  crc32Base64,
  detached,
  downloadToFile,
  IntegrityError,
  integrityMismatch,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  MAX_PRESIGN_SECONDS,
  MiB,
  ProviderError,
  RequestError,
  ObjectDoesNotExistError,
  parseCrc32Base64,
  planPartSize,
  reportProgress,
  signedUrlSettings,
  uploadFailure,
  rangedReadPages,
  RateLimitError,
  PipelineStorageDriver,
  StorageObject,
  UploadError,
  uriEncode,
  alreadyGone,
  batchesByContainer,
  deleteLabels,
  deleteObjectsOneByOne,
  runBulk,
  singleUnit,
  sleep,
  type BodyDigest,
  type CopyOptions,
  type BulkResult,
  type BulkUnit,
  type Credentials,
  type DeleteObjectsOptions,
  type Settled,
  type DownloadOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type ExpectedDigest,
  type HttpResponse,
  type ListObjectsOptions,
  type Operation,
  type Page,
  type PageOperation,
  type PartData,
  type RequestBody,
  type Signer,
  type SignedUrlOptions,
  type StreamOptions,
  type UploadHooks,
  type UploadOptions,
  type UploadSettings,
  type UploadSummary,
} from '@dualcloud/core';
import {
  abortMultipartUploadRequest,
  completeMultipartUploadRequest,
  copyObjectRequest,
  deleteObjectsRequest,
  MAX_DELETE_KEYS,
  createBucketRequest,
  createMultipartUploadRequest,
  deleteBucketRequest,
  deleteObjectRequest,
  getObjectRequest,
  headBucketRequest,
  headObjectRequest,
  listBucketsRequest,
  listObjectsRequest,
  putObjectRequest,
  uploadPartCopyRequest,
  uploadPartRequest,
  type CopySource,
  type ListVersion,
  type S3Request,
} from './requests.js';
import { type CompletedPart, type DeleteResult, isMd5Etag, type ObjectEntry, parseBucketList, parseCompleteResult, parseCopyResult, parseDeleteResult, parseObjectList, parseS3Error, parseUploadId, unquote, xmlSafeKey } from './xml.js';

/** Options of the S3-compatible drivers. */
export interface S3CompatibleOptions extends DriverOptions {
  /**
   * Path-style addressing (`host/bucket/key`) instead of virtual-hosted (`bucket.host/key`).
   * Default: the provider's (virtual-hosted for AWS; see each driver), path-style for a custom host or port.
   */
  pathStyle?: boolean;
  /** The AWS SDK's name for {@link S3CompatibleOptions.pathStyle}, accepted as an alias (giving both, different, is refused). */
  forcePathStyle?: boolean;
  /**
   * Delete many objects with DeleteObjects (1,000 keys a request) in `deleteObjects`. Default true; false sends
   * one DeleteObject per object, for stores without multi-object delete.
   */
  batchDeletes?: boolean;
  /** Smallest part size accepted for multipart uploads (5 MiB on S3; emulators in tests may lower it). */
  minPartSize?: number;
  /**
   * ListObjects version (default 2). V1-shaped answers to V2 requests are followed either way; 1 is for servers
   * that reject `list-type=2`.
   */
  listVersion?: ListVersion;
  /**
   * Full-object CRC32 checksums on multipart uploads, checked on download (default true for S3; stores that
   * reject `x-amz-checksum-*` headers need false).
   */
  checksums?: boolean;
}

/** The option names of the S3-compatible drivers. */
export const S3_OPTION_KEYS: readonly string[] = ['pathStyle', 'forcePathStyle', 'minPartSize', 'listVersion', 'checksums', 'batchDeletes'];

/** S3 error codes with an exact error class. */
export const S3_ERROR_CODES: ErrorCodeTable = {
  NoSuchBucket: ContainerDoesNotExistError,
  NoSuchKey: ObjectDoesNotExistError,
  BucketAlreadyExists: ContainerAlreadyExistsError,
  BucketAlreadyOwnedByYou: ContainerAlreadyExistsError,
  BucketNotEmpty: ContainerIsNotEmptyError,
  SlowDown: RateLimitError,
  InvalidAccessKeyId: InvalidCredentialsError,
  SignatureDoesNotMatch: InvalidCredentialsError,
  BadDigest: IntegrityError,
};

/** Default part size of multipart uploads. */
export const DEFAULT_PART_SIZE = 5 * MiB;
/** Default number of parts in flight. */
export const DEFAULT_PART_CONCURRENCY = 4;
/** Default bytes per ranged GET of `downloadObjectAsStream`. */
export const DEFAULT_CHUNK_SIZE = 4 * MiB;
/** S3's limit on the number of parts. */
export const MAX_PARTS = 10_000;
/** Objects larger than this are copied part by part: 5 GiB, the most one CopyObject copies. */
export const MULTIPART_COPY_THRESHOLD = 5 * 1024 * MiB;
/** Default part size of a multipart copy (parts cost no transfer through the client: large ones mean few requests). */
export const DEFAULT_COPY_PART_SIZE = 512 * MiB;
/** S3's largest part: 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** Headers an object keeps from its upload that a copy with REPLACEd metadata must carry over. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
/** S3 codes of a failure that a repeat may not meet (also when they come in a 200 reply to a copy). */
const TRANSIENT_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout']);

/** What a provider built on this base declares. */
export interface S3Defaults {
  /** Provider name (the driver's `type`). */
  readonly provider: string;
  readonly host: string;
  readonly region: string;
  readonly credentials: (region: string) => Credentials | Signer;
  readonly pathStyle: boolean;
  /** Whether full-object CRC32 checksums (`x-amz-checksum-*` headers) are on by default. */
  readonly checksums: boolean;
  /** Whether CreateBucket names the region in a LocationConstraint (default true; stores whose endpoint fixes the region say false). */
  readonly locationConstraint?: boolean;
  /**
   * Whether the store honours `If-Match` on DELETE (default true). Without it, an upload that stayed corrupted is
   * not deleted: an unconditional delete could remove another writer's newer object.
   */
  readonly conditionalDelete?: boolean;
}

/**
 * Base of S3-compatible drivers. Safe for concurrent calls: per-call state lives in the operations only.
 */
export abstract class S3CompatibleStorageDriver extends PipelineStorageDriver {
  static override readonly optionKeys: readonly string[] = [...PipelineStorageDriver.optionKeys, ...S3_OPTION_KEYS];

  /** Metadata header prefix (`x-amz-meta-` or `x-goog-meta-`). */
  protected abstract readonly metaPrefix: string;
  /** Whether the store copies ranges into parts (UploadPartCopy); GCS's XML API does not, and copies any size at once. */
  protected readonly partCopy: boolean = true;
  /** The store's limit on the parts of one multipart upload (parts grow to stay within it). */
  protected readonly maxParts: number = MAX_PARTS;
  /** Region the driver signs for and creates buckets in. */
  readonly region: string;
  /** Whether bucket names go in the path. */
  readonly pathStyle: boolean;
  /** Smallest accepted part size. */
  readonly minPartSize: number;
  /** ListObjects version spoken. */
  readonly listVersion: ListVersion;
  /** Whether multipart uploads carry full-object CRC32 checksums. */
  readonly checksums: boolean;
  /** Endpoint host. */
  readonly host: string;
  /** Whether `deleteObjects` uses DeleteObjects batches. */
  readonly batchDeletes: boolean;
  readonly #locationConstraint: boolean;
  readonly #conditionalDelete: boolean;

  constructor(options: S3CompatibleOptions, defaults: S3Defaults) {
    super(options);
    this.region = options.region ?? defaults.region;
    const custom = options.host !== undefined || options.port !== undefined;
    if (options.pathStyle !== undefined && options.forcePathStyle !== undefined && options.pathStyle !== options.forcePathStyle) {
      throw new InvalidArgumentError(`${defaults.provider}: pathStyle and forcePathStyle (its alias) disagree; give one`, { provider: defaults.provider, code: 'InvalidOption' });
    }
    this.pathStyle = options.pathStyle ?? options.forcePathStyle ?? (custom ? true : defaults.pathStyle);
    this.batchDeletes = options.batchDeletes ?? true;
    this.#locationConstraint = defaults.locationConstraint ?? true;
    this.#conditionalDelete = defaults.conditionalDelete ?? true;
    this.minPartSize = options.minPartSize ?? 5 * MiB;
    const listVersion = options.listVersion ?? 2;
    if (listVersion !== 1 && listVersion !== 2) throw new InvalidArgumentError('storage driver: listVersion must be 1 or 2');
    this.listVersion = listVersion;
    this.checksums = options.checksums ?? defaults.checksums;
    this.host = options.host ?? defaults.host;
    this.connect({
      provider: defaults.provider,
      host: defaults.host,
      credentials: defaults.credentials(this.region),
      parseError: parseS3Error,
      errorCodes: S3_ERROR_CODES,
    });
  }


  /** The request path of a target (keys are percent-encoded, slashes kept). */
  protected pathOf(bucket: string | undefined, key: string | undefined): string {
    const encodedKey = key !== undefined ? `/${uriEncode(key, true)}` : '';
    if (!bucket) return '/';
    return this.pathStyle ? `/${bucket}${encodedKey}` : encodedKey || '/';
  }

  /** Sends a request built by `requests.ts` (virtual-hosted addressing uses one host per bucket). */
  protected send(request: S3Request, verify?: (response: HttpResponse) => void): Operation<HttpResponse> {
    const { bucket, key, ...spec } = request;
    const connection = !this.pathStyle && bucket ? this.connection.forHost(`${bucket}.${this.host}`) : this.connection;
    return connection.send({ ...spec, path: this.pathOf(bucket, key), ...(verify ? { verify } : {}) });
  }

  /** The hash a GET vouches for: an MD5 ETag, or GCS's x-goog-hash; with checksums, S3's full-object CRC32. */
  protected expectedDigest(response: HttpResponse): ExpectedDigest {
    const etag = unquote(response.header('etag'));
    const crc32 = response.header('x-amz-checksum-type') === 'FULL_OBJECT' || isMd5Etag(etag) ? parseCrc32Base64(response.header('x-amz-checksum-crc32')) : undefined;
    return { ...(isMd5Etag(etag) ? { md5: etag.toLowerCase() } : {}), ...(crc32 !== undefined ? { crc32 } : {}) };
  }

  /** The CreateBucket location constraint for this provider, or undefined. */
  protected bucketLocation(): string | undefined {
    return this.#locationConstraint && this.region !== 'us-east-1' ? this.region : undefined;
  }

  // ---- containers -------------------------------------------------------------------------------

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    return function* (token): Operation<Page<Container>> {
      const res = yield* self.send(listBucketsRequest(token));
      const { buckets, nextToken } = parseBucketList(res.xml(), self.type);
      return {
        items: buckets.map((b) => new Container(b.name, b.creationDate ? { creationDate: b.creationDate } : {}, self)),
        next: nextToken,
      };
    };
  }

  *getContainerOp(name: string): Operation<Container> {
    checkBucketName(name);
    const res = yield* this.send(headBucketRequest(name));
    if (res.status === 404) throw new ContainerDoesNotExistError(`${this.type}: container ${name} does not exist`, { status: 404, code: 'NoSuchBucket', provider: this.type });
    const region = res.header('x-amz-bucket-region');
    return new Container(name, region ? { region } : {}, this);
  }

  *createContainerOp(name: string): Operation<Container> {
    checkBucketName(name);
    yield* this.send(createBucketRequest(name, this.bucketLocation()));
    return new Container(name, {}, this);
  }

  *deleteContainerOp(container: Container): Operation<boolean> {
    yield* this.send(deleteBucketRequest(container.name));
    return true;
  }

  /**
   * Pages of ListObjects. The page token is the V2 continuation token, or `m:` + a marker when the server
   * answered V1-shaped; a marker that repeats is caught by the paging loop guard.
   */
  iterateContainerObjectsPages(container: Container, options: ListObjectsOptions = {}): PageOperation<StorageObject> {
    const self = this;
    return function* (token): Operation<Page<StorageObject>> {
      const next = token === undefined ? undefined : token.startsWith('m:') ? { marker: token.slice(2) } : { token: token.slice(2) };
      const res = yield* self.send(listObjectsRequest(container.name, self.listVersion, options, next));
      const listing = parseObjectList(res.xml(), self.type);
      const prefixes = listing.commonPrefixes.map((p) => commonPrefixEntry(p, container, self));
      const nextToken = listing.nextToken !== undefined ? `t:${listing.nextToken}` : listing.nextMarker !== undefined ? `m:${listing.nextMarker}` : undefined;
      return { items: [...listing.objects.map((o) => self.toObject(o, container)), ...prefixes], next: nextToken };
    };
  }

  private toObject(entry: ObjectEntry, container: Container): StorageObject {
    return new StorageObject(
      {
        name: entry.key,
        size: entry.size,
        hash: unquote(entry.etag),
        ...(entry.lastModified ? { lastModified: new Date(entry.lastModified) } : {}),
        extra: { etag: entry.etag, ...(entry.storageClass ? { storageClass: entry.storageClass } : {}) },
      },
      container,
      this,
    );
  }

  // ---- objects ----------------------------------------------------------------------------------

  *getObjectOp(containerName: string, objectName: string): Operation<StorageObject> {
    checkKey(objectName);
    const res = yield* this.send(headObjectRequest(containerName, objectName));
    if (res.status === 404) {
      throw new ObjectDoesNotExistError(`${this.type}: object ${objectName} does not exist in ${containerName}`, {
        status: 404,
        code: 'NoSuchKey',
        provider: this.type,
      });
    }
    const container = new Container(containerName, {}, this);
    const etag = res.header('etag') ?? '';
    const lastModified = res.header('last-modified');
    const contentType = res.header('content-type');
    return new StorageObject(
      {
        name: objectName,
        size: Number(res.header('content-length') ?? 0),
        hash: unquote(etag),
        metaData: this.metadataOf(res),
        ...(contentType ? { contentType } : {}),
        ...(lastModified ? { lastModified: new Date(lastModified) } : {}),
        extra: { etag },
      },
      container,
      this,
    );
  }

  private metadataOf(res: HttpResponse): Record<string, string> {
    const meta: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (name.startsWith(this.metaPrefix)) meta[name.slice(this.metaPrefix.length)] = value;
    }
    return meta;
  }

  *deleteObjectOp(obj: StorageObject): Operation<boolean> {
    yield* this.send(deleteObjectRequest(obj.container.name, obj.name));
    return true;
  }

  /**
   * DeleteObjects in batches of up to 1,000 keys per bucket, `concurrency` batches at once (default 4); keys that
   * XML cannot carry go one by one. Each key's outcome comes from the verbose reply; keys the store failed with a
   * transient code are sent again (three rounds at most).
   */
  override *deleteObjectsOp(objects: readonly StorageObject[], options: DeleteObjectsOptions = {}): Operation<BulkResult<boolean>> {
    if (!this.batchDeletes) return yield* deleteObjectsOneByOne(this, objects, options);
    const labels = deleteLabels(this.type, objects, options);
    const safe: StorageObject[] = [];
    const safeIndex: number[] = [];
    const units: BulkUnit<boolean>[] = [];
    objects.forEach((obj, i) => {
      if (xmlSafeKey(obj.name)) {
        safe.push(obj);
        safeIndex.push(i);
      } else {
        units.push(singleUnit(i, () => this.deleteOneOp(obj)));
      }
    });
    for (const batch of batchesByContainer(safe, MAX_DELETE_KEYS)) {
      const indexes = batch.indexes.map((k) => safeIndex[k]!);
      units.push({ indexes, run: () => this.deleteBatchOp(batch.container, indexes.map((i) => objects[i]!.name)) });
    }
    return yield* runBulk(this.type, labels, units, options.concurrency ?? DEFAULT_DELETE_BATCHES, options);
  }

  private *deleteOneOp(obj: StorageObject): Operation<boolean> {
    try {
      return yield* this.deleteObjectOp(obj);
    } catch (error) {
      if (alreadyGone(error)) return true;
      throw error;
    }
  }

  /** One DeleteObjects request (and repeats for keys failed with a transient code); one outcome per key. */
  private *deleteBatchOp(bucket: string, keys: readonly string[]): Operation<Settled<boolean>[]> {
    const outcomes = new Map<string, Settled<boolean>>();
    let pending = [...new Set(keys)];
    for (let round = 1; pending.length > 0; round++) {
      let result: DeleteResult | undefined;
      const asked = pending;
      // Read inside the request: a damaged reply, or one that leaves a key unaccounted for, is asked for again.
      yield* this.send(deleteObjectsRequest(bucket, asked), (res) => {
        const parsed = retryIfMalformed(() => parseDeleteResult(res.xml(), this.type));
        const missing = asked.find((k) => !parsed.deleted.has(k) && !parsed.errors.has(k));
        if (missing !== undefined) {
          throw new MalformedResponseError(`${this.type}: DeleteObjects did not report every key (no outcome for one of ${asked.length})`, { code: 'IncompleteDeleteResult', provider: this.type, retryable: true });
        }
        result = parsed;
      });
      const again: string[] = [];
      for (const key of asked) {
        const failure = result!.errors.get(key);
        if (!failure) outcomes.set(key, { ok: true, value: true });
        else if (failure.code === 'NoSuchKey') outcomes.set(key, { ok: true, value: true });
        else if (TRANSIENT_DELETE_CODES.has(failure.code) && round < 3) again.push(key);
        else outcomes.set(key, { ok: false, error: this.keyError(bucket, key, failure.code, failure.message) });
      }
      pending = again;
      if (pending.length > 0) yield* sleep(100 * 2 ** (round - 1));
    }
    return keys.map((key) => outcomes.get(key)!);
  }

  /** The typed error of one key DeleteObjects could not delete. */
  private keyError(bucket: string, key: string, code: string, message: string): CloudError {
    const ErrorClass = S3_ERROR_CODES[code] ?? (code === 'AccessDenied' ? InvalidCredentialsError : code === 'InternalError' ? ProviderError : RequestError);
    return new ErrorClass(`${this.type}: could not delete ${key} from ${bucket}: ${code}${message ? ` ${message}` : ''}`, {
      code,
      provider: this.type,
      retryable: TRANSIENT_DELETE_CODES.has(code),
    });
  }

  protected checkObjectName(name: string): void {
    checkKey(name);
  }

  protected uploadSettings(name: string, options: UploadOptions): UploadSettings {
    const partSize = options.partSize ?? Math.max(DEFAULT_PART_SIZE, this.minPartSize);
    if (!Number.isSafeInteger(partSize) || partSize < this.minPartSize) {
      throw new InvalidArgumentError(`${this.type}: partSize must be an integer of at least ${this.minPartSize} bytes`);
    }
    return { name, partSize, concurrency: options.concurrency ?? DEFAULT_PART_CONCURRENCY, options };
  }

  private uploadHeaders(options: Pick<UploadOptions, 'metaData' | 'contentType'>): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metaData ?? {})) {
      if (!/^[a-z0-9-_.]+$/i.test(name)) throw new InvalidArgumentError(`${this.type}: invalid metadata name "${name}"`);
      headers[`${this.metaPrefix}${name.toLowerCase()}`] = value;
    }
    return headers;
  }

  /** The kit's upload hooks for one object: S3 PutObject, multipart upload, and the guarded delete. */
  protected uploadHooks(container: Container, name: string, options: UploadOptions): UploadHooks<string> {
    const bucket = container.name;
    const headers = this.uploadHeaders(options);
    const crc32 = this.checksums;
    return {
      provider: this.type,
      maxParts: this.maxParts,
      crc32,
      putSingle: (body: RequestBody, size: number, digest: BodyDigest | undefined) => this.putSingle(container, name, headers, body, size, digest, options),
      ...(this.#conditionalDelete ? { deleteWritten: (etag: string) => this.deleteIfMatch(bucket, name, etag) } : {}),
      start: function* (this: S3CompatibleStorageDriver): Operation<string> {
        let uploadId = '';
        // Parsed inside the request, so a damaged reply is asked for again.
        yield* this.send(createMultipartUploadRequest(bucket, name, headers, crc32), (res) => {
          uploadId = retryIfMalformed(() => parseUploadId(res.xml(), this.type));
        });
        return uploadId;
      }.bind(this),
      putPart: (uploadId, part) => this.putPart(bucket, name, uploadId, part),
      complete: function* (this: S3CompatibleStorageDriver, uploadId: string, etags: string[], summary: UploadSummary): Operation<StorageObject> {
        const parts = etags.map((etag, i) => ({ etag, ...(summary.partCrc32s ? { checksumCrc32: crc32Base64(summary.partCrc32s[i]!) } : {}) }));
        const full = summary.crc32 !== undefined ? crc32Base64(summary.crc32) : undefined;
        const request = { ...completeMultipartUploadRequest(bucket, name, uploadId, parts, full), idempotent: true, acceptStatus: [400] };
        let etag = '';
        try {
          yield* this.send(request, (res) => {
            etag = this.completeResult(res, request);
          });
        } catch (error) {
          // A repeat whose first reply was lost or damaged finds the upload gone: it did complete when the object
          // now has the ETag S3 computes for exactly these parts.
          const completed = CloudError.is(error) && error.code === 'NoSuchUpload' ? yield* this.completedAs(bucket, name, etags) : undefined;
          if (completed === undefined) throw error;
          etag = completed;
        }
        return this.uploadedObject(container, name, summary.size, etag, options);
      }.bind(this),
      abort: function* (this: S3CompatibleStorageDriver, uploadId: string): Operation<boolean> {
        try {
          // Detached: a cancelled upload must still be aborted on the server.
          yield* detached(this.send(abortMultipartUploadRequest(bucket, name, uploadId)));
          return true;
        } catch {
          return false;
        }
      }.bind(this),
    };
  }

  /**
   * The ETag of a CompleteMultipartUpload reply, read inside the request. A damaged reply is asked for again, and
   * so is a 400 saying the body was malformed or named parts that do not exist: the body lists the parts just
   * uploaded, so such an answer means the store read bytes other than those sent.
   */
  private completeResult(res: HttpResponse, request: S3Request): string {
    if (res.status === 400) {
      const error = this.connection.errorFor(res, { ...request, path: this.pathOf(request.bucket, request.key) });
      if (error.code && DAMAGED_COMPLETE.has(error.code)) throw integrityMismatch(this.type, `CompleteMultipartUpload: ${error.message}`, error.code);
      throw error;
    }
    const doc = retryIfMalformed(() => res.xml());
    if (doc.Error) {
      const info = parseS3Error(res);
      throw new UploadError(`${this.type}: CompleteMultipartUpload failed: ${info?.code ?? 'Error'}${info?.message ? ` ${info.message}` : ''}`, {
        code: info?.code ?? 'CompleteFailed',
        provider: this.type,
      });
    }
    return retryIfMalformed(() => parseCompleteResult(doc, this.type)).etag;
  }

  /** The object's ETag if it is the multipart ETag of exactly these parts (MD5 of their MD5s, `-N`), else undefined. */
  private *completedAs(bucket: string, key: string, partEtags: readonly string[]): Operation<string | undefined> {
    const md5s = partEtags.map((e) => unquote(e));
    if (md5s.length === 0 || !md5s.every(isMd5Etag)) return undefined;
    const expected = `${createHash('md5').update(Buffer.from(md5s.join(''), 'hex')).digest('hex')}-${md5s.length}`;
    const res = yield* this.send(headObjectRequest(bucket, key));
    const etag = res.status === 404 ? undefined : res.header('etag');
    return etag !== undefined && unquote(etag).toLowerCase() === expected ? etag : undefined;
  }

  /** PutObject, verified: an ETag that is not the MD5 of what was sent makes the connection send it again. */
  private *putSingle(container: Container, name: string, headers: Record<string, string>, body: RequestBody, size: number, digest: BodyDigest | undefined, options: UploadOptions): Operation<StorageObject> {
    const md5 = digest?.md5;
    const all = {
      ...headers,
      'content-length': String(size),
      ...(md5 ? { 'content-md5': md5.toString('base64') } : {}),
      ...(digest?.crc32 !== undefined && this.checksums ? { 'x-amz-checksum-crc32': crc32Base64(digest.crc32) } : {}),
    };
    const res = yield* this.send(putObjectRequest(container.name, name, all, body), md5 ? this.etagCheck(name, md5) : undefined);
    return this.uploadedObject(container, name, size, res.header('etag') ?? '', options);
  }

  /** UploadPart, verified the same way. */
  private *putPart(bucket: string, name: string, uploadId: string, part: PartData): Operation<string> {
    const headers: Record<string, string> = { 'content-length': String(part.length) };
    if (part.md5) headers['content-md5'] = part.md5.toString('base64');
    if (part.crc32 !== undefined && this.checksums) headers['x-amz-checksum-crc32'] = crc32Base64(part.crc32);
    const res = yield* this.send(uploadPartRequest(bucket, name, uploadId, part.number, headers, part.body), part.md5 ? this.etagCheck(`${name} part ${part.number}`, part.md5) : undefined);
    const etag = res.header('etag');
    if (!etag) throw new UploadError(`${this.type}: UploadPart ${part.number} returned no ETag`, { code: 'MissingETag', provider: this.type });
    return etag;
  }

  /** A `verify` comparing a returned MD5 ETag with the MD5 of the bytes sent. */
  private etagCheck(what: string, md5: Buffer): (response: HttpResponse) => void {
    const expected = md5.toString('hex');
    return (response) => {
      const etag = response.header('etag') ?? '';
      const bare = unquote(etag);
      if (isMd5Etag(bare) && bare.toLowerCase() !== expected) {
        throw integrityMismatch(this.type, `uploaded ${what} but the returned ETag does not match the data's MD5`, 'ETagMismatch', etag);
      }
    };
  }

  /** Deletes an object only while it still has `etag`; false when it was already replaced. */
  private *deleteIfMatch(bucket: string, key: string, etag: string): Operation<boolean> {
    const res = yield* this.send({ ...deleteObjectRequest(bucket, key, etag), acceptStatus: [412, 404] });
    return res.status < 300;
  }

  private uploadedObject(container: Container, name: string, size: number, etag: string, options: UploadOptions): StorageObject {
    return new StorageObject(
      {
        name,
        size,
        hash: unquote(etag),
        metaData: { ...options.metaData },
        contentType: options.contentType ?? 'application/octet-stream',
        extra: { etag },
      },
      container,
      this,
    );
  }

  *downloadObjectOp(obj: StorageObject, destinationPath: string, options: DownloadOptions = {}): Operation<boolean> {
    return yield* downloadToFile(this.type, obj, destinationPath, options, {
      fetch: (temporary, verify) => this.send(getObjectRequest(obj.container.name, obj.name, { saveTo: temporary, checksums: this.checksums }), verify),
      expected: (response) => this.expectedDigest(response),
    });
  }

  downloadObjectAsStreamPages(obj: StorageObject, options: StreamOptions = {}): PageOperation<Uint8Array> {
    const etag = typeof obj.extra.etag === 'string' && obj.extra.etag ? obj.extra.etag : obj.hash ? `"${obj.hash}"` : undefined;
    // A read of the whole object is checked against the MD5 ETag or x-goog-hash the ranges carry; a multipart
    // object's full-object CRC32 is not sent with ranges, so it is read once with a HEAD.
    const wholeDigest = this.checksums && !isMd5Etag(unquote(etag)) ? () => this.checksumOf(obj, etag) : undefined;
    return rangedReadPages(this.type, obj, options, DEFAULT_CHUNK_SIZE, etag, {
      fetch: (offset, end, ifMatch, verify) => this.send(getObjectRequest(obj.container.name, obj.name, { range: [offset, end], ...(ifMatch ? { ifMatch } : {}) }), verify),
      recheck: () => this.getObjectOp(obj.container.name, obj.name),
      expected: (response) => this.expectedDigest(response),
      ...(wholeDigest ? { wholeDigest } : {}),
    });
  }

  // ---- signed URLs and server-side copies ------------------------------------------------------------

  /**
   * A presigned URL (SigV4 in the query, or GOOG4 on GCS) for a GET or a PUT of `obj`, addressed as the driver
   * addresses it (virtual-hosted or path-style). A PUT with `contentType` signs it: the upload must send it.
   */
  // eslint-disable-next-line require-yield
  override *getObjectCdnUrlOp(obj: StorageObject, options?: SignedUrlOptions): Operation<string> {
    const { expiresIn, method, contentType } = signedUrlSettings(this.type, options, MAX_PRESIGN_SECONDS);
    const bucket = obj?.container?.name;
    checkBucketName(bucket);
    checkKey(obj.name);
    const connection = !this.pathStyle ? this.connection.forHost(`${bucket}.${this.host}`) : this.connection;
    return connection.presignUrl(
      { method, path: this.pathOf(bucket, obj.name), headers: method === 'PUT' && contentType !== undefined ? { 'content-type': contentType } : {} },
      { expiresIn, ...(method === 'GET' && contentType !== undefined ? { responseContentType: contentType } : {}) },
    );
  }

  /**
   * A copy within this store: CopyObject (GCS: with `x-goog-` headers), or for a source larger than
   * `multipartCopyThreshold` a multipart upload of UploadPartCopy ranges. The source must still have the ETag
   * the model knows (`*-copy-source-if-match`): a changed source fails the copy with `IntegrityError`.
   */
  protected override *copyWithinOp(src: StorageObject, dstContainer: Container, dstName: string, options: CopyOptions): Operation<StorageObject> {
    checkKey(src.name);
    const threshold = options.multipartCopyThreshold ?? MULTIPART_COPY_THRESHOLD;
    if (!Number.isSafeInteger(threshold) || threshold < 1) throw new InvalidArgumentError(`${this.type}: multipartCopyThreshold must be a positive integer`);
    const etag = typeof src.extra.etag === 'string' && src.extra.etag ? src.extra.etag : src.hash ? `"${src.hash}"` : undefined;
    const source: CopySource = { bucket: src.container.name, key: src.name, ...(etag ? { ifMatch: etag } : {}) };
    try {
      if (this.partCopy && src.size > threshold) return yield* this.multipartCopy(src, source, dstContainer, dstName, options);
      return yield* this.copyWhole(src, source, dstContainer, dstName, options);
    } catch (error) {
      if (CloudError.is(error) && error.status === 412) {
        throw new IntegrityError(`${this.type}: ${src.name} changed since it was read (its ETag no longer matches); nothing was copied`, { status: 412, code: 'SourceChanged', provider: this.type });
      }
      throw error;
    }
  }

  /** The source's headers (HEAD, guarded by its ETag; with checksums, asking for its full-object checksum). */
  private *sourceHead(source: CopySource): Operation<HttpResponse> {
    const head = headObjectRequest(source.bucket, source.key, this.checksums);
    const res = yield* this.send({ ...head, headers: { ...head.headers, ...(source.ifMatch ? { 'if-match': source.ifMatch } : {}) } });
    if (res.status === 404) throw new ObjectDoesNotExistError(`${this.type}: object ${source.key} does not exist in ${source.bucket}`, { status: 404, code: 'NoSuchKey', provider: this.type });
    return res;
  }

  /** The headers a copy gets: the source's content type and stored headers, and its metadata or `metaData`. */
  private copyHeaders(head: HttpResponse, metaData: Record<string, string> | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': head.header('content-type') ?? 'application/octet-stream' };
    for (const name of STORED_HEADERS) {
      const value = head.header(name);
      if (value !== undefined) headers[name] = value;
    }
    if (metaData) Object.assign(headers, this.uploadHeaders({ metaData }), { 'content-type': headers['content-type']! });
    else for (const [name, value] of Object.entries(head.headers)) if (name.startsWith(this.metaPrefix)) headers[name] = value;
    return headers;
  }

  /** The result of a copy request, read inside it: a 200 carrying an `<Error>` is an error (retried when transient). */
  private copyResult(res: HttpResponse, element: 'CopyObjectResult' | 'CopyPartResult'): { etag: string; checksumCrc32?: string } {
    const doc = retryIfMalformed(() => res.xml());
    if (doc.Error) {
      const info = parseS3Error(res);
      const code = info?.code ?? 'InternalError';
      throw new ProviderError(`${this.type}: ${element === 'CopyPartResult' ? 'UploadPartCopy' : 'CopyObject'} failed: ${code}${info?.message ? ` ${info.message}` : ''}`, {
        status: res.status,
        code,
        provider: this.type,
        retryable: TRANSIENT_CODES.has(code),
      });
    }
    return retryIfMalformed(() => parseCopyResult(doc, element, this.type));
  }

  /**
   * One CopyObject. A single-part source's ETag is its MD5, and so is the copy's: a copy whose ETag differs is
   * copied again, and if it never matches it is deleted (only while it still has that ETag) and reported.
   */
  private *copyWhole(src: StorageObject, source: CopySource, dstContainer: Container, dstName: string, options: CopyOptions): Operation<StorageObject> {
    const replace = options.metaData ? this.copyHeaders(yield* this.sourceHead(source), options.metaData) : undefined;
    const request = copyObjectRequest(dstContainer.name, dstName, this.metaPrefix.startsWith('x-goog-') ? 'x-goog-' : 'x-amz-', source, replace);
    const expected = isMd5Etag(unquote(source.ifMatch)) ? unquote(source.ifMatch).toLowerCase() : undefined;
    try {
      yield* this.send(request, (res) => {
        const written = unquote(this.copyResult(res, 'CopyObjectResult').etag);
        if (expected !== undefined && isMd5Etag(written) && written.toLowerCase() !== expected) {
          throw integrityMismatch(this.type, `copied ${src.name} to ${dstName} but the copy's ETag is not the source's MD5`, 'ETagMismatch', `"${written}"`);
        }
      });
    } catch (error) {
      const written = error instanceof IntegrityError ? (error as IntegrityError & { writtenEtag?: string }).writtenEtag : undefined;
      if (written === undefined) throw error;
      const deleted = yield* this.deleteIfMatch(dstContainer.name, dstName, written);
      throw new IntegrityError(`${this.type}: the copy of ${src.name} to ${dstName} did not match its source on any attempt; ${deleted ? 'the copy was deleted' : 'the copy had already been replaced, so it was left alone'}`, {
        code: 'ETagMismatch',
        provider: this.type,
      });
    }
    reportProgress(options.onProgress, src.size, src.size, this.type);
    return yield* this.getObjectOp(dstContainer.name, dstName);
  }

  /**
   * A multipart upload of UploadPartCopy ranges (parts of `partSize`, default 512 MiB, at most `concurrency` at
   * once), created with the source's headers. With checksums and a source whose full-object CRC32 is known, the
   * upload asks for a full-object CRC32 and completes with the source's: the store refuses to assemble other
   * bytes. Otherwise the copy's size is checked. Any failure aborts the upload (`UploadError`).
   */
  private *multipartCopy(src: StorageObject, source: CopySource, dstContainer: Container, dstName: string, options: CopyOptions): Operation<StorageObject> {
    const requested = options.partSize ?? Math.max(DEFAULT_COPY_PART_SIZE, this.minPartSize);
    if (!Number.isSafeInteger(requested) || requested < this.minPartSize || requested > MAX_PART_SIZE) {
      throw new InvalidArgumentError(`${this.type}: partSize must be an integer from ${this.minPartSize} to ${MAX_PART_SIZE} bytes`);
    }
    const concurrency = options.concurrency ?? DEFAULT_PART_CONCURRENCY;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError(`${this.type}: concurrency must be a positive integer`);
    const head = yield* this.sourceHead(source);
    const size = Number(head.header('content-length') ?? src.size);
    const guarded: CopySource = { ...source, ifMatch: head.header('etag') ?? source.ifMatch };
    const crc32 = this.checksums ? this.expectedDigest(head).crc32 : undefined;
    const partSize = planPartSize(size, requested, MAX_PARTS);
    const bucket = dstContainer.name;
    let uploadId = '';
    yield* this.send(createMultipartUploadRequest(bucket, dstName, this.copyHeaders(head, options.metaData), crc32 !== undefined), (res) => {
      uploadId = retryIfMalformed(() => parseUploadId(res.xml(), this.type));
    });
    let done = 0;
    try {
      const count = Math.max(1, Math.ceil(size / partSize));
      const parts = yield* all(
        Array.from({ length: count }, (_, i) => this.copyPart(bucket, dstName, uploadId, i + 1, guarded, [i * partSize, Math.min(size, (i + 1) * partSize) - 1], (bytes) => {
          done += bytes;
          reportProgress(options.onProgress, done, size, this.type);
        })),
        concurrency,
      );
      const withCrc = crc32 !== undefined && parts.every((p) => p.checksumCrc32 !== undefined);
      const list: CompletedPart[] = parts.map((p) => ({ etag: p.etag, ...(withCrc ? { checksumCrc32: p.checksumCrc32! } : {}) }));
      const request = { ...completeMultipartUploadRequest(bucket, dstName, uploadId, list, crc32 !== undefined ? crc32Base64(crc32) : undefined), idempotent: true, acceptStatus: [400] };
      yield* this.send(request, (res) => void this.completeResult(res, request));
    } catch (error) {
      let aborted = false;
      try {
        yield* detached(this.send(abortMultipartUploadRequest(bucket, dstName, uploadId)));
        aborted = true;
      } catch {
        // reported below
      }
      throw uploadFailure(this.type, dstName, error, aborted);
    }
    const copied = yield* this.getObjectOp(bucket, dstName);
    if (copied.size !== size) {
      const deleted = yield* this.deleteIfMatch(bucket, dstName, String(copied.extra.etag ?? ''));
      throw new IntegrityError(`${this.type}: the copy of ${src.name} has ${copied.size} bytes, the source ${size}; ${deleted ? 'the copy was deleted' : 'the copy was left alone (already replaced)'}`, {
        code: 'LengthMismatch',
        provider: this.type,
      });
    }
    return copied;
  }

  /** One UploadPartCopy, read inside the request (a 200 carrying an `<Error>` is retried when transient). */
  private *copyPart(bucket: string, key: string, uploadId: string, partNumber: number, source: CopySource, range: [number, number], copied: (bytes: number) => void): Operation<CompletedPart> {
    let part: CompletedPart = { etag: '' };
    yield* this.send(uploadPartCopyRequest(bucket, key, uploadId, partNumber, source, range), (res) => {
      part = this.copyResult(res, 'CopyPartResult');
    });
    copied(range[1] - range[0] + 1);
    return part;
  }

  /** The full-object checksum of an object (HeadObject with checksum mode, guarded by its ETag). */
  private *checksumOf(obj: StorageObject, etag: string | undefined): Operation<ExpectedDigest> {
    const head = headObjectRequest(obj.container.name, obj.name, true);
    const res = yield* this.send({ ...head, headers: { ...head.headers, ...(etag ? { 'if-match': etag } : {}) } });
    return res.status === 404 ? {} : this.expectedDigest(res);
  }
}

/** Batches of DeleteObjects in flight at once by default. */
const DEFAULT_DELETE_BATCHES = 4;

/** Per-key DeleteObjects codes worth another round. */
const TRANSIENT_DELETE_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable']);

/** Codes with which a store refuses a CompleteMultipartUpload body it read damaged. */
const DAMAGED_COMPLETE = new Set(['MalformedXML', 'InvalidPart', 'InvalidPartOrder', 'BadDigest']);

/** Runs a parser; a `MalformedResponseError` becomes retryable, so the request is sent again. */
function retryIfMalformed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    throw new MalformedResponseError(error.message, { ...(error.code ? { code: error.code } : {}), ...(error.provider ? { provider: error.provider } : {}), retryable: true });
  }
}

function checkBucketName(name: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{1,254}$/.test(name)) {
    throw new InvalidArgumentError(`invalid container name "${String(name).slice(0, 64)}"`, { code: 'InvalidBucketName' });
  }
}

function checkKey(name: string): void {
  if (typeof name !== 'string' || name === '' || Buffer.byteLength(name) > 1024 || name.includes('\0')) {
    throw new InvalidArgumentError('invalid object name (empty, over 1024 bytes, or containing NUL)', { code: 'InvalidObjectName' });
  }
}
