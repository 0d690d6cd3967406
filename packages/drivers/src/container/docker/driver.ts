/**
 * Docker Engine API driver (v1.41+), over a Unix socket, TCP, or TLS with client certificates (`--tlsverify`).
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
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
  readPemOption,
  parseImageReference,
  type ContainerLogsOptions,
  type DeployContainerOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type ListContainersOptions,
  type Operation,
  type PageOperation,
  type Signer,
  type TlsOptions,
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
 *
 * TLS (a daemon started with `--tlsverify`, port 2376): `caCert`, `clientCert` and `clientKey` (each PEM text or
 * a file path). With any of them a `tcp://` or bare host is reached over TLS (as the Docker CLI does); an
 * `http://` host, `secure: false` or a Unix socket with them is refused. See also
 * {@link DockerContainerDriver.fromEnv} for `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
 */
export interface DockerContainerDriverOptions extends DriverOptions {
  /** The CA certificate that signed the daemon's certificate (`--tlscacert`, `ca.pem`): PEM text or a file path. */
  caCert?: string;
  /** Client certificate (`--tlscert`, `cert.pem`): PEM text or a file path. Goes with `clientKey`. */
  clientCert?: string;
  /** Client private key (`--tlskey`, `key.pem`; a secret): PEM text or a file path. Goes with `clientCert`. */
  clientKey?: string;
  /** The daemon's Unix socket (default `/var/run/docker.sock` when no `host` is given). */
  socketPath?: string;
  /** Engine API version, the path prefix `/v<apiVersion>` (default `1.41`). */
  apiVersion?: string;
}

/** Options of {@link DockerContainerDriver.fromEnv}: where to read, plus any driver option (which wins). */
export interface DockerFromEnvOptions extends DockerContainerDriverOptions {
  /** Environment to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Home directory for the default `DOCKER_CERT_PATH`, `~/.docker` (default `os.homedir()`). */
  home?: string;
}

/** Where the daemon is, from the options. */
function endpointOf(options: DockerContainerDriverOptions, tls: boolean): { host: string; port?: number; secure: boolean; socketPath?: string } {
  const invalid = (m: string): InvalidArgumentError => new InvalidArgumentError(`docker: ${m}`, { provider: 'docker' });
  if (options.socketPath !== undefined && (typeof options.socketPath !== 'string' || options.socketPath === '')) throw invalid('socketPath is a non-empty path');
  const host = options.host;
  if (host === undefined) return { host: 'localhost', secure: false, socketPath: options.socketPath ?? DOCKER_SOCKET_PATH };
  if (typeof host !== 'string' || host === '') throw invalid('host is a non-empty string');
  const unix = /^unix:\/\/(\/.+)$/.exec(host);
  if (unix) return { host: 'localhost', secure: false, socketPath: unix[1]! };
  if (options.secure !== undefined && typeof options.secure !== 'boolean') throw invalid('secure is true or false');
  const url = /^(tcp|http|https):\/\/([^/:?#]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?\/?$/.exec(host);
  if (url) {
    const secure = options.secure ?? (url[1] === 'https' || (tls && url[1] === 'tcp'));
    const port = options.port ?? (url[3] ? Number(url[3]) : secure ? 2376 : 2375);
    return { host: url[2]!, port, secure, ...(options.socketPath ? { socketPath: options.socketPath } : {}) };
  }
  if (/[/?#\s]/.test(host)) throw invalid(`host "${host}" is not a host name or a tcp://, http://, https:// or unix:// URL`);
  const secure = options.secure ?? tls;
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
  static override readonly optionKeys: readonly string[] = [...ContainerDriver.optionKeys, 'socketPath', 'apiVersion', 'caCert', 'clientCert', 'clientKey'];
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
    const caCert = readPemOption(options?.caCert, 'caCert', 'docker');
    const clientCert = readPemOption(options?.clientCert, 'clientCert', 'docker');
    const clientKey = readPemOption(options?.clientKey, 'clientKey', 'docker');
    if ((clientCert === undefined) !== (clientKey === undefined)) {
      throw new InvalidArgumentError('docker: clientCert and clientKey go together (give both)', { provider: 'docker' });
    }
    const wantsTls = caCert !== undefined || clientCert !== undefined;
    const endpoint = endpointOf(options ?? {}, wantsTls);
    if (wantsTls && (endpoint.socketPath !== undefined || !endpoint.secure)) {
      throw new InvalidArgumentError('docker: caCert, clientCert and clientKey are for TLS: give an https:// or tcp:// host (or secure: true), not a Unix socket or http://', {
        provider: 'docker',
      });
    }
    this.socketPath = endpoint.socketPath;
    const { key, secret } = options ?? {};
    if ((key !== undefined || secret !== undefined) && !(typeof key === 'string' && key !== '' && typeof secret === 'string' && secret !== '')) {
      throw new InvalidArgumentError('docker: give both key and secret (HTTP Basic authentication), or neither', { provider: 'docker' });
    }
    const basic = typeof key === 'string' && typeof secret === 'string' ? basicSigner(key, secret) : undefined;
    // The client key is listed among the signer's secrets too, so no error message or log can carry it.
    let credentials: Signer | undefined = basic;
    if (clientKey !== undefined) credentials = defineSigner(basic ? 'docker' : 'client-certificate', (d) => (basic ? basic.sign(d) : d.headers), [...(basic?.secrets ?? []), clientKey]);
    const tls: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = {};
    if (caCert !== undefined) tls.ca = caCert;
    if (clientCert !== undefined) tls.cert = clientCert;
    if (clientKey !== undefined) tls.key = clientKey;
    this.connect({
      provider: 'docker',
      host: endpoint.host,
      ...(endpoint.port !== undefined ? { port: endpoint.port } : {}),
      secure: endpoint.secure,
      basePath: `/v${apiVersion}`,
      ...(credentials ? { credentials } : {}),
      parseError: parseDockerError,
      errorCodes: DOCKER_ERROR_CODES,
      defaultHeaders: { accept: 'application/json' },
      ...(endpoint.socketPath ? { transport: { socketPath: endpoint.socketPath } } : Object.keys(tls).length > 0 ? { transport: { tls } } : {}),
    }, { endpointInRecipe: true });
  }

  /**
   * A driver configured as the Docker CLI is from its environment: `DOCKER_HOST` (`unix://`, `tcp://`, ...;
   * default the local socket); when `DOCKER_TLS_VERIFY` is non-empty, TLS with the daemon's CA and a client
   * certificate read from `DOCKER_CERT_PATH` (default `~/.docker`): `ca.pem`, `cert.pem`, `key.pem`. Options given
   * win over the environment.
   *
   * @throws CredentialsNotFoundError (code `CertificateFileNotFound`) when a certificate file is missing.
   */
  static fromEnv(options: DockerFromEnvOptions = {}): DockerContainerDriver {
    const { env = process.env, home, ...rest } = options;
    const fromEnv: DockerContainerDriverOptions = {};
    if (env.DOCKER_HOST) fromEnv.host = env.DOCKER_HOST;
    if (env.DOCKER_TLS_VERIFY) {
      const dir = env.DOCKER_CERT_PATH || join(home ?? homedir(), '.docker');
      fromEnv.caCert = join(dir, 'ca.pem');
      fromEnv.clientCert = join(dir, 'cert.pem');
      fromEnv.clientKey = join(dir, 'key.pem');
    }
    return new this({ ...fromEnv, ...rest });
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
