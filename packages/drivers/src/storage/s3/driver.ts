/**
 * The S3-compatible storage driver base: the S3 REST/XML API as operations. `S3StorageDriver` (AWS and
 * S3-compatible stores) and `GoogleStorageDriver` (GCS XML API with HMAC keys) differ only in the hooks
 * declared here (signer, endpoint, metadata prefix, addressing).
 * @module
 */
import { createHash } from 'node:crypto';
import {
  AbortError,
  detached,
  commonPrefixEntry,
  CloudError,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  DriverConnection,
  IntegrityError,
  InvalidArgumentError,
  InvalidCredentialsError,
  ObjectDoesNotExistError,
  RateLimitError,
  StorageDriver,
  StorageObject,
  UploadError,
  read,
  toChunkSource,
  uriEncode,
  type DownloadOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type ListObjectsOptions,
  type Operation,
  type Page,
  type PageOperation,
  type RequestBody,
  type RequestSpec,
  type Signer,
  type StreamOptions,
  type UploadOptions,
  type UploadSource,
} from '@dualcloud/core';
import { downloadViaTemporary, fileSize, md5OfFile } from '../common/files.js';
import { bytesFeed, fileFeed, MiB, PartPool, PartReader, planPartSize, sendParts, streamFeed, type PartData, type PartFeed } from '../common/parts.js';
import { reportProgress } from '../common/progress.js';
import { checkDownloadedLength, rangedReadPages } from '../common/ranged.js';
import {
  completeMultipartBody,
  createBucketBody,
  isMd5Etag,
  parseBucketList,
  parseCompleteResult,
  parseObjectList,
  parseS3Error,
  parseUploadId,
  unquote,
  type ObjectEntry,
} from './xml.js';

/** Options of the S3-compatible drivers. */
export interface S3CompatibleOptions extends DriverOptions {
  /**
   * Path-style addressing (`host/bucket/key`) instead of virtual-hosted (`bucket.host/key`).
   * Default: virtual-hosted for the provider's own endpoint, path-style for a custom host or port.
   */
  pathStyle?: boolean;
  /** Smallest part size accepted for multipart uploads (5 MiB on S3; emulators in tests may lower it). */
  minPartSize?: number;
}

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

/** What a request targets: the service, a bucket, or an object in a bucket. */
interface Target {
  readonly bucket?: string;
  readonly key?: string;
}

/**
 * Base of S3-compatible drivers. Safe for concurrent calls: per-call state lives in the operations only.
 */
export abstract class S3CompatibleStorageDriver extends StorageDriver {
  /** Metadata header prefix (`x-amz-meta-` or `x-goog-meta-`). */
  protected abstract readonly metaPrefix: string;
  /** Region the driver signs for and creates buckets in. */
  readonly region: string;
  /** Whether bucket names go in the path. */
  readonly pathStyle: boolean;
  /** Smallest accepted part size. */
  readonly minPartSize: number;
  /** Endpoint host. */
  readonly host: string;
  private readonly options: S3CompatibleOptions;
  private readonly signer: Signer;
  private readonly connections = new Map<string, DriverConnection>();

  constructor(options: S3CompatibleOptions, defaults: { host: string; region: string; signer: (region: string) => Signer; pathStyle: boolean }) {
    super(options);
    if (!options || typeof options.key !== 'string' || options.key === '') throw new InvalidArgumentError('storage driver: `key` is required');
    this.options = options;
    this.region = options.region ?? defaults.region;
    this.host = options.host ?? defaults.host;
    const custom = options.host !== undefined || options.port !== undefined;
    this.pathStyle = options.pathStyle ?? (custom ? true : defaults.pathStyle);
    this.minPartSize = options.minPartSize ?? 5 * MiB;
    this.signer = defaults.signer(this.region);
  }

  /** The connection for a bucket (virtual-hosted addressing uses one host per bucket). */
  protected connection(bucket?: string): DriverConnection {
    const host = !this.pathStyle && bucket ? `${bucket}.${this.host}` : this.host;
    let conn = this.connections.get(host);
    if (!conn) {
      const o = this.options;
      conn = new DriverConnection({
        provider: this.type,
        host,
        ...(o.port !== undefined ? { port: o.port } : {}),
        secure: o.secure ?? true,
        signer: this.signer,
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.retry ? { retry: o.retry } : {}),
        ...(o.transport ? { transport: o.transport } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        parseError: parseS3Error,
        errorCodes: S3_ERROR_CODES,
      });
      this.connections.set(host, conn);
    }
    return conn;
  }

  /** The request path of a target (keys are percent-encoded, slashes kept). */
  protected pathOf(target: Target): string {
    const key = target.key !== undefined ? `/${uriEncode(target.key, true)}` : '';
    if (!target.bucket) return '/';
    return this.pathStyle ? `/${target.bucket}${key}` : key || '/';
  }

  /** Sends a request to a target. */
  protected send(target: Target, spec: Omit<RequestSpec, 'path'>): Operation<HttpResponse> {
    return this.connection(target.bucket).send({ ...spec, path: this.pathOf(target) });
  }

  /** Extra checks of a downloaded body's hash (GCS's x-goog-hash); returns the expected MD5 hex if any. */
  protected expectedMd5(response: HttpResponse): string | undefined {
    const etag = unquote(response.header('etag'));
    return isMd5Etag(etag) ? etag.toLowerCase() : undefined;
  }

  /** The CreateBucket body for this provider, or undefined. */
  protected createBucketBody(): string | undefined {
    return this.region !== 'us-east-1' ? createBucketBody(this.region) : undefined;
  }

  // ---- containers -------------------------------------------------------------------------------

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    return function* (token): Operation<Page<Container>> {
      const res = yield* self.send({}, { method: 'GET', query: token ? { 'continuation-token': token } : {}, action: 'ListBuckets' });
      const { buckets, nextToken } = parseBucketList(res.xml(), self.type);
      return {
        items: buckets.map((b) => new Container(b.name, b.creationDate ? { creationDate: b.creationDate } : {}, self)),
        next: nextToken,
      };
    };
  }

  *getContainerOp(name: string): Operation<Container> {
    checkBucketName(name);
    const res = yield* this.send({ bucket: name }, { method: 'HEAD', acceptStatus: [404], action: 'HeadBucket' });
    if (res.status === 404) throw new ContainerDoesNotExistError(`${this.type}: container ${name} does not exist`, { status: 404, code: 'NoSuchBucket', provider: this.type });
    const region = res.header('x-amz-bucket-region');
    return new Container(name, region ? { region } : {}, this);
  }

  *createContainerOp(name: string): Operation<Container> {
    checkBucketName(name);
    const body = this.createBucketBody();
    yield* this.send({ bucket: name }, { method: 'PUT', ...(body ? { body, headers: { 'content-type': 'application/xml' } } : {}), action: 'CreateBucket' });
    return new Container(name, {}, this);
  }

  *deleteContainerOp(container: Container): Operation<boolean> {
    yield* this.send({ bucket: container.name }, { method: 'DELETE', action: 'DeleteBucket' });
    return true;
  }

  iterateContainerObjectsPages(container: Container, options: ListObjectsOptions = {}): PageOperation<StorageObject> {
    const self = this;
    return function* (token): Operation<Page<StorageObject>> {
      const query = {
        'list-type': '2',
        prefix: options.prefix,
        delimiter: options.delimiter,
        'max-keys': options.pageSize,
        'continuation-token': token,
      };
      const res = yield* self.send({ bucket: container.name }, { method: 'GET', query, action: 'ListObjectsV2' });
      const listing = parseObjectList(res.xml(), self.type);
      const prefixes = listing.commonPrefixes.map((p) => commonPrefixEntry(p, container, self));
      return { items: [...listing.objects.map((o) => self.toObject(o, container)), ...prefixes], next: listing.nextToken };
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
    const res = yield* this.send({ bucket: containerName, key: objectName }, { method: 'HEAD', acceptStatus: [404], action: 'HeadObject' });
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
    yield* this.send({ bucket: obj.container.name, key: obj.name }, { method: 'DELETE', action: 'DeleteObject' });
    return true;
  }

  *uploadObjectOp(filePath: string, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    checkKey(objectName);
    const size = fileSize(filePath);
    const partSize = planPartSize(size, this.partSizeOf(options), MAX_PARTS);
    const verify = options.verifyHash !== false;
    if (size <= partSize) {
      const md5 = verify ? yield* md5OfFile(filePath, 0, size - 1) : undefined;
      return yield* this.putSingle(container, objectName, { file: filePath }, size, md5, options);
    }
    return yield* this.multipart(container, objectName, fileFeed(filePath, size, partSize, verify), size, options);
  }

  *uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    checkKey(objectName);
    const verify = options.verifyHash !== false;
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
      const partSize = planPartSize(bytes.byteLength, this.partSizeOf(options), MAX_PARTS);
      if (bytes.byteLength <= partSize) {
        const md5 = verify ? createHash('md5').update(bytes).digest() : undefined;
        return yield* this.putSingle(container, objectName, bytes, bytes.byteLength, md5, options);
      }
      return yield* this.multipart(container, objectName, bytesFeed(bytes, partSize, verify), bytes.byteLength, options);
    }
    const partSize = this.partSizeOf(options);
    const reader = new PartReader(toChunkSource(source), new PartPool(partSize));
    const first = yield* read(reader, partSize);
    const second = first && first.byteLength === partSize ? yield* read(reader, partSize) : null;
    if (!second) {
      const bytes = first ?? new Uint8Array(0);
      const md5 = verify ? createHash('md5').update(bytes).digest() : undefined;
      return yield* this.putSingle(container, objectName, bytes, bytes.byteLength, md5, options);
    }
    return yield* this.multipart(container, objectName, streamFeed(reader, partSize, verify, [first!, second], MAX_PARTS), undefined, options);
  }

  private partSizeOf(options: UploadOptions): number {
    const size = options.partSize ?? Math.max(DEFAULT_PART_SIZE, this.minPartSize);
    if (!Number.isSafeInteger(size) || size < this.minPartSize) {
      throw new InvalidArgumentError(`${this.type}: partSize must be an integer of at least ${this.minPartSize} bytes`);
    }
    return size;
  }

  private uploadHeaders(options: UploadOptions): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metaData ?? {})) {
      if (!/^[a-z0-9-_.]+$/i.test(name)) throw new InvalidArgumentError(`${this.type}: invalid metadata name "${name}"`);
      headers[`${this.metaPrefix}${name.toLowerCase()}`] = value;
    }
    return headers;
  }

  private *putSingle(
    container: Container,
    name: string,
    body: RequestBody,
    size: number,
    md5: Buffer | undefined,
    options: UploadOptions,
  ): Operation<StorageObject> {
    const headers = { ...this.uploadHeaders(options), 'content-length': String(size), ...(md5 ? { 'content-md5': md5.toString('base64') } : {}) };
    const res = yield* this.send({ bucket: container.name, key: name }, { method: 'PUT', headers, body, action: 'PutObject' });
    const etag = res.header('etag') ?? '';
    if (md5 && isMd5Etag(unquote(etag)) && unquote(etag).toLowerCase() !== md5.toString('hex')) {
      throw new IntegrityError(`${this.type}: uploaded ${name} but the returned ETag does not match the data's MD5`, { code: 'ETagMismatch', provider: this.type });
    }
    reportProgress(options.onProgress, size, size, this.type);
    return this.uploadedObject(container, name, size, etag, options);
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

  /** Multipart upload; on any failure the upload is aborted and an `UploadError` thrown. */
  private *multipart(container: Container, name: string, feed: PartFeed, total: number | undefined, options: UploadOptions): Operation<StorageObject> {
    const target = { bucket: container.name, key: name };
    const init = yield* this.send(target, { method: 'POST', query: { uploads: '' }, headers: this.uploadHeaders(options), action: 'CreateMultipartUpload' });
    const uploadId = parseUploadId(init.xml(), this.type);
    let done = 0;
    let size = 0;
    const send = function* (this: S3CompatibleStorageDriver, part: PartData): Operation<string> {
      const headers: Record<string, string> = { 'content-length': String(part.length) };
      if (part.md5) headers['content-md5'] = part.md5.toString('base64');
      const res = yield* this.send(target, { method: 'PUT', query: { partNumber: part.number, uploadId }, headers, body: part.body, action: 'UploadPart' });
      const etag = res.header('etag');
      if (!etag) throw new UploadError(`${this.type}: UploadPart ${part.number} returned no ETag`, { code: 'MissingETag', provider: this.type });
      if (part.md5 && isMd5Etag(unquote(etag)) && unquote(etag).toLowerCase() !== part.md5.toString('hex')) {
        throw new IntegrityError(`${this.type}: part ${part.number} ETag does not match its MD5`, { code: 'ETagMismatch', provider: this.type });
      }
      return etag;
    }.bind(this);
    try {
      const etags = yield* sendParts(feed, options.concurrency ?? DEFAULT_PART_CONCURRENCY, send, (part) => {
        done += part.length;
        size += part.length;
        reportProgress(options.onProgress, done, total, this.type);
      });
      const res = yield* this.send(target, {
        method: 'POST',
        query: { uploadId },
        headers: { 'content-type': 'application/xml' },
        body: completeMultipartBody(etags),
        action: 'CompleteMultipartUpload',
      });
      const doc = res.xml();
      if (doc.Error) {
        const info = parseS3Error(res);
        throw new UploadError(`${this.type}: CompleteMultipartUpload failed: ${info?.code ?? 'Error'}${info?.message ? ` ${info.message}` : ''}`, {
          code: info?.code ?? 'CompleteFailed',
          provider: this.type,
        });
      }
      const { etag } = parseCompleteResult(doc, this.type);
      return this.uploadedObject(container, name, size, etag, options);
    } catch (error) {
      const aborted = yield* this.abortMultipart(target, uploadId);
      throw uploadFailure(this.type, name, error, aborted);
    }
  }

  /** Aborts a multipart upload; returns whether the abort succeeded. Never throws. */
  private *abortMultipart(target: Target, uploadId: string): Operation<boolean> {
    try {
      // Detached: a cancelled upload must still be aborted on the server.
      yield* detached(this.send(target, { method: 'DELETE', query: { uploadId }, action: 'AbortMultipartUpload', acceptStatus: [404] }));
      return true;
    } catch {
      return false;
    }
  }

  *downloadObjectOp(obj: StorageObject, destinationPath: string, options: DownloadOptions = {}): Operation<boolean> {
    const self = this;
    return yield* downloadViaTemporary(destinationPath, options.overwriteExisting, function* (temporary) {
      const res = yield* self.send({ bucket: obj.container.name, key: obj.name }, { method: 'GET', saveTo: temporary, action: 'GetObject' });
      const bytes = checkDownloadedLength(self.type, obj, res);
      const expected = options.verifyHash === false ? undefined : self.expectedMd5(res);
      if (expected && res.saved && res.saved.md5 !== expected) {
        throw new IntegrityError(`${self.type}: MD5 of the downloaded ${obj.name} does not match the provider's hash`, { code: 'HashMismatch', provider: self.type });
      }
      reportProgress(options.onProgress, bytes, bytes, self.type);
    });
  }

  downloadObjectAsStreamPages(obj: StorageObject, options: StreamOptions = {}): PageOperation<Uint8Array> {
    const etag = typeof obj.extra.etag === 'string' && obj.extra.etag ? obj.extra.etag : obj.hash ? `"${obj.hash}"` : undefined;
    const target = { bucket: obj.container.name, key: obj.name };
    const self = this;
    return rangedReadPages(this.type, obj, options, DEFAULT_CHUNK_SIZE, etag, function* (offset, end, ifMatch) {
      const headers: Record<string, string> = { range: `bytes=${offset}-${end}` };
      if (ifMatch) headers['if-match'] = ifMatch;
      const res = yield* self.send(target, { method: 'GET', headers, action: 'GetObject' });
      // A server that ignores Range answers 200 with the whole object: cut out the asked-for bytes.
      return res.status === 200 && res.body.byteLength > end - offset + 1 ? res.body.subarray(offset, end + 1) : res.body;
    });
  }
}

/** The `UploadError` reported for a failed multipart upload. */
export function uploadFailure(provider: string, name: string, cause: unknown, aborted: boolean): UploadError | AbortError {
  const outcome = aborted ? 'aborted' : 'NOT aborted (abort failed; the incomplete upload may remain)';
  if (cause instanceof AbortError) {
    // A cancel stays an AbortError, as everywhere else; the message says what became of the upload.
    return new AbortError(`${provider}: upload of ${name} was cancelled and its multipart upload ${outcome}`, { provider });
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new UploadError(
    `${provider}: upload of ${name} failed and was ${outcome}: ${reason}`,
    {
      code: CloudError.is(cause) && cause.code ? cause.code : 'UploadFailed',
      provider,
      ...(CloudError.is(cause) && cause.status !== undefined ? { status: cause.status } : {}),
    },
  );
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  Object.defineProperty(error, 'aborted', { value: aborted, enumerable: true });
  return error;
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
