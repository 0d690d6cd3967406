/**
 * Docker Engine API driver (v1.41+), over TCP or a Unix socket.
 * @module
 */
import {
  ContainerAlreadyExistsError,
  ContainerDriver,
  ContainerImage,
  ContainerImageNotFoundError,
  ContainerInstance as Container,
  ContainerNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  defineSigner,
  parseImageReference,
  type ContainerLogsOptions,
  type DeployContainerOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type ListContainersOptions,
  type Operation,
  type PageOperation,
  type Signer,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { followPull, jsonArray, jsonObject, logLines, parseDockerError, toContainer, toImage } from './parse.js';
import {
  containerActionRequest,
  createContainerBody,
  createContainerRequest,
  inspectContainerRequest,
  inspectImageRequest,
  listContainersRequest,
  listImagesRequest,
  logsRequest,
  pullImageRequest,
  removeContainerRequest,
} from './requests.js';

/** Docker error codes (derived from the status and message, see `parseDockerError`) with an exact class. */
export const DOCKER_ERROR_CODES: ErrorCodeTable = {
  NoSuchContainer: ContainerNotFoundError,
  NoSuchImage: ContainerImageNotFoundError,
  NameConflict: ContainerAlreadyExistsError,
  Unauthorized: InvalidCredentialsError,
  Forbidden: InvalidCredentialsError,
};

/** The daemon's default socket. */
export const DOCKER_SOCKET_PATH = '/var/run/docker.sock';
/** The Engine API version used unless `apiVersion` says otherwise. */
export const DOCKER_API_VERSION = '1.41';

/**
 * Options of {@link DockerContainerDriver}. Without `host`, the driver talks to `socketPath` (default
 * `/var/run/docker.sock`). `host` may be a name (`docker.example`, with `port`, default 2375, and `secure`) or a
 * URL: `tcp://h:2375`, `http://h:2375`, `https://h:2376`, `unix:///path/docker.sock`. `key` and `secret`, when
 * given, are sent as HTTP Basic authentication (for a daemon behind an authenticating proxy), as Libcloud does.
 */
export interface DockerContainerDriverOptions extends DriverOptions {
  /** The daemon's Unix socket (default `/var/run/docker.sock` when no `host` is given). */
  socketPath?: string;
  /** Engine API version, the path prefix `/v<apiVersion>` (default `1.41`). */
  apiVersion?: string;
}

/** Where the daemon is, from the options. */
function endpointOf(options: DockerContainerDriverOptions): { host: string; port?: number; secure: boolean; socketPath?: string } {
  const invalid = (m: string): InvalidArgumentError => new InvalidArgumentError(`docker: ${m}`, { provider: 'docker' });
  if (options.socketPath !== undefined && (typeof options.socketPath !== 'string' || options.socketPath === '')) throw invalid('socketPath is a non-empty path');
  const host = options.host;
  if (host === undefined) return { host: 'localhost', secure: false, socketPath: options.socketPath ?? DOCKER_SOCKET_PATH };
  if (typeof host !== 'string' || host === '') throw invalid('host is a non-empty string');
  const unix = /^unix:\/\/(\/.+)$/.exec(host);
  if (unix) return { host: 'localhost', secure: false, socketPath: unix[1]! };
  const url = /^(tcp|http|https):\/\/([^/:?#]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?\/?$/.exec(host);
  if (url) {
    const secure = options.secure ?? url[1] === 'https';
    const port = options.port ?? (url[3] ? Number(url[3]) : secure ? 2376 : 2375);
    return { host: url[2]!, port, secure, ...(options.socketPath ? { socketPath: options.socketPath } : {}) };
  }
  if (/[/?#\s]/.test(host)) throw invalid(`host "${host}" is not a host name or a tcp://, http://, https:// or unix:// URL`);
  const secure = options.secure ?? false;
  return { host, port: options.port ?? (secure ? 2376 : 2375), secure, ...(options.socketPath ? { socketPath: options.socketPath } : {}) };
}

/** HTTP Basic authentication that prints without its secret. */
function basicSigner(user: string, password: string): Signer {
  const value = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return defineSigner('basic', (d) => ({ ...d.headers, authorization: value }), [password, value, value.slice('Basic '.length)]);
}

/**
 * Docker Engine through its HTTP API (Libcloud's `DockerContainerDriver`).
 *
 * @example
 * ```ts
 * const docker = new DockerContainerDriver(); // /var/run/docker.sock
 * const image = docker.installImage('tomcat:8.0');
 * const container = docker.deployContainer('my_tomcat_container', image, { parameters: { portBindings: { 8080: 8080 } } });
 * for (const line of container.logs({ tail: 20 })) console.log(line);
 * ```
 */
export class DockerContainerDriver extends ContainerDriver {
  static override readonly optionKeys: readonly string[] = [...ContainerDriver.optionKeys, 'socketPath', 'apiVersion'];
  readonly type = Provider.DOCKER;
  readonly name = 'Docker';
  /** The Engine API version in the path prefix. */
  readonly apiVersion: string;
  /** The Unix socket requests go through, when not TCP. */
  readonly socketPath: string | undefined;

  constructor(options: DockerContainerDriverOptions = {}) {
    super(options);
    const apiVersion = options?.apiVersion ?? DOCKER_API_VERSION;
    if (typeof apiVersion !== 'string' || !/^1\.\d{1,3}$/.test(apiVersion)) {
      throw new InvalidArgumentError(`docker: apiVersion is a version like "1.41" (got ${JSON.stringify(String(apiVersion)).slice(0, 40)})`, { provider: 'docker' });
    }
    this.apiVersion = apiVersion;
    const endpoint = endpointOf(options ?? {});
    this.socketPath = endpoint.socketPath;
    const { key, secret } = options ?? {};
    if ((key !== undefined || secret !== undefined) && !(typeof key === 'string' && key !== '' && typeof secret === 'string' && secret !== '')) {
      throw new InvalidArgumentError('docker: give both key and secret (HTTP Basic authentication), or neither', { provider: 'docker' });
    }
    this.connect({
      provider: 'docker',
      host: endpoint.host,
      ...(endpoint.port !== undefined ? { port: endpoint.port } : {}),
      secure: endpoint.secure,
      basePath: `/v${apiVersion}`,
      ...(typeof key === 'string' && typeof secret === 'string' ? { credentials: basicSigner(key, secret) } : {}),
      parseError: parseDockerError,
      errorCodes: DOCKER_ERROR_CODES,
      defaultHeaders: { accept: 'application/json' },
      ...(endpoint.socketPath ? { transport: { socketPath: endpoint.socketPath } } : {}),
    }, { endpointInRecipe: true });
  }

  /** Pulls the image, following the progress stream to its end, then reads it back (`GET /images/{ref}/json`). */
  override *installImageOp(path: string): Operation<ContainerImage> {
    const ref = parseImageReference(path);
    const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
    const pulled = followPull(yield* this.connection.send(pullImageRequest(name, ref.digest ?? ref.tag)), ref.reference);
    const doc = jsonObject(yield* this.connection.send(inspectImageRequest(ref.reference)));
    const image = toImage(doc, this);
    // Libcloud names an installed image by the path it was given.
    return new ContainerImage(
      { id: image.id, name: path, path, version: ref.digest ?? ref.tag, extra: { ...image.extra, ...(pulled.digest ? { digest: pulled.digest } : {}) } },
      this,
    );
  }

  override *listImagesOp(): Operation<ContainerImage[]> {
    return jsonArray(yield* this.connection.send(listImagesRequest())).map((doc) => toImage(doc, this));
  }

  /** All containers (`all: false`: running ones only), optionally only those of `image` (by id, name or path). */
  override *listContainersOp(options: ListContainersOptions = {}): Operation<Container[]> {
    if (options.image !== undefined) this.checkImage('listContainers', options.image);
    if (options.cluster !== undefined) throw new InvalidArgumentError('docker: Docker has no clusters (listContainers takes image and all)', { provider: 'docker' });
    if (options.all !== undefined && typeof options.all !== 'boolean') throw new InvalidArgumentError('docker: listContainers: all is true or false', { provider: 'docker' });
    const containers = jsonArray(yield* this.connection.send(listContainersRequest(options.all !== false))).map((doc) => toContainer(doc, this));
    const image = options.image;
    if (!image) return containers;
    const names = new Set([image.name, image.path].filter(Boolean));
    const ids = new Set([image.id, image.id.replace(/^sha256:/, '')].filter(Boolean));
    return containers.filter((c) => (c.image.id !== '' && (ids.has(c.image.id) || ids.has(c.image.id.replace(/^sha256:/, '')))) || names.has(c.image.name));
  }

  /**
   * Creates a container from `image` with `parameters` (see `DockerDeployParameters`), starts it unless
   * `start: false`, and returns it as inspected afterwards.
   */
  override *deployContainerOp(name: string, image: ContainerImage<any>, options: DeployContainerOptions = {}): Operation<Container> {
    if (typeof name !== 'string' || !/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name) || name.length > 255) {
      throw new InvalidArgumentError(`docker: a container name is letters, digits, "_", "." and "-", starting with a letter or digit (got ${JSON.stringify(String(name)).slice(0, 80)})`, {
        provider: 'docker',
      });
    }
    this.checkImage('deployContainer', image);
    if (options.cluster !== undefined) throw new InvalidArgumentError('docker: Docker has no clusters (deployContainer takes parameters and start)', { provider: 'docker' });
    if (options.start !== undefined && typeof options.start !== 'boolean') throw new InvalidArgumentError('docker: deployContainer: start is true or false', { provider: 'docker' });
    const reference = image.path || image.name || image.id;
    const body = createContainerBody(reference, options.parameters ?? {});
    const created = jsonObject(yield* this.connection.send(createContainerRequest(name.replace(/^\//, ''), body)));
    if (typeof created.Id !== 'string' || created.Id === '') throw new MalformedResponseError('docker: the daemon created a container without an Id', { provider: 'docker', code: 'UnexpectedDocument' });
    if (options.start !== false) yield* this.connection.send(containerActionRequest(created.Id, 'start'));
    return yield* this.getContainerOp(created.Id);
  }

  override *getContainerOp(id: string): Operation<Container> {
    return toContainer(jsonObject(yield* this.connection.send(inspectContainerRequest(id))), this);
  }

  override *startContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.action('startContainer', container, 'start');
  }
  override *stopContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.action('stopContainer', container, 'stop');
  }
  override *restartContainerOp(container: Container<any>): Operation<Container> {
    return yield* this.action('restartContainer', container, 'restart');
  }

  /** Removes the container, killing it first if it runs (`force=1`, as `docker rm -f`). */
  override *destroyContainerOp(container: Container<any>): Operation<boolean> {
    this.checkContainer('destroyContainer', container);
    const res = yield* this.connection.send(removeContainerRequest(container.id, true));
    return res.status >= 200 && res.status < 300;
  }

  override containerLogsPages(container: Container<any>, options: ContainerLogsOptions = {}): PageOperation<string> {
    this.checkContainer('containerLogs', container);
    const spec = logsRequest(container.id, options);
    const connection = this.connection;
    return function* () {
      return { items: logLines(yield* connection.send({ ...spec, headers: { accept: 'application/vnd.docker.multiplexed-stream, application/vnd.docker.raw-stream' } })), next: undefined };
    };
  }

  private *action(method: string, container: Container<any>, action: 'start' | 'stop' | 'restart'): Operation<Container> {
    this.checkContainer(method, container);
    yield* this.connection.send(containerActionRequest(container.id, action));
    return yield* this.getContainerOp(container.id);
  }
}
