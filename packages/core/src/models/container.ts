/**
 * Container-family models (Libcloud's `libcloud.container.base`): deployed containers, images, clusters and
 * cluster locations. Not to be confused with the storage family's `Container` (a bucket): core exports this
 * family's `Container` as `ContainerInstance`; `@dualcloud/drivers/container` exports it as `Container`.
 * @module
 */

/** Container states, with Libcloud's string values (`ContainerState`). */
export const ContainerState = {
  RUNNING: 'running',
  REBOOTING: 'rebooting',
  TERMINATED: 'terminated',
  PENDING: 'pending',
  UNKNOWN: 'unknown',
  STOPPED: 'stopped',
  SUSPENDED: 'suspended',
  ERROR: 'error',
  PAUSED: 'paused',
} as const;
/** One of {@link ContainerState}'s values. */
export type ContainerState = (typeof ContainerState)[keyof typeof ContainerState];

/** Options of `deployContainer` (Libcloud's `deploy_container(name, image, cluster, parameters, start)`). */
export interface DeployContainerOptions {
  /** The cluster to deploy into (an ECS cluster, a Kubernetes namespace). */
  cluster?: ContainerCluster<any>;
  /**
   * Provider parameters (Libcloud's `parameters`): e.g. Docker `{ command, environment, portBindings, ... }`,
   * an ECS task definition's extras, a Kubernetes pod spec's extras. Each driver documents its keys.
   */
  parameters?: Record<string, unknown>;
  /** Start the container after creating it (default true). */
  start?: boolean;
}

/** Options of `listContainers`. */
export interface ListContainersOptions {
  /** Only containers deployed from this image. */
  image?: ContainerImage<any>;
  /** Also stopped containers (default true, as Libcloud's `all=True`). */
  all?: boolean;
  /** Only containers in this cluster (ECS cluster, Kubernetes namespace). */
  cluster?: ContainerCluster<any>;
}

/** Options of `containerLogs`. */
export interface ContainerLogsOptions {
  /** Include standard output (default true). */
  stdout?: boolean;
  /** Include standard error (default true). */
  stderr?: boolean;
  /** Only the last `tail` lines. */
  tail?: number;
  /** Only lines written at or after this time. */
  since?: Date;
  /** Prefix every line with the platform's timestamp. */
  timestamps?: boolean;
}

/**
 * What a {@link Container} needs from its driver, typed as the sync-style driver answers. A model bound to an
 * async driver or view is typed `Container<ContainerOps & View>` and its methods return Promises: see `Bound`.
 */
export interface ContainerOps {
  startContainer(container: Container<any>): Container;
  stopContainer(container: Container<any>): Container;
  restartContainer(container: Container<any>): Container;
  destroyContainer(container: Container<any>): boolean;
  containerLogs(container: Container<any>, options?: ContainerLogsOptions): Iterable<string>;
}

/** What a {@link ContainerImage} needs from its driver (typed as the sync-style driver answers). */
export interface ContainerImageOps {
  deployContainer(name: string, image: ContainerImage<any>, options?: DeployContainerOptions): Container;
}

/** What a {@link ContainerCluster} needs from its driver (typed as the sync-style driver answers). */
export interface ContainerClusterOps {
  listContainers(options?: ListContainersOptions): Container[];
  destroyCluster(cluster: ContainerCluster<any>): boolean;
}

/** Fields of a {@link ContainerImage}. */
export interface ContainerImageFields {
  id: string;
  /** Repository name, e.g. `tomcat`. */
  name: string;
  /** Full reference, e.g. `docker.io/library/tomcat:8.0` (Libcloud's `path`). */
  path: string;
  /** Tag or digest, e.g. `8.0` or `latest`. */
  version: string;
  extra?: Record<string, unknown>;
}

/** A container image. `image.deploy(name, options)` calls `deployContainer` on its driver. */
export class ContainerImage<D extends ContainerImageOps = ContainerImageOps> {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly version: string;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: ContainerImageFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.path = fields.path;
    this.version = fields.version;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Deploys a container named `name` from this image. */
  deploy(name: string, options?: DeployContainerOptions): ReturnType<D['deployContainer']> {
    return this.driver.deployContainer(name, this, options) as ReturnType<D['deployContainer']>;
  }
}

/** Fields of a {@link Container}. */
export interface ContainerFields {
  id: string;
  name: string;
  image: ContainerImage<any>;
  state: ContainerState;
  ipAddresses: string[];
  extra?: Record<string, unknown>;
}

/**
 * A deployed container (a Docker container, a Kubernetes pod, an ECS task). Its methods call the driver, so
 * they block or return Promises as the driver does.
 */
export class Container<D extends ContainerOps = ContainerOps> {
  readonly id: string;
  readonly name: string;
  readonly image: ContainerImage<any>;
  /** The state when the container was read (a Libcloud `ContainerState` string). */
  readonly state: ContainerState;
  readonly ipAddresses: string[];
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: ContainerFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.image = fields.image;
    this.state = fields.state;
    this.ipAddresses = fields.ipAddresses;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Starts this container; returns it as it is now. */
  start(): ReturnType<D['startContainer']> {
    return this.driver.startContainer(this) as ReturnType<D['startContainer']>;
  }
  /** Stops this container; returns it as it is now. */
  stop(): ReturnType<D['stopContainer']> {
    return this.driver.stopContainer(this) as ReturnType<D['stopContainer']>;
  }
  /** Restarts this container; returns it as it is now. */
  restart(): ReturnType<D['restartContainer']> {
    return this.driver.restartContainer(this) as ReturnType<D['restartContainer']>;
  }
  /** Destroys this container. */
  destroy(): ReturnType<D['destroyContainer']> {
    return this.driver.destroyContainer(this) as ReturnType<D['destroyContainer']>;
  }
  /** This container's log lines, as an iterable (an AsyncIterable in the async designs). */
  logs(options?: ContainerLogsOptions): ReturnType<D['containerLogs']> {
    return this.driver.containerLogs(this, options) as ReturnType<D['containerLogs']>;
  }
}

/** Fields of a {@link ContainerCluster}. */
export interface ContainerClusterFields {
  id: string;
  name: string;
  extra?: Record<string, unknown>;
}

/** A group containers are deployed into: an ECS cluster, a Kubernetes namespace. */
export class ContainerCluster<D extends ContainerClusterOps = ContainerClusterOps> {
  readonly id: string;
  readonly name: string;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: ContainerClusterFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Lists the containers of this cluster. */
  listContainers(): ReturnType<D['listContainers']> {
    return this.driver.listContainers({ cluster: this }) as ReturnType<D['listContainers']>;
  }
  /** Destroys this cluster. */
  destroy(): ReturnType<D['destroyCluster']> {
    return this.driver.destroyCluster(this) as ReturnType<D['destroyCluster']>;
  }
}

/** A location clusters can be created in (Libcloud's `ClusterLocation`). */
export class ClusterLocation {
  declare readonly driver: object;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly country: string,
    driver: object,
  ) {
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }
}
