/**
 * Bulk transfers, written once for every storage driver and both executors: many uploads, downloads or deletes
 * as one call whose sub-operations run concurrently through `allSettled` (so in the sync style their requests
 * are in flight together in the HTTP worker), with one settled result per item and progress (objects, bytes,
 * rate, ETA). A provider with a batch API (S3 `DeleteObjects`, Azure Blob Batch) hands in units that cover
 * several items; everything else is one unit per item.
 * @module
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { AbortError, CloudError, InvalidArgumentError, ObjectDoesNotExistError } from '../errors/index.js';
import type { Container, StorageObject } from '../models/storage.js';
import { allSettled, type Operation, type Settled } from '../runtime/effects.js';
import type { UploadSource } from '../runtime/sources.js';
import { ProgressCallbackError } from './progress.js';
import type { DownloadOptions, UploadOptions } from '../drivers/storage.js';

/** Where a bulk call stands; passed to `onProgress` after each change. */
export interface BulkProgress {
  /** Items finished, successfully or not. */
  readonly objectsDone: number;
  /** Items that failed so far. */
  readonly objectsFailed: number;
  readonly objectsTotal: number;
  /** Bytes transferred so far (uploads count parts as they complete; downloads count whole objects). */
  readonly bytesDone: number;
  /** Bytes of every item, when known in advance (undefined when a stream's length is not; 0 for deletes). */
  readonly bytesTotal: number | undefined;
  /** Items started and not finished. */
  readonly inFlight: number;
  /** Milliseconds since the call started. */
  readonly elapsedMs: number;
  readonly bytesPerSecond: number;
  readonly objectsPerSecond: number;
  /** Estimated milliseconds left (by bytes when their total is known, else by objects); undefined before any rate. */
  readonly etaMs: number | undefined;
}

/** Receives bulk progress. A callback that throws stops the call (no new item starts) with `ProgressCallbackError`. */
export type BulkProgressCallback = (progress: BulkProgress) => void;

/** Options every bulk call takes. */
export interface BulkOptions {
  /** Items (or batches) in flight at once. Default: the driver's (16 for transfers; batches for batch deletes). */
  concurrency?: number;
  onProgress?: BulkProgressCallback;
  /**
   * Stop starting new items after the first failure and throw `BulkError` (holding every result) once the
   * running ones settle. Default false: every item is attempted and the call returns its results.
   */
  failFast?: boolean;
}

/** Options of `uploadObjects`. */
export type UploadObjectsOptions = BulkOptions;

/** Options of `downloadObjects` (`overwriteExisting` and `verifyHash` apply to every object). */
export interface DownloadObjectsOptions extends BulkOptions, Pick<DownloadOptions, 'overwriteExisting' | 'verifyHash'> {}

/** Options of `deleteObjects`. */
export type DeleteObjectsOptions = BulkOptions;

/** One upload of `uploadObjects`: a local file or a source (bytes, a stream, an iterable), and where it goes. */
export interface UploadItem {
  readonly container: Container;
  readonly objectName: string;
  /** A local file, streamed from disk. Give this or `source`. */
  readonly filePath?: string;
  /** Bytes, a string, a stream or an iterable (a sync-readable one in the sync style). Give this or `filePath`. */
  readonly source?: UploadSource;
  /** This object's upload options (content type, metadata, part size, parts in flight). */
  readonly options?: Omit<UploadOptions, 'onProgress'>;
}

/** The outcome of one item, in input order. */
export type BulkItemResult<T> =
  | { readonly ok: true; readonly index: number; readonly container: string; readonly name: string; readonly value: T }
  | {
      readonly ok: false;
      readonly index: number;
      readonly container: string;
      readonly name: string;
      readonly error: Error;
      /** True when the item was never started (after a failure with `failFast`, or a failing progress callback). */
      readonly skipped: boolean;
    };

/** What a bulk call did: one result per item, in input order, and totals. */
export interface BulkResult<T> {
  readonly results: readonly BulkItemResult<T>[];
  readonly succeeded: number;
  readonly failed: number;
  /** Items never started (counted in `failed` too). */
  readonly skipped: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

/** Thrown by a bulk call with `failFast` once something failed; `results` holds every item's outcome. */
export class BulkError<T = unknown> extends CloudError {
  declare readonly results: readonly BulkItemResult<T>[];
}

/** Why an item was not attempted. */
export class BulkSkippedError extends CloudError {}

/** Work covering some items: one item, or a batch (one request deleting many objects). */
export interface BulkUnit<T> {
  /** Indexes (into the call's items) this unit settles, in the order of its outcomes. */
  readonly indexes: readonly number[];
  /** Runs the unit; returns one outcome per index. Throwing fails every index of the unit with that error. */
  run(progress: (bytes: number) => void): Operation<Settled<T>[]>;
}

/** What one item is, for results and progress. */
export interface BulkLabel {
  readonly container: string;
  readonly name: string;
  /** Bytes the item will move, when known. */
  readonly bytes?: number;
}

const now = (): number => performance.now();

/** Tracks one bulk call: per-item outcomes, counters, rate and ETA, and the caller's progress callback. */
class BulkRun<T> {
  private readonly outcomes: Array<Settled<T> | undefined>;
  private readonly started = now();
  private done = 0;
  private failures = 0;
  private inFlight = 0;
  private bytes = 0;
  private readonly bytesTotal: number | undefined;
  private callbackError: unknown;
  private firstFailure = false;

  constructor(
    private readonly provider: string,
    private readonly labels: readonly BulkLabel[],
    private readonly options: BulkOptions,
    bytesKnown: boolean,
  ) {
    this.outcomes = new Array(labels.length);
    this.bytesTotal = bytesKnown && labels.every((l) => l.bytes !== undefined) ? labels.reduce((n, l) => n + (l.bytes ?? 0), 0) : undefined;
  }

  /** Whether new units must not start (failFast after a failure, or a callback that threw). */
  get stopping(): boolean {
    return this.callbackError !== undefined || (this.options.failFast === true && this.firstFailure);
  }

  begin(count: number): void {
    this.inFlight += count;
    this.report();
  }

  addBytes(bytes: number): void {
    if (bytes <= 0) return;
    this.bytes += bytes;
    this.report();
  }

  settle(index: number, outcome: Settled<T>): void {
    if (this.outcomes[index] !== undefined) return;
    this.outcomes[index] = outcome;
    this.inFlight--;
    this.done++;
    if (!outcome.ok) {
      this.failures++;
      this.firstFailure = true;
    }
    this.report();
  }

  private report(): void {
    const callback = this.options.onProgress;
    if (!callback || this.callbackError !== undefined) return;
    const elapsedMs = now() - this.started;
    const seconds = elapsedMs / 1000;
    const bytesPerSecond = seconds > 0 ? this.bytes / seconds : 0;
    const objectsPerSecond = seconds > 0 ? this.done / seconds : 0;
    const total = this.labels.length;
    const etaMs =
      this.done === total
        ? 0
        : this.bytesTotal !== undefined && this.bytesTotal > 0 && bytesPerSecond > 0
          ? ((this.bytesTotal - this.bytes) / bytesPerSecond) * 1000
          : objectsPerSecond > 0
            ? ((total - this.done) / objectsPerSecond) * 1000
            : undefined;
    try {
      callback({
        objectsDone: this.done,
        objectsFailed: this.failures,
        objectsTotal: total,
        bytesDone: this.bytes,
        bytesTotal: this.bytesTotal,
        inFlight: this.inFlight,
        elapsedMs,
        bytesPerSecond,
        objectsPerSecond,
        etaMs,
      });
    } catch (cause) {
      this.callbackError = cause;
    }
  }

  /** The call's result, or the error it ends with (a cancel, a failing callback, failFast). */
  finish(): BulkResult<T> {
    const results: BulkItemResult<T>[] = this.labels.map((label, index) => {
      const outcome = this.outcomes[index];
      const where = { index, container: label.container, name: label.name };
      if (!outcome) {
        const error = new BulkSkippedError(`${this.provider}: ${label.name} was not attempted (the bulk call stopped early)`, { code: 'Skipped', provider: this.provider });
        return { ok: false, ...where, error, skipped: true };
      }
      if (outcome.ok) return { ok: true, ...where, value: outcome.value };
      return { ok: false, ...where, error: asError(outcome.error), skipped: false };
    });
    const failed = results.filter((r) => !r.ok).length;
    const result: BulkResult<T> = {
      results,
      succeeded: results.length - failed,
      failed,
      skipped: results.filter((r) => !r.ok && r.skipped).length,
      bytes: this.bytes,
      elapsedMs: now() - this.started,
    };
    if (this.callbackError !== undefined) {
      const error = new ProgressCallbackError(`${this.provider}: the onProgress callback threw; the bulk call was stopped`, { code: 'ProgressCallbackFailed', provider: this.provider });
      Object.defineProperty(error, 'cause', { value: this.callbackError, enumerable: false });
      Object.defineProperty(error, 'results', { value: results, enumerable: false });
      throw error;
    }
    // A cancelled call (async designs) stays a cancel, whatever else happened.
    const cancel = results.find((r): r is Extract<BulkItemResult<T>, { ok: false }> => !r.ok && r.error instanceof AbortError);
    if (cancel) throw cancel.error;
    if (this.options.failFast && failed > 0) {
      const first = results.find((r): r is Extract<BulkItemResult<T>, { ok: false }> => !r.ok && !r.skipped) ?? results.find((r) => !r.ok);
      const reason = first && !first.ok ? `${first.name}: ${first.error.message}` : 'an item failed';
      const error = new BulkError<T>(`${this.provider}: bulk call stopped after a failure (${result.succeeded} done, ${failed} failed or not attempted); first: ${reason}`, {
        code: first && !first.ok && CloudError.is(first.error) && first.error.code ? first.error.code : 'BulkFailed',
        provider: this.provider,
      });
      Object.defineProperty(error, 'results', { value: results, enumerable: false });
      if (first && !first.ok) Object.defineProperty(error, 'cause', { value: first.error, enumerable: false });
      throw error;
    }
    return result;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new CloudError(String(error));
}

/** Checks the shared bulk options (a bad value is a programming error: nothing is sent). */
function checkBulkOptions(provider: string, options: BulkOptions): void {
  const c = options.concurrency;
  if (c !== undefined && (!Number.isSafeInteger(c) || c < 1)) throw new InvalidArgumentError(`${provider}: concurrency must be a positive integer`, { provider });
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidArgumentError(`${provider}: onProgress must be a function`, { provider });
}

/**
 * Runs units with at most `concurrency` in flight and settles every item: the kit's bulk engine. A unit that
 * throws fails all its items; units not started (failFast, a throwing callback) leave their items `skipped`.
 */
export function* runBulk<T>(provider: string, labels: readonly BulkLabel[], units: readonly BulkUnit<T>[], concurrency: number, options: BulkOptions, bytesKnown = true): Operation<BulkResult<T>> {
  const run = new BulkRun<T>(provider, labels, options, bytesKnown);
  function* unitOp(unit: BulkUnit<T>): Operation<void> {
    if (run.stopping) return;
    run.begin(unit.indexes.length);
    let outcomes: Settled<T>[];
    try {
      outcomes = yield* unit.run((bytes) => run.addBytes(bytes));
    } catch (error) {
      outcomes = unit.indexes.map(() => ({ ok: false, error }));
    }
    unit.indexes.forEach((index, k) => {
      const outcome = outcomes[k] ?? { ok: false, error: new CloudError(`${provider}: no outcome was reported for ${labels[index]?.name}`, { code: 'MissingOutcome', provider }) };
      run.settle(index, outcome);
    });
  }
  yield* allSettled(units.map(unitOp), Math.max(1, Math.min(concurrency, units.length || 1)));
  return run.finish();
}

/** A unit for one item whose operation returns its value; `bytes` are counted when it succeeds. */
export function singleUnit<T>(index: number, op: (progress: (bytes: number) => void) => Operation<T>, bytes?: (value: T) => number): BulkUnit<T> {
  return {
    indexes: [index],
    *run(progress) {
      const value = yield* op(progress);
      if (bytes) progress(bytes(value));
      return [{ ok: true, value }];
    },
  };
}

// ---- the three bulk calls, generic over a driver's single-object operations -------------------------------

/** What the generic bulk calls need of a driver. */
export interface BulkDriverOps {
  readonly type: string;
  uploadObjectOp(filePath: string, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject>;
  uploadObjectViaStreamOp(source: UploadSource, container: Container, objectName: string, options?: UploadOptions): Operation<StorageObject>;
  downloadObjectOp(obj: StorageObject, destinationPath: string, options?: DownloadOptions): Operation<boolean>;
  deleteObjectOp(obj: StorageObject): Operation<boolean>;
}

/** Default items in flight of uploads and downloads. */
export const DEFAULT_BULK_CONCURRENCY = 16;

function checkList(provider: string, what: string, list: unknown): asserts list is unknown[] {
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${provider}: ${what} must be an array`, { provider });
}

function checkObject(provider: string, obj: unknown, i: number): asserts obj is StorageObject {
  const o = obj as Partial<StorageObject> | null;
  if (!o || typeof o !== 'object' || typeof o.name !== 'string' || !o.container || typeof o.container.name !== 'string') {
    throw new InvalidArgumentError(`${provider}: item ${i} is not a storage object (with a name and a container)`, { provider });
  }
}

/** The size of what an upload item sends, when known before reading it. */
function sourceBytes(item: UploadItem): number | undefined {
  if (typeof item.source === 'string') return Buffer.byteLength(item.source);
  if (item.source instanceof Uint8Array) return item.source.byteLength;
  return undefined;
}

/** A file's size, or undefined when it cannot be read (its upload then fails with the reason). */
function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** `uploadObjects`: every item through the driver's own upload (single PUT or multipart), `concurrency` at once. */
export function* uploadObjectsOp(driver: BulkDriverOps, items: readonly UploadItem[], options: UploadObjectsOptions = {}): Operation<BulkResult<StorageObject>> {
  const provider = driver.type;
  checkList(provider, 'uploadObjects items', items);
  checkBulkOptions(provider, options);
  items.forEach((item, i) => {
    if (!item || typeof item !== 'object' || !item.container || typeof item.container.name !== 'string' || typeof item.objectName !== 'string') {
      throw new InvalidArgumentError(`${provider}: upload item ${i} needs a container and an objectName`, { provider });
    }
    if ((item.filePath === undefined) === (item.source === undefined)) {
      throw new InvalidArgumentError(`${provider}: upload item ${i} (${item.objectName}) needs exactly one of filePath and source`, { provider });
    }
  });
  const labels = items.map((item) => ({
    container: item.container.name,
    name: item.objectName,
    bytes: item.filePath !== undefined ? sizeOf(item.filePath) : sourceBytes(item),
  }));
  const units = items.map((item, index) =>
    singleUnit<StorageObject>(index, (progress) => {
      let reported = 0;
      // The item's own progress (one report per part) feeds the call's byte count.
      const onProgress = (done: number): void => {
        progress(done - reported);
        reported = done;
      };
      const opts: UploadOptions = { ...item.options, onProgress };
      return item.filePath !== undefined
        ? driver.uploadObjectOp(item.filePath, item.container, item.objectName, opts)
        : driver.uploadObjectViaStreamOp(item.source!, item.container, item.objectName, opts);
    }),
  );
  return yield* runBulk(provider, labels, units, options.concurrency ?? DEFAULT_BULK_CONCURRENCY, options);
}

/**
 * Where an object lands below `dir`: its name as a relative path (`a/b.txt` → `dir/a/b.txt`). A name that would
 * leave `dir` (`../x`, an absolute path) is refused.
 */
export function downloadPath(dir: string, name: string): string {
  const root = resolve(dir);
  const target = resolve(root, name);
  const rel = relative(root, target);
  if (name === '' || name.includes('\0') || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) || name.endsWith('/')) {
    throw new InvalidArgumentError(`object name ${JSON.stringify(name.slice(0, 80))} is not a safe file name below the download directory`, { code: 'UnsafeObjectName' });
  }
  return target;
}

/** `downloadObjects`: every object to `dir/<name>` through the driver's own verified download, `concurrency` at once. */
export function* downloadObjectsOp(driver: BulkDriverOps, objects: readonly StorageObject[], dir: string, options: DownloadObjectsOptions = {}): Operation<BulkResult<string>> {
  const provider = driver.type;
  checkList(provider, 'downloadObjects objects', objects);
  objects.forEach((obj, i) => checkObject(provider, obj, i));
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError(`${provider}: downloadObjects needs a directory`, { provider });
  checkBulkOptions(provider, options);
  const labels = objects.map((obj) => ({ container: obj.container.name, name: obj.name, bytes: Number.isSafeInteger(obj.size) ? obj.size : undefined }));
  // Destinations are decided up front, in input order: of two objects with one destination (the same name in
  // two containers) the later one fails instead of overwriting the other.
  const firstAt = new Map<string, number>();
  const destinations = objects.map((obj, index): { path: string } | { error: Error } => {
    let path: string;
    try {
      path = downloadPath(dir, obj.name);
    } catch (error) {
      return { error: error as Error };
    }
    const first = firstAt.get(path);
    if (first !== undefined) {
      return { error: new InvalidArgumentError(`${provider}: ${obj.name} has the same destination as item ${first}; download them to separate directories`, { code: 'DuplicateDestination', provider }) };
    }
    firstAt.set(path, index);
    return { path };
  });
  const units = objects.map((obj, index) =>
    singleUnit<string>(
      index,
      function* () {
        const destination = destinations[index]!;
        if ('error' in destination) throw destination.error;
        mkdirSync(dirname(destination.path), { recursive: true });
        yield* driver.downloadObjectOp(obj, destination.path, { overwriteExisting: options.overwriteExisting, verifyHash: options.verifyHash });
        return destination.path;
      },
      () => obj.size,
    ),
  );
  return yield* runBulk(provider, labels, units, options.concurrency ?? DEFAULT_BULK_CONCURRENCY, options);
}

/** Whether an error only says the object is already gone (a delete's goal holds). */
export function alreadyGone(error: unknown): boolean {
  return error instanceof ObjectDoesNotExistError;
}

/** The labels and checks of a delete call. */
export function deleteLabels(provider: string, objects: readonly StorageObject[], options: DeleteObjectsOptions): BulkLabel[] {
  checkList(provider, 'deleteObjects objects', objects);
  objects.forEach((obj, i) => checkObject(provider, obj, i));
  checkBulkOptions(provider, options);
  return objects.map((obj) => ({ container: obj.container.name, name: obj.name, bytes: 0 }));
}

/**
 * `deleteObjects` without a batch API: one delete per object, `concurrency` at once. An object that is already
 * gone counts as deleted (S3's DeleteObjects cannot tell the two apart either).
 */
export function* deleteObjectsOneByOne(driver: BulkDriverOps, objects: readonly StorageObject[], options: DeleteObjectsOptions = {}, defaultConcurrency = DEFAULT_BULK_CONCURRENCY): Operation<BulkResult<boolean>> {
  const labels = deleteLabels(driver.type, objects, options);
  const units = objects.map((obj, index) =>
    singleUnit<boolean>(index, function* () {
      try {
        return yield* driver.deleteObjectOp(obj);
      } catch (error) {
        if (alreadyGone(error)) return true;
        throw error;
      }
    }),
  );
  return yield* runBulk(driver.type, labels, units, options.concurrency ?? defaultConcurrency, options);
}

/** Splits `objects` into batches of at most `size`, one container per batch, keeping each object's index. */
export function batchesByContainer(objects: readonly StorageObject[], size: number): Array<{ container: string; indexes: number[] }> {
  const byContainer = new Map<string, number[]>();
  objects.forEach((obj, i) => {
    const list = byContainer.get(obj.container.name) ?? [];
    list.push(i);
    byContainer.set(obj.container.name, list);
  });
  const batches: Array<{ container: string; indexes: number[] }> = [];
  for (const [container, indexes] of byContainer) {
    for (let i = 0; i < indexes.length; i += size) batches.push({ container, indexes: indexes.slice(i, i + size) });
  }
  return batches;
}
