/**
 * `@dualcloud/async-methods/container` (Design 2): container drivers with an `*Async` twin of every method.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-methods/container';
 * const driver = new (getDriver(Provider.DUMMY))({ key: 'any' });
 * const image = await driver.installImageAsync('tomcat:8.0');
 * const container = await driver.deployContainerAsync('my_tomcat_container', image);
 * await driver.restartContainerAsync(container);   // models stay sync: container.restart() would block
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type ContainerDriverClass, type ContainerDriverMap, type ContainerProvider } from '@dualcloud/drivers/container';
import { withAsyncMethods, type AsyncMethodsClass } from './async-methods.js';

export { Provider } from '@dualcloud/drivers/container';
export type { ContainerDriverMap, ContainerProvider } from '@dualcloud/drivers/container';
export { ASYNC_SUFFIX, withAsyncMethods } from './async-methods.js';
export type { AsyncMethodsClass, AsyncMethodsOptions, DriverClass } from './async-methods.js';
export type { AsyncTwins, WithAsyncMethods } from './types.js';
export type { AsyncMethod, AsyncResult, MethodName } from '@dualcloud/core';

/** The Design 2 class of a container provider. Throws `InvalidArgumentError` for an unknown provider. */
export function getDriver<P extends ContainerProvider>(provider: P): AsyncMethodsClass<ContainerDriverMap[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/container`. */
export function getDriver(provider: string): AsyncMethodsClass<ContainerDriverClass>;
export function getDriver(provider: string): AsyncMethodsClass<ContainerDriverClass> {
  return withAsyncMethods(getSyncDriver(provider));
}
