/**
 * `@dualcloud/async-methods/storage` (Design 2): storage drivers with an `*Async` twin of every method.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-methods/storage';
 * const gcs = new (getDriver(Provider.GOOGLE_STORAGE))(opts);
 * for await (const container of gcs.iterateContainersAsync()) {
 *   const objects = await gcs.listContainerObjectsAsync(container);
 * }
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type StorageDriverClass, type Provider, type StorageDriverClasses } from '@dualcloud/drivers/storage';
import { withAsyncMethods, type AsyncMethodsClass } from './async-methods.js';

export { Provider } from '@dualcloud/drivers/storage';
export type { StorageDriverClasses } from '@dualcloud/drivers/storage';
export { ASYNC_SUFFIX, withAsyncMethods } from './async-methods.js';
export type { AsyncMethodsClass, AsyncMethodsOptions, DriverClass } from './async-methods.js';
export type { AsyncTwins, WithAsyncMethods } from './types.js';
export type { AsyncMethod, AsyncResult, MethodName } from '@dualcloud/core';

/** The Design 2 class of a storage provider. Throws `InvalidArgumentError` for an unknown provider. */
export function getDriver<P extends Provider>(provider: P): AsyncMethodsClass<StorageDriverClasses[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/storage`. */
export function getDriver(provider: string): AsyncMethodsClass<StorageDriverClass>;
export function getDriver(provider: string): AsyncMethodsClass<StorageDriverClass> {
  return withAsyncMethods(getSyncDriver(provider));
}
