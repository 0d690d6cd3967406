/**
 * Running one test body in the sync style and in Design 3 (`async: true` from `@dualcloud/async-mode`), with
 * checks that each style surfaces results and errors its own way: the sync style returns plain values and
 * throws; Design 3 returns Promises / AsyncIterables and never throws synchronously.
 */
import { getDriver as design3Storage } from '@dualcloud/async-mode/storage';
import {
  AzureBlobsStorageDriver,
  GoogleStorageDriver,
  LocalStorageDriver,
  Provider,
  S3StorageDriver,
  type AzureBlobsStorageDriverOptions,
  type GoogleStorageDriverOptions,
  type LocalStorageDriverOptions,
  type S3StorageDriverOptions,
} from '@dualcloud/drivers/storage';

/** The executors under test. */
export type Style = 'sync' | 'design3';
export const STYLES: readonly Style[] = ['sync', 'design3'];

/** An S3 driver in the given style (typed as the sync class; Design 3's methods return Promises at run time). */
export function s3In(style: Style, options: S3StorageDriverOptions): S3StorageDriver {
  if (style === 'sync') return new S3StorageDriver(options);
  const D = design3Storage(Provider.S3);
  return new D({ ...options, async: true }) as unknown as S3StorageDriver;
}

/** A Google Cloud Storage driver in the given style. */
export function gcsIn(style: Style, options: GoogleStorageDriverOptions): GoogleStorageDriver {
  if (style === 'sync') return new GoogleStorageDriver(options);
  const D = design3Storage(Provider.GOOGLE_STORAGE);
  return new D({ ...options, async: true }) as unknown as GoogleStorageDriver;
}

/** A local-directory driver in the given style. */
export function localIn(style: Style, options: LocalStorageDriverOptions): LocalStorageDriver {
  if (style === 'sync') return new LocalStorageDriver(options);
  const D = design3Storage(Provider.LOCAL);
  return new D({ ...options, async: true }) as unknown as LocalStorageDriver;
}

/** An Azure Blobs driver in the given style. */
export function azureIn(style: Style, options: AzureBlobsStorageDriverOptions): AzureBlobsStorageDriver {
  if (style === 'sync') return new AzureBlobsStorageDriver(options);
  const D = design3Storage(Provider.AZURE_BLOBS);
  return new D({ ...options, async: true }) as unknown as AzureBlobsStorageDriver;
}

/**
 * Calls a driver method and awaits its outcome. Fails the test when the sync style hands back a Promise or
 * Design 3 throws synchronously instead of rejecting.
 */
export async function run<T>(driver: { readonly mode: string }, fn: () => T): Promise<Awaited<T>> {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    if (driver.mode === 'async') throw new Error(`Design 3 threw synchronously instead of rejecting: ${String(error)}`);
    throw error;
  }
  if (driver.mode === 'sync' && result instanceof Promise) throw new Error('the sync style returned a Promise');
  if (driver.mode === 'async' && !(result instanceof Promise)) throw new Error('Design 3 returned a plain value');
  return await result;
}

/** Collects an iterable method's items: `for...of` in the sync style, `for await` in Design 3. */
export async function drain<T>(driver: { readonly mode: string }, fn: () => Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  if (driver.mode === 'sync') {
    for (const item of fn()) out.push(item);
    return out;
  }
  let iterable: unknown;
  try {
    iterable = fn();
  } catch (error) {
    throw new Error(`Design 3 threw synchronously instead of failing the iteration: ${String(error)}`);
  }
  for await (const item of iterable as AsyncIterable<T>) out.push(item);
  return out;
}

/** The error a promise rejects with (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${String(value)}`);
    },
    (error: unknown) => error as Error,
  );
}
