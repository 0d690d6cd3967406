/**
 * `@dualcloud/async-methods/compute` (Design 2): compute drivers with an `*Async` twin of every method.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-methods/compute';
 * const driver = new (getDriver(Provider.DUMMY))({ key: 'any' });
 * const nodes = await driver.listNodesAsync();
 * await driver.rebootNodeAsync(nodes[0]!);   // models stay sync: nodes[0].reboot() would block
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type NodeDriverClass, type ComputeDriverMap, type ComputeProvider } from '@dualcloud/drivers/compute';
import { withAsyncMethods, type AsyncMethodsClass } from './async-methods.js';

export { Provider } from '@dualcloud/drivers/compute';
export type { ComputeDriverMap, ComputeProvider } from '@dualcloud/drivers/compute';
export { ASYNC_SUFFIX, withAsyncMethods } from './async-methods.js';
export type { AsyncMethodsClass, AsyncMethodsOptions, DriverClass } from './async-methods.js';
export type { AsyncTwins, WithAsyncMethods } from './types.js';
export type { AsyncMethod, AsyncResult, MethodName } from '@dualcloud/core';

/** The Design 2 class of a compute provider. Throws `InvalidArgumentError` for an unknown provider. */
export function getDriver<P extends ComputeProvider>(provider: P): AsyncMethodsClass<ComputeDriverMap[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/compute`. */
export function getDriver(provider: string): AsyncMethodsClass<NodeDriverClass>;
export function getDriver(provider: string): AsyncMethodsClass<NodeDriverClass> {
  return withAsyncMethods(getSyncDriver(provider));
}
