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
import { DriverRegistry, type NodeDriver } from '@dualcloud/core';
import { DummyNodeDriver } from './dummy.js';
import { DigitalOceanNodeDriver } from './digitalocean/driver.js';
import { EC2NodeDriver } from './ec2/driver.js';
import { OpenStackNodeDriver } from './openstack/driver.js';
import { RackspaceNodeDriver } from './openstack/rackspace.js';
import { Provider } from './providers.js';

export { Provider } from './providers.js';
export { DummyNodeDriver } from './dummy.js';
export type { DummyNodeDriverOptions } from './dummy.js';
export { EC2NodeDriver, EC2_ERROR_CODES } from './ec2/driver.js';
export type { EC2CopyImageOptions, EC2CreateImageOptions, EC2CreateNodeOptions, EC2CreateVolumeOptions, EC2NodeDriverOptions } from './ec2/driver.js';
export type {
  EC2CopyImageExtras,
  EC2CreateImageExtras,
  EC2CreateNodeExtras,
  EC2CreateVolumeExtras,
  EC2ListImagesOptions,
  EC2ListVolumesOptions,
} from './ec2/requests.js';
export { EC2_API_VERSION, EC2_NODE_STATE_MAP, EC2_SNAPSHOT_STATE_MAP, EC2_VOLUME_STATE_MAP } from './ec2/constants.js';
export { DigitalOceanNodeDriver, DO_ERROR_CODES } from './digitalocean/driver.js';
export type {
  DigitalOceanCopyImageOptions,
  DigitalOceanCreateNodeOptions,
  DigitalOceanCreateVolumeOptions,
  DigitalOceanNodeDriverOptions,
} from './digitalocean/driver.js';
export type { DigitalOceanCreateNodeExtras, DigitalOceanCreateVolumeExtras } from './digitalocean/requests.js';
export { DO_NODE_STATE_MAP } from './digitalocean/parse.js';
export { OpenStackNodeDriver, OPENSTACK_ERROR_CODES } from './openstack/driver.js';
export type { OpenStackCreateNodeOptions, OpenStackFlavour, OpenStackNodeDriverOptions } from './openstack/driver.js';
export type { NetworkRef, OpenStackCreateNodeExtras, SecurityGroupRef } from './openstack/requests.js';
export { NOVA_DEFAULT_MICROVERSION } from './openstack/requests.js';
export { OPENSTACK_NODE_STATE_MAP } from './openstack/parse.js';
export { RackspaceNodeDriver, RACKSPACE_AUTH_URL, RACKSPACE_COMPUTE_SERVICE, RACKSPACE_REGIONS } from './openstack/rackspace.js';
export type { RackspaceNodeDriverOptions } from './openstack/rackspace.js';
export type { OpenStackAuthOptions } from '../openstack/identity.js';

export {
  ASYNC_MODE,
  KeyPair,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
} from '@dualcloud/core';
export type {
  CopyImageOptions,
  CreateImageOptions,
  CreateNodeOptions,
  CreateVolumeOptions,
  DriverOptions,
  KeyPairFields,
  NodeFields,
  RunningNode,
  StorageVolumeFields,
  VolumeSnapshotFields,
  WaitUntilRunningOptions,
  WaitUntilVolumeStateOptions,
} from '@dualcloud/core';

/** The driver class of each compute provider; `getDriver` returns `ComputeDriverMap[P]`. */
export interface ComputeDriverMap {
  [Provider.DUMMY]: typeof DummyNodeDriver;
  [Provider.EC2]: typeof EC2NodeDriver;
  [Provider.DIGITAL_OCEAN]: typeof DigitalOceanNodeDriver;
  [Provider.OPENSTACK]: typeof OpenStackNodeDriver;
  [Provider.RACKSPACE]: typeof RackspaceNodeDriver;
}

/** A provider that has a registered driver. */
export type ComputeProvider = keyof ComputeDriverMap;

/** Any compute driver class. */
export type ComputeDriverClass = ComputeDriverMap[ComputeProvider];

/** What a registered compute driver class must be. */
export type NodeDriverClass = (new (options: any) => NodeDriver) & Pick<typeof NodeDriver, 'methodKinds' | 'methodOptions' | 'optionKeys'>;

const registry = new DriverRegistry<ComputeDriverMap, NodeDriverClass>('compute', {
  [Provider.DUMMY]: DummyNodeDriver,
  [Provider.EC2]: EC2NodeDriver,
  [Provider.DIGITAL_OCEAN]: DigitalOceanNodeDriver,
  [Provider.OPENSTACK]: OpenStackNodeDriver,
  [Provider.RACKSPACE]: RackspaceNodeDriver,
});

/**
 * The driver class of a compute provider, typed per built-in provider:
 * `new (getDriver(Provider.EC2))(opts)` is an `EC2NodeDriver`. Throws `InvalidArgumentError` for an unknown provider.
 */
export function getDriver<P extends ComputeProvider>(provider: P): ComputeDriverMap[P];
export function getDriver(provider: string): NodeDriverClass;
export function getDriver(provider: string): NodeDriverClass {
  return registry.get(provider);
}

/** Plugs in a compute driver of your own, as Libcloud's `set_driver` does: `getDriver(name)` then returns it. */
export function registerDriver(provider: string, driver: NodeDriverClass): void {
  registry.register(provider, driver);
}

/** Libcloud's name for {@link registerDriver}. */
export const setDriver = registerDriver;

/** Registered compute providers (built-in and registered). */
export function providers(): string[] {
  return registry.providers();
}
