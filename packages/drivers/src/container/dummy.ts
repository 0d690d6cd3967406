/**
 * The Dummy container driver: in memory, deterministic, no network. Libcloud's `DummyContainerDriver` only
 * names itself; this one keeps images, containers, clusters and logs in memory so examples and tests can run
 * the whole container API offline.
 * @module
 */
import {
  ClusterLocation,
  ClusterNotFoundError,
  ContainerCluster,
  ContainerDriver,
  ContainerImage,
  ContainerImageNotFoundError,
  ContainerInstance as Container,
  ContainerNotFoundError,
  ContainerState,
  InvalidArgumentError,
  parseImageReference,
  sleep,
  type ContainerLogsOptions,
  type DeployContainerOptions,
  type DriverOptions,
  type ListContainersOptions,
  type Operation,
  type PageOperation,
} from '@dualcloud/core';
import { Provider } from './providers.js';

/** Options of {@link DummyContainerDriver}. Credentials are accepted and ignored. */
export interface DummyContainerDriverOptions extends Partial<DriverOptions> {
  /** Simulated latency of every call in milliseconds (default 0), so examples can show concurrency. */
  latencyMs?: number;
}

/** A stored container; `Container` objects are immutable snapshots built from it. */
interface DummyRecord {
  readonly id: string;
  readonly name: string;
  readonly image: ContainerImage<any>;
  readonly clusterId: string | undefined;
  state: ContainerState;
  readonly ip: string;
  readonly log: string[];
}

/** Log lines a page of `containerLogs` returns, so iteration shows paging. */
const LOG_PAGE = 100;

/**
 * An in-memory container driver. `installImage` "pulls" any valid reference; deployed containers start
 * `running` (or `stopped` with `start: false`) with an IP `172.17.0.N`; each start, stop and restart writes a
 * log line. Clusters are supported (like ECS's), with one location. Ids are deterministic and count up.
 *
 * @example
 * ```ts
 * const driver = new DummyContainerDriver();
 * const container = driver.installImage('tomcat:8.0').deploy('my_tomcat_container');
 * container.state; // 'running'
 * ```
 */
export class DummyContainerDriver extends ContainerDriver {
  static override readonly optionKeys: readonly string[] = [...ContainerDriver.optionKeys, 'latencyMs'];
  /** Provider name. */
  readonly type = Provider.DUMMY;
  /** Driver name, as in Libcloud. */
  readonly name = 'Dummy Container Provider';
  override readonly supportsClusters = true;
  /** Simulated latency per call, in milliseconds. */
  readonly latencyMs: number;
  readonly #images = new Map<string, ContainerImage>();
  readonly #containers = new Map<string, DummyRecord>();
  readonly #clusters = new Map<string, ContainerCluster>();
  #nextId = 1;

  constructor(options: DummyContainerDriverOptions = {}) {
    super(options);
    const latency = options.latencyMs ?? 0;
    if (!(latency >= 0) || !Number.isFinite(latency)) throw new InvalidArgumentError('dummy: latencyMs must be a finite number >= 0');
    this.latencyMs = latency;
  }

  override *installImageOp(path: string): Operation<ContainerImage> {
    const ref = parseImageReference(path);
    yield* this.latency();
    const known = [...this.#images.values()].find((image) => image.path === ref.reference);
    if (known) return known;
    const image = new ContainerImage(
      { id: `sha256:${String(this.#nextId++).padStart(64, '0')}`, name: ref.repository, path: ref.reference, version: ref.digest ?? ref.tag },
      this,
    );
    this.#images.set(image.id, image);
    return image;
  }

  override *listImagesOp(): Operation<ContainerImage[]> {
    yield* this.latency();
    return [...this.#images.values()];
  }

  override *listContainersOp(options: ListContainersOptions = {}): Operation<Container[]> {
    if (options.image !== undefined) this.checkImage('listContainers', options.image);
    this.checkCluster('listContainers', options.cluster, true);
    yield* this.latency();
    return [...this.#containers.values()]
      .filter((record) => options.image === undefined || record.image.id === options.image.id)
      .filter((record) => options.cluster === undefined || record.clusterId === options.cluster.id)
      .filter((record) => options.all !== false || record.state === ContainerState.RUNNING)
      .map((record) => this.toContainer(record));
  }

  override *deployContainerOp(name: string, image: ContainerImage<any>, options: DeployContainerOptions = {}): Operation<Container> {
    this.checkName('deployContainer', 'a container name', name);
    this.checkImage('deployContainer', image);
    this.checkCluster('deployContainer', options.cluster, true);
    yield* this.latency();
    if (this.#images.get(image.id)?.path !== image.path) throw new ContainerImageNotFoundError(`dummy: image ${image.path} is not installed`, { provider: this.type });
    if (options.cluster !== undefined) this.findCluster(options.cluster.id);
    const n = this.#nextId++;
    const record: DummyRecord = {
      id: `c${String(n).padStart(11, '0')}`,
      name,
      image,
      clusterId: options.cluster?.id,
      state: options.start === false ? ContainerState.STOPPED : ContainerState.RUNNING,
      ip: `172.17.0.${(n % 250) + 2}`,
      log: [`${name}: created from ${image.path}`],
    };
    if (record.state === ContainerState.RUNNING) record.log.push(`${name}: started`);
    this.#containers.set(record.id, record);
    return this.toContainer(record);
  }

  override *getContainerOp(id: string): Operation<Container> {
    this.checkName('getContainer', 'a container id', id);
    yield* this.latency();
    return this.toContainer(this.find(id));
  }

  override *startContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.transition('startContainer', container, ContainerState.RUNNING, 'started');
  }

  override *stopContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.transition('stopContainer', container, ContainerState.STOPPED, 'stopped');
  }

  override *restartContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.transition('restartContainer', container, ContainerState.RUNNING, 'restarted');
  }

  override *destroyContainerOp(container: Container<any>): Operation<boolean> {
    this.checkContainer('destroyContainer', container);
    yield* this.latency();
    this.find(container.id);
    this.#containers.delete(container.id);
    return true;
  }

  override containerLogsPages(container: Container<any>, options: ContainerLogsOptions = {}): PageOperation<string> {
    this.checkContainer('containerLogs', container);
    if (options.tail !== undefined && (!Number.isInteger(options.tail) || options.tail < 0)) {
      throw new InvalidArgumentError('dummy: containerLogs tail must be an integer >= 0', { provider: this.type });
    }
    const driver = this;
    return function* page(token): Operation<{ items: string[]; next?: string }> {
      yield* driver.latency();
      const log = driver.find(container.id).log;
      const lines = options.tail !== undefined ? log.slice(Math.max(0, log.length - options.tail)) : log;
      const start = token === undefined ? 0 : Number(token);
      const end = start + LOG_PAGE;
      return { items: lines.slice(start, end), ...(end < lines.length ? { next: String(end) } : {}) };
    };
  }

  override *listLocationsOp(): Operation<ClusterLocation[]> {
    yield* this.latency();
    return [new ClusterLocation('local', 'Local', 'US', this)];
  }

  override *createClusterOp(name: string, _location?: ClusterLocation): Operation<ContainerCluster> {
    this.checkName('createCluster', 'a cluster name', name);
    yield* this.latency();
    const cluster = new ContainerCluster({ id: `cluster-${this.#nextId++}`, name }, this);
    this.#clusters.set(cluster.id, cluster);
    return cluster;
  }

  override *listClustersOp(_location?: ClusterLocation): Operation<ContainerCluster[]> {
    yield* this.latency();
    return [...this.#clusters.values()];
  }

  override *getClusterOp(id: string): Operation<ContainerCluster> {
    this.checkName('getCluster', 'a cluster id', id);
    yield* this.latency();
    return this.findCluster(id);
  }

  /** Destroys the cluster and the containers in it. */
  override *destroyClusterOp(cluster: ContainerCluster<any>): Operation<boolean> {
    this.checkCluster('destroyCluster', cluster);
    yield* this.latency();
    this.findCluster(cluster.id);
    this.#clusters.delete(cluster.id);
    for (const [id, record] of this.#containers) if (record.clusterId === cluster.id) this.#containers.delete(id);
    return true;
  }

  private *transition(method: string, container: Container<any>, state: ContainerState, verb: string): Operation<Container> {
    this.checkContainer(method, container);
    yield* this.latency();
    const record = this.find(container.id);
    record.state = state;
    record.log.push(`${record.name}: ${verb}`);
    return this.toContainer(record);
  }

  private *latency(): Operation<void> {
    if (this.latencyMs > 0) yield* sleep(this.latencyMs);
  }

  private find(id: string): DummyRecord {
    const record = this.#containers.get(id);
    if (!record) throw new ContainerNotFoundError(`dummy: no container ${id}`, { provider: this.type, code: 'NotFound' });
    return record;
  }

  private findCluster(id: string): ContainerCluster {
    const cluster = this.#clusters.get(id);
    if (!cluster) throw new ClusterNotFoundError(`dummy: no cluster ${id}`, { provider: this.type, code: 'NotFound' });
    return cluster;
  }

  private toContainer(record: DummyRecord): Container {
    const running = record.state === ContainerState.RUNNING;
    return new Container(
      {
        id: record.id,
        name: record.name,
        image: record.image,
        state: record.state,
        ipAddresses: running ? [record.ip] : [],
        extra: record.clusterId !== undefined ? { clusterId: record.clusterId } : {},
      },
      this,
    );
  }
}
