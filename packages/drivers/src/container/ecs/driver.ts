/**
 * Amazon ECS container driver (JSON 1.1 protocol, SigV4 with service `ecs`), after Libcloud's
 * `ElasticContainerDriver`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  awsRegionalService,
  ClusterLocation,
  ClusterNotFoundError,
  collectPages,
  ContainerCluster,
  ContainerDriver,
  ContainerImage,
  ContainerInstance as Container,
  ContainerNotFoundError,
  ContainerState,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  ProviderError,
  RateLimitError,
  parseImageReference,
  type AwsKeyOptions,
  type DeployContainerOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type ListContainersOptions,
  type Operation,
  type Page,
} from '@dualcloud/core';
import { EC2_REGION_COUNTRY } from '../../compute/ec2/constants.js';
import { Provider } from '../providers.js';
import { arrayOf, documentOf, failuresOf, nextTokenOf, objectOf, parseAwsJsonError, stringsOf, toCluster, toContainers } from './parse.js';
import {
  checkDeployParameters,
  createClusterRequest,
  deleteClusterRequest,
  describeClustersRequest,
  describeTasksRequest,
  listClustersRequest,
  listTasksRequest,
  registerTaskDefinitionRequest,
  runTaskRequest,
  stopTaskRequest,
  type EcsDeployParameters,
} from './requests.js';

/**
 * ECS error codes with an exact class. `ServerException` (500) and other 5xx follow the status: a retryable
 * `ProviderError`.
 */
export const ECS_ERROR_CODES: ErrorCodeTable = {
  ClusterNotFoundException: ClusterNotFoundError,
  InvalidParameterException: InvalidArgumentError,
  ClientException: ProviderError,
  UnrecognizedClientException: InvalidCredentialsError,
  InvalidSignatureException: InvalidCredentialsError,
  MissingAuthenticationTokenException: InvalidCredentialsError,
  IncompleteSignatureException: InvalidCredentialsError,
  ExpiredTokenException: InvalidCredentialsError,
  AccessDeniedException: InvalidCredentialsError,
  ThrottlingException: RateLimitError,
};

/** Region used when none is given and the environment names none. */
export const ECS_DEFAULT_REGION = 'us-east-1';
/** DescribeTasks and DescribeClusters take at most 100 names per call. */
const DESCRIBE_MAX = 100;

/**
 * Options of {@link ElasticContainerDriver}: `key` is the access key id, `secret` the secret access key (and
 * `token` a session token); give both, or neither to read `AWS_*` variables and the `profile`'s shared files.
 */
export interface ElasticContainerDriverOptions extends DriverOptions, AwsKeyOptions {
  /** Region (default: the environment's or profile's, else `us-east-1`); one driver talks to one region. */
  region?: string;
  /** `maxResults` of ListClusters and ListTasks (1 to 100); by default ECS decides (100). */
  pageSize?: number;
}

/** `deployContainer` options on ECS; `parameters` takes {@link EcsDeployParameters}. */
export interface EcsDeployContainerOptions extends DeployContainerOptions {
  parameters?: EcsDeployParameters & Record<string, unknown>;
}

/**
 * Amazon Elastic Container Service, one region per instance (Libcloud's `ElasticContainerDriver`). A
 * `Container` is one container of an ECS task (id: its `containerArn`), as in Libcloud; `extra.taskArn`,
 * `extra.taskDefinitionArn` and `extra.clusterArn` say where it runs.
 *
 * - `deployContainer(name, image, { cluster, parameters, start })` registers a task definition (family `name`,
 *   one container running `image.path`) and, unless `start: false`, runs it (RunTask with a fresh
 *   `clientToken`). With `start: false` the container returned has id `''`, state `stopped` and
 *   `extra.taskDefinitionArn`; `startContainer` runs it.
 * - `stopContainer` and `destroyContainer` stop the task (StopTask); ECS has no separate removal.
 * - `restartContainer` stops the task and runs its task definition again in the same cluster: the container
 *   returned belongs to a new task (a new id), since ECS cannot start a stopped task.
 * - `listContainers` lists the tasks of `cluster` (default `default`, as Libcloud), those ECS still reports as
 *   stopped too unless `all: false`; `image` narrows to the task definition family `image.name`.
 * - `listImages` and `installImage` answer `NotImplementedError`: ECS pulls images itself and ECR has no pull
 *   (Libcloud's `list_images` needs an ECR repository name).
 * - `listLocations` lists the AWS regions (no request).
 *
 * @example
 * ```ts
 * const ecs = new ElasticContainerDriver({ key, secret, region: 'us-east-1' });
 * const cluster = ecs.createCluster('default');
 * const container = ecs.deployContainer('my-tomcat', ecs.imageFor('tomcat:8.0'), { cluster });
 * ```
 */
export class ElasticContainerDriver extends ContainerDriver {
  static override readonly optionKeys: readonly string[] = [...ContainerDriver.optionKeys, 'token', 'profile', 'region', 'pageSize'];
  /** Provider name. */
  readonly type = Provider.ECS;
  /** Driver name, as in Libcloud. */
  readonly name = 'Amazon Elastic Container Service';
  /** Libcloud says `False`; ECS groups tasks in clusters and this driver's cluster calls work. */
  override readonly supportsClusters = true;
  /** The region this driver talks to. */
  readonly region: string;
  /** `maxResults` of the list calls, when set. */
  readonly pageSize: number | undefined;

  constructor(options: ElasticContainerDriverOptions = {}) {
    super(options);
    const { region, host, signer } = awsRegionalService('ecs', 'ecs', options ?? {}, ECS_DEFAULT_REGION);
    this.region = region;
    const pageSize = options.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 100)) {
      throw new InvalidArgumentError('ecs: pageSize must be an integer from 1 to 100', { provider: 'ecs' });
    }
    this.pageSize = pageSize;
    this.connect({
      provider: 'ecs',
      host,
      credentials: signer,
      parseError: parseAwsJsonError,
      errorCodes: ECS_ERROR_CODES,
    });
  }


  // ---- clusters ---------------------------------------------------------------------------------------------

  /** ListClusters (every page), then DescribeClusters by 100. */
  override *listClustersOp(): Operation<ContainerCluster[]> {
    const driver = this;
    const arns = yield* collectPages(function* (token): Operation<Page<string>> {
      const doc = documentOf(yield* driver.connection.send(listClustersRequest(token, driver.pageSize)), 'ListClusters');
      return { items: stringsOf(doc, 'clusterArns', 'ListClusters'), next: nextTokenOf(doc) };
    });
    const clusters: ContainerCluster[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
      const doc = documentOf(yield* this.connection.send(describeClustersRequest(arns.slice(i, i + DESCRIBE_MAX))), 'DescribeClusters');
      clusters.push(...arrayOf(doc, 'clusters', 'DescribeClusters').map((c) => toCluster(c, this)));
    }
    return clusters;
  }

  override *createClusterOp(name: string, _location?: ClusterLocation): Operation<ContainerCluster> {
    this.checkName('createCluster', 'a cluster name', name);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new InvalidArgumentError('ecs: a cluster name is 1 to 255 letters, digits, hyphens and underscores', { provider: 'ecs' });
    const doc = documentOf(yield* this.connection.send(createClusterRequest(name)), 'CreateCluster');
    return toCluster(objectOf(doc, 'cluster', 'CreateCluster'), this);
  }

  /**
   * DescribeClusters of one ARN or name; a cluster ECS reports missing, or `INACTIVE` (deleted: ECS still describes
   * deleted clusters for a while), is a `ClusterNotFoundError`.
   */
  override *getClusterOp(id: string): Operation<ContainerCluster> {
    this.checkName('getCluster', 'a cluster id', id);
    const doc = documentOf(yield* this.connection.send(describeClustersRequest([id])), 'DescribeClusters');
    const first = arrayOf(doc, 'clusters', 'DescribeClusters')[0];
    if (first === undefined) {
      const reason = failuresOf(doc)[0]?.reason ?? 'MISSING';
      throw new ClusterNotFoundError(`ecs: no cluster ${id} (${reason})`, { provider: 'ecs', code: reason });
    }
    const cluster = toCluster(first, this);
    if (cluster.extra.status === 'INACTIVE') throw new ClusterNotFoundError(`ecs: cluster ${id} is deleted (INACTIVE)`, { provider: 'ecs', code: 'INACTIVE' });
    return cluster;
  }

  /** DeleteCluster; true when ECS reports the cluster `INACTIVE` (as Libcloud). */
  override *destroyClusterOp(cluster: ContainerCluster<any>): Operation<boolean> {
    this.checkCluster('destroyCluster', cluster);
    const doc = documentOf(yield* this.connection.send(deleteClusterRequest(cluster.id)), 'DeleteCluster');
    return objectOf(doc, 'cluster', 'DeleteCluster').status === 'INACTIVE';
  }

  /** The AWS regions (no request); `country` as the EC2 driver's table gives it. */
  override *listLocationsOp(): Operation<ClusterLocation[]> {
    return Object.entries(EC2_REGION_COUNTRY).map(([region, country]) => new ClusterLocation(region, region, country, this));
  }

  // ---- containers (tasks) -----------------------------------------------------------------------------------

  /**
   * ListTasks of the cluster (every page) and DescribeTasks by 100. Without `all: false`, a second listing
   * (`desiredStatus: STOPPED`) adds the stopped tasks ECS still reports.
   */
  override *listContainersOp(options: ListContainersOptions = {}): Operation<Container[]> {
    if (options.image !== undefined) this.checkImage('listContainers', options.image);
    this.checkCluster('listContainers', options.cluster, true);
    const cluster = options.cluster?.id ?? 'default';
    const family = options.image?.name;
    const arns: string[] = [];
    const statuses: ('STOPPED' | undefined)[] = options.all === false ? [undefined] : [undefined, 'STOPPED'];
    for (const desiredStatus of statuses) {
      const driver = this;
      arns.push(
        ...(yield* collectPages(function* (token): Operation<Page<string>> {
          const spec = listTasksRequest({ cluster, ...(family !== undefined ? { family } : {}), ...(desiredStatus ? { desiredStatus } : {}) }, token, driver.pageSize);
          const doc = documentOf(yield* driver.connection.send(spec), 'ListTasks');
          return { items: stringsOf(doc, 'taskArns', 'ListTasks'), next: nextTokenOf(doc) };
        })),
      );
    }
    const containers = yield* this.describeTasks([...new Set(arns)], cluster);
    return options.all === false ? containers.filter((c) => c.state === ContainerState.RUNNING) : containers;
  }

  /**
   * DescribeTasks of the task holding container `id`: a `containerArn` (`…:container/<cluster>/<task>/<uuid>`)
   * or, as Libcloud takes it, a task ARN or id (then its first container). A missing task (or cluster) is a
   * `ContainerNotFoundError`.
   */
  override *getContainerOp(id: string): Operation<Container> {
    this.checkName('getContainer', 'a container id', id);
    const where = taskOf(id);
    let containers: Container[];
    try {
      containers = yield* this.describeTasks([where.task], where.cluster);
    } catch (error) {
      // No cluster, so no such container either.
      if (error instanceof ClusterNotFoundError) throw new ContainerNotFoundError(`ecs: no container ${id} (${error.message})`, { provider: 'ecs', code: error.code ?? 'ClusterNotFoundException', status: error.status });
      throw error;
    }
    const found = where.containerArn === undefined ? containers[0] : containers.find((c) => c.id === where.containerArn);
    if (!found) throw new ContainerNotFoundError(`ecs: no container ${id}`, { provider: 'ecs', code: 'MISSING' });
    return found;
  }

  /**
   * RegisterTaskDefinition (family `name`, one container running `image.path`, or `image.name` when the image has
   * no path) and, unless `start: false`, RunTask in `cluster` (default: ECS's `default`).
   */
  override *deployContainerOp(name: string, image: ContainerImage<any>, options: EcsDeployContainerOptions = {}): Operation<Container> {
    this.checkName('deployContainer', 'a container name', name);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new InvalidArgumentError('ecs: a container name is 1 to 255 letters, digits, hyphens and underscores', { provider: 'ecs' });
    this.checkImage('deployContainer', image);
    this.checkCluster('deployContainer', options.cluster, true);
    const parameters = checkDeployParameters(options.parameters);
    const reference = image.path || image.name;
    parseImageReference(reference);
    const doc = documentOf(yield* this.connection.send(registerTaskDefinitionRequest(name, reference, parameters)), 'RegisterTaskDefinition');
    const definition = objectOf(doc, 'taskDefinition', 'RegisterTaskDefinition').taskDefinitionArn;
    if (typeof definition !== 'string') throw new MalformedResponseError('ecs: RegisterTaskDefinition returned no taskDefinitionArn', { provider: 'ecs', code: 'UnexpectedDocument' });
    if (options.start === false) {
      return new Container(
        {
          id: '',
          name,
          image,
          state: ContainerState.STOPPED,
          ipAddresses: [],
          extra: { taskDefinitionArn: definition, ...(options.cluster ? { clusterArn: options.cluster.id } : {}) },
        },
        this,
      );
    }
    const started = yield* this.runTask(definition, options.cluster?.id, parameters);
    return started;
  }

  /** RunTask of the container's task definition (Libcloud's `start_container`); returns its first container. */
  override *startContainerOp(container: Container<any>): Operation<Container> {
    this.checkContainer('startContainer', container);
    return yield* this.runTask(definitionOf(container), clusterOf(container), {});
  }

  /** StopTask of the container's task; returns the container as ECS reports it then. */
  override *stopContainerOp(container: Container<any>): Operation<Container> {
    this.checkContainer('stopContainer', container);
    const task = yield* this.stopTask(container);
    const containers = toContainers(task, definitionOf(container), this);
    const found = containers.find((c) => c.id === container.id) ?? containers[0];
    if (!found) throw new MalformedResponseError('ecs: StopTask returned a task without containers', { provider: 'ecs', code: 'UnexpectedDocument' });
    return found;
  }

  /** StopTask then RunTask of the same task definition in the same cluster: a new task, a new container id. */
  override *restartContainerOp(container: Container<any>): Operation<Container> {
    this.checkContainer('restartContainer', container);
    yield* this.stopTask(container);
    return yield* this.runTask(definitionOf(container), clusterOf(container), {});
  }

  /** StopTask (ECS removes stopped tasks itself); true when the task's desired status is `STOPPED`. */
  override *destroyContainerOp(container: Container<any>): Operation<boolean> {
    this.checkContainer('destroyContainer', container);
    const task = yield* this.stopTask(container);
    return task.desiredStatus === 'STOPPED';
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private *describeTasks(arns: string[], cluster: string | undefined): Operation<Container[]> {
    const containers: Container[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
      const doc = documentOf(yield* this.connection.send(describeTasksRequest(arns.slice(i, i + DESCRIBE_MAX), cluster)), 'DescribeTasks');
      for (const task of arrayOf(doc, 'tasks', 'DescribeTasks')) containers.push(...toContainers(task, undefined, this));
    }
    return containers;
  }

  private *runTask(definition: string, cluster: string | undefined, parameters: EcsDeployParameters): Operation<Container> {
    const spec = runTaskRequest({
      taskDefinition: definition,
      count: parameters.count ?? 1,
      ...(cluster !== undefined ? { cluster } : {}),
      ...(parameters.launchType !== undefined ? { launchType: parameters.launchType } : {}),
      clientToken: parameters.clientToken ?? randomUUID(),
    });
    const doc = documentOf(yield* this.connection.send(spec), 'RunTask');
    const tasks = arrayOf(doc, 'tasks', 'RunTask');
    const first = tasks.flatMap((task) => toContainers(task, definition, this))[0];
    if (!first) {
      const failure = failuresOf(doc)[0];
      throw new ProviderError(`ecs: RunTask started no task${failure ? ` (${failure.reason}${failure.arn ? ` ${failure.arn}` : ''})` : ''}`, { provider: 'ecs', code: failure?.reason || 'NoTask' });
    }
    return first;
  }

  private *stopTask(container: Container<any>): Operation<Record<string, unknown>> {
    const taskArn = container.extra.taskArn;
    if (typeof taskArn !== 'string' || taskArn === '') {
      throw new InvalidArgumentError('ecs: this container has no task (extra.taskArn): it was deployed with start: false', { provider: 'ecs' });
    }
    const doc = documentOf(yield* this.connection.send(stopTaskRequest(taskArn, clusterOf(container))), 'StopTask');
    return objectOf(doc, 'task', 'StopTask');
  }
}

function definitionOf(container: Container<any>): string {
  const definition = container.extra.taskDefinitionArn;
  if (typeof definition !== 'string' || definition === '') {
    throw new InvalidArgumentError('ecs: this container has no task definition (extra.taskDefinitionArn)', { provider: 'ecs' });
  }
  return definition;
}

function clusterOf(container: Container<any>): string | undefined {
  const cluster = container.extra.clusterArn;
  return typeof cluster === 'string' && cluster !== '' ? cluster : undefined;
}

/**
 * The task (and cluster) a container id names: a new-format container ARN
 * `arn:aws:ecs:<region>:<account>:container/<cluster>/<task>/<uuid>` gives both; a task ARN
 * `…:task/<cluster>/<task>` gives its cluster; anything else is a task id or old-format ARN of the default cluster.
 */
function taskOf(id: string): { task: string; cluster?: string; containerArn?: string } {
  const container = /^(arn:aws[\w-]*:ecs:[^:]+:\d+):container\/([^/]+)\/([^/]+)\/[^/]+$/.exec(id);
  if (container) return { task: `${container[1]}:task/${container[2]}/${container[3]}`, cluster: container[2]!, containerArn: id };
  if (/:container\//.test(id)) throw new InvalidArgumentError(`ecs: getContainer needs a task ARN or a new-format container ARN (got an old-format container ARN)`, { provider: 'ecs' });
  const task = /^arn:aws[\w-]*:ecs:[^:]+:\d+:task\/([^/]+)\/[^/]+$/.exec(id);
  if (task) return { task: id, cluster: task[1]! };
  return { task: id };
}
