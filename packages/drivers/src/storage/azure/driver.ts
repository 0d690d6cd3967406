/**
 * Azure Blob Storage (Libcloud's `AzureBlobsStorageDriver`): block blobs over the Blob service REST API,
 * SharedKey signing. Works against Azurite with account-in-path addressing.
 * @module
 */
import { Provider } from '../providers.js';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import {
  commonPrefixEntry,
  azureAccountFor,
  azureSharedKeySigner,
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
  InvalidCredentialsError,
  MAX_AZURE_SAS_SECONDS,
  MiB,
  ObjectDoesNotExistError,
  ProviderError,
  rangedReadPages,
  reportProgress,
  signedUrlSettings,
  sleep,
  TimeoutError,
  RateLimitError,
  PipelineStorageDriver,
  StorageObject,
  uriEncode,
  alreadyGone,
  batchesByContainer,
  deleteLabels,
  deleteObjectsOneByOne,
  MalformedResponseError,
  NotFoundError,
  RequestError,
  runBulk,
  type BulkResult,
  type DeleteObjectsOptions,
  type Settled,
  type BodyDigest,
  type CopyOptions,
  type DownloadOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type ListObjectsOptions,
  type Operation,
  type Page,
  type PageOperation,
  type PartData,
  type RequestBody,
  type SignedUrlOptions,
  type StreamOptions,
  type UploadHooks,
  type UploadOptions,
  type UploadSettings,
} from '@dualcloud/core';
import {
  abortCopyBlobRequest,
  anyBlobRequest,
  copyBlobRequest,
  blobBatchRequest,
  blobPropertiesRequest,
  containerPropertiesRequest,
  createContainerRequest,
  deleteBlobRequest,
  deleteContainerRequest,
  getBlobRequest,
  listBlobsRequest,
  listContainersRequest,
  MAX_RANGE_MD5,
  putBlobRequest,
  putBlockListRequest,
  putBlockRequest,
  type AzureRequest,
} from './requests.js';
import { blockId, parseAzureError, parseBlobList, parseContainerList, type AzureBlobEntry } from './xml.js';
import { batchBody, boundaryOf, MAX_BATCH_SUBREQUESTS, parseBatchReply, type BatchReply, type BatchSubrequest, type BatchSubresponse } from './batch.js';

/** Options of {@link AzureBlobsStorageDriver}: `key` is the account name, `secret` the base64 account key. */
export interface AzureBlobsStorageDriverOptions extends DriverOptions {
  /**
   * Put the account name in the path (`host:port/account/container`), as Azurite and other emulators expect.
   * Default: true when `host` is an IP address or `localhost`.
   */
  accountInPath?: boolean;
  /**
   * Delete many blobs with Blob Batch (256 per request) in `deleteObjects`. Default true; false sends one Delete
   * Blob per object. A service that refuses batches (an older emulator) is also answered one by one.
   */
  batchDeletes?: boolean;
}

/** The Blob service version sent (supported by Azurite 3.35). */
export const AZURE_STORAGE_VERSION = '2021-08-06';

/** Azure error codes with an exact error class. */
export const AZURE_ERROR_CODES: ErrorCodeTable = {
  ContainerNotFound: ContainerDoesNotExistError,
  BlobNotFound: ObjectDoesNotExistError,
  ContainerAlreadyExists: ContainerAlreadyExistsError,
  ContainerBeingDeleted: ContainerAlreadyExistsError,
  AuthenticationFailed: InvalidCredentialsError,
  AuthorizationFailure: InvalidCredentialsError,
  InvalidAuthenticationInfo: InvalidCredentialsError,
  Md5Mismatch: IntegrityError,
  ServerBusy: RateLimitError,
};

/** Azure's limit on the number of committed blocks of a blob. */
export const MAX_BLOCKS = 50_000;
const DEFAULT_BLOCK_SIZE = 4 * MiB;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_CHUNK_SIZE = 4 * MiB;
/** Default wait between checks of a pending Copy Blob. */
export const DEFAULT_COPY_POLL_MS = 1000;
/** Default wait for a pending Copy Blob before it is aborted. */
export const DEFAULT_COPY_TIMEOUT_MS = 10 * 60_000;

/**
 * Azure Blob Storage driver.
 *
 * @example
 * ```ts
 * const azurite = new AzureBlobsStorageDriver({ key: 'devstoreaccount1', secret: AZURITE_KEY, host: '127.0.0.1', port: 10000, secure: false });
 * ```
 */
export class AzureBlobsStorageDriver extends PipelineStorageDriver {
  static override readonly optionKeys: readonly string[] = [...PipelineStorageDriver.optionKeys, 'accountInPath', 'batchDeletes'];

  readonly type = Provider.AZURE_BLOBS;
  readonly name: string = 'Microsoft Azure (blobs)';
  /** Storage account name. */
  readonly account: string;
  /** Whether `deleteObjects` uses Blob Batch. */
  readonly batchDeletes: boolean;

  constructor(options: AzureBlobsStorageDriverOptions = {}) {
    super(options);
    const { account, accountKey, endpoint } = azureAccountFor(options?.key, options?.secret);
    this.account = account;
    this.batchDeletes = options?.batchDeletes ?? true;
    const host = options?.host ?? endpoint?.host ?? `${account}.blob.core.windows.net`;
    const accountInPath = options?.accountInPath ?? endpoint?.accountInPath ?? (isIP(host) !== 0 || host === 'localhost');
    this.connect({
      provider: 'azure_blobs',
      host,
      ...(endpoint?.port !== undefined ? { port: endpoint.port } : {}),
      ...(endpoint ? { secure: endpoint.secure } : {}),
      ...(accountInPath ? { basePath: `/${account}` } : {}),
      credentials: azureSharedKeySigner(account, accountKey, undefined, accountInPath ? `/${account}` : ''),
      defaultHeaders: { 'x-ms-version': AZURE_STORAGE_VERSION },
      parseError: parseAzureError,
      errorCodes: AZURE_ERROR_CODES,
    });
  }

  /** Sends a request built by `requests.ts` (the blob name is percent-encoded, slashes kept). */
  private send(request: AzureRequest, verify?: (response: HttpResponse) => void): Operation<HttpResponse> {
    const { container, blob, ...spec } = request;
    return this.connection.send({ ...spec, path: blobPath(container, blob), ...(verify ? { verify } : {}) });
  }

  // ---- containers -------------------------------------------------------------------------------

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    return function* (marker): Operation<Page<Container>> {
      const res = yield* self.send(listContainersRequest(marker));
      const { containers, next } = parseContainerList(res.xml(), self.type);
      return {
        items: containers.map((c) => new Container(c.name, { ...(c.etag ? { etag: c.etag } : {}), ...(c.lastModified ? { lastModified: c.lastModified } : {}) }, self)),
        next,
      };
    };
  }

  *getContainerOp(name: string): Operation<Container> {
    checkContainerName(name);
    const res = yield* this.send(containerPropertiesRequest(name));
    if (res.status === 404) throw new ContainerDoesNotExistError(`${this.type}: container ${name} does not exist`, { status: 404, code: 'ContainerNotFound', provider: this.type });
    const etag = res.header('etag');
    return new Container(name, etag ? { etag } : {}, this);
  }

  *createContainerOp(name: string): Operation<Container> {
    checkContainerName(name);
    yield* this.send(createContainerRequest(name));
    return new Container(name, {}, this);
  }

  /** Deletes an empty container (Azure itself would delete a non-empty one: emptiness is checked first, as Libcloud does). */
  *deleteContainerOp(container: Container): Operation<boolean> {
    const res = yield* this.send(anyBlobRequest(container.name));
    if (parseBlobList(res.xml(), this.type).blobs.length > 0) {
      throw new ContainerIsNotEmptyError(`${this.type}: container ${container.name} is not empty`, { code: 'ContainerNotEmpty', provider: this.type });
    }
    yield* this.send(deleteContainerRequest(container.name));
    return true;
  }

  iterateContainerObjectsPages(container: Container, options: ListObjectsOptions = {}): PageOperation<StorageObject> {
    const self = this;
    return function* (marker): Operation<Page<StorageObject>> {
      const res = yield* self.send(listBlobsRequest(container.name, options, marker));
      const listing = parseBlobList(res.xml(), self.type);
      const prefixes = listing.prefixes.map((p) => commonPrefixEntry(p, container, self));
      return { items: [...listing.blobs.map((b) => self.toObject(b, container)), ...prefixes], next: listing.next };
    };
  }

  private toObject(blob: AzureBlobEntry, container: Container): StorageObject {
    const md5Hex = blob.contentMd5 ? Buffer.from(blob.contentMd5, 'base64').toString('hex') : undefined;
    return new StorageObject(
      {
        name: blob.name,
        size: blob.size,
        hash: md5Hex ?? blob.etag.replace(/"/g, ''),
        metaData: blob.metadata,
        ...(blob.contentType ? { contentType: blob.contentType } : {}),
        ...(blob.lastModified ? { lastModified: new Date(blob.lastModified) } : {}),
        extra: { etag: blob.etag, ...(blob.contentMd5 ? { contentMd5: blob.contentMd5 } : {}) },
      },
      container,
      this,
    );
  }

  // ---- objects ----------------------------------------------------------------------------------

  *getObjectOp(containerName: string, objectName: string): Operation<StorageObject> {
    checkBlobName(objectName);
    const res = yield* this.send(blobPropertiesRequest(containerName, objectName));
    if (res.status === 404) {
      const code = res.header('x-ms-error-code');
      if (code === 'ContainerNotFound') throw new ContainerDoesNotExistError(`${this.type}: container ${containerName} does not exist`, { status: 404, code, provider: this.type });
      throw new ObjectDoesNotExistError(`${this.type}: object ${objectName} does not exist in ${containerName}`, { status: 404, code: code ?? 'BlobNotFound', provider: this.type });
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (name.startsWith('x-ms-meta-')) metadata[name.slice(10)] = value;
    const contentMd5 = res.header('content-md5');
    const contentType = res.header('content-type');
    const lastModified = res.header('last-modified');
    return this.toObject(
      {
        name: objectName,
        size: Number(res.header('content-length') ?? 0),
        etag: res.header('etag') ?? '',
        metadata,
        ...(contentMd5 ? { contentMd5 } : {}),
        ...(contentType ? { contentType } : {}),
        ...(lastModified ? { lastModified } : {}),
      },
      new Container(containerName, {}, this),
    );
  }

  *deleteObjectOp(obj: StorageObject): Operation<boolean> {
    yield* this.send(deleteBlobRequest(obj.container.name, obj.name));
    return true;
  }

  /**
   * Blob Batch deletes, 256 blobs per request and per container, `concurrency` batches at once (default 4).
   * Each subrequest's outcome is read from the reply; blobs refused with a transient status are sent again (three
   * rounds at most). A service that does not take batches gets one Delete Blob per blob instead.
   */
  override *deleteObjectsOp(objects: readonly StorageObject[], options: DeleteObjectsOptions = {}): Operation<BulkResult<boolean>> {
    if (!this.batchDeletes) return yield* deleteObjectsOneByOne(this, objects, options);
    const labels = deleteLabels(this.type, objects, options);
    const units = batchesByContainer(objects, MAX_BATCH_SUBREQUESTS).map((batch) => ({
      indexes: batch.indexes,
      run: () => this.deleteBatchOp(batch.container, batch.indexes.map((i) => objects[i]!)),
    }));
    return yield* runBulk(this.type, labels, units, options.concurrency ?? 4, options);
  }

  private *deleteBatchOp(container: string, blobs: readonly StorageObject[]): Operation<Settled<boolean>[]> {
    const outcomes: Array<Settled<boolean> | undefined> = new Array(blobs.length);
    let pending = blobs.map((_, i) => i);
    for (let round = 1; pending.length > 0; round++) {
      let reply: BatchReply;
      try {
        reply = yield* this.sendBatch(container, pending.map((i) => blobs[i]!.name));
      } catch (error) {
        if (!batchUnsupported(error)) throw error;
        // The service does not take batches: one Delete Blob per blob, as without batches.
        const single = yield* deleteObjectsOneByOne(this, pending.map((i) => blobs[i]!));
        single.results.forEach((r, k) => (outcomes[pending[k]!] = r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error }));
        break;
      }
      const again: number[] = [];
      pending.forEach((index, id) => {
        const sub = reply.byId.get(id)!;
        if (sub.status < 300) outcomes[index] = { ok: true, value: true };
        else {
          const error = this.subrequestError(container, blobs[index]!.name, sub);
          if (alreadyGone(error)) outcomes[index] = { ok: true, value: true };
          else if (TRANSIENT_BATCH_STATUS.has(sub.status) && round < 3) again.push(index);
          else outcomes[index] = { ok: false, error };
        }
      });
      pending = again;
      if (pending.length > 0) yield* sleep(100 * 2 ** (round - 1));
    }
    return outcomes.map((o) => o!);
  }

  /** One Blob Batch of Delete Blob subrequests; the reply is read inside the request (an incomplete one is asked for again). */
  private *sendBatch(container: string, names: readonly string[]): Operation<BatchReply> {
    const subrequests: BatchSubrequest[] = [];
    for (const name of names) {
      // Signed here, each on its own, without x-ms-version (the batch request carries it for all).
      const prepared = yield* this.connection.prepareOp({ method: 'DELETE', path: `/${container}/${uriEncode(name, true)}`, headers: { 'x-ms-version': '', 'content-length': '0' } });
      const path = /^[a-z]+:\/\/[^/]+([^?]*)/i.exec(prepared.url)?.[1] ?? '/';
      subrequests.push({ method: 'DELETE', path, headers: { 'x-ms-date': prepared.headers['x-ms-date']!, authorization: prepared.headers.authorization!, 'content-length': '0' } });
    }
    const boundary = `batch_${randomUUID()}`;
    let reply: BatchReply | undefined;
    yield* this.send(blobBatchRequest(container, boundary, batchBody(boundary, subrequests)), (res) => {
      const responseBoundary = boundaryOf(res.header('content-type'));
      const parsed = responseBoundary ? parseBatchReply(Buffer.from(res.body).toString('utf8'), responseBoundary) : undefined;
      if (parsed?.batchFailure && parsed.byId.size === 0) {
        const f = parsed.batchFailure;
        const ErrorClass = (f.code ? AZURE_ERROR_CODES[f.code] : undefined) ?? (f.status === 404 ? NotFoundError : f.status >= 500 ? ProviderError : RequestError);
        throw new ErrorClass(`${this.type}: Blob Batch refused: ${f.code ?? f.status}${f.message ? ` ${f.message}` : ''}`, { status: f.status, ...(f.code ? { code: f.code } : {}), provider: this.type, retryable: f.status >= 500 });
      }
      if (!parsed || names.some((_, id) => !parsed.byId.has(id))) {
        throw new MalformedResponseError(`${this.type}: the Blob Batch reply does not report every subrequest`, { code: 'IncompleteBatchReply', provider: this.type, retryable: true });
      }
      reply = parsed;
    });
    return reply!;
  }

  /** The typed error of one failed subrequest (as the same status and code would be for a Delete Blob). */
  private subrequestError(container: string, name: string, sub: BatchSubresponse): CloudError {
    const code = sub.code;
    const ErrorClass =
      (code ? AZURE_ERROR_CODES[code] : undefined) ?? (sub.status === 404 ? ObjectDoesNotExistError : sub.status === 401 || sub.status === 403 ? InvalidCredentialsError : sub.status >= 500 ? ProviderError : RequestError);
    return new ErrorClass(`${this.type}: could not delete ${name} from ${container}: ${code ?? sub.status}${sub.message ? ` ${sub.message}` : ''}`, {
      status: sub.status,
      ...(code ? { code } : {}),
      provider: this.type,
      retryable: TRANSIENT_BATCH_STATUS.has(sub.status),
    });
  }

  private blockSizeOf(options: UploadOptions): number {
    const size = options.partSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isSafeInteger(size) || size < 1 || size > 4000 * MiB) throw new InvalidArgumentError(`${this.type}: partSize must be between 1 byte and 4000 MiB`);
    return size;
  }

  private blobHeaders(options: UploadOptions, prefix: 'content-type' | 'x-ms-blob-content-type'): Record<string, string> {
    const headers: Record<string, string> = { [prefix]: options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metaData ?? {})) {
      if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new InvalidArgumentError(`${this.type}: invalid metadata name "${name}" (C# identifier rules)`);
      headers[`x-ms-meta-${name.toLowerCase()}`] = value;
    }
    return headers;
  }

  protected checkObjectName(name: string): void {
    checkBlobName(name);
  }

  protected uploadSettings(name: string, options: UploadOptions): UploadSettings {
    return { name, partSize: this.blockSizeOf(options), concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, options };
  }

  /**
   * The kit's upload hooks: Put Blob for one request, Put Block + Put Block List otherwise. Uncommitted blocks
   * are discarded by Azure, so there is nothing to abort.
   */
  protected uploadHooks(container: Container, name: string, options: UploadOptions): UploadHooks<undefined> {
    return {
      provider: this.type,
      maxParts: MAX_BLOCKS,
      putSingle: (body: RequestBody, size: number, digest: BodyDigest | undefined) => this.putBlob(container, name, body, size, digest?.md5, options),
      deleteWritten: (etag) => this.deleteIfMatch(container.name, name, etag),
      // eslint-disable-next-line require-yield
      start: function* (): Operation<undefined> {
        return undefined;
      },
      putPart: (_handle, part) => this.putBlock(container.name, name, part),
      complete: function* (this: AzureBlobsStorageDriver, _handle: undefined, ids: string[], summary: { size: number }): Operation<StorageObject> {
        const res = yield* this.send(putBlockListRequest(container.name, name, ids, this.blobHeaders(options, 'x-ms-blob-content-type')));
        return this.uploaded(container, name, summary.size, res.header('etag') ?? '', undefined, options);
      }.bind(this),
      // eslint-disable-next-line require-yield
      abort: function* (): Operation<boolean> {
        return true;
      },
    };
  }

  /** Put Blob, verified: a returned Content-MD5 other than the MD5 sent makes the connection send it again. */
  private *putBlob(container: Container, name: string, body: RequestBody, size: number, md5: Buffer | undefined, options: UploadOptions): Operation<StorageObject> {
    const headers = { ...this.blobHeaders(options, 'content-type'), 'content-length': String(size), ...(md5 ? { 'content-md5': md5.toString('base64') } : {}) };
    const res = yield* this.send(putBlobRequest(container.name, name, headers, body), md5 ? this.md5Check(name, md5) : undefined);
    return this.uploaded(container, name, size, res.header('etag') ?? '', md5, options);
  }

  /** Put Block, verified the same way; returns the block id. */
  private *putBlock(container: string, name: string, part: PartData): Operation<string> {
    const id = blockId(part.number);
    const headers: Record<string, string> = { 'content-length': String(part.length), ...(part.md5 ? { 'content-md5': part.md5.toString('base64') } : {}) };
    yield* this.send(putBlockRequest(container, name, id, headers, part.body), part.md5 ? this.md5Check(`${name} block ${part.number}`, part.md5) : undefined);
    return id;
  }

  /** A `verify` comparing the Content-MD5 Azure computed of what it received with the MD5 sent. */
  private md5Check(what: string, md5: Buffer): (response: HttpResponse) => void {
    const expected = md5.toString('base64');
    return (response) => {
      const returned = response.header('content-md5');
      if (returned && returned !== expected) {
        throw integrityMismatch(this.type, `uploaded ${what} but the returned Content-MD5 does not match`, 'HashMismatch', response.header('etag') ?? '');
      }
    };
  }

  /** Deletes a blob only while it still has `etag`; false when it was already replaced. */
  private *deleteIfMatch(container: string, name: string, etag: string): Operation<boolean> {
    const res = yield* this.send(deleteBlobRequest(container, name, etag));
    return res.status < 300;
  }

  private uploaded(container: Container, name: string, size: number, etag: string, md5: Buffer | undefined, options: UploadOptions): StorageObject {
    return this.toObject(
      {
        name,
        size,
        etag,
        metadata: Object.fromEntries(Object.entries(options.metaData ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        contentType: options.contentType ?? 'application/octet-stream',
        ...(md5 ? { contentMd5: md5.toString('base64') } : {}),
      },
      container,
    );
  }

  *downloadObjectOp(obj: StorageObject, destinationPath: string, options: DownloadOptions = {}): Operation<boolean> {
    return yield* downloadToFile(this.type, obj, destinationPath, options, {
      fetch: (temporary, verify) => this.send(getBlobRequest(obj.container.name, obj.name, { saveTo: temporary }), verify),
      expected: (response) => {
        const md5 = response.header('content-md5');
        return md5 ? { md5: Buffer.from(md5, 'base64').toString('hex') } : {};
      },
    });
  }

  /** Ranged reads; ranges up to 4 MiB ask Azure for their MD5 (`x-ms-range-get-content-md5`), so each is verified. */
  downloadObjectAsStreamPages(obj: StorageObject, options: StreamOptions = {}): PageOperation<Uint8Array> {
    const etag = typeof obj.extra.etag === 'string' && obj.extra.etag ? obj.extra.etag : undefined;
    return rangedReadPages(this.type, obj, options, DEFAULT_CHUNK_SIZE, etag, {
      fetch: (offset, end, ifMatch, verify) => this.send(getBlobRequest(obj.container.name, obj.name, { range: [offset, end], ...(ifMatch ? { ifMatch } : {}) }), verify),
      rangeMd5: (response, offset, end) => (response.status === 206 && end - offset + 1 <= MAX_RANGE_MD5 ? response.header('content-md5') : undefined),
      recheck: () => this.getObjectOp(obj.container.name, obj.name),
    });
  }
  // ---- signed URLs and server-side copies ------------------------------------------------------------

  /**
   * A service SAS URL for `obj` (`sr=b`; `sp=r` for GET, `cw` for PUT; `st` five minutes back for clock skew;
   * `spr=https`, or `https,http` on a plain-HTTP endpoint such as Azurite). A PUT through it must send
   * `x-ms-blob-type: BlockBlob`, as any Put Blob does; a SAS cannot require a Content-Type, so `contentType` is
   * refused for PUT (send `Content-Type` with the upload).
   */
  // eslint-disable-next-line require-yield
  override *getObjectCdnUrlOp(obj: StorageObject, options?: SignedUrlOptions): Operation<string> {
    const { expiresIn, method, contentType } = signedUrlSettings(this.type, options, MAX_AZURE_SAS_SECONDS);
    if (method === 'PUT' && contentType !== undefined) {
      throw new InvalidArgumentError(`${this.type}: a SAS cannot require a Content-Type; leave contentType out and send Content-Type with the PUT`, { code: 'NotSupported', provider: this.type });
    }
    checkContainerName(obj?.container?.name);
    checkBlobName(obj.name);
    return this.connection.presignUrl({ method, path: blobPath(obj.container.name, obj.name) }, { expiresIn, ...(contentType !== undefined ? { responseContentType: contentType } : {}) });
  }

  /**
   * Copy Blob within the account, guarded by the source's ETag (`x-ms-source-if-match`), with `metaData`
   * replacing the metadata. A pending copy is polled (`pollInterval`) until it succeeds, fails or `timeout`
   * passes (then it is aborted, `TimeoutError`). The copy's size and Content-MD5 are checked against the source's.
   */
  protected override *copyWithinOp(src: StorageObject, dstContainer: Container, dstName: string, options: CopyOptions): Operation<StorageObject> {
    checkBlobName(src.name);
    const interval = options.pollInterval ?? DEFAULT_COPY_POLL_MS;
    const timeout = options.timeout ?? DEFAULT_COPY_TIMEOUT_MS;
    if (!Number.isFinite(interval) || interval < 0) throw new InvalidArgumentError(`${this.type}: pollInterval must be a non-negative number of milliseconds`);
    if (!Number.isFinite(timeout) || timeout < 0) throw new InvalidArgumentError(`${this.type}: timeout must be a non-negative number of milliseconds`);
    const etag = typeof src.extra.etag === 'string' && src.extra.etag ? src.extra.etag : undefined;
    const headers: Record<string, string> = { ...(etag ? { 'x-ms-source-if-match': etag } : {}) };
    if (options.metaData) for (const [name, value] of Object.entries(this.blobHeaders({ metaData: options.metaData }, 'content-type'))) if (name.startsWith('x-ms-meta-')) headers[name] = value;
    const sourceUrl = this.connection.url({ path: blobPath(src.container.name, src.name) });
    let res: HttpResponse;
    try {
      res = yield* this.send(copyBlobRequest(dstContainer.name, dstName, sourceUrl, headers));
    } catch (error) {
      if (CloudError.is(error) && error.status === 412) {
        throw new IntegrityError(`${this.type}: ${src.name} changed since it was read (its ETag no longer matches); nothing was copied`, { status: 412, code: 'SourceChanged', provider: this.type });
      }
      throw error;
    }
    const copyId = res.header('x-ms-copy-id') ?? '';
    let status = res.header('x-ms-copy-status') ?? 'success';
    let description = '';
    const deadline = Date.now() + timeout;
    while (status === 'pending') {
      const left = deadline - Date.now();
      if (left <= 0) {
        let aborted = false;
        try {
          yield* detached(this.send(abortCopyBlobRequest(dstContainer.name, dstName, copyId)));
          aborted = true;
        } catch {
          // reported below
        }
        throw new TimeoutError(`${this.type}: the copy of ${src.name} to ${dstName} was still pending after ${timeout} ms and ${aborted ? 'was aborted' : 'could NOT be aborted'}`, {
          code: 'CopyTimeout',
          provider: this.type,
        });
      }
      yield* sleep(Math.min(interval, left));
      const head = yield* this.send(blobPropertiesRequest(dstContainer.name, dstName));
      if (head.status === 404) throw new ObjectDoesNotExistError(`${this.type}: the copy destination ${dstName} disappeared while the copy was pending`, { status: 404, code: 'BlobNotFound', provider: this.type });
      if (copyId && head.header('x-ms-copy-id') !== copyId) {
        throw new ProviderError(`${this.type}: ${dstName} was replaced while its copy was pending`, { code: 'CopyReplaced', provider: this.type });
      }
      status = head.header('x-ms-copy-status') ?? 'success';
      description = head.header('x-ms-copy-status-description') ?? '';
      const progress = /^(\d+)\/(\d+)$/.exec(head.header('x-ms-copy-progress') ?? '');
      if (progress && status === 'pending') reportProgress(options.onProgress, Number(progress[1]), Number(progress[2]), this.type);
    }
    if (status !== 'success') {
      throw new ProviderError(`${this.type}: the copy of ${src.name} to ${dstName} ended ${status}${description ? `: ${description}` : ''}`, { code: status === 'aborted' ? 'CopyAborted' : 'CopyFailed', provider: this.type });
    }
    const copied = yield* this.getObjectOp(dstContainer.name, dstName);
    const sourceMd5 = typeof src.extra.contentMd5 === 'string' ? src.extra.contentMd5 : undefined;
    const copiedMd5 = typeof copied.extra.contentMd5 === 'string' ? copied.extra.contentMd5 : undefined;
    if ((etag && copied.size !== src.size) || (sourceMd5 && copiedMd5 && sourceMd5 !== copiedMd5)) {
      throw new IntegrityError(`${this.type}: the copy of ${src.name} does not match its source (size or Content-MD5)`, { code: 'CopyMismatch', provider: this.type });
    }
    reportProgress(options.onProgress, copied.size, copied.size, this.type);
    return copied;
  }
}

/** The request path of a container or blob (the blob name percent-encoded, slashes kept). */
function blobPath(container: string | undefined, blob: string | undefined): string {
  return container === undefined ? '/' : `/${container}${blob !== undefined ? `/${uriEncode(blob, true)}` : ''}`;
}

/** Subrequest statuses worth another round. */
const TRANSIENT_BATCH_STATUS = new Set([500, 503]);

/** Whether a failed batch request says the service does not take batches (so nothing in it happened). */
function batchUnsupported(error: unknown): boolean {
  if (!CloudError.is(error)) return false;
  if (error.status === 405 || error.status === 501) return true;
  return error.status === 400 && ['InvalidQueryParameterValue', 'UnsupportedQueryParameter', 'FeatureNotSupported', 'UnsupportedHeader', 'InvalidHeaderValue'].includes(error.code ?? '');
}

function checkContainerName(name: string): void {
  if (typeof name !== 'string' || !/^(?:\$root|[a-z0-9](?:[a-z0-9]|-(?!-)){2,62})$/.test(name) || name.endsWith('-')) {
    throw new InvalidArgumentError(`invalid container name "${String(name).slice(0, 64)}" (3-63 lower-case letters, digits and single hyphens)`, { code: 'InvalidContainerName' });
  }
}

function checkBlobName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.length > 1024 || name.includes('\0')) {
    throw new InvalidArgumentError('invalid blob name (empty, over 1024 characters, or containing NUL)', { code: 'InvalidObjectName' });
  }
}
