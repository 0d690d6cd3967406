/**
 * `@dualcloud/async-mode/compute` (Design 3): compute drivers whose constructor takes `async: true`.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-mode/compute';
 * const Dummy = getDriver(Provider.DUMMY);
 * const driver = new Dummy({ key: 'any', async: true });
 * const [node] = await driver.listNodes();
 * await node!.reboot();                         // Promise<boolean>: the model calls back into the async driver
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type NodeDriverClass, type ComputeDriverMap, type ComputeProvider } from '@dualcloud/drivers/compute';
import { withAsyncMode, type AsyncModeClass } from './async-mode.js';

export { Provider } from '@dualcloud/drivers/compute';
export type { ComputeDriverMap, ComputeProvider } from '@dualcloud/drivers/compute';
export { withAsyncMode } from './async-mode.js';
export type { AsyncModeClass, AsyncModeOptions, DriverClass } from './async-mode.js';
export type { AsyncMethods, Asyncify } from './types.js';
export type { AsyncResult, Bound, MethodName } from '@dualcloud/core';

/**
 * The Design 3 class of a compute provider: construct it with `async: true` for Promises, without for the
 * sync-style API. Throws `InvalidArgumentError` for an unknown provider.
 */
export function getDriver<P extends ComputeProvider>(provider: P): AsyncModeClass<ComputeDriverMap[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/compute`. */
export function getDriver(provider: string): AsyncModeClass<NodeDriverClass>;
export function getDriver(provider: string): AsyncModeClass<NodeDriverClass> {
  return withAsyncMode(getSyncDriver(provider));
}
