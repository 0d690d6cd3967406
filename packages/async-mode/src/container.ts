/**
 * `@dualcloud/async-mode/container` (Design 3): container drivers whose constructor takes `async: true`.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/async-mode/container';
 * const Dummy = getDriver(Provider.DUMMY);
 * const driver = new Dummy({ key: 'any', async: true });
 * const image = await driver.installImage('tomcat:8.0');
 * const container = await image.deploy('my_tomcat_container');  // Promise<Container>: models call the async driver
 * await container.restart();
 * ```
 * @packageDocumentation
 */
import { getDriver as getSyncDriver, type ContainerDriverClass, type ContainerDriverMap, type ContainerProvider } from '@dualcloud/drivers/container';
import { withAsyncMode, type AsyncModeClass } from './async-mode.js';

export { Provider } from '@dualcloud/drivers/container';
export type { ContainerDriverMap, ContainerProvider } from '@dualcloud/drivers/container';
export { withAsyncMode } from './async-mode.js';
export type { AsyncModeClass, AsyncModeOptions, DriverClass } from './async-mode.js';
export type { AsyncMethods, Asyncify } from './types.js';
export type { AsyncResult, Bound, MethodName } from '@dualcloud/core';

/**
 * The Design 3 class of a container provider: construct it with `async: true` for Promises, without for the
 * sync-style API. Throws `InvalidArgumentError` for an unknown provider.
 */
export function getDriver<P extends ContainerProvider>(provider: P): AsyncModeClass<ContainerDriverMap[P]>;
/** A provider registered with `registerDriver` from `@dualcloud/drivers/container`. */
export function getDriver(provider: string): AsyncModeClass<ContainerDriverClass>;
export function getDriver(provider: string): AsyncModeClass<ContainerDriverClass> {
  return withAsyncMode(getSyncDriver(provider));
}
