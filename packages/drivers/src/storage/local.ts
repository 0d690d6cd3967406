/**
 * A storage driver over a local directory (Libcloud's `LocalStorageDriver`): one directory per container,
 * objects are files (names with `/` become subdirectories). No network.
 *
 * Metadata and content types are NOT stored: `metaData` of uploads is accepted and ignored, and objects read
 * back have empty `metaData`. Object hashes are MD5 hex digests computed from the file contents.
 * @module
 */
import { Provider } from './providers.js';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  commonPrefixEntry,
  Container,
  ContainerAlreadyExistsError,
  ContainerDoesNotExistError,
  ContainerIsNotEmptyError,
  IntegrityError,
  InvalidArgumentError,
  ObjectDoesNotExistError,
  StorageDriver,
  StorageObject,
  read,
  toChunkSource,
  driverOf,
  type CopyOptions,
  type DownloadOptions,
  type DriverOptions,
  type ListObjectsOptions,
  type Operation,
  type Page,
  type PageOperation,
  type StreamOptions,
  type UploadOptions,
  type UploadSource,
  downloadViaTemporary,
  fileSize,
  md5OfFile,
  reportProgress,
} from '@dualcloud/core';

/** Options of {@link LocalStorageDriver}: only `key` is used (network options are accepted and ignored). */
export interface LocalStorageDriverOptions extends Partial<DriverOptions> {
  /** The root directory (created if missing). Named `key` as in Libcloud. */
  key: string;
}

const TEMP_DIR = '.dualcloud-tmp';
const COPY_CHUNK = 1024 * 1024;

/**
 * Local directory storage. Operations do their filesystem work directly (synchronously); uploads write a
 * temporary file and rename it into place, so readers never see a partial object.
 *
 * @example
 * ```ts
 * const local = new LocalStorageDriver({ key: '/tmp/storage' });
 * const c = local.createContainer('photos');
 * local.uploadObjectViaStream('hello', c, 'greetings/hello.txt');
 * ```
 */
export class LocalStorageDriver extends StorageDriver {
  readonly type = Provider.LOCAL;
  readonly name: string = 'Local Storage';
  /** Absolute root directory. */
  readonly root: string;

  constructor(options: LocalStorageDriverOptions) {
    super(options);
    if (!options || typeof options.key !== 'string' || options.key === '') throw new InvalidArgumentError('local storage: `key` (the root directory) is required');
    this.root = resolve(options.key);
    mkdirSync(this.root, { recursive: true });
  }

  private containerPath(name: string): string {
    if (typeof name !== 'string' || name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) {
      throw new InvalidArgumentError(`invalid container name "${String(name).slice(0, 64)}"`, { code: 'InvalidContainerName' });
    }
    return join(this.root, name);
  }

  /** The file of an object; names that would escape the container are rejected. */
  private objectPath(containerName: string, objectName: string): string {
    const base = this.containerPath(containerName);
    if (typeof objectName !== 'string' || objectName === '' || objectName.includes('\0') || isAbsolute(objectName) || objectName.startsWith('/')) {
      throw new InvalidArgumentError('invalid object name (empty, absolute, or containing NUL)', { code: 'InvalidObjectName' });
    }
    const segments = objectName.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
      throw new InvalidArgumentError('invalid object name (empty, "." or ".." segments, or backslashes)', { code: 'InvalidObjectName' });
    }
    const path = resolve(base, ...segments);
    const rel = relative(base, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new InvalidArgumentError('object name escapes its container', { code: 'InvalidObjectName' });
    return path;
  }

  private existingContainer(name: string): string {
    const path = this.containerPath(name);
    if (!isDirectory(path)) throw new ContainerDoesNotExistError(`local: container ${name} does not exist`, { code: 'NoSuchContainer', provider: 'local' });
    return path;
  }

  iterateContainersPages(): PageOperation<Container> {
    const self = this;
    // eslint-disable-next-line require-yield
    return function* (): Operation<Page<Container>> {
      const names = readdirSync(self.root, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
      return { items: names.map((n) => new Container(n, { path: join(self.root, n) }, self)) };
    };
  }

  // eslint-disable-next-line require-yield
  *getContainerOp(name: string): Operation<Container> {
    return new Container(name, { path: this.existingContainer(name) }, this);
  }

  // eslint-disable-next-line require-yield
  *createContainerOp(name: string): Operation<Container> {
    const path = this.containerPath(name);
    try {
      mkdirSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ContainerAlreadyExistsError(`local: container ${name} already exists`, { code: 'ContainerAlreadyExists', provider: 'local' });
      throw e;
    }
    return new Container(name, { path }, this);
  }

  // eslint-disable-next-line require-yield
  *deleteContainerOp(container: Container): Operation<boolean> {
    const path = this.existingContainer(container.name);
    if (readdirSync(path).length > 0) throw new ContainerIsNotEmptyError(`local: container ${container.name} is not empty`, { code: 'ContainerNotEmpty', provider: 'local' });
    rmdirSync(path);
    return true;
  }

  iterateContainerObjectsPages(container: Container, options: ListObjectsOptions = {}): PageOperation<StorageObject> {
    const self = this;
    return function* (): Operation<Page<StorageObject>> {
      const base = self.existingContainer(container.name);
      const prefix = options.prefix ?? '';
      const names = walk(base, '').filter((n) => n.startsWith(prefix)).sort();
      const items: StorageObject[] = [];
      const prefixes = new Set<string>();
      for (const name of names) {
        if (options.delimiter) {
          const cut = name.indexOf(options.delimiter, prefix.length);
          if (cut >= 0) {
            prefixes.add(name.slice(0, cut + options.delimiter.length));
            continue;
          }
        }
        items.push(yield* self.objectFor(container, name));
      }
      return { items: [...items, ...[...prefixes].map((p) => commonPrefixEntry(p, container, self))] };
    };
  }

  private *objectFor(container: Container, name: string): Operation<StorageObject> {
    const path = this.objectPath(container.name, name);
    let stats;
    try {
      stats = statSync(path);
    } catch {
      stats = undefined;
    }
    if (!stats?.isFile()) throw new ObjectDoesNotExistError(`local: object ${name} does not exist in ${container.name}`, { code: 'NoSuchKey', provider: 'local' });
    const md5 = stats.size > 0 ? yield* md5OfFile(path, 0, stats.size - 1) : createHash('md5').digest();
    return new StorageObject({ name, size: stats.size, hash: md5.toString('hex'), lastModified: stats.mtime, extra: { path } }, container, this);
  }

  *getObjectOp(containerName: string, objectName: string): Operation<StorageObject> {
    const container = yield* this.getContainerOp(containerName);
    return yield* this.objectFor(container, objectName);
  }

  /** A temporary file in the root's hidden temp directory (same filesystem, so rename is atomic). */
  private temporaryFile(): string {
    const dir = join(this.root, TEMP_DIR);
    mkdirSync(dir, { recursive: true });
    return join(dir, randomBytes(8).toString('hex'));
  }

  private place(temporary: string, container: Container, objectName: string): string {
    const path = this.objectPath(container.name, objectName);
    this.existingContainer(container.name);
    mkdirSync(dirname(path), { recursive: true });
    renameSync(temporary, path);
    return path;
  }

  *uploadObjectOp(filePath: string, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    this.objectPath(container.name, objectName);
    this.existingContainer(container.name);
    const size = fileSize(filePath);
    const temporary = this.temporaryFile();
    try {
      copyFileSync(filePath, temporary);
      reportProgress(options.onProgress, size, size, this.type);
      this.place(temporary, container, objectName);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return yield* this.objectFor(container, objectName);
  }

  *uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options: UploadOptions = {}): Operation<StorageObject> {
    this.objectPath(container.name, objectName);
    this.existingContainer(container.name);
    const total = typeof source === 'string' ? Buffer.byteLength(source) : source instanceof Uint8Array ? source.byteLength : undefined;
    const chunks = toChunkSource(source);
    const temporary = this.temporaryFile();
    const fd = openSync(temporary, 'w');
    let closed = false;
    try {
      let done = 0;
      for (let chunk = yield* read(chunks, COPY_CHUNK); chunk; chunk = yield* read(chunks, COPY_CHUNK)) {
        writeSync(fd, chunk);
        done += chunk.byteLength;
        reportProgress(options.onProgress, done, total, this.type);
      }
      closeSync(fd);
      closed = true;
      if (total === undefined) reportProgress(options.onProgress, done, done, this.type);
      this.place(temporary, container, objectName);
    } catch (error) {
      if (!closed) closeSync(fd);
      rmSync(temporary, { force: true });
      throw error;
    }
    return yield* this.objectFor(container, objectName);
  }

  *downloadObjectOp(obj: StorageObject, destinationPath: string, options: DownloadOptions = {}): Operation<boolean> {
    const source = this.objectPath(obj.container.name, obj.name);
    if (!existsSync(source)) throw new ObjectDoesNotExistError(`local: object ${obj.name} does not exist`, { code: 'NoSuchKey', provider: 'local' });
    const self = this;
    return yield* downloadViaTemporary(destinationPath, options.overwriteExisting, function* (temporary) {
      copyFileSync(source, temporary);
      const size = statSync(temporary).size;
      if (options.verifyHash !== false && obj.hash && /^[0-9a-f]{32}$/.test(obj.hash)) {
        const md5 = size > 0 ? yield* md5OfFile(temporary, 0, size - 1) : createHash('md5').digest();
        if (md5.toString('hex') !== obj.hash) throw new IntegrityError(`local: ${obj.name} changed since it was read (MD5 differs)`, { code: 'HashMismatch', provider: 'local' });
      }
      reportProgress(options.onProgress, size, size, self.type);
    });
  }

  downloadObjectAsStreamPages(obj: StorageObject, options: StreamOptions = {}): PageOperation<Uint8Array> {
    const self = this;
    const chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new InvalidArgumentError('chunkSize must be a positive integer');
    // eslint-disable-next-line require-yield
    return function* (token): Operation<Page<Uint8Array>> {
      const path = self.objectPath(obj.container.name, obj.name);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        throw new ObjectDoesNotExistError(`local: object ${obj.name} does not exist`, { code: 'NoSuchKey', provider: 'local' });
      }
      const last = Math.min(options.end ?? size - 1, size - 1);
      const offset = token === undefined ? (options.start ?? 0) : Number(token);
      if (offset > last) return { items: [] };
      const length = Math.min(chunkSize, last - offset + 1);
      const buffer = Buffer.allocUnsafe(length);
      const fd = openSync(path, 'r');
      try {
        const got = readSync(fd, buffer, 0, length, offset);
        if (got !== length) throw new IntegrityError(`local: ${obj.name} shrank while it was being read`, { code: 'LengthMismatch', provider: 'local' });
      } finally {
        closeSync(fd);
      }
      const end = offset + length - 1;
      return { items: [buffer], next: end < last ? String(end + 1) : undefined };
    };
  }

  /**
   * Copies `src` into `dstName`: a file copy within this driver; from another driver, its bytes read in verified
   * ranges (by that driver) into a temporary file, checked against the source's MD5 when it has one, then
   * renamed into place. Metadata is not stored (see the module note), so `metaData` is accepted and ignored.
   */
  override *copyObjectOp(src: StorageObject, dstContainer: Container, dstName: string, options: CopyOptions = {}): Operation<StorageObject> {
    this.objectPath(dstContainer.name, dstName);
    this.existingContainer(dstContainer.name);
    const temporary = this.temporaryFile();
    try {
      if (driverOf(src) === this) {
        const source = this.objectPath(src.container.name, src.name);
        if (!existsSync(source)) throw new ObjectDoesNotExistError(`local: object ${src.name} does not exist`, { code: 'NoSuchKey', provider: 'local' });
        copyFileSync(source, temporary);
        const size = statSync(temporary).size;
        reportProgress(options.onProgress, size, size, this.type);
      } else {
        const from = driverOf(src) as Partial<Pick<StorageDriver, 'getObjectOp' | 'downloadObjectAsStreamPages'>> | undefined;
        if (typeof from?.getObjectOp !== 'function' || typeof from.downloadObjectAsStreamPages !== 'function') {
          throw new InvalidArgumentError('copyObject: the source must be an object returned by a storage driver', { code: 'InvalidSource' });
        }
        const fresh = yield* from.getObjectOp(src.container.name, src.name);
        const hash = createHash('md5');
        const fd = openSync(temporary, 'w');
        let done = 0;
        try {
          // Page by page: one chunk in memory at a time.
          const pages = from.downloadObjectAsStreamPages(fresh, { chunkSize: COPY_CHUNK * 8 });
          for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
            const page = yield* pages(token);
            for (const chunk of page.items) {
              writeSync(fd, chunk);
              hash.update(chunk);
              done += chunk.byteLength;
              reportProgress(options.onProgress, done, fresh.size, this.type);
            }
            if (page.next !== undefined && page.next === token) throw new IntegrityError('local: the source repeated a page', { code: 'RepeatedToken', provider: 'local' });
            token = page.next;
          }
        } finally {
          closeSync(fd);
        }
        // An MD5-shaped hash is the content's MD5, except for a Swift Static Large Object (the MD5 of its segments' ETags).
        const contentMd5 = /^[0-9a-f]{32}$/i.test(fresh.hash) && fresh.extra.staticLargeObject !== true;
        if (done !== fresh.size || (contentMd5 && hash.digest('hex') !== fresh.hash.toLowerCase())) {
          throw new IntegrityError(`local: the bytes read of ${src.name} do not match its source (length or MD5); nothing was written`, { code: 'HashMismatch', provider: 'local' });
        }
      }
      this.place(temporary, dstContainer, dstName);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return yield* this.objectFor(dstContainer, dstName);
  }

  // eslint-disable-next-line require-yield
  *deleteObjectOp(obj: StorageObject): Operation<boolean> {
    const path = this.objectPath(obj.container.name, obj.name);
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectDoesNotExistError(`local: object ${obj.name} does not exist`, { code: 'NoSuchKey', provider: 'local' });
      throw e;
    }
    // Remove directories left empty by nested names, up to the container.
    const base = this.containerPath(obj.container.name);
    for (let dir = dirname(path); dir !== base && dir.startsWith(base + sep); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break;
      }
    }
    return true;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Object names under `dir` (files, recursively), `/`-separated. */
function walk(dir: string, prefix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(join(dir, entry.name), name));
    else if (entry.isFile()) out.push(name);
  }
  return out;
}
