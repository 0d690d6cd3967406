/**
 * `@dualcloud/async-mode/storage` (Design 3): storage drivers whose constructor takes `async: true`.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-mode/storage';
 * const GCS = getDriver(Provider.GOOGLE_STORAGE);
 * const gcs = new GCS({ ...opts, async: true });
 * for await (const container of gcs.iterateContainers()) {
 *   const objects = await container.listObjects();   // Promise: the model calls back into the async driver
 * }
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type StorageDriverClass, type Provider, type StorageDriverClasses } from '@dualcloud/drivers/storage';
import { withAsyncMode, type AsyncModeClass } from './async-mode.js';

export { Provider } from '@dualcloud/drivers/storage';
export type { StorageDriverClasses } from '@dualcloud/drivers/storage';
export { withAsyncMode } from './async-mode.js';
export type { AsyncModeClass, AsyncModeOptions, DriverClass } from './async-mode.js';
export type { AsyncMethods, Asyncify } from './types.js';
export type { AsyncResult, Bound, MethodName } from '@dualcloud/core';

/**
 * The Design 3 class of a storage provider: construct it with `async: true` for Promises, without for the
 * sync-style API. Throws `InvalidArgumentError` for an unknown provider.
 */
export function getDriver<P extends Provider>(provider: P): AsyncModeClass<StorageDriverClasses[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/storage`. */
export function getDriver(provider: string): AsyncModeClass<StorageDriverClass>;
export function getDriver(provider: string): AsyncModeClass<StorageDriverClass> {
  return withAsyncMode(getSyncDriver(provider));
}
