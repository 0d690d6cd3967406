/**
 * The Kubernetes container driver (Libcloud's `KubernetesContainerDriver`): pods as containers, namespaces as
 * clusters, through the core API (`/api/v1`). JSON; bearer token, basic auth or client certificates; endpoint
 * and credentials from the options or a kubeconfig.
 * @module
 */
import {
  ClusterNotFoundError,
  collectPages,
  ContainerAlreadyExistsError,
  ContainerCluster,
  ContainerDriver,
  ContainerImage,
  ContainerInstance as Container,
  ContainerNotFoundError,
  ContainerState,
  InvalidArgumentError,
  InvalidCredentialsError,
  kubernetesFromKubeconfig,
  noAuth,
  NotFoundError,
  parseKubernetesServer,
  RateLimitError,
  readPemOption,
  bearerSigner,
  defineSigner,
  type ContainerLogsOptions,
  type DeployContainerOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type KubeconfigCredentials,
  type MethodKind,
  type ListContainersOptions,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
  type Signer,
  type TlsOptions,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { continueToken, itemsOf, jsonObject, logLines, parseKubernetesError, toCluster, toImage, toPod, type KubernetesPod } from './parse.js';
import {
  checkNamespace,
  checkPodName,
  createNamespaceRequest,
  createPodRequest,
  deleteNamespaceRequest,
  deletePodRequest,
  getNamespaceRequest,
  getPodRequest,
  K8S_PAGE_SIZE,
  listNamespacesRequest,
  listPodsRequest,
  podLogRequest,
} from './requests.js';

/** Kubernetes `Status` reasons with an exact error class (the requests on pods and namespaces refine `NotFound`). */
export const K8S_ERROR_CODES: ErrorCodeTable = {
  Unauthorized: InvalidCredentialsError,
  NotFound: NotFoundError,
  TooManyRequests: RateLimitError,
  Invalid: InvalidArgumentError,
};
/** On a pod: `NotFound` is the pod, `AlreadyExists` a pod of that name. */
const POD_CODES: ErrorCodeTable = { NotFound: ContainerNotFoundError, AlreadyExists: ContainerAlreadyExistsError };
/** On a namespace. */
const NAMESPACE_CODES: ErrorCodeTable = { NotFound: ClusterNotFoundError };
/** Creating a pod: `NotFound` is its namespace. */
const CREATE_POD_CODES: ErrorCodeTable = { NotFound: ClusterNotFoundError, AlreadyExists: ContainerAlreadyExistsError };

/**
 * Options of {@link KubernetesContainerDriver}. Authentication, first match: `token` (or `key` alone) as a
 * bearer token; `key` + `secret` as basic auth (Libcloud's default connection); `clientCert` + `clientKey`;
 * else, when neither `host` nor `server` is given, the kubeconfig (`kubeconfig`, else `KUBECONFIG`, else
 * `~/.kube/config`). With `host`/`server` and no credentials, requests are anonymous.
 */
export interface KubernetesContainerDriverOptions extends DriverOptions {
  /** Bearer token (a secret); `key` alone is taken as one too. */
  token?: string;
  /** The API server's URL, e.g. `https://127.0.0.1:6443` (its host, port, scheme and path prefix); `host`, `port` and `secure` win. */
  server?: string;
  /** Client certificate: PEM text or a file path. */
  clientCert?: string;
  /** Client private key (a secret): PEM text or a file path. */
  clientKey?: string;
  /** The cluster's CA certificate: PEM text or a file path. Without one, the system's CAs are trusted. */
  caCert?: string;
  /** Skip verifying the server's certificate (kubeconfig's `insecure-skip-tls-verify`). Default false. */
  insecure?: boolean;
  /** A kubeconfig file to read the server and credentials from (see {@link KubernetesContainerDriver.fromKubeconfig}). */
  kubeconfig?: string;
  /** The kubeconfig context (default: its `current-context`). */
  context?: string;
  /** Namespace `deployContainer` uses without a cluster (default: the kubeconfig context's, else `default`, as Libcloud). */
  namespace?: string;
  /** Items per page of list calls (`limit`, 1 to 5000; default 500). */
  pageSize?: number;
}

/** Options of {@link KubernetesContainerDriver.fromKubeconfig}: where to read, plus any driver option. */
export interface KubernetesFromKubeconfigOptions extends Omit<KubernetesContainerDriverOptions, 'kubeconfig'> {
  /** A kubeconfig file (default: `KUBECONFIG`'s files merged, else `~/.kube/config`). */
  path?: string;
  /** Environment to read `KUBECONFIG` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Home directory for `~/.kube/config` (default `os.homedir()`). */
  home?: string;
}

/** `deployContainer` on Kubernetes: `parameters` are added to the pod's container (`command`, `args`, `env`, `ports`, `resources`, ...). */
export interface KubernetesDeployContainerOptions extends DeployContainerOptions {
  parameters?: Record<string, unknown>;
}

/** `Authorization: Basic` from a user name and password (Libcloud's `KubernetesBasicAuthConnection`). */
function basicSigner(user: string, password: string): Signer {
  const header = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return defineSigner('basic', (d) => ({ ...d.headers, authorization: header }), [password, header]);
}

/**
 * Kubernetes: pods in namespaces. Each container of a pod is a `Container` with the id
 * `<namespace>/<pod>/<container>` (`extra.pod`, `extra.namespace`; the runtime's `containerID`, Libcloud's id, is
 * `extra.containerId`, and `getContainer` accepts it too);
 * each namespace is a `ContainerCluster`. `deployContainer` creates a single-container pod; `destroyContainer`
 * deletes its pod. Kubernetes cannot stop or restart a pod: `startContainer`, `stopContainer` and
 * `restartContainer` answer `NotImplementedError`, as Libcloud's driver does (deleting and recreating a pod
 * would lose what it ran with; use a Deployment for that). `installImage` and `listLocations` are not
 * implemented either (Libcloud neither); `listImages` lists the images the pods use.
 *
 * @example
 * ```ts
 * const driver = KubernetesContainerDriver.fromKubeconfig(); // KUBECONFIG or ~/.kube/config
 * const cluster = driver.createCluster('demo');
 * const image = driver.imageFor('tomcat:8.0');
 * const container = driver.deployContainer('my-tomcat', image, { cluster });
 * ```
 */
export class KubernetesContainerDriver extends ContainerDriver {
  static override readonly optionKeys: readonly string[] = [
    ...ContainerDriver.optionKeys,
    'token',
    'server',
    'clientCert',
    'clientKey',
    'caCert',
    'insecure',
    'kubeconfig',
    'context',
    'namespace',
    'pageSize',
  ];
  /** Provider name. */
  readonly type = Provider.KUBERNETES;
  /** Driver name, as in Libcloud. */
  readonly name = 'Kubernetes';
  /** Libcloud's `website`. */
  readonly website = 'http://kubernetes.io';
  override readonly supportsClusters = true;
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { ...ContainerDriver.methodKinds, exListPods: 'call', exDestroyPod: 'call' };
  /** `limit` of list calls. */
  readonly pageSize: number;
  /** The namespace `deployContainer` uses without a cluster. */
  readonly namespace: string;

  constructor(options: KubernetesContainerDriverOptions = {}) {
    super(options);
    const pageSize = options.pageSize ?? K8S_PAGE_SIZE;
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 5000)) {
      throw new InvalidArgumentError('kubernetes: pageSize must be an integer from 1 to 5000', { provider: 'kubernetes' });
    }
    this.pageSize = pageSize;
    for (const name of ['token', 'key', 'secret', 'server', 'kubeconfig', 'context', 'namespace'] as const) {
      const value = options[name];
      if (value !== undefined && (typeof value !== 'string' || value === '')) throw new InvalidArgumentError(`kubernetes: ${name} must be a non-empty string`, { provider: 'kubernetes' });
    }
    if (options.insecure !== undefined && typeof options.insecure !== 'boolean') throw new InvalidArgumentError('kubernetes: insecure must be a boolean', { provider: 'kubernetes' });
    if (typeof options.host === 'string' && /^https?:\/\//i.test(options.host)) {
      throw new InvalidArgumentError('kubernetes: host is a host name; give a URL as server (e.g. server: "https://127.0.0.1:6443")', { provider: 'kubernetes' });
    }

    const explicit = options.token !== undefined || options.key !== undefined || options.clientCert !== undefined || options.clientKey !== undefined;
    const useKubeconfig = options.kubeconfig !== undefined || options.context !== undefined || (!explicit && options.host === undefined && options.server === undefined);
    const config: KubeconfigCredentials | undefined = useKubeconfig
      ? kubernetesFromKubeconfig({ ...(options.kubeconfig !== undefined ? { path: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) })
      : undefined;

    const server = options.server !== undefined ? parseKubernetesServer(options.server, 'server option') : config;
    const clientCert = readPemOption(options.clientCert, 'clientCert', 'kubernetes') ?? (explicit ? undefined : config?.clientCert);
    const clientKey = readPemOption(options.clientKey, 'clientKey', 'kubernetes') ?? (explicit ? undefined : config?.clientKey);
    if ((clientCert === undefined) !== (clientKey === undefined)) {
      throw new InvalidArgumentError('kubernetes: clientCert and clientKey go together (give both)', { provider: 'kubernetes' });
    }
    const caCert = readPemOption(options.caCert, 'caCert', 'kubernetes') ?? config?.caCert;
    const insecure = options.insecure ?? config?.insecure ?? false;
    this.namespace = checkNamespace(options.namespace ?? config?.namespace ?? 'default', 'namespace');

    const token = options.token ?? (options.key !== undefined && options.secret === undefined ? options.key : undefined);
    let signer: Signer | undefined;
    if (token !== undefined) signer = bearerSigner(token);
    else if (options.key !== undefined && options.secret !== undefined) signer = basicSigner(options.key, options.secret);
    else if (config?.token !== undefined) signer = bearerSigner(config.token);
    else if (config?.username !== undefined && config.password !== undefined) signer = basicSigner(config.username, config.password);
    // The client key is listed among the secrets too, so no error message or log can carry it.
    let credentials: Signer = signer ?? noAuth;
    if (clientKey !== undefined) {
      const inner = signer;
      credentials = defineSigner(inner ? 'kubernetes' : 'client-certificate', (d) => (inner ? inner.sign(d) : d.headers), [...(inner?.secrets ?? []), clientKey]);
    }

    const tls: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = {};
    if (caCert !== undefined) tls.ca = caCert;
    if (clientCert !== undefined) tls.cert = clientCert;
    if (clientKey !== undefined) tls.key = clientKey;
    if (insecure) tls.rejectUnauthorized = false;

    this.connect({
      provider: 'kubernetes',
      host: server?.host ?? 'localhost',
      port: server?.port ?? 6443,
      secure: server?.secure ?? true,
      ...(server?.basePath ? { basePath: server.basePath } : {}),
      credentials,
      parseError: parseKubernetesError,
      errorCodes: K8S_ERROR_CODES,
      defaultHeaders: { accept: 'application/json' },
      ...(Object.keys(tls).length > 0 ? { transport: { tls } } : {}),
    });
  }

  /**
   * A driver for a kubeconfig context: the server, CA, `insecure-skip-tls-verify`, the user's token, client
   * certificate or basic auth, and the context's namespace. Reads `path`, else the files of `KUBECONFIG`
   * merged as kubectl merges them, else `~/.kube/config`.
   *
   * @throws CredentialsNotFoundError when no kubeconfig exists or no context is chosen.
   * @throws InvalidArgumentError naming the file and field of a missing or malformed entry.
   */
  static fromKubeconfig(options: KubernetesFromKubeconfigOptions = {}): KubernetesContainerDriver {
    const { path, env, home, context, ...rest } = options;
    const config = kubernetesFromKubeconfig({ ...(path !== undefined ? { path } : {}), ...(env ? { env } : {}), ...(home ? { home } : {}), ...(context !== undefined ? { context } : {}) });
    const driverOptions: KubernetesContainerDriverOptions = { server: config.server, namespace: config.namespace, ...rest };
    if (config.token !== undefined) driverOptions.token = config.token;
    else if (config.clientKey !== undefined && config.clientCert !== undefined) {
      driverOptions.clientCert = config.clientCert;
      driverOptions.clientKey = config.clientKey;
    } else if (config.username !== undefined && config.password !== undefined) {
      driverOptions.key = config.username;
      driverOptions.secret = config.password;
    }
    if (config.caCert !== undefined && rest.caCert === undefined) driverOptions.caCert = config.caCert;
    if (config.insecure && rest.insecure === undefined) driverOptions.insecure = true;
    if (config.token !== undefined && config.clientKey !== undefined && config.clientCert !== undefined) {
      driverOptions.clientCert = config.clientCert;
      driverOptions.clientKey = config.clientKey;
    }
    return new this({ ...driverOptions, ...(rest as object) });
  }

  /** Libcloud's `ex_list_pods`: every pod (of every namespace) with its containers. */
  exListPods(): KubernetesPod[] {
    return this.invoke('exListPods', []);
  }

  /** Libcloud's `ex_destroy_pod`: deletes a pod and the containers in it. */
  exDestroyPod(namespace: string, podName: string): boolean {
    return this.invoke('exDestroyPod', [namespace, podName]);
  }

  /** Pages of a list call, following `metadata.continue`. */
  private listPages<T>(request: (token: string | undefined) => RequestSpec, kind: string, parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection } = this;
    return function* (token): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(request(token)));
      return { items: itemsOf(doc, kind).map(parse), next: continueToken(doc) };
    };
  }

  /** Every pod (of one namespace, or of all as Libcloud's `ex_list_pods`). */
  private *podsOp(namespace?: string): Operation<KubernetesPod[]> {
    const limit = this.pageSize;
    return yield* collectPages(
      this.listPages(
        (token) => ({ ...listPodsRequest(namespace, token, limit), ...(namespace !== undefined ? { errorCodes: NAMESPACE_CODES } : {}) }),
        'PodList',
        (item) => toPod(item, this),
      ),
    );
  }

  /** Libcloud's `ex_list_pods`: every pod with its containers. */
  *exListPodsOp(): Operation<KubernetesPod[]> {
    return yield* this.podsOp();
  }

  override *listContainersOp(options: ListContainersOptions = {}): Operation<Container[]> {
    if (options.image !== undefined) this.checkImage('listContainers', options.image);
    this.checkCluster('listContainers', options.cluster, true);
    const namespace = options.cluster === undefined ? undefined : checkNamespace(options.cluster.id, 'the cluster id');
    const pods = yield* this.podsOp(namespace);
    const image = options.image;
    return pods
      .flatMap((pod) => pod.containers)
      .filter((c) => image === undefined || c.image.name === image.name || c.image.name === image.path || (image.id !== '' && c.image.id === image.id))
      .filter((c) => options.all !== false || c.state === ContainerState.RUNNING);
  }

  /**
   * A container by id: `<namespace>/<pod>/<container>` (this driver's ids: the pod is read directly), or a runtime
   * `containerID` (`containerd://…`, Libcloud's ids, `extra.containerId` here: looked up among every pod, as
   * Libcloud does).
   */
  override *getContainerOp(id: string): Operation<Container> {
    this.checkName('getContainer', 'a container id', id);
    const parts = id.split('/');
    if (parts.length === 3 && !id.includes('://')) {
      const [namespace, pod, name] = parts as [string, string, string];
      checkNamespace(namespace, 'the namespace of the container id');
      checkPodName(pod, 'the pod of the container id');
      const response = yield* this.connection.send({ ...getPodRequest(namespace, pod), errorCodes: POD_CODES });
      const found = toPod(jsonObject(response), this).containers.find((c) => c.name === name);
      if (!found) throw new ContainerNotFoundError(`kubernetes: pod ${namespace}/${pod} has no container ${name}`, { provider: 'kubernetes' });
      return found;
    }
    const pods = yield* this.podsOp();
    const found = pods.flatMap((pod) => pod.containers).find((c) => c.extra.containerId === id);
    if (!found) throw new ContainerNotFoundError(`kubernetes: no container ${id}`, { provider: 'kubernetes' });
    return found;
  }

  /**
   * Creates a single-container pod named `name` (Libcloud's body) in the cluster's namespace (default: the
   * driver's `namespace`) and returns its container as the API answers (usually `pending`, without an IP).
   * The image's `path` is used (its `name` when `path` is empty). `start` is ignored: a pod starts when
   * scheduled, as in Libcloud.
   */
  override *deployContainerOp(name: string, image: ContainerImage<any>, options: KubernetesDeployContainerOptions = {}): Operation<Container> {
    checkPodName(name, 'a container name');
    if (name.length > 63 || name.includes('.')) checkNamespace(name, 'a container name (a DNS-1123 label)');
    this.checkImage('deployContainer', image);
    this.checkCluster('deployContainer', options.cluster, true);
    const parameters = options.parameters;
    if (parameters !== undefined && (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters))) {
      throw new InvalidArgumentError('kubernetes: deployContainer parameters must be an object of container fields', { provider: 'kubernetes' });
    }
    const reference = image.path || image.name;
    if (typeof reference !== 'string' || reference === '') throw new InvalidArgumentError('kubernetes: deployContainer needs an image with a path or name', { provider: 'kubernetes' });
    const namespace = options.cluster === undefined ? this.namespace : checkNamespace(options.cluster.id, 'the cluster id');
    const response = yield* this.connection.send({ ...createPodRequest(namespace, name, reference, parameters), errorCodes: CREATE_POD_CODES });
    const pod = toPod(jsonObject(response), this);
    const container = pod.containers.find((c) => c.name === name) ?? pod.containers[0];
    if (!container) throw new ContainerNotFoundError(`kubernetes: the created pod ${namespace}/${name} has no container`, { provider: 'kubernetes' });
    return container;
  }

  /** Deletes the container's pod (Libcloud's `ex_destroy_pod(extra.namespace, extra.pod)`). */
  override *destroyContainerOp(container: Container<any>): Operation<boolean> {
    this.checkContainer('destroyContainer', container);
    const { namespace, pod } = this.podOf(container, 'destroyContainer');
    yield* this.connection.send({ ...deletePodRequest(namespace, pod), errorCodes: POD_CODES });
    return true;
  }

  /** Libcloud's `ex_destroy_pod`. */
  *exDestroyPodOp(namespace: string, podName: string): Operation<boolean> {
    checkNamespace(namespace);
    checkPodName(podName);
    yield* this.connection.send({ ...deletePodRequest(namespace, podName), errorCodes: POD_CODES });
    return true;
  }

  /**
   * The container's log (`GET …/pods/{pod}/log?container=`), one page of lines. `tail` → `tailLines`, `since` →
   * `sinceTime`, `timestamps` → `timestamps`; Kubernetes keeps one stream, so `stdout` / `stderr` cannot be told
   * apart and asking for neither is refused.
   */
  override containerLogsPages(container: Container<any>, options: ContainerLogsOptions = {}): PageOperation<string> {
    this.checkContainer('containerLogs', container);
    const { namespace, pod } = this.podOf(container, 'containerLogs');
    if (options.stdout === false && options.stderr === false) throw new InvalidArgumentError('kubernetes: containerLogs needs stdout or stderr', { provider: 'kubernetes' });
    const spec = { ...podLogRequest(namespace, pod, container.name, options), errorCodes: POD_CODES };
    const { connection } = this;
    return function* (): Operation<Page<string>> {
      const response = yield* connection.send(spec);
      return { items: logLines(response.text()), next: undefined };
    };
  }

  /** Namespaces (Libcloud's `list_clusters`); `location` is not used. */
  override *listClustersOp(): Operation<ContainerCluster[]> {
    const limit = this.pageSize;
    return yield* collectPages(this.listPages((token) => listNamespacesRequest(token, limit), 'NamespaceList', (item) => toCluster(item, this)));
  }

  override *getClusterOp(id: string): Operation<ContainerCluster> {
    checkNamespace(id, 'a cluster id');
    const response = yield* this.connection.send({ ...getNamespaceRequest(id), errorCodes: NAMESPACE_CODES });
    return toCluster(jsonObject(response), this);
  }

  /** Creates a namespace (Libcloud's `create_cluster`); `location` is not used. */
  override *createClusterOp(name: string): Operation<ContainerCluster> {
    checkNamespace(name, 'a cluster name');
    const response = yield* this.connection.send(createNamespaceRequest(name));
    return toCluster(jsonObject(response), this);
  }

  /** Deletes a namespace and everything in it (Kubernetes finishes that in the background: the namespace is `Terminating` meanwhile). */
  override *destroyClusterOp(cluster: ContainerCluster<any>): Operation<boolean> {
    this.checkCluster('destroyCluster', cluster);
    checkNamespace(cluster.id, 'the cluster id');
    yield* this.connection.send({ ...deleteNamespaceRequest(cluster.id), errorCodes: NAMESPACE_CODES });
    return true;
  }

  /** The images the pods' containers use, one per image id (Libcloud's driver has no `list_images`). */
  override *listImagesOp(): Operation<ContainerImage[]> {
    const pods = yield* this.podsOp();
    const images = new Map<string, ContainerImage>();
    for (const container of pods.flatMap((pod) => pod.containers)) {
      const key = `${container.image.id}\u0000${container.image.name}`;
      if (!images.has(key)) images.set(key, toImage(container.image.name, container.image.id, this));
    }
    return [...images.values()];
  }

  /** `extra.namespace` and `extra.pod` of a container, checked. */
  private podOf(container: Container<any>, method: string): { namespace: string; pod: string } {
    const { namespace, pod } = container.extra as { namespace?: unknown; pod?: unknown };
    if (typeof namespace !== 'string' || typeof pod !== 'string') {
      throw new InvalidArgumentError(`kubernetes: ${method} needs a container of this driver (with extra.namespace and extra.pod)`, { provider: 'kubernetes' });
    }
    return { namespace: checkNamespace(namespace, 'extra.namespace'), pod: checkPodName(pod, 'extra.pod') };
  }
}
