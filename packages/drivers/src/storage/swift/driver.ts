/**
 * OpenStack Swift object storage (Libcloud's `OpenStackSwiftStorageDriver`) and Rackspace Cloud Files
 * (`CloudFilesStorageDriver`, the same API behind Rackspace identity): containers and objects with JSON listings,
 * uploads through the kit's pipeline (one PUT whose `ETag` Swift checks, or a Static Large Object: segments in
 * `<container>_segments` and a manifest), downloads and ranged reads through the kit's readers, and temp URLs.
 *
 * Authentication is the OpenStack identity module's: Keystone v3 or v2.0 (the storage URL comes from the service
 * catalog) or Swift's own v1.0 auth (`X-Auth-User` / `X-Auth-Key` → `X-Storage-Url`).
 * @see https://docs.openstack.org/api-ref/object-store/
 * @see https://docs.openstack.org/swift/latest/overview_large_objects.html
 * @module
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  commonPrefixEntry,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  CloudError,
  detached,
  downloadToFile,
  IntegrityError,
  integrityMismatch,
  InvalidArgumentError,
  MiB,
  NotFoundError,
  ObjectDoesNotExistError,
  PipelineStorageDriver,
  rangedReadPages,
  RateLimitError,
  RETRYABLE,
  RequestError,
  StorageDriver,
  StorageObject,
  UploadError,
  type BodyDigest,
  type CloudErrorOptions,
  type DownloadOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type ExpectedDigest,
  type HttpResponse,
  type ListObjectsOptions,
  type MethodKind,
  type MethodOptionsSpec,
  type Operation,
  type Page,
  type PageOperation,
  type PartData,
  type RequestBody,
  type RequestSpec,
  type StreamOptions,
  type UploadHooks,
  type UploadOptions,
  type UploadSettings,
  type UploadSummary,
} from '@dualcloud/core';
import { OPENSTACK_AUTH_OPTION_KEYS, openStackIdentity, openStackRecipe, type OpenStackAuthOptions, type OpenStackIdentity } from '../../openstack/identity.js';
import { Provider } from '../providers.js';
import { isMd5, listingOf, parseContainerList, parseDeleteReport, parseObjectHeaders, parseObjectList, parseSwiftError, swiftDate, unquote, type SwiftObjectEntry } from './parse.js';
import {
  checkContainerName,
  checkObjectName,
  createContainerRequest,
  DEFAULT_LISTING_LIMIT,
  deleteContainerRequest,
  deleteObjectRequest,
  getObjectRequest,
  headAccountRequest,
  headContainerRequest,
  headObjectRequest,
  listContainersRequest,
  listObjectsRequest,
  postAccountRequest,
  putManifestRequest,
  putObjectRequest,
  swiftPath,
  type SloSegment,
} from './requests.js';

/** Options of {@link OpenStackSwiftStorageDriver}: the driver options plus OpenStack authentication. */
export interface OpenStackSwiftStorageDriverOptions extends DriverOptions, OpenStackAuthOptions {
  /**
   * The account's temp URL key (`X-Account-Meta-Temp-URL-Key`), when known: `getObjectCdnUrl` then signs with it
   * instead of reading it from the account (one HEAD, once).
   */
  tempUrlKey?: string;
  /** Suffix of the container that holds a container's SLO segments (default `_segments`, as swiftclient). */
  segmentContainerSuffix?: string;
}

/** Options of {@link CloudFilesStorageDriver}: `key` is the Rackspace user name, `secret` the API key. */
export interface CloudFilesStorageDriverOptions extends OpenStackSwiftStorageDriverOptions {
  /** Rackspace region (`ord`, `dfw`, `iad`, `lon`, `syd`, `hkg`); default `ord`. */
  region?: string;
  /** Use the internal (ServiceNet) endpoints. */
  useInternalUrl?: boolean;
}

/** Options of `getObjectCdnUrl` (a Swift temp URL). */
export interface TempUrlOptions {
  /** Seconds the URL stays valid (default 3600). */
  expiresIn?: number;
  /** The HTTP method the URL is for (default `GET`). */
  method?: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** HMAC digest (default `sha256`; `sha1` for old clusters). */
  digest?: 'sha1' | 'sha256' | 'sha512';
}

/** The option names of the Swift drivers (besides the driver and OpenStack authentication options). */
export const SWIFT_OPTION_KEYS: readonly string[] = ['tempUrlKey', 'segmentContainerSuffix'];

/** Swift's error codes (named after statuses) with an exact error class. */
export const SWIFT_ERROR_CODES: ErrorCodeTable = {
  UnprocessableEntity: IntegrityError,
  SlowDown: RateLimitError,
  TooManyRequests: RateLimitError,
};

/** Default segment size of Static Large Objects (objects up to this size are one PUT, verified by MD5). */
export const SWIFT_DEFAULT_PART_SIZE = 16 * MiB;
/** Swift's default limit on the segments of one manifest (`max_manifest_segments`). */
export const SWIFT_MAX_SEGMENTS = 1000;
/** Swift's default largest single object (`max_file_size`, 5 GiB). */
export const SWIFT_MAX_OBJECT_SIZE = 5 * 1024 * MiB;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_CHUNK_SIZE = 4 * MiB;
const DEFAULT_TEMP_URL_SECONDS = 3600;

/** Why the object a single PUT wrote is never deleted after a verification failure. */
const WRITTEN_KEPT =
  'Swift has no conditional DELETE (it ignores If-Match on DELETE), so deleting it could remove a concurrent writer\'s object; Swift itself checked the ETag (MD5) sent with the PUT, so the stored bytes should be the ones sent and only the reply disagreed';

/** What a 404 means for a request: its container or its object is missing. */
type Missing = 'container' | 'object';

/** One SLO upload in progress: where its segments go, and what has been written. */
interface SloUpload {
  readonly segmentContainer: string;
  /** Unique per upload: `<object>/slo/<seconds>/<random>/`. */
  readonly prefix: string;
  /** Segments whose PUT was sent (some may not have landed). */
  readonly written: Set<string>;
  /** Set once the manifest PUT was sent: the ETag the manifest has if it landed. */
  manifestEtag?: string;
}

const md5Hex = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** What a Swift-speaking provider declares: its name, identity and endpoint. */
export interface SwiftDefaults<O> {
  /** Provider name (the driver's `type`). */
  readonly provider: string;
  /** Token credentials and service catalog for the options. */
  readonly identity: (options: O) => OpenStackIdentity;
  /** The storage URL, resolved after authentication. */
  readonly endpoint: (identity: OpenStackIdentity, options: O) => () => Operation<string>;
}

/**
 * The Swift API on the driver kit, shared by {@link OpenStackSwiftStorageDriver} and
 * {@link CloudFilesStorageDriver}, which differ only in identity and endpoint. Safe for concurrent calls.
 */
export abstract class SwiftCompatibleStorageDriver extends PipelineStorageDriver {
  static override readonly optionKeys: readonly string[] = [...PipelineStorageDriver.optionKeys, ...OPENSTACK_AUTH_OPTION_KEYS, ...SWIFT_OPTION_KEYS];

  /** The storage methods plus temp URLs (`getObjectCdnUrl`) and setting the account's temp URL key. */
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = {
    ...StorageDriver.methodKinds,
    getObjectCdnUrl: 'call',
    exSetAccountMetadataTempUrlKey: 'call',
  };

  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    ...StorageDriver.methodOptions,
    getObjectCdnUrl: { index: 1, keys: ['expiresIn', 'method', 'digest'] },
  };

  /** Suffix of segment containers. */
  readonly segmentContainerSuffix: string;
  /** The storage URL (the account's endpoint), resolved after authentication. */
  readonly #endpoint: () => Operation<string>;
  #tempUrlKey: string | undefined;

  constructor(options: OpenStackSwiftStorageDriverOptions, defaults: SwiftDefaults<any>) {
    super(options);
    this.segmentContainerSuffix = options.segmentContainerSuffix ?? '_segments';
    if (typeof this.segmentContainerSuffix !== 'string' || this.segmentContainerSuffix === '' || this.segmentContainerSuffix.includes('/')) {
      throw new InvalidArgumentError(`${defaults.provider}: segmentContainerSuffix must be a non-empty string without "/"`);
    }
    this.#tempUrlKey = options.tempUrlKey;
    const identity = defaults.identity(options);
    this.#endpoint = defaults.endpoint(identity, options);
    this.connect(
      openStackRecipe(defaults.provider, 'object-store', identity, {
        endpoint: this.#endpoint,
        parseError: parseSwiftError,
        errorCodes: SWIFT_ERROR_CODES,
        // A 422 is Swift refusing a body whose MD5 is not the ETag sent: nothing was stored, so send it again.
        retry: { table: { ...RETRYABLE, codes: [...RETRYABLE.codes, 'UnprocessableEntity'] } },
      }),
    );
  }

  /** Sends a request; a 404 becomes the missing container's or object's error. */
  protected *send(spec: RequestSpec, missing: Missing | undefined, container: string, object?: string, verify?: (response: HttpResponse) => void): Operation<HttpResponse> {
    try {
      return yield* this.connection.send(verify ? { ...spec, verify } : spec);
    } catch (error) {
      if (missing && error instanceof NotFoundError && error.status === 404) throw this.missing(missing, container, object, error);
      throw error;
    }
  }

  /** The typed error for a missing container or object (keeping the cause's status, request id and details). */
  private missing(what: Missing, container: string, object: string | undefined, cause?: CloudError | HttpResponse): CloudError {
    const options: CloudErrorOptions = { status: 404, code: 'NotFound', provider: this.type };
    if (cause instanceof CloudError) {
      if (cause.requestId) options.requestId = cause.requestId;
      if (cause.request) options.request = cause.request;
      if (cause.response) options.response = { status: cause.response.status, headers: cause.response.headers, body: cause.response.bodyExcerpt };
    } else if (cause) {
      const id = cause.header('x-openstack-request-id') ?? cause.header('x-trans-id');
      if (id) options.requestId = id;
    }
    return what === 'container'
      ? new ContainerDoesNotExistError(`${this.type}: container ${container} does not exist`, options)
      : new ObjectDoesNotExistError(`${this.type}: object ${object ?? ''} does not exist in ${container}`, options);
  }

  // ---- containers -------------------------------------------------------------------------------

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    return function* (marker): Operation<Page<Container>> {
      const res = yield* self.send(listContainersRequest(DEFAULT_LISTING_LIMIT, marker), undefined, '');
      const page = parseContainerList(listingOf(res), DEFAULT_LISTING_LIMIT);
      return {
        items: page.entries.map((c) => new Container(c.name, { objectCount: c.count, bytesUsed: c.bytes, ...(c.lastModified ? { lastModified: c.lastModified } : {}) }, self)),
        next: page.next,
      };
    };
  }

  *getContainerOp(name: string): Operation<Container> {
    checkContainerName(name);
    const res = yield* this.send(headContainerRequest(name), 'container', name);
    if (res.status === 404) throw this.missing('container', name, undefined, res);
    const policy = res.header('x-storage-policy');
    return new Container(
      name,
      { objectCount: Number(res.header('x-container-object-count') ?? 0), bytesUsed: Number(res.header('x-container-bytes-used') ?? 0), ...(policy ? { storagePolicy: policy } : {}) },
      this,
    );
  }

  /** Creates a container; `ContainerAlreadyExistsError` when it exists (Swift answers 202), as in Libcloud. */
  *createContainerOp(name: string): Operation<Container> {
    checkContainerName(name);
    const res = yield* this.send(createContainerRequest(name), undefined, name);
    if (res.status === 202) {
      throw new ContainerAlreadyExistsError(`${this.type}: container ${name} already exists`, { status: 202, code: 'ContainerAlreadyExists', provider: this.type });
    }
    return new Container(name, { objectCount: 0, bytesUsed: 0 }, this);
  }

  *deleteContainerOp(container: Container): Operation<boolean> {
    const res = yield* this.send(deleteContainerRequest(container.name), 'container', container.name);
    if (res.status === 404) throw this.missing('container', container.name, undefined, res);
    if (res.status === 409) {
      throw new ContainerIsNotEmptyError(`${this.type}: container ${container.name} is not empty`, { status: 409, code: 'Conflict', provider: this.type });
    }
    return true;
  }

  /**
   * Pages of a container listing (`format=json`), `marker` paging: a full page is followed by the next one,
   * from its last name. With a delimiter, `subdir` entries become common prefixes (listed after the objects of
   * their page).
   */
  iterateContainerObjectsPages(container: Container, options: ListObjectsOptions = {}): PageOperation<StorageObject> {
    const self = this;
    const limit = options.pageSize ?? DEFAULT_LISTING_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > DEFAULT_LISTING_LIMIT) throw new InvalidArgumentError(`${this.type}: pageSize must be an integer from 1 to ${DEFAULT_LISTING_LIMIT}`);
    return function* (marker): Operation<Page<StorageObject>> {
      const args = { limit, ...(options.prefix ? { prefix: options.prefix } : {}), ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(marker !== undefined ? { marker } : {}) };
      const res = yield* self.send(listObjectsRequest(container.name, args), 'container', container.name);
      if (res.status === 404) throw self.missing('container', container.name, undefined, res);
      const page = parseObjectList(listingOf(res), limit);
      const objects: StorageObject[] = [];
      const prefixes: StorageObject[] = [];
      for (const entry of page.entries) {
        if (entry.kind === 'subdir') prefixes.push(commonPrefixEntry(entry.subdir, container, self));
        else objects.push(self.toObject(entry, container));
      }
      return { items: [...objects, ...prefixes], next: page.next };
    };
  }

  private toObject(entry: SwiftObjectEntry, container: Container): StorageObject {
    const slo = entry.sloEtag !== undefined;
    const lastModified = swiftDate(entry.lastModified);
    return new StorageObject(
      {
        name: entry.name,
        size: entry.bytes,
        hash: slo ? unquote(entry.sloEtag) : entry.hash,
        ...(entry.contentType !== undefined ? { contentType: entry.contentType } : {}),
        ...(lastModified ? { lastModified } : {}),
        extra: slo ? { etag: entry.sloEtag, staticLargeObject: true, manifestEtag: entry.hash } : { etag: entry.hash, staticLargeObject: false },
      },
      container,
      this,
    );
  }

  // ---- objects ----------------------------------------------------------------------------------

  /** HEAD on the object: size, ETag, content type, `X-Object-Meta-*` metadata, whether it is an SLO. */
  *getObjectOp(containerName: string, objectName: string): Operation<StorageObject> {
    checkObjectName(objectName);
    const res = yield* this.send(headObjectRequest(containerName, objectName), 'object', containerName, objectName);
    if (res.status === 404) throw this.missing('object', containerName, objectName, res);
    const h = parseObjectHeaders(res.headers);
    return new StorageObject(
      {
        name: objectName,
        size: h.size,
        hash: h.etag,
        metaData: h.metaData,
        ...(h.contentType ? { contentType: h.contentType } : {}),
        ...(h.lastModified ? { lastModified: h.lastModified } : {}),
        extra: {
          etag: h.rawEtag,
          staticLargeObject: h.staticLargeObject,
          ...(h.objectManifest ? { objectManifest: h.objectManifest } : {}),
          ...(h.timestamp ? { timestamp: h.timestamp } : {}),
        },
      },
      new Container(containerName, {}, this),
      this,
    );
  }

  /**
   * Deletes an object. A Static Large Object goes with its segments (`?multipart-manifest=delete`); when the
   * model does not say whether it is one, that is tried first and a plain DELETE follows for a plain object.
   */
  *deleteObjectOp(obj: StorageObject): Operation<boolean> {
    const { name } = obj;
    const container = obj.container.name;
    const slo = obj.extra.staticLargeObject;
    if (slo === false || obj.extra.objectManifest !== undefined) return yield* this.deletePlain(container, name);
    const res = yield* this.send(deleteObjectRequest(container, name, true), 'object', container, name);
    const report = parseDeleteReport(res.json());
    if (report.status === 400 && report.errors.some(([, why]) => /not an slo manifest/i.test(why))) return yield* this.deletePlain(container, name);
    if (report.status === 404 || (report.deleted === 0 && report.notFound > 0)) throw this.missing('object', container, name, res);
    if (report.status >= 300 || report.errors.length > 0) {
      const why = report.errors.map(([path, reason]) => `${path}: ${reason}`).join('; ');
      throw new RequestError(`${this.type}: deleting the large object ${name} failed (${report.status} ${report.statusText})${why ? `: ${why}` : ''}`, {
        status: report.status || undefined,
        code: 'SloDeleteFailed',
        provider: this.type,
      });
    }
    return true;
  }

  private *deletePlain(container: string, name: string): Operation<boolean> {
    const res = yield* this.send(deleteObjectRequest(container, name), 'object', container, name);
    if (res.status === 404) throw this.missing('object', container, name, res);
    return true;
  }

  protected checkObjectName(name: string): void {
    checkObjectName(name);
  }

  protected uploadSettings(name: string, options: UploadOptions): UploadSettings {
    const partSize = options.partSize ?? SWIFT_DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < 1 || partSize > SWIFT_MAX_OBJECT_SIZE) {
      throw new InvalidArgumentError(`${this.type}: partSize must be an integer from 1 byte to 5 GiB`);
    }
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError(`${this.type}: concurrency must be a positive integer`);
    return { name, partSize, concurrency, options };
  }

  /** Content type and `X-Object-Meta-*` headers of an upload (metadata names: letters, digits and `-`). */
  private uploadHeaders(options: UploadOptions): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metaData ?? {})) {
      // Swift turns `_` into `-` on the way back, and header values cannot hold line breaks.
      if (!/^[A-Za-z0-9-]+$/.test(name)) throw new InvalidArgumentError(`${this.type}: invalid metadata name "${name.slice(0, 64)}" (letters, digits and "-")`);
      if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new InvalidArgumentError(`${this.type}: invalid value of metadata "${name}"`);
      headers[`x-object-meta-${name.toLowerCase()}`] = value;
    }
    return headers;
  }

  /**
   * The kit's upload hooks: one PUT with `ETag` (Swift refuses a body whose MD5 differs with 422, and the reply's
   * ETag is checked too), or a Static Large Object: segments `<object>/slo/<time>/<id>/<n>` in
   * `<container>_segments` (created on demand), then a manifest whose `ETag` Swift checks against the segments.
   * A failed SLO upload deletes its segments (and a manifest that may have landed).
   */
  protected uploadHooks(container: Container, name: string, options: UploadOptions): UploadHooks<SloUpload> {
    const headers = this.uploadHeaders(options);
    const self = this;
    return {
      provider: this.type,
      maxParts: SWIFT_MAX_SEGMENTS,
      writtenKept: WRITTEN_KEPT,
      putSingle: (body: RequestBody, size: number, digest: BodyDigest | undefined) => this.putSingle(container, name, headers, body, size, digest, options),
      start: function* (): Operation<SloUpload> {
        return yield* self.startSlo(container.name, name);
      },
      putPart: (upload, part) => this.putSegment(upload, name, part),
      complete: function* (upload: SloUpload, tokens: string[], summary: UploadSummary): Operation<StorageObject> {
        return yield* self.putManifest(upload, container, name, headers, tokens, summary, options);
      },
      abort: (upload) => this.abortSlo(upload, container.name, name),
    };
  }

  /** One PUT with `ETag`; a 422 (Swift received other bytes) is resent by the connection, then reported. */
  private *putSingle(container: Container, name: string, headers: Record<string, string>, body: RequestBody, size: number, digest: BodyDigest | undefined, options: UploadOptions): Operation<StorageObject> {
    const md5 = digest?.md5?.toString('hex');
    const all = { ...headers, 'content-length': String(size), ...(md5 ? { etag: md5 } : {}) };
    let res: HttpResponse;
    try {
      res = yield* this.send(putObjectRequest(container.name, name, all, body), 'container', container.name, name, md5 ? this.etagCheck(name, md5) : undefined);
    } catch (error) {
      throw this.refused(error, name);
    }
    const etag = res.header('etag') ?? md5 ?? '';
    return this.uploaded(container, name, size, unquote(etag), unquote(etag), false, options);
  }

  /** A 422 after every retry, reworded: Swift refused the bytes, nothing was stored. */
  private refused(error: unknown, what: string): unknown {
    if (!(error instanceof IntegrityError) || error.status !== 422) return error;
    const refused = new IntegrityError(`${this.type}: Swift refused ${what} on every attempt: the bytes it received did not match the ETag (MD5) sent, so nothing was stored`, {
      status: 422,
      code: 'UnprocessableEntity',
      provider: this.type,
      ...(error.requestId ? { requestId: error.requestId } : {}),
    });
    Object.defineProperty(refused, 'cause', { value: error, enumerable: false });
    return refused;
  }

  /** A `verify` comparing the ETag Swift returns with the MD5 of what was sent (an SLO's is quoted). */
  private etagCheck(what: string, expected: string): (response: HttpResponse) => void {
    return (response) => {
      const etag = response.header('etag');
      if (etag !== undefined && unquote(etag).toLowerCase() !== expected) {
        throw integrityMismatch(this.type, `uploaded ${what} but the returned ETag does not match the data's MD5`, 'ETagMismatch', etag);
      }
    };
  }

  /** Starts an SLO: checks the container, creates its segment container if needed, picks a unique prefix. */
  private *startSlo(container: string, name: string): Operation<SloUpload> {
    const head = yield* this.send(headContainerRequest(container), 'container', container);
    if (head.status === 404) throw this.missing('container', container, undefined, head);
    const segmentContainer = `${container}${this.segmentContainerSuffix}`;
    checkContainerName(segmentContainer);
    yield* this.send(createContainerRequest(segmentContainer), undefined, segmentContainer); // 201 or 202: either will do
    // Long names are hashed so a segment name stays within Swift's 1024 bytes.
    const base = Buffer.byteLength(name) > 900 ? createHash('sha256').update(name).digest('hex') : name;
    const prefix = `${base}/slo/${(Date.now() / 1000).toFixed(6)}/${randomBytes(6).toString('hex')}/`;
    return { segmentContainer, prefix, written: new Set() };
  }

  /** PUTs one segment with `ETag`, verified; its token is `<etag> <size>`. */
  private *putSegment(upload: SloUpload, name: string, part: PartData): Operation<string> {
    const segment = `${upload.prefix}${String(part.number).padStart(8, '0')}`;
    upload.written.add(segment);
    const md5 = part.md5?.toString('hex');
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(part.length), ...(md5 ? { etag: md5 } : {}) };
    let res: HttpResponse;
    try {
      res = yield* this.send(putObjectRequest(upload.segmentContainer, segment, headers, part.body), 'container', upload.segmentContainer, segment, md5 ? this.etagCheck(`${name} segment ${part.number}`, md5) : undefined);
    } catch (error) {
      throw this.refused(error, `${name} segment ${part.number}`);
    }
    const etag = unquote(res.header('etag') ?? md5);
    if (!isMd5(etag)) throw new UploadError(`${this.type}: segment ${part.number} of ${name} was stored without an MD5 ETag`, { code: 'MissingETag', provider: this.type });
    return `${etag.toLowerCase()} ${part.length}`;
  }

  /** PUTs the manifest with the MD5 of the segments' ETags as `ETag` (Swift checks it), and checks the reply. */
  private *putManifest(upload: SloUpload, container: Container, name: string, headers: Record<string, string>, tokens: string[], summary: UploadSummary, options: UploadOptions): Operation<StorageObject> {
    const segments: SloSegment[] = tokens.map((token, i) => {
      const [etag, size] = token.split(' ');
      return { path: `/${upload.segmentContainer}/${upload.prefix}${String(i + 1).padStart(8, '0')}`, etag: etag!, size_bytes: Number(size) };
    });
    const expected = md5Hex(segments.map((s) => s.etag).join(''));
    upload.manifestEtag = expected;
    const res = yield* this.send(putManifestRequest(container.name, name, { ...headers, etag: expected }, segments), 'container', container.name, name, this.etagCheck(`the manifest of ${name}`, expected));
    return this.uploaded(container, name, summary.size, expected, res.header('etag') ?? `"${expected}"`, true, options);
  }

  /**
   * Deletes what a failed SLO upload wrote: a manifest that may have landed (only while it is still ours: an SLO
   * with our ETag), then every segment under the upload's prefix (those sent and those listed). Never throws.
   */
  private abortSlo(upload: SloUpload, container: string, name: string): Operation<boolean> {
    const self = this;
    // Detached: a cancelled upload is still cleaned up.
    return detached(
      (function* (): Operation<boolean> {
        let clean = true;
        try {
          if (upload.manifestEtag !== undefined) {
            const head = yield* self.send(headObjectRequest(container, name), undefined, container, name);
            const h = head.status === 404 ? undefined : parseObjectHeaders(head.headers);
            if (h?.staticLargeObject && h.etag === upload.manifestEtag) {
              const res = yield* self.send(deleteObjectRequest(container, name, true), undefined, container, name);
              const report = parseDeleteReport(res.json());
              if (report.status >= 300 || report.errors.length > 0) clean = false;
            }
          }
          const names = new Set(upload.written);
          const listed = yield* self.send(listObjectsRequest(upload.segmentContainer, { limit: DEFAULT_LISTING_LIMIT, prefix: upload.prefix }), undefined, upload.segmentContainer);
          if (listed.status !== 404) {
            for (const entry of parseObjectList(listingOf(listed), DEFAULT_LISTING_LIMIT).entries) if (entry.kind === 'object') names.add(entry.name);
          }
          for (const segment of names) {
            try {
              yield* self.send(deleteObjectRequest(upload.segmentContainer, segment), undefined, upload.segmentContainer, segment);
            } catch {
              clean = false;
            }
          }
        } catch {
          return false;
        }
        return clean;
      })(),
    );
  }

  private uploaded(container: Container, name: string, size: number, hash: string, etag: string, slo: boolean, options: UploadOptions): StorageObject {
    return new StorageObject(
      {
        name,
        size,
        hash,
        metaData: Object.fromEntries(Object.entries(options.metaData ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        contentType: options.contentType ?? 'application/octet-stream',
        extra: { etag, staticLargeObject: slo },
      },
      container,
      this,
    );
  }

  /** The MD5 a GET vouches for: a plain object's ETag; large objects' ETags are not the MD5 of their bytes. */
  protected expectedDigest(response: HttpResponse): ExpectedDigest {
    const h = parseObjectHeaders(response.headers);
    const plain = !h.staticLargeObject && h.objectManifest === undefined && !h.rawEtag.trim().startsWith('"');
    return plain && isMd5(h.etag) ? { md5: h.etag.toLowerCase() } : {};
  }

  *downloadObjectOp(obj: StorageObject, destinationPath: string, options: DownloadOptions = {}): Operation<boolean> {
    const container = obj.container.name;
    return yield* downloadToFile(this.type, obj, destinationPath, options, {
      fetch: (temporary, verify) => this.send(getObjectRequest(container, obj.name, { saveTo: temporary }), 'object', container, obj.name, verify),
      expected: (response) => this.expectedDigest(response),
    });
  }

  /** Ranged GETs guarded by the object's ETag (`If-Match`), each checked for length. */
  downloadObjectAsStreamPages(obj: StorageObject, options: StreamOptions = {}): PageOperation<Uint8Array> {
    const container = obj.container.name;
    const raw = typeof obj.extra.etag === 'string' && obj.extra.etag ? obj.extra.etag : obj.hash;
    const etag = raw ? `"${unquote(raw)}"` : undefined;
    return rangedReadPages(this.type, obj, options, DEFAULT_CHUNK_SIZE, etag, {
      fetch: (offset, end, ifMatch, verify) => this.send(getObjectRequest(container, obj.name, { range: [offset, end], ...(ifMatch ? { ifMatch } : {}) }), 'object', container, obj.name, verify),
      recheck: () => this.getObjectOp(container, obj.name),
    });
  }

  // ---- temp URLs --------------------------------------------------------------------------------

  /**
   * A Swift temp URL for an object (what Libcloud's Cloud Files driver calls `ex_get_object_temp_url`): anyone
   * with it may `method` the object until it expires, without credentials. Signed with the account's temp URL
   * key (`tempUrlKey` option, or read once from the account; set one with `exSetAccountMetadataTempUrlKey`).
   */
  override getObjectCdnUrl(obj: StorageObject, options?: TempUrlOptions): string {
    return this.invoke('getObjectCdnUrl', [obj, options]);
  }

  /** Sets the account's temp URL key (`X-Account-Meta-Temp-URL-Key`), used by `getObjectCdnUrl` from then on. */
  exSetAccountMetadataTempUrlKey(key: string): boolean {
    return this.invoke('exSetAccountMetadataTempUrlKey', [key]);
  }

  override *getObjectCdnUrlOp(obj: StorageObject, options: TempUrlOptions = {}): Operation<string> {
    const method = options.method ?? 'GET';
    const digest = options.digest ?? 'sha256';
    const expiresIn = options.expiresIn ?? DEFAULT_TEMP_URL_SECONDS;
    if (!['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(method)) throw new InvalidArgumentError(`${this.type}: temp URL method must be GET, HEAD, PUT, POST or DELETE`);
    if (!['sha1', 'sha256', 'sha512'].includes(digest)) throw new InvalidArgumentError(`${this.type}: temp URL digest must be sha1, sha256 or sha512`);
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw new InvalidArgumentError(`${this.type}: expiresIn must be a positive number of seconds`);
    checkObjectName(obj.name);
    const key = yield* this.tempUrlKeyOp();
    const base = (yield* this.#endpoint()).replace(/\/+$/, '');
    const expires = Math.floor(Date.now() / 1000 + expiresIn);
    return tempUrl(base, obj.container.name, obj.name, method, expires, key, digest);
  }

  *exSetAccountMetadataTempUrlKeyOp(key: string): Operation<boolean> {
    if (typeof key !== 'string' || key === '' || /[\r\n\0]/.test(key)) throw new InvalidArgumentError(`${this.type}: the temp URL key must be a non-empty string without line breaks`);
    yield* this.send(postAccountRequest({ 'x-account-meta-temp-url-key': key }), undefined, '');
    this.#tempUrlKey = key;
    return true;
  }

  /** The account's temp URL key: the option, or read from the account once. */
  private *tempUrlKeyOp(): Operation<string> {
    if (this.#tempUrlKey !== undefined) return this.#tempUrlKey;
    const res = yield* this.send(headAccountRequest(), undefined, '');
    const key = res.header('x-account-meta-temp-url-key') ?? res.header('x-account-meta-temp-url-key-2');
    if (!key) {
      throw new InvalidArgumentError(`${this.type}: the account has no temp URL key (X-Account-Meta-Temp-URL-Key); set one with exSetAccountMetadataTempUrlKey(key) or give the tempUrlKey option`, {
        code: 'TempUrlKeyNotSet',
        provider: this.type,
      });
    }
    this.#tempUrlKey = key;
    return key;
  }
}

/**
 * A temp URL: `<storage URL>/<container>/<object>?temp_url_sig=<hex HMAC>&temp_url_expires=<epoch>`, the HMAC
 * over `<method>\n<expires>\n<path>` with the path decoded (`/v1/AUTH_x/container/object`), as Swift's tempurl
 * middleware computes it.
 */
export function tempUrl(storageUrl: string, container: string, object: string, method: string, expires: number, key: string, digest: 'sha1' | 'sha256' | 'sha512'): string {
  const base = storageUrl.replace(/\/+$/, '');
  const accountPath = decodeURIComponent(new URL(base).pathname).replace(/\/+$/, '');
  const path = `${accountPath}/${container}/${object}`;
  const signature = createHmac(digest, key).update(`${method}\n${expires}\n${path}`).digest('hex');
  return `${base}${swiftPath(container, object)}?temp_url_sig=${signature}&temp_url_expires=${expires}`;
}

/** The OpenStack authentication options present in `options`. */
function pickAuth(options: OpenStackAuthOptions): OpenStackAuthOptions {
  const out: Record<string, unknown> = {};
  for (const key of OPENSTACK_AUTH_OPTION_KEYS) if ((options as Record<string, unknown>)[key] !== undefined) out[key] = (options as Record<string, unknown>)[key];
  return out as OpenStackAuthOptions;
}

/**
 * OpenStack Swift (Libcloud's `OpenStackSwiftStorageDriver`). Authenticates with Keystone v3/v2.0 (storage URL
 * from the catalog's `object-store` service, in `regionName`) or Swift's v1.0 auth (`authUrl` ending in
 * `/auth/v1.0`); `key`/`secret` stand for `username`/`password` and `region` for `regionName`, as in Libcloud.
 * With no `authUrl`, the `OS_*` variables or `clouds.yaml` are read.
 *
 * @example
 * ```ts
 * const swift = new OpenStackSwiftStorageDriver({ authUrl: 'http://127.0.0.1:8080/auth/v1.0', username: 'test:tester', password: 'testing' });
 * const c = swift.createContainer('photos');
 * swift.uploadObject('./cat.jpg', c, 'cat.jpg');
 * const url = swift.getObjectCdnUrl(swift.getObject('photos', 'cat.jpg'), { expiresIn: 600 });
 * ```
 */
export class OpenStackSwiftStorageDriver extends SwiftCompatibleStorageDriver {
  readonly type = Provider.OPENSTACK_SWIFT;
  readonly name: string = 'OpenStack Swift';

  constructor(options: OpenStackSwiftStorageDriverOptions = {}) {
    super(options ?? {}, {
      provider: Provider.OPENSTACK_SWIFT,
      identity: (o: OpenStackSwiftStorageDriverOptions) => {
        const auth: OpenStackAuthOptions = { ...pickAuth(o) };
        if (auth.username === undefined && auth.userId === undefined && o.key !== undefined) auth.username = o.key;
        if (auth.password === undefined && auth.apiKey === undefined && auth.applicationCredentialSecret === undefined && auth.token === undefined && o.secret !== undefined) {
          auth.password = o.secret;
        }
        if (auth.regionName === undefined && o.region !== undefined) auth.regionName = o.region;
        return openStackIdentity(auth, o);
      },
      endpoint: (identity) => identity.endpoint('object-store'),
    });
  }
}

/** Rackspace's identity service (Keystone v2.0 with API keys). */
export const RACKSPACE_AUTH_URL = 'https://identity.api.rackspacecloud.com/v2.0';

/**
 * Rackspace Cloud Files (Libcloud's `CloudFilesStorageDriver`): Swift behind Rackspace identity v2.0 with an API
 * key (`RAX-KSKEY:apiKeyCredentials`; `key` is the user name, `secret` the API key); the endpoint is the
 * catalog's `cloudFiles` service in `region` (default `ord`).
 *
 * @example
 * ```ts
 * const files = new CloudFilesStorageDriver({ key: 'username', secret: 'api key', region: 'dfw' });
 * ```
 */
export class CloudFilesStorageDriver extends SwiftCompatibleStorageDriver {
  static override readonly optionKeys: readonly string[] = [...SwiftCompatibleStorageDriver.optionKeys, 'useInternalUrl'];
  readonly type = Provider.CLOUDFILES;
  readonly name: string = 'Rackspace Cloud Files';

  constructor(options: CloudFilesStorageDriverOptions = {}) {
    super(options ?? {}, {
      provider: Provider.CLOUDFILES,
      identity: (o: CloudFilesStorageDriverOptions) => {
        const auth: OpenStackAuthOptions = {
          ...pickAuth(o),
          authUrl: o.authUrl ?? RACKSPACE_AUTH_URL,
          identityApiVersion: o.identityApiVersion ?? '2.0',
          regionName: cloudFilesRegion(o),
          ...(o.useInternalUrl ? { interface: 'internal' } : {}),
        };
        if (auth.username === undefined && o.key !== undefined) auth.username = o.key;
        if (auth.apiKey === undefined && auth.password === undefined && o.secret !== undefined) auth.apiKey = o.secret;
        return openStackIdentity(auth, o);
      },
      // The catalog's `cloudFiles` object store in the region (Rackspace lists other object stores too).
      endpoint: (identity, o: CloudFilesStorageDriverOptions) => {
        const region = cloudFilesRegion(o);
        const iface = o.useInternalUrl ? 'internal' : (o.interface ?? 'public');
        return function* () {
          if (o.endpointOverride) return o.endpointOverride;
          const token = yield* identity.credentials.token();
          return token.data!.catalog.url('object-store', { region, interface: iface, name: 'cloudFiles' });
        };
      },
    });
  }
}

function cloudFilesRegion(o: CloudFilesStorageDriverOptions): string {
  return (o.regionName ?? o.region ?? 'ord').toUpperCase();
}
