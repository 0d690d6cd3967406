/**
 * `@dualcloud/drivers/compute`: compute drivers and `getDriver(Provider.X)`, as in Libcloud's
 * `libcloud.compute.providers`.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/drivers/compute';
 * const Dummy = getDriver(Provider.DUMMY);
 * const nodes = new Dummy({ key: 'any' }).listNodes();
 * ```
 * @packageDocumentation
 */
import { DriverRegistry } from '@dualcloud/core';
import { DummyNodeDriver } from './dummy.js';
import { Provider } from './providers.js';

export { Provider } from './providers.js';
export { DummyNodeDriver } from './dummy.js';
export type { DummyNodeDriverOptions } from './dummy.js';

export { Node, NodeImage, NodeLocation, NodeSize, NodeState, NodeDriver, ASYNC_MODE } from '@dualcloud/core';
export type { CreateNodeOptions, DriverOptions, NodeFields, RunningNode, WaitUntilRunningOptions } from '@dualcloud/core';

/** The driver class of each compute provider; `getDriver` returns `ComputeDriverMap[P]`. */
export interface ComputeDriverMap {
  [Provider.DUMMY]: typeof DummyNodeDriver;
}

/** A provider that has a registered driver. */
export type ComputeProvider = keyof ComputeDriverMap;

/** Any compute driver class. */
export type ComputeDriverClass = ComputeDriverMap[ComputeProvider];

const registry = new DriverRegistry<ComputeProvider, ComputeDriverClass>().register(Provider.DUMMY, DummyNodeDriver);

/**
 * The driver class of a compute provider, typed per provider:
 * `new (getDriver(Provider.EC2))(opts)` is an `EC2NodeDriver`.
 * Throws `InvalidArgumentError` for an unknown provider.
 */
export function getDriver<P extends ComputeProvider>(provider: P): ComputeDriverMap[P] {
  return registry.get(provider) as ComputeDriverMap[P];
}

/** Providers with a registered compute driver. */
export function providers(): ComputeProvider[] {
  return registry.providers();
}
