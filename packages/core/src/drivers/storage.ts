/**
 * The base storage driver (Libcloud's `StorageDriver`), mode-agnostic.
 * @module
 */
import { InvalidArgumentError } from '../errors/index.js';
import { Container, StorageObject } from '../models/storage.js';
import type { Operation } from '../runtime/effects.js';
import { collectPages, type PageOperation } from '../runtime/paging.js';
import type { UploadSource } from '../runtime/sources.js';
import { copyAcross, libcloudRange, rangeToFile } from '../transfer/copy.js';
import { uploadFile, uploadSource, type UploadHooks, type UploadSettings } from '../transfer/upload.js';
import * as bulk from '../transfer/bulk.js';
import { BaseDriver, driverOf, type MethodKind, type MethodOptionsSpec } from './base.js';

const LIST_OPTION_KEYS = ['prefix', 'delimiter', 'pageSize'];
const UPLOAD_OPTION_KEYS = ['metaData', 'contentType', 'verifyHash', 'partSize', 'concurrency', 'onProgress', 'ex'];
const BULK_OPTION_KEYS = ['concurrency', 'onProgress', 'failFast'];

/** Progress report: bytes done so far, and the total when known. */
export type ProgressCallback = (done: number, total: number | undefined) => void;

/** Options of `uploadObject` and `uploadObjectViaStream`. */
export interface UploadOptions {
  /** User metadata (`x-amz-meta-*`, `x-goog-meta-*`, `x-ms-meta-*`). */
  metaData?: Record<string, string>;
  contentType?: string;
  /** Check integrity (MD5 against the ETag / Content-MD5 per part). Default true. */
  verifyHash?: boolean;
  /** Part (block) size for multipart uploads, in bytes. */
  partSize?: number;
  /** Parts sent at once. */
  concurrency?: number;
  onProgress?: ProgressCallback;
  /** Provider-specific extras. */
  ex?: Record<string, unknown>;
}

/** Options of `downloadObject`. */
export interface DownloadOptions {
  /** Replace an existing file at the destination (default false: an existing file is an error). */
  overwriteExisting?: boolean;
  /** Check length (and MD5 / x-goog-hash where the provider gives one). Default true. */
  verifyHash?: boolean;
  onProgress?: ProgressCallback;
}

/** Options of `downloadObjectAsStream`. */
export interface StreamOptions {
  /** First byte (inclusive). */
  start?: number;
  /** Last byte (inclusive). */
  end?: number;
  /** Bytes per ranged request (default 4 MiB). */
  chunkSize?: number;
}

/** Options of `getObjectCdnUrl` (signed URLs). */
export interface SignedUrlOptions {
  /** Seconds the URL stays valid: default 86400 (Libcloud's 24 hours); at most 604800 on S3 and GCS, 365 days on Azure. */
  expiresIn?: number;
  /** What the URL may do: `GET` reads the object (default), `PUT` writes it (creating or replacing). */
  method?: 'GET' | 'PUT';
  /**
   * GET: the Content-Type the response carries. PUT (S3, GCS): the Content-Type the upload must send, signed into
   * the URL. An Azure SAS cannot require request headers, so Azure refuses it for PUT.
   */
  contentType?: string;
}

/** Options of `copyObject`. */
export interface CopyOptions {
  /** Replace the copy's user metadata (default: the source's is kept). */
  metaData?: Record<string, string>;
  /**
   * S3: objects larger than this are copied part by part (UploadPartCopy); default 5 GiB, S3's limit for one
   * CopyObject. Other providers copy any size in one request and ignore it.
   */
  multipartCopyThreshold?: number;
  /** Part size of multipart copies and of copies streamed between providers. */
  partSize?: number;
  /** Parts in flight at once. */
  concurrency?: number;
  /** Bytes copied so far (parts streamed or copied). */
  onProgress?: ProgressCallback;
  /** Azure: milliseconds between checks of a pending copy (default 1000). */
  pollInterval?: number;
  /** Azure: milliseconds to wait for a pending copy before aborting it (default 10 minutes). */
  timeout?: number;
}

/** Options of `downloadObjectRange`. */
export interface RangeDownloadOptions {
  /** Replace an existing file at the destination (default false). */
  overwriteExisting?: boolean;
  /** Bytes per ranged request (default 4 MiB). */
  chunkSize?: number;
  onProgress?: ProgressCallback;
}

/** Options of listings. */
export interface ListObjectsOptions {
  prefix?: string;
  /**
   * Group keys by this delimiter (S3 semantics): keys below a common prefix are rolled up into one entry per
   * prefix (see `isCommonPrefix`), listed after the objects of each page.
   */
  delimiter?: string;
  /** Page size requested from the provider. */
  pageSize?: number;
}

/**
 * Base of storage drivers. Subclasses implement the `*Op` and `*Pages` builders; the public methods run
 * them in the driver's mode. `list*` collects `iterate*`.
 */
export abstract class StorageDriver extends BaseDriver {
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = {
    listContainers: 'call',
    iterateContainers: 'iterate',
    getContainer: 'call',
    createContainer: 'call',
    deleteContainer: 'call',
    listContainerObjects: 'call',
    iterateContainerObjects: 'iterate',
    getObject: 'call',
    uploadObject: 'call',
    uploadObjectViaStream: 'call',
    downloadObject: 'call',
    downloadObjectAsStream: 'iterate',
    deleteObject: 'call',
    // Signed URLs, copies and Libcloud's range reads (storage-urls).
    getObjectCdnUrl: 'call',
    copyObject: 'call',
    downloadObjectRange: 'call',
    downloadObjectRangeAsStream: 'iterate',
    // Bulk transfers (transfer/bulk.ts): concurrent in every style, one settled result per item.
    uploadObjects: 'call',
    downloadObjects: 'call',
    deleteObjects: 'call',
  };

  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    listContainerObjects: { index: 1, keys: LIST_OPTION_KEYS },
    iterateContainerObjects: { index: 1, keys: LIST_OPTION_KEYS },
    uploadObject: { index: 3, keys: UPLOAD_OPTION_KEYS },
    uploadObjectViaStream: { index: 3, keys: UPLOAD_OPTION_KEYS },
    downloadObject: { index: 2, keys: ['overwriteExisting', 'verifyHash', 'onProgress'] },
    downloadObjectAsStream: { index: 1, keys: ['start', 'end', 'chunkSize'] },
    getObjectCdnUrl: { index: 1, keys: ['expiresIn', 'method', 'contentType'] },
    copyObject: { index: 3, keys: ['metaData', 'multipartCopyThreshold', 'partSize', 'concurrency', 'onProgress', 'pollInterval', 'timeout'] },
    downloadObjectRange: { index: 4, keys: ['overwriteExisting', 'chunkSize', 'onProgress'] },
    downloadObjectRangeAsStream: { index: 3, keys: ['chunkSize'] },
    uploadObjects: { index: 1, keys: BULK_OPTION_KEYS },
    downloadObjects: { index: 2, keys: [...BULK_OPTION_KEYS, 'overwriteExisting', 'verifyHash'] },
    deleteObjects: { index: 1, keys: BULK_OPTION_KEYS },
  };

  abstract iterateContainersPages(): PageOperation<Container>;
  abstract getContainerOp(name: string): Operation<Container>;
  abstract createContainerOp(name: string): Operation<Container>;
  abstract deleteContainerOp(container: Container): Operation<boolean>;
  abstract iterateContainerObjectsPages(container: Container, options?: ListObjectsOptions): PageOperation<StorageObject>;
  abstract getObjectOp(containerName: string, objectName: string): Operation<StorageObject>;
  abstract uploadObjectOp(filePath: string, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject>;
  abstract uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject>;
  abstract downloadObjectOp(obj: StorageObject, destinationPath: string, options?: DownloadOptions): Operation<boolean>;
  abstract downloadObjectAsStreamPages(obj: StorageObject, options?: StreamOptions): PageOperation<Uint8Array>;
  abstract deleteObjectOp(obj: StorageObject): Operation<boolean>;

  /** Operation collecting every container. */
  listContainersOp(): Operation<Container[]> {
    return collectPages(this.iterateContainersPages());
  }
  /** Operation collecting every object of a container. */
  listContainerObjectsOp(container: Container, options?: ListObjectsOptions): Operation<StorageObject[]> {
    return collectPages(this.iterateContainerObjectsPages(container, options));
  }

  /** Lists containers. */
  listContainers(): Container[] {
    return this.invoke('listContainers', []);
  }
  /** Iterates containers lazily, page by page. */
  iterateContainers(): Iterable<Container> {
    return this.invokeIterable('iterateContainers', []);
  }
  /** Gets a container; `ContainerDoesNotExistError` when it does not exist. */
  getContainer(name: string): Container {
    return this.invoke('getContainer', [name]);
  }
  /** Creates a container. */
  createContainer(name: string): Container {
    return this.invoke('createContainer', [name]);
  }
  /** Deletes an empty container. */
  deleteContainer(container: Container): boolean {
    return this.invoke('deleteContainer', [container]);
  }
  /** Lists a container's objects. */
  listContainerObjects(container: Container, options?: ListObjectsOptions): StorageObject[] {
    return this.invoke('listContainerObjects', [container, options]);
  }
  /** Iterates a container's objects lazily, page by page. */
  iterateContainerObjects(container: Container, options?: ListObjectsOptions): Iterable<StorageObject> {
    return this.invokeIterable('iterateContainerObjects', [container, options]);
  }
  /** Gets one object's metadata; `ObjectDoesNotExistError` when it does not exist. */
  getObject(containerName: string, objectName: string): StorageObject {
    return this.invoke('getObject', [containerName, objectName]);
  }
  /** Uploads a file. */
  uploadObject(filePath: string, container: Container, objectName: string, options?: UploadOptions): StorageObject {
    return this.invoke('uploadObject', [filePath, container, objectName, options]);
  }
  /** Uploads from bytes, a stream or an iterable (multipart when large or of unknown length). */
  uploadObjectViaStream(source: UploadSource, container: Container, objectName: string, options?: UploadOptions): StorageObject {
    return this.invoke('uploadObjectViaStream', [source, container, objectName, options]);
  }
  /** Downloads to a file (via a temporary file renamed on success). */
  downloadObject(obj: StorageObject, destinationPath: string, options?: DownloadOptions): boolean {
    return this.invoke('downloadObject', [obj, destinationPath, options]);
  }
  /** Streams an object's bytes in chunks. */
  downloadObjectAsStream(obj: StorageObject, options?: StreamOptions): Iterable<Uint8Array> {
    return this.invokeIterable('downloadObjectAsStream', [obj, options]);
  }
  /** Deletes an object. */
  deleteObject(obj: StorageObject): boolean {
    return this.invoke('deleteObject', [obj]);
  }

  // ---- signed URLs, copies and range reads --------------------------------------------------------

  /**
   * A URL that reads (`GET`, default) or writes (`PUT`) `obj` for `expiresIn` seconds with a plain HTTP client
   * and no credentials (Libcloud's name; an S3 / GCS presigned URL, an Azure SAS). It is a bearer credential:
   * never log it (`redactUrl` masks its signature).
   *
   * @example
   * ```ts
   * const url = s3.getObjectCdnUrl(obj, { expiresIn: 600 });
   * const body = await (await fetch(url)).arrayBuffer();
   * const put = s3.getObjectCdnUrl(obj, { method: 'PUT', contentType: 'text/plain', expiresIn: 600 });
   * await fetch(put, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'new text' });
   * ```
   */
  getObjectCdnUrl(obj: StorageObject, options?: SignedUrlOptions): string {
    return this.invoke('getObjectCdnUrl', [obj, options]);
  }
  /**
   * Copies `src` to `dstName` in `dstContainer`. Within one driver the provider copies server-side (S3
   * CopyObject, or UploadPartCopy parts beyond `multipartCopyThreshold`; GCS; Azure Copy Blob, polled until
   * done); from another driver (`driverOf(src) !== this`) the bytes stream through, read in verified ranges and
   * uploaded by the kit's pipeline, and nothing is committed unless they match the source's MD5 when it has one.
   */
  copyObject(src: StorageObject, dstContainer: Container, dstName: string, options?: CopyOptions): StorageObject {
    return this.invoke('copyObject', [src, dstContainer, dstName, options]);
  }
  /**
   * Downloads bytes `start` (inclusive) to `end` (EXCLUSIVE, as Libcloud's `end_bytes`; default: the end of the
   * object) to a file, through a temporary file renamed once every range is verified: no partial file is left.
   * Unlike `downloadObjectAsStream`'s inclusive `end` option, `end` here follows Libcloud.
   */
  downloadObjectRange(obj: StorageObject, destinationPath: string, start: number, end?: number, options?: RangeDownloadOptions): boolean {
    return this.invoke('downloadObjectRange', [obj, destinationPath, start, end, options]);
  }
  /** Streams bytes `start` (inclusive) to `end` (EXCLUSIVE, as Libcloud's `end_bytes`; default: the end of the object). */
  downloadObjectRangeAsStream(obj: StorageObject, start: number, end?: number, options?: { chunkSize?: number }): Iterable<Uint8Array> {
    return this.invokeIterable('downloadObjectRangeAsStream', [obj, start, end, options]);
  }

  /** The signed URL operation; drivers whose provider has signed URLs override it. */
  // eslint-disable-next-line require-yield
  *getObjectCdnUrlOp(_obj: StorageObject, _options?: SignedUrlOptions): Operation<string> {
    throw new InvalidArgumentError(`${this.name}: signed URLs are not supported`, { code: 'NotSupported', provider: this.type });
  }
  /** The copy operation; drivers that can copy override it (`PipelineStorageDriver` does). */
  // eslint-disable-next-line require-yield
  *copyObjectOp(_src: StorageObject, _dstContainer: Container, _dstName: string, _options?: CopyOptions): Operation<StorageObject> {
    throw new InvalidArgumentError(`${this.name}: copyObject is not supported`, { code: 'NotSupported', provider: this.type });
  }
  /** Range download through `downloadObjectAsStreamPages`, into a temporary file. */
  downloadObjectRangeOp(obj: StorageObject, destinationPath: string, start: number, end?: number, options: RangeDownloadOptions = {}): Operation<boolean> {
    const range = libcloudRange(this.type, obj, start, end);
    const pages = this.downloadObjectAsStreamPages(obj, { ...range, ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}) });
    return rangeToFile(this.type, destinationPath, range.end - range.start + 1, options, pages);
  }
  /** Range stream through `downloadObjectAsStreamPages`. */
  downloadObjectRangeAsStreamPages(obj: StorageObject, start: number, end?: number, options: { chunkSize?: number } = {}): PageOperation<Uint8Array> {
    return this.downloadObjectAsStreamPages(obj, { ...libcloudRange(this.type, obj, start, end), ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}) });
  }

  // ---- bulk transfers: one call, items concurrent (also in the sync style), a settled result per item ------

  /** Operation of {@link StorageDriver.uploadObjects}: each item through this driver's own upload. */
  uploadObjectsOp(items: readonly bulk.UploadItem[], options?: bulk.UploadObjectsOptions): Operation<bulk.BulkResult<StorageObject>> {
    return bulk.uploadObjectsOp(this, items, options);
  }
  /** Operation of {@link StorageDriver.downloadObjects}: each object through this driver's own verified download. */
  downloadObjectsOp(objects: readonly StorageObject[], directory: string, options?: bulk.DownloadObjectsOptions): Operation<bulk.BulkResult<string>> {
    return bulk.downloadObjectsOp(this, objects, directory, options);
  }
  /** Operation of {@link StorageDriver.deleteObjects}: one delete per object; providers with a batch API override it. */
  deleteObjectsOp(objects: readonly StorageObject[], options?: bulk.DeleteObjectsOptions): Operation<bulk.BulkResult<boolean>> {
    return bulk.deleteObjectsOneByOne(this, objects, options);
  }

  /**
   * Uploads many files or sources at once (`concurrency` items in flight, each a single PUT or multipart).
   * Returns one result per item, in order; a failed item does not stop the others unless `failFast`.
   */
  uploadObjects(items: readonly bulk.UploadItem[], options?: bulk.UploadObjectsOptions): bulk.BulkResult<StorageObject> {
    return this.invoke('uploadObjects', [items, options]);
  }
  /** Downloads many objects to `directory/<object name>` at once (verified, through temporary files). */
  downloadObjects(objects: readonly StorageObject[], directory: string, options?: bulk.DownloadObjectsOptions): bulk.BulkResult<string> {
    return this.invoke('downloadObjects', [objects, directory, options]);
  }
  /** Deletes many objects (batched where the provider can); an object already gone counts as deleted. */
  deleteObjects(objects: readonly StorageObject[], options?: bulk.DeleteObjectsOptions): bulk.BulkResult<boolean> {
    return this.invoke('deleteObjects', [objects, options]);
  }
}

/**
 * A storage driver that uploads through the kit's one pipeline: it declares its upload hooks (single PUT,
 * start / put part / complete / abort) and settings, and inherits `uploadObject` and `uploadObjectViaStream`.
 */
export abstract class PipelineStorageDriver extends StorageDriver {
  /** Throws `InvalidArgumentError` for a name the provider refuses. */
  protected abstract checkObjectName(name: string): void;
  /** The provider's hooks for one upload of `name` into `container`. */
  protected abstract uploadHooks(container: Container, name: string, options: UploadOptions): UploadHooks<any>;
  /** Part size and concurrency for one upload (validating the caller's). */
  protected abstract uploadSettings(name: string, options: UploadOptions): UploadSettings;

  *uploadObjectOp(filePath: string, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    this.checkObjectName(objectName);
    return yield* uploadFile(this.uploadHooks(container, objectName, options), filePath, this.uploadSettings(objectName, options));
  }

  *uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    this.checkObjectName(objectName);
    return yield* uploadSource(this.uploadHooks(container, objectName, options), source, this.uploadSettings(objectName, options));
  }

  /** A copy from this driver (`copyWithinOp`, server-side) or from another one (streamed through the pipeline). */
  override *copyObjectOp(src: StorageObject, dstContainer: Container, dstName: string, options: CopyOptions = {}): Operation<StorageObject> {
    this.checkObjectName(dstName);
    if (driverOf(src) === this) return yield* this.copyWithinOp(src, dstContainer, dstName, options);
    return yield* copyAcross(src, (upload) => ({ hooks: this.uploadHooks(dstContainer, dstName, upload), settings: this.uploadSettings(dstName, upload) }), options);
  }

  /** A copy between two objects of this driver; providers override it with their server-side copy. */
  protected copyWithinOp(src: StorageObject, dstContainer: Container, dstName: string, options: CopyOptions): Operation<StorageObject> {
    return copyAcross(src, (upload) => ({ hooks: this.uploadHooks(dstContainer, dstName, upload), settings: this.uploadSettings(dstName, upload) }), options);
  }
}
