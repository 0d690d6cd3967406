/**
 * Docker Engine API request builders: arguments → `RequestSpec`, no I/O. Paths are below the connection's
 * `/v<apiVersion>` base path.
 * @module
 */
import { ContainerImageNotFoundError, ContainerNotFoundError, InvalidArgumentError, type ErrorCodeTable, type RequestSpec } from '@dualcloud/core';

/** A 404 on a container's path is that container missing; Docker's message decides where it says more. */
export const CONTAINER_CODES: ErrorCodeTable = { NotFound: ContainerNotFoundError };
/** A 404 on an image's path is that image missing. */
export const IMAGE_CODES: ErrorCodeTable = { NotFound: ContainerImageNotFoundError };

const JSON_HEADERS = { 'content-type': 'application/json' };

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`docker: ${message}`, { provider: 'docker' });
}

/** A container id or name as a path segment (checked: non-empty, no slash or control character). */
export function containerSegment(id: unknown): string {
  if (typeof id !== 'string' || id === '' || id.length > 256 || /[/\\\s\x00-\x1f]/.test(id)) {
    throw invalid(`a container id is a non-empty string without slashes or spaces (got ${JSON.stringify(String(id)).slice(0, 80)})`);
  }
  return encodeURIComponent(id);
}

/** POST /images/create?fromImage=&tag=: pulls an image (repeating it is harmless). */
export function pullImageRequest(name: string, tagOrDigest: string): RequestSpec {
  return { method: 'POST', path: '/images/create', query: { fromImage: name, tag: tagOrDigest }, idempotent: true, action: 'pull image', errorCodes: IMAGE_CODES };
}

/** GET /images/{name}/json: one image. */
export function inspectImageRequest(reference: string): RequestSpec {
  return { method: 'GET', path: `/images/${encodeURIComponent(reference)}/json`, action: 'inspect image', errorCodes: IMAGE_CODES };
}

/** GET /images/json: installed images. */
export function listImagesRequest(): RequestSpec {
  return { method: 'GET', path: '/images/json', action: 'list images' };
}

/** GET /containers/json: containers (stopped ones too with `all`). */
export function listContainersRequest(all: boolean): RequestSpec {
  return { method: 'GET', path: '/containers/json', ...(all ? { query: { all: 1 } } : {}), action: 'list containers' };
}

/** GET /containers/{id}/json: one container. */
export function inspectContainerRequest(id: string): RequestSpec {
  return { method: 'GET', path: `/containers/${containerSegment(id)}/json`, action: 'inspect container', errorCodes: CONTAINER_CODES };
}

/** POST /containers/create?name=: never repeated (a retry of a create that went through would conflict). */
export function createContainerRequest(name: string, body: Record<string, unknown>): RequestSpec {
  return { method: 'POST', path: '/containers/create', query: { name }, headers: JSON_HEADERS, body: JSON.stringify(body), action: 'create container', errorCodes: IMAGE_CODES };
}

/**
 * POST /containers/{id}/start|stop|restart. Safe to repeat: 304 (already started / stopped) is accepted.
 * Stop and restart take `t`, the seconds to wait before killing.
 */
export function containerActionRequest(id: string, action: 'start' | 'stop' | 'restart', timeoutSeconds?: number): RequestSpec {
  return {
    method: 'POST',
    path: `/containers/${containerSegment(id)}/${action}`,
    ...(timeoutSeconds !== undefined && action !== 'start' ? { query: { t: timeoutSeconds } } : {}),
    idempotent: true,
    acceptStatus: [304],
    action: `${action} container`,
    errorCodes: CONTAINER_CODES,
  };
}

/** DELETE /containers/{id}?force=: removes a container (`force` kills a running one first). */
export function removeContainerRequest(id: string, force: boolean): RequestSpec {
  return { method: 'DELETE', path: `/containers/${containerSegment(id)}`, query: { force: force ? 1 : 0 }, action: 'remove container', errorCodes: CONTAINER_CODES };
}

/** Options of {@link logsRequest}. */
export interface LogsQuery {
  stdout?: boolean;
  stderr?: boolean;
  tail?: number;
  since?: Date;
  timestamps?: boolean;
}

/** GET /containers/{id}/logs: the log so far (no `follow`). */
export function logsRequest(id: string, options: LogsQuery = {}): RequestSpec {
  const { stdout = true, stderr = true, tail, since, timestamps = false } = options;
  if (!stdout && !stderr) throw invalid('containerLogs needs stdout or stderr (both are false)');
  if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) throw invalid('containerLogs: tail is a whole number of lines >= 0');
  if (since !== undefined && !(since instanceof Date && Number.isFinite(since.getTime()))) throw invalid('containerLogs: since is a valid Date');
  return {
    method: 'GET',
    path: `/containers/${containerSegment(id)}/logs`,
    query: {
      stdout: stdout ? 1 : 0,
      stderr: stderr ? 1 : 0,
      tail: tail === undefined ? 'all' : tail,
      ...(since ? { since: Math.floor(since.getTime() / 1000) } : {}),
      timestamps: timestamps ? 1 : 0,
    },
    action: 'container logs',
    errorCodes: CONTAINER_CODES,
  };
}

// ---- the create body ---------------------------------------------------------------------------------------

/**
 * `deployContainer` parameters on Docker: Libcloud's `deploy_container` arguments camelCased. `command` is a string
 * (split as a shell would, as Libcloud's `shlex.split`) or a list; `environment` an object or `KEY=VALUE` list;
 * `ports` the exposed ports (`[8080, '53/udp']`); `portBindings` container port → host port(s)
 * (`{ 8080: 8080 }`, `{ '53/udp': '127.0.0.1:5353' }`, or Docker's `[{ HostIp, HostPort }]`).
 */
export interface DockerDeployParameters {
  command?: string | string[];
  environment?: Record<string, string | number | boolean> | string[];
  ports?: Array<number | string> | Record<string, unknown>;
  portBindings?: Record<string, number | string | Array<number | string | { HostIp?: string; HostPort?: string }>>;
  hostname?: string;
  domainname?: string;
  user?: string;
  /** Allocate a TTY (default false, as `docker run`: logs are then multiplexed per stream). */
  tty?: boolean;
  stdinOpen?: boolean;
  memLimit?: number;
  memswapLimit?: number;
  cpuShares?: number;
  dns?: string[];
  /** Bind mounts, `host:container[:ro]`. */
  volumes?: string[];
  volumesFrom?: string[];
  networkDisabled?: boolean;
  networkMode?: string;
  entrypoint?: string | string[];
  workingDir?: string;
  labels?: Record<string, string>;
  /** Restart policy name: `no`, `always`, `unless-stopped`, `on-failure`. */
  restartPolicy?: string;
}

/** The keys `deployContainer`'s `parameters` accept on Docker. */
export const DOCKER_DEPLOY_KEYS: readonly string[] = [
  'command',
  'environment',
  'ports',
  'portBindings',
  'hostname',
  'domainname',
  'user',
  'tty',
  'stdinOpen',
  'memLimit',
  'memswapLimit',
  'cpuShares',
  'dns',
  'volumes',
  'volumesFrom',
  'networkDisabled',
  'networkMode',
  'entrypoint',
  'workingDir',
  'labels',
  'restartPolicy',
];

/** Splits a command line as Python's `shlex.split` (POSIX mode) does: quotes, backslash escapes. */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw invalid(`command has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

function portKey(port: string | number): string {
  const s = String(port);
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw invalid(`"${s}" is not a container port (e.g. 8080 or "53/udp")`);
  return `${m[1]}/${m[2] ?? 'tcp'}`;
}

function hostBinding(value: unknown): { HostIp: string; HostPort: string } {
  if (typeof value === 'number' || typeof value === 'string') {
    const s = String(value);
    const m = /^(?:(\[?[0-9a-fA-F:.]+\]?):)?(\d{0,5})$/.exec(s);
    if (!m || (m[2] !== '' && (Number(m[2]) < 1 || Number(m[2]) > 65535))) throw invalid(`"${s}" is not a host port binding (e.g. 8080 or "127.0.0.1:8080")`);
    return { HostIp: m[1] ?? '', HostPort: m[2]! };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    return { HostIp: String(v.HostIp ?? ''), HostPort: String(v.HostPort ?? '') };
  }
  throw invalid(`${JSON.stringify(value)} is not a host port binding`);
}

function stringList(what: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw invalid(`${what} is a list of strings`);
  return value as string[];
}

/**
 * The body of `POST /containers/create` for an image and Libcloud-style parameters. Unknown parameter names are
 * refused (they would be silently ignored by the daemon).
 */
export function createContainerBody(image: string, parameters: Record<string, unknown> = {}): Record<string, unknown> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw invalid('deployContainer: parameters is an object');
  const unknown = Object.keys(parameters).filter((k) => !DOCKER_DEPLOY_KEYS.includes(k));
  if (unknown.length) throw invalid(`deployContainer: unknown parameters ${unknown.join(', ')} (known: ${DOCKER_DEPLOY_KEYS.join(', ')})`);
  const p = parameters as DockerDeployParameters;
  const body: Record<string, unknown> = { Image: image };
  const host: Record<string, unknown> = {};
  if (p.command !== undefined) body.Cmd = typeof p.command === 'string' ? shellSplit(p.command) : stringList('command', p.command);
  if (p.entrypoint !== undefined) body.Entrypoint = typeof p.entrypoint === 'string' ? shellSplit(p.entrypoint) : stringList('entrypoint', p.entrypoint);
  if (p.environment !== undefined) {
    const env = p.environment;
    if (Array.isArray(env)) {
      for (const e of stringList('environment', env)) if (!/^[^=]+=/.test(e)) throw invalid(`environment entry "${e}" is not KEY=VALUE`);
      body.Env = env;
    } else if (env !== null && typeof env === 'object') {
      body.Env = Object.entries(env).map(([k, v]) => {
        if (k === '' || k.includes('=')) throw invalid(`environment name "${k}" is empty or has "="`);
        return `${k}=${String(v)}`;
      });
    } else throw invalid('environment is an object or a list of KEY=VALUE strings');
  }
  const exposed: Record<string, object> = {};
  if (p.ports !== undefined) {
    const list = Array.isArray(p.ports) ? p.ports : p.ports !== null && typeof p.ports === 'object' ? Object.keys(p.ports) : undefined;
    if (!list) throw invalid('ports is a list of container ports (e.g. [8080, "53/udp"])');
    for (const port of list) exposed[portKey(port as string | number)] = {};
  }
  if (p.portBindings !== undefined) {
    if (p.portBindings === null || typeof p.portBindings !== 'object' || Array.isArray(p.portBindings)) throw invalid('portBindings maps container ports to host ports, e.g. { 8080: 8080 }');
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const [port, target] of Object.entries(p.portBindings)) {
      const key = portKey(port);
      bindings[key] = (Array.isArray(target) ? target : [target]).map(hostBinding);
      exposed[key] = {};
    }
    host.PortBindings = bindings;
  }
  if (Object.keys(exposed).length) body.ExposedPorts = exposed;
  const copy = (key: keyof DockerDeployParameters, to: string, check: (v: unknown) => boolean, what: string, target = body): void => {
    const v = p[key];
    if (v === undefined) return;
    if (!check(v)) throw invalid(`${key} is ${what}`);
    target[to] = v;
  };
  const isString = (v: unknown): boolean => typeof v === 'string';
  const isBool = (v: unknown): boolean => typeof v === 'boolean';
  const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  copy('hostname', 'Hostname', isString, 'a string');
  copy('domainname', 'Domainname', isString, 'a string');
  copy('user', 'User', isString, 'a string');
  copy('workingDir', 'WorkingDir', isString, 'a string');
  copy('networkDisabled', 'NetworkDisabled', isBool, 'true or false');
  copy('labels', 'Labels', (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(isString), 'an object of strings');
  body.Tty = p.tty ?? false;
  if (!isBool(body.Tty)) throw invalid('tty is true or false');
  const stdin = p.stdinOpen ?? false;
  if (!isBool(stdin)) throw invalid('stdinOpen is true or false');
  body.OpenStdin = stdin;
  body.AttachStdout = true;
  body.AttachStderr = true;
  copy('memLimit', 'Memory', isCount, 'a number of bytes', host);
  copy('memswapLimit', 'MemorySwap', (v) => Number.isInteger(v) && (v as number) >= -1, 'a number of bytes (or -1)', host);
  copy('cpuShares', 'CpuShares', isCount, 'a whole number', host);
  copy('networkMode', 'NetworkMode', isString, 'a string', host);
  if (p.dns !== undefined) host.Dns = stringList('dns', p.dns);
  if (p.volumes !== undefined) host.Binds = stringList('volumes', p.volumes);
  if (p.volumesFrom !== undefined) host.VolumesFrom = stringList('volumesFrom', p.volumesFrom);
  if (p.restartPolicy !== undefined) {
    if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(p.restartPolicy)) throw invalid('restartPolicy is no, always, unless-stopped or on-failure');
    host.RestartPolicy = { Name: p.restartPolicy };
  }
  if (Object.keys(host).length) body.HostConfig = host;
  return body;
}
