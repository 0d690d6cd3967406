/**
 * `@dualcloud/drivers/container`: container drivers and `getDriver(Provider.X)`, as in Libcloud's
 * `libcloud.container.providers`.
 * @example
 * ```ts
 * import { getDriver, Provider } from '@dualcloud/drivers/container';
 * const driver = new (getDriver(Provider.DUMMY))({ key: 'any' });
 * const image = driver.installImage('tomcat:8.0');
 * const container = driver.deployContainer('my_tomcat_container', image);
 * container.restart();
 * ```
 * @packageDocumentation
 */
import { DriverRegistry, type ContainerDriver } from '@dualcloud/core';
import { DockerContainerDriver } from './docker/driver.js';
import { DummyContainerDriver } from './dummy.js';
import { ElasticContainerDriver } from './ecs/driver.js';
import { KubernetesContainerDriver } from './kubernetes/driver.js';
import { Provider } from './providers.js';

export { Provider } from './providers.js';
export { DummyContainerDriver } from './dummy.js';
export type { DummyContainerDriverOptions } from './dummy.js';
export { ElasticContainerDriver, ECS_ERROR_CODES, ECS_DEFAULT_REGION } from './ecs/driver.js';
export type { ElasticContainerDriverOptions, EcsDeployContainerOptions } from './ecs/driver.js';
export type { EcsDeployParameters, EcsPortMapping } from './ecs/requests.js';
export { KubernetesContainerDriver, K8S_ERROR_CODES } from './kubernetes/driver.js';
export type { KubernetesContainerDriverOptions, KubernetesDeployContainerOptions, KubernetesFromKubeconfigOptions } from './kubernetes/driver.js';
export type { KubernetesPod } from './kubernetes/parse.js';
export { DockerContainerDriver, DOCKER_API_VERSION, DOCKER_ERROR_CODES, DOCKER_SOCKET_PATH } from './docker/driver.js';
export type { DockerContainerDriverOptions } from './docker/driver.js';
export { DOCKER_DEPLOY_KEYS } from './docker/requests.js';
export type { DockerDeployParameters } from './docker/requests.js';

export {
  ASYNC_MODE,
  ClusterLocation,
  ContainerInstance as Container,
  ContainerCluster,
  ContainerDriver,
  ContainerImage,
  ContainerState,
  kubernetesFromKubeconfig,
  parseImageReference,
} from '@dualcloud/core';
export type {
  ContainerClusterFields,
  ContainerFields,
  ContainerImageFields,
  ContainerLogsOptions,
  DeployContainerOptions,
  DriverOptions,
  ImageReference,
  KubeconfigCredentials,
  KubeconfigOptions,
  ListContainersOptions,
} from '@dualcloud/core';

/** The driver class of each container provider; `getDriver` returns `ContainerDriverMap[P]`. */
export interface ContainerDriverMap {
  [Provider.DUMMY]: typeof DummyContainerDriver;
  [Provider.ECS]: typeof ElasticContainerDriver;
  [Provider.KUBERNETES]: typeof KubernetesContainerDriver;
  [Provider.DOCKER]: typeof DockerContainerDriver;
}

/** A provider that has a registered driver. */
export type ContainerProvider = keyof ContainerDriverMap;

/** What a registered container driver class must be. */
export type ContainerDriverClass = (new (options: any) => ContainerDriver) & Pick<typeof ContainerDriver, 'methodKinds' | 'methodOptions' | 'optionKeys'>;

const registry = new DriverRegistry<ContainerDriverMap, ContainerDriverClass>('container', {
  [Provider.DUMMY]: DummyContainerDriver,
  [Provider.ECS]: ElasticContainerDriver,
  [Provider.KUBERNETES]: KubernetesContainerDriver,
  [Provider.DOCKER]: DockerContainerDriver,
});

/**
 * The driver class of a container provider, typed per built-in provider. Throws `InvalidArgumentError` for an
 * unknown provider.
 */
export function getDriver<P extends ContainerProvider>(provider: P): ContainerDriverMap[P];
export function getDriver(provider: string): ContainerDriverClass;
export function getDriver(provider: string): ContainerDriverClass {
  return registry.get(provider);
}

/** Plugs in a container driver of your own, as Libcloud's `set_driver` does: `getDriver(name)` then returns it. */
export function registerDriver(provider: string, driver: ContainerDriverClass): void {
  registry.register(provider, driver);
}

/** Libcloud's name for {@link registerDriver}. */
export const setDriver = registerDriver;

/** Registered container providers (built-in and registered). */
export function providers(): string[] {
  return registry.providers();
}
