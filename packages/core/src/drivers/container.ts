/**
 * The base container driver (Libcloud's `ContainerDriver`), mode-agnostic.
 * @module
 */
import { InvalidArgumentError } from '../errors/index.js';
import { parseImageReference } from '../image-reference.js';
import {
  ClusterLocation,
  Container,
  ContainerCluster,
  ContainerImage,
  type ContainerLogsOptions,
  type DeployContainerOptions,
  type ListContainersOptions,
} from '../models/container.js';
import type { Operation } from '../runtime/effects.js';
import type { PageOperation } from '../runtime/paging.js';
import { BaseDriver, type MethodKind, type MethodOptionsSpec } from './base.js';

/**
 * Base of container drivers. Subclasses implement the `*Op` operation builders (and `containerLogsPages`);
 * the public methods below run them in the driver's mode. Operations a platform lacks answer
 * `NotImplementedError` before anything is sent, as Libcloud's base class does.
 */
export abstract class ContainerDriver extends BaseDriver {
  /** Whether the platform groups containers in clusters (Libcloud's `supports_clusters`). */
  readonly supportsClusters: boolean = false;

  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = {
    installImage: 'call',
    listImages: 'call',
    listContainers: 'call',
    deployContainer: 'call',
    getContainer: 'call',
    startContainer: 'call',
    stopContainer: 'call',
    restartContainer: 'call',
    destroyContainer: 'call',
    containerLogs: 'iterate',
    listLocations: 'call',
    createCluster: 'call',
    listClusters: 'call',
    getCluster: 'call',
    destroyCluster: 'call',
  };

  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    listContainers: { index: 0, keys: ['image', 'all', 'cluster'] },
    deployContainer: { index: 2, keys: ['cluster', 'parameters', 'start'] },
    containerLogs: { index: 1, keys: ['stdout', 'stderr', 'tail', 'since', 'timestamps'] },
  };

  /** Pulls (installs) an image, e.g. `tomcat:8.0`; follows the platform's progress until it is done. */
  installImage(path: string): ContainerImage {
    return this.invoke('installImage', [path]);
  }
  /** Lists installed images. */
  listImages(): ContainerImage[] {
    return this.invoke('listImages', []);
  }
  /** Lists containers (all of them, stopped ones too, unless `all: false`). */
  listContainers(options?: ListContainersOptions): Container[] {
    return this.invoke('listContainers', [options]);
  }
  /** Deploys (creates and, unless `start: false`, starts) a container named `name` from `image`. */
  deployContainer(name: string, image: ContainerImage<any>, options?: DeployContainerOptions): Container {
    return this.invoke('deployContainer', [name, image, options]);
  }
  /** Gets a container by id. */
  getContainer(id: string): Container {
    return this.invoke('getContainer', [id]);
  }
  /** Starts a container; returns it as it is now. */
  startContainer(container: Container<any>): Container {
    return this.invoke('startContainer', [container]);
  }
  /** Stops a container; returns it as it is now. */
  stopContainer(container: Container<any>): Container {
    return this.invoke('stopContainer', [container]);
  }
  /** Restarts a container; returns it as it is now. */
  restartContainer(container: Container<any>): Container {
    return this.invoke('restartContainer', [container]);
  }
  /** Destroys (removes) a container. */
  destroyContainer(container: Container<any>): boolean {
    return this.invoke('destroyContainer', [container]);
  }
  /** A container's log lines, fetched as they are iterated (an AsyncIterable in the async designs). */
  containerLogs(container: Container<any>, options?: ContainerLogsOptions): Iterable<string> {
    return this.invokeIterable('containerLogs', [container, options]);
  }
  /** Locations clusters can be created in. */
  listLocations(): ClusterLocation[] {
    return this.invoke('listLocations', []);
  }
  /** Creates a cluster. */
  createCluster(name: string, location?: ClusterLocation): ContainerCluster {
    return this.invoke('createCluster', [name, location]);
  }
  /** Lists clusters. */
  listClusters(location?: ClusterLocation): ContainerCluster[] {
    return this.invoke('listClusters', [location]);
  }
  /** Gets a cluster by id. */
  getCluster(id: string): ContainerCluster {
    return this.invoke('getCluster', [id]);
  }
  /** Destroys a cluster. */
  destroyCluster(cluster: ContainerCluster<any>): boolean {
    return this.invoke('destroyCluster', [cluster]);
  }

  /**
   * A `ContainerImage` for an image reference (`tomcat:8.0`, an ECR URI), made here without a request: what to
   * deploy on platforms that pull images themselves (ECS, Kubernetes), where `installImage` is not offered.
   * Throws `InvalidArgumentError` for a reference that is not one.
   */
  imageFor(path: string): ContainerImage {
    const ref = parseImageReference(path);
    return new ContainerImage({ id: '', name: ref.repository, path, version: ref.digest ?? ref.tag }, this);
  }

  // ---- operation builders: each driver overrides what its platform offers ----------------------------------

  *installImageOp(_path: string): Operation<ContainerImage> {
    throw this.notImplemented('installImage');
  }
  *listImagesOp(): Operation<ContainerImage[]> {
    throw this.notImplemented('listImages');
  }
  *listContainersOp(_options?: ListContainersOptions): Operation<Container[]> {
    throw this.notImplemented('listContainers');
  }
  *deployContainerOp(_name: string, _image: ContainerImage<any>, _options?: DeployContainerOptions): Operation<Container> {
    throw this.notImplemented('deployContainer');
  }
  *getContainerOp(_id: string): Operation<Container> {
    throw this.notImplemented('getContainer');
  }
  *startContainerOp(_container: Container<any>): Operation<Container> {
    throw this.notImplemented('startContainer');
  }
  *stopContainerOp(_container: Container<any>): Operation<Container> {
    throw this.notImplemented('stopContainer');
  }
  *restartContainerOp(_container: Container<any>): Operation<Container> {
    throw this.notImplemented('restartContainer');
  }
  *destroyContainerOp(_container: Container<any>): Operation<boolean> {
    throw this.notImplemented('destroyContainer');
  }
  containerLogsPages(_container: Container<any>, _options?: ContainerLogsOptions): PageOperation<string> {
    throw this.notImplemented('containerLogs');
  }
  *listLocationsOp(): Operation<ClusterLocation[]> {
    throw this.notImplemented('listLocations');
  }
  *createClusterOp(_name: string, _location?: ClusterLocation): Operation<ContainerCluster> {
    throw this.notImplemented('createCluster');
  }
  *listClustersOp(_location?: ClusterLocation): Operation<ContainerCluster[]> {
    throw this.notImplemented('listClusters');
  }
  *getClusterOp(_id: string): Operation<ContainerCluster> {
    throw this.notImplemented('getCluster');
  }
  *destroyClusterOp(_cluster: ContainerCluster<any>): Operation<boolean> {
    throw this.notImplemented('destroyCluster');
  }

  // ---- argument checks shared by the drivers -----------------------------------------------------------------

  /** Checks that `value` is a container-family `Container` (of any driver or view). */
  protected checkContainer(method: string, value: unknown): asserts value is Container<any> {
    if (!(value instanceof Container)) throw new InvalidArgumentError(`${this.name}: ${method} needs a Container (from listContainers, getContainer or deployContainer)`, { provider: this.type });
  }
  /** Checks that `value` is a `ContainerImage`. */
  protected checkImage(method: string, value: unknown): asserts value is ContainerImage<any> {
    if (!(value instanceof ContainerImage)) throw new InvalidArgumentError(`${this.name}: ${method} needs a ContainerImage (from installImage or listImages)`, { provider: this.type });
  }
  /** Checks that `value` is a `ContainerCluster` (or absent, when `optional`). */
  protected checkCluster(method: string, value: unknown, optional = false): asserts value is ContainerCluster<any> {
    if (optional && value === undefined) return;
    if (!(value instanceof ContainerCluster)) throw new InvalidArgumentError(`${this.name}: ${method} needs a ContainerCluster (from listClusters, getCluster or createCluster)`, { provider: this.type });
  }
}
