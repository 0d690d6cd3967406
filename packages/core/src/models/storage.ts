/**
 * Storage models, named as in Apache Libcloud.
 * @module
 */

/** What storage models need from their driver (sync or async per the driver's mode). */
export interface StorageOps {
  listContainerObjects(container: Container, options?: { prefix?: string }): unknown;
  iterateContainerObjects(container: Container, options?: { prefix?: string }): unknown;
  getObject(containerName: string, objectName: string): unknown;
  deleteContainer(container: Container): unknown;
  downloadObject(obj: StorageObject, destinationPath: string, options?: object): unknown;
  downloadObjectAsStream(obj: StorageObject, options?: object): unknown;
  deleteObject(obj: StorageObject): unknown;
  getObjectCdnUrl(obj: StorageObject, options?: object): unknown;
  downloadObjectRange(obj: StorageObject, destinationPath: string, start: number, end?: number, options?: object): unknown;
  downloadObjectRangeAsStream(obj: StorageObject, start: number, end?: number, options?: object): unknown;
}

/** A container (bucket). */
export class Container<D extends StorageOps = StorageOps> {
  readonly name: string;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;
  constructor(name: string, extra: Record<string, unknown>, driver: D) {
    this.name = name;
    this.extra = extra;
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }
  /** Lists the objects in this container. */
  listObjects(options?: { prefix?: string }): ReturnType<D['listContainerObjects']> {
    return this.driver.listContainerObjects(this, options) as ReturnType<D['listContainerObjects']>;
  }
  /** Iterates the objects in this container. */
  iterateObjects(options?: { prefix?: string }): ReturnType<D['iterateContainerObjects']> {
    return this.driver.iterateContainerObjects(this, options) as ReturnType<D['iterateContainerObjects']>;
  }
  /** Gets one object's metadata. */
  getObject(name: string): ReturnType<D['getObject']> {
    return this.driver.getObject(this.name, name) as ReturnType<D['getObject']>;
  }
  /** Downloads bytes `start` to `end` (exclusive, as Libcloud's `end_bytes`) of `obj` to a file. */
  downloadObjectRange(obj: StorageObject, destinationPath: string, start: number, end?: number, options?: object): ReturnType<D['downloadObjectRange']> {
    return this.driver.downloadObjectRange(obj, destinationPath, start, end, options) as ReturnType<D['downloadObjectRange']>;
  }
  /** Streams bytes `start` to `end` (exclusive, as Libcloud's `end_bytes`) of `obj`. */
  downloadObjectRangeAsStream(obj: StorageObject, start: number, end?: number, options?: object): ReturnType<D['downloadObjectRangeAsStream']> {
    return this.driver.downloadObjectRangeAsStream(obj, start, end, options) as ReturnType<D['downloadObjectRangeAsStream']>;
  }
  /** Deletes this (empty) container. */
  delete(): ReturnType<D['deleteContainer']> {
    return this.driver.deleteContainer(this) as ReturnType<D['deleteContainer']>;
  }
}

/** Fields of a {@link StorageObject}. */
export interface StorageObjectFields {
  name: string;
  size: number;
  /** The provider's hash (S3 ETag without quotes, MD5 hex for single-part objects). */
  hash: string;
  metaData?: Record<string, string>;
  contentType?: string;
  lastModified?: Date;
  extra?: Record<string, unknown>;
}

/** An object in a container. */
export class StorageObject<D extends StorageOps = StorageOps> {
  readonly name: string;
  readonly size: number;
  readonly hash: string;
  readonly metaData: Record<string, string>;
  readonly contentType?: string;
  readonly lastModified?: Date;
  readonly extra: Record<string, unknown>;
  readonly container: Container<D>;
  declare readonly driver: D;
  constructor(fields: StorageObjectFields, container: Container<D>, driver: D) {
    this.name = fields.name;
    this.size = fields.size;
    this.hash = fields.hash;
    this.metaData = fields.metaData ?? {};
    if (fields.contentType !== undefined) this.contentType = fields.contentType;
    if (fields.lastModified !== undefined) this.lastModified = fields.lastModified;
    this.extra = fields.extra ?? {};
    this.container = container;
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }
  /** Downloads this object to a file. */
  download(destinationPath: string, options?: object): ReturnType<D['downloadObject']> {
    return this.driver.downloadObject(this, destinationPath, options) as ReturnType<D['downloadObject']>;
  }
  /** Streams this object's bytes. */
  asStream(options?: object): ReturnType<D['downloadObjectAsStream']> {
    return this.driver.downloadObjectAsStream(this, options) as ReturnType<D['downloadObjectAsStream']>;
  }
  /** A signed URL for this object (Libcloud's `get_cdn_url`): see the driver's `getObjectCdnUrl`. */
  getCdnUrl(options?: object): ReturnType<D['getObjectCdnUrl']> {
    return this.driver.getObjectCdnUrl(this, options) as ReturnType<D['getObjectCdnUrl']>;
  }
  /** Downloads bytes `start` to `end` (exclusive, as Libcloud's `end_bytes`) to a file (Libcloud's `download_range`). */
  downloadRange(destinationPath: string, start: number, end?: number, options?: object): ReturnType<D['downloadObjectRange']> {
    return this.driver.downloadObjectRange(this, destinationPath, start, end, options) as ReturnType<D['downloadObjectRange']>;
  }
  /** Streams bytes `start` to `end` (exclusive, as Libcloud's `end_bytes`) (Libcloud's `range_as_stream`). */
  rangeAsStream(start: number, end?: number, options?: object): ReturnType<D['downloadObjectRangeAsStream']> {
    return this.driver.downloadObjectRangeAsStream(this, start, end, options) as ReturnType<D['downloadObjectRangeAsStream']>;
  }
  /** Deletes this object. */
  delete(): ReturnType<D['deleteObject']> {
    return this.driver.deleteObject(this) as ReturnType<D['deleteObject']>;
  }
}

/**
 * A common prefix of a delimited listing ("directory" `photos/2026/`), listed as an entry of size 0 whose
 * `extra.commonPrefix` is true, after the objects of its page. It is not an object: downloading it fails.
 */
export function commonPrefixEntry<D extends StorageOps>(prefix: string, container: Container<D>, driver: D): StorageObject<D> {
  return new StorageObject({ name: prefix, size: 0, hash: '', extra: { commonPrefix: true } }, container, driver);
}

/** Whether a listed entry is a common prefix of a delimited listing rather than an object. */
export function isCommonPrefix(entry: StorageObject<any>): boolean {
  return entry.extra.commonPrefix === true;
}
