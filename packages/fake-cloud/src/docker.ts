/**
 * Docker Engine API (v1.24 to v1.45 path prefixes, `/_ping`, `/version`): image pulls from a small catalog with
 * the daemon's newline-delimited JSON progress stream, images, containers (created / running / exited), start,
 * stop, restart, remove, inspect, and logs in Docker's multiplexed framing. Errors as the daemon sends them:
 * `{"message": "..."}`. No authentication (a socket's permissions are the daemon's access control).
 * @see https://docs.docker.com/engine/api/v1.41/
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuthFailure } from './auth.js';
import type { ResolvedOptions } from './options.js';
import { ApiError, type FakeRequest, type FakeResponse } from './wire.js';

/** The API versions the fake daemon answers (path prefix `/v<version>`). */
export const DOCKER_MIN_API = 24;
export const DOCKER_MAX_API = 45;

/** Whether a path is the Docker Engine API's (`/v1.NN/...`, `/_ping`, `/version`). */
export function isDockerPath(rawPath: string): boolean {
  return /^\/v1\.\d+\//.test(rawPath) || /^\/(?:v1\.\d+\/)?(?:_ping|version)$/.test(rawPath);
}

/** Images the fake registry has: repository → tags, with their default command and the log lines they print. */
export const DOCKER_CATALOG: Readonly<Record<string, { tags: readonly string[]; cmd: readonly string[]; ports: readonly string[]; size: number; logs: readonly string[] }>> = {
  'library/tomcat': {
    tags: ['8.0', '9.0', 'latest'],
    cmd: ['catalina.sh', 'run'],
    ports: ['8080/tcp'],
    size: 356_000_000,
    logs: ['Using CATALINA_BASE:   /usr/local/tomcat', 'INFO: Starting Servlet Engine: Apache Tomcat/8.0.53', 'INFO: Server startup in 512 ms'],
  },
  'library/nginx': {
    tags: ['latest', '1.25', 'alpine'],
    cmd: ['nginx', '-g', 'daemon off;'],
    ports: ['80/tcp'],
    size: 187_000_000,
    logs: ['/docker-entrypoint.sh: Configuration complete; ready for start up', 'nginx: [notice] start worker processes'],
  },
  'library/busybox': { tags: ['latest', '1.36'], cmd: ['sh'], ports: [], size: 4_260_000, logs: ['busybox started'] },
  'library/alpine': { tags: ['latest', '3.19'], cmd: ['/bin/sh'], ports: [], size: 7_380_000, logs: [] },
};

interface Image {
  readonly id: string;
  readonly repository: string;
  readonly tags: string[];
  readonly digest: string;
  readonly created: number;
  readonly size: number;
  readonly cmd: readonly string[];
  readonly ports: readonly string[];
  readonly logs: readonly string[];
}

type Status = 'created' | 'running' | 'exited';

interface Binding {
  HostIp: string;
  HostPort: string;
}

interface ContainerRecord {
  readonly id: string;
  name: string;
  readonly image: Image;
  /** What the client asked for (`Image` of the create body). */
  readonly imageRef: string;
  readonly created: number;
  readonly config: Record<string, any>;
  readonly hostConfig: Record<string, any>;
  readonly portBindings: Record<string, Binding[]>;
  readonly ip: string;
  status: Status;
  startedAt?: number;
  finishedAt?: number;
  exitCode: number;
  restartCount: number;
  readonly logs: Array<{ stream: 1 | 2; at: number; text: string }>;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} seconds`;
  return `${Math.round(s / 60)} minutes`;
}

function json(status: number, doc: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json', 'api-version': `1.${DOCKER_MAX_API}` }, body: `${JSON.stringify(doc)}\n` };
}

function empty(status: number): FakeResponse {
  return { status, headers: { 'api-version': `1.${DOCKER_MAX_API}` } };
}

/** The Docker Engine emulator. */
export class DockerApi {
  private readonly images = new Map<string, Image>();
  private readonly containers = new Map<string, ContainerRecord>();
  private ipCounter = 1;

  constructor(private readonly options: () => ResolvedOptions) {}

  handle(req: FakeRequest): FakeResponse {
    const m = /^(?:\/v1\.(\d+))?(\/.*)$/.exec(req.rawPath)!;
    if (m[1] !== undefined) {
      const minor = Number(m[1]);
      if (minor > DOCKER_MAX_API) throw new ApiError(400, 'BadRequest', `client version 1.${minor} is too new. Maximum supported API version is 1.${DOCKER_MAX_API}`);
      if (minor < DOCKER_MIN_API) throw new ApiError(400, 'BadRequest', `client version 1.${minor} is too old. Minimum supported API version is 1.${DOCKER_MIN_API}, please upgrade your client to a newer version`);
    }
    const path = decodeURIComponent(m[2]!);
    const method = req.method;
    if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'api-version': `1.${DOCKER_MAX_API}` }, body: 'OK' };
    if (path === '/version' && method === 'GET') {
      return json(200, { Version: '26.1.0', ApiVersion: `1.${DOCKER_MAX_API}`, MinAPIVersion: `1.${DOCKER_MIN_API}`, Os: 'linux', Arch: 'amd64', KernelVersion: '6.1.0-fake', GoVersion: 'go1.21.9' });
    }
    if (path === '/images/create' && method === 'POST') return this.pull(req);
    if (path === '/images/json' && method === 'GET') return json(200, [...this.images.values()].map((i) => this.imageSummary(i)));
    let r = /^\/images\/(.+)\/json$/.exec(path);
    if (r && method === 'GET') return json(200, this.imageInspect(this.findImage(r[1]!)));
    if (path === '/containers/json' && method === 'GET') return this.list(req);
    if (path === '/containers/create' && method === 'POST') return this.create(req);
    r = /^\/containers\/([^/]+)(\/json|\/start|\/stop|\/restart|\/logs)?$/.exec(path);
    if (r) {
      const c = this.findContainer(r[1]!);
      const op = r[2] ?? '';
      if (op === '/json' && method === 'GET') return json(200, this.inspect(c, req.now));
      if (op === '/start' && method === 'POST') return this.start(c, req.now);
      if (op === '/stop' && method === 'POST') return this.stop(c, req.now);
      if (op === '/restart' && method === 'POST') {
        if (c.status === 'running') this.stop(c, req.now);
        c.restartCount += 1;
        this.start(c, req.now);
        return empty(204);
      }
      if (op === '/logs' && method === 'GET') return this.logs(c, req);
      if (op === '' && method === 'DELETE') return this.remove(c, req);
    }
    throw new ApiError(404, 'NotFound', 'page not found');
  }

  /** Docker's error format. */
  error(e: ApiError, _req: FakeRequest): FakeResponse {
    return { status: e.status, headers: { 'content-type': 'application/json', ...e.headers }, body: `${JSON.stringify({ message: e.message })}\n` };
  }

  authError(e: AuthFailure): ApiError {
    return new ApiError(401, 'Unauthorized', e.message);
  }

  // ---- images ----------------------------------------------------------------------------------------------

  /** POST /images/create: a progress stream; an unknown repository or tag fails inside the stream (status 200). */
  private pull(req: FakeRequest): FakeResponse {
    const from = req.query.get('fromImage') ?? '';
    if (from === '') throw new ApiError(400, 'BadRequest', 'fromImage is required');
    let name = from;
    let tag = req.query.get('tag') ?? '';
    const colon = name.lastIndexOf(':');
    if (tag === '' && colon > name.lastIndexOf('/')) {
      tag = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
    tag ||= 'latest';
    const repository = name.includes('/') ? name.replace(/^docker\.io\//, '') : `library/${name}`;
    const short = repository.replace(/^library\//, '');
    const entry = DOCKER_CATALOG[repository];
    const lines: object[] = [];
    const stream = (): FakeResponse => ({ status: 200, headers: { 'content-type': 'application/json', 'api-version': `1.${DOCKER_MAX_API}` }, body: lines.map((l) => `${JSON.stringify(l)}\r\n`).join('') });
    if (!entry) {
      const message = `pull access denied for ${short}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
      lines.push({ errorDetail: { message }, error: message });
      return stream();
    }
    if (!entry.tags.includes(tag)) {
      lines.push({ status: `Pulling from ${repository}`, id: tag });
      const message = `manifest for ${short}:${tag} not found: manifest unknown: manifest unknown`;
      lines.push({ errorDetail: { message }, error: message });
      return stream();
    }
    const key = `${short}:${tag}`;
    const digest = `sha256:${sha(`manifest ${key}`)}`;
    const existing = this.images.get(key);
    lines.push({ status: `Pulling from ${repository}`, id: tag });
    if (existing) {
      lines.push({ status: `Digest: ${digest}` }, { status: `Status: Image is up to date for ${key}` });
      return stream();
    }
    const layer = sha(`layer ${key}`).slice(0, 12);
    lines.push(
      { status: 'Pulling fs layer', progressDetail: {}, id: layer },
      { status: 'Downloading', progressDetail: { current: entry.size / 2, total: entry.size }, progress: '[=========================>                         ]', id: layer },
      { status: 'Download complete', progressDetail: {}, id: layer },
      { status: 'Pull complete', progressDetail: {}, id: layer },
      { status: `Digest: ${digest}` },
      { status: `Status: Downloaded newer image for ${key}` },
    );
    const id = `sha256:${sha(`image ${key}`)}`;
    const sameImage = [...this.images.values()].find((i) => i.id === id);
    if (sameImage) sameImage.tags.push(key);
    else this.images.set(key, { id, repository: short, tags: [key], digest, created: Math.floor(req.now / 1000) - 86_400, size: entry.size, cmd: entry.cmd, ports: entry.ports, logs: entry.logs });
    if (sameImage) this.images.set(key, sameImage);
    return stream();
  }

  private uniqueImages(): Image[] {
    return [...new Set(this.images.values())];
  }

  /** An image by `name:tag`, name (tag latest), full id or id prefix; 404 "No such image". */
  private findImage(ref: string): Image {
    const withTag = /:[\w][\w.-]*$/.test(ref) && !ref.startsWith('sha256:') ? ref : `${ref}:latest`;
    const byName = this.images.get(withTag.replace(/^docker\.io\/(library\/)?/, ''));
    if (byName) return byName;
    const hex = ref.replace(/^sha256:/, '');
    if (/^[a-f0-9]{12,64}$/.test(hex)) {
      const byId = this.uniqueImages().find((i) => i.id.slice('sha256:'.length).startsWith(hex));
      if (byId) return byId;
    }
    throw new ApiError(404, 'NotFound', `No such image: ${ref.includes(':') || ref.startsWith('sha256') ? ref : `${ref}:latest`}`);
  }

  private imageSummary(i: Image): object {
    return { Id: i.id, ParentId: '', RepoTags: [...i.tags], RepoDigests: [`${i.repository}@${i.digest}`], Created: i.created, Size: i.size, SharedSize: -1, VirtualSize: i.size, Labels: null, Containers: -1 };
  }

  private imageInspect(i: Image): object {
    return {
      Id: i.id,
      RepoTags: [...i.tags],
      RepoDigests: [`${i.repository}@${i.digest}`],
      Parent: '',
      Created: new Date(i.created * 1000).toISOString(),
      Config: { Cmd: [...i.cmd], ExposedPorts: Object.fromEntries(i.ports.map((p) => [p, {}])), Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      Architecture: 'amd64',
      Os: 'linux',
      Size: i.size,
      VirtualSize: i.size,
    };
  }

  // ---- containers ------------------------------------------------------------------------------------------

  private findContainer(ref: string): ContainerRecord {
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^\//, '');
    for (const c of this.containers.values()) if (c.name === name) return c;
    if (/^[a-f0-9]{3,63}$/.test(ref)) {
      const matches = [...this.containers.values()].filter((c) => c.id.startsWith(ref));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new ApiError(400, 'BadRequest', `multiple IDs found with provided prefix: ${ref}`);
    }
    throw new ApiError(404, 'NotFound', `No such container: ${ref}`);
  }

  private create(req: FakeRequest): FakeResponse {
    let body: Record<string, any>;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}');
    } catch {
      throw new ApiError(400, 'BadRequest', 'invalid character in JSON body');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal into Go value of type container.Config');
    const name = req.query.get('name') ?? '';
    if (name !== '' && !NAME.test(name)) throw new ApiError(400, 'BadRequest', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (typeof body.Image !== 'string' || body.Image === '') throw new ApiError(400, 'BadRequest', 'Config cannot be empty in order to create a container');
    const image = this.findImage(body.Image);
    const finalName = name.replace(/^\//, '') || `fake_${sha(String(req.now) + Math.random()).slice(0, 8)}`;
    for (const c of this.containers.values()) {
      if (c.name === finalName) {
        throw new ApiError(409, 'Conflict', `Conflict. The container name "/${finalName}" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    }
    if (this.containers.size >= this.options().maxNodes) throw new ApiError(500, 'ServerError', 'fake-cloud: too many containers');
    const host: Record<string, any> = body.HostConfig && typeof body.HostConfig === 'object' ? body.HostConfig : {};
    const portBindings: Record<string, Binding[]> = {};
    for (const [port, list] of Object.entries((host.PortBindings ?? {}) as Record<string, unknown>)) {
      if (!/^\d{1,5}\/(tcp|udp|sctp)$/.test(port) && !/^\d{1,5}$/.test(port)) throw new ApiError(400, 'BadRequest', `invalid port specification: "${port}"`);
      const key = port.includes('/') ? port : `${port}/tcp`;
      if (!Array.isArray(list)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal object into Go struct field HostConfig.PortBindings of type []nat.PortBinding');
      portBindings[key] = list.map((b: any) => ({ HostIp: String(b?.HostIp ?? ''), HostPort: String(b?.HostPort ?? '') }));
    }
    const id = sha(`container ${finalName} ${req.now} ${this.containers.size} ${Math.random()}`);
    const record: ContainerRecord = {
      id,
      name: finalName,
      image,
      imageRef: body.Image,
      created: req.now,
      config: {
        Hostname: body.Hostname || id.slice(0, 12),
        Domainname: body.Domainname ?? '',
        User: body.User ?? '',
        AttachStdin: !!body.AttachStdin,
        AttachStdout: body.AttachStdout ?? true,
        AttachStderr: body.AttachStderr ?? true,
        ExposedPorts: { ...Object.fromEntries(image.ports.map((p) => [p, {}])), ...(body.ExposedPorts ?? {}) },
        Tty: !!body.Tty,
        OpenStdin: !!body.OpenStdin,
        StdinOnce: !!body.StdinOnce,
        Env: Array.isArray(body.Env) ? body.Env : [],
        Cmd: Array.isArray(body.Cmd) && body.Cmd.length ? body.Cmd : [...image.cmd],
        Image: body.Image,
        WorkingDir: body.WorkingDir ?? '',
        Entrypoint: body.Entrypoint ?? null,
        Labels: body.Labels ?? {},
      },
      hostConfig: { NetworkMode: host.NetworkMode ?? 'bridge', PortBindings: portBindings, RestartPolicy: host.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 }, Memory: host.Memory ?? 0, Binds: host.Binds ?? null },
      portBindings,
      ip: `172.17.0.${1 + (this.ipCounter++ % 250) + 1}`,
      status: 'created',
      exitCode: 0,
      restartCount: 0,
      logs: [],
    };
    this.containers.set(id, record);
    return json(201, { Id: id, Warnings: [] });
  }

  private start(c: ContainerRecord, now: number): FakeResponse {
    if (c.status === 'running') return empty(304);
    for (const [port, bindings] of Object.entries(c.portBindings)) {
      for (const b of bindings) {
        if (b.HostPort === '') continue;
        const clash = [...this.containers.values()].find((o) => o !== c && o.status === 'running' && (o.portBindings[port] ?? []).some((x) => x.HostPort === b.HostPort));
        if (clash) throw new ApiError(500, 'ServerError', `driver failed programming external connectivity on endpoint ${c.name}: Bind for 0.0.0.0:${b.HostPort} failed: port is already allocated`);
      }
    }
    c.status = 'running';
    c.startedAt = now;
    c.finishedAt = undefined;
    const cmd = [...(c.config.Entrypoint ?? []), ...c.config.Cmd].join(' ');
    c.logs.push({ stream: 1, at: now, text: `starting ${cmd}` });
    for (const line of c.image.logs) c.logs.push({ stream: 1, at: now, text: line });
    c.logs.push({ stream: 2, at: now, text: `warning: ${c.name} runs as ${c.config.User || 'root'}` });
    return empty(204);
  }

  private stop(c: ContainerRecord, now: number): FakeResponse {
    if (c.status !== 'running') return empty(304);
    c.status = 'exited';
    c.finishedAt = now;
    c.exitCode = 143;
    c.logs.push({ stream: 1, at: now, text: 'received SIGTERM, shutting down' });
    return empty(204);
  }

  private remove(c: ContainerRecord, req: FakeRequest): FakeResponse {
    const force = ['1', 'true', 'True'].includes(req.query.get('force') ?? '');
    if (c.status === 'running' && !force) {
      throw new ApiError(409, 'Conflict', `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    }
    this.containers.delete(c.id);
    return empty(204);
  }

  private ports(c: ContainerRecord): object[] {
    const out: object[] = [];
    for (const port of Object.keys(c.config.ExposedPorts)) {
      const [num, type] = port.split('/');
      const bindings = c.status === 'running' ? (c.portBindings[port] ?? []) : [];
      if (bindings.length === 0) out.push({ PrivatePort: Number(num), Type: type });
      for (const b of bindings) out.push({ IP: b.HostIp || '0.0.0.0', PrivatePort: Number(num), PublicPort: Number(b.HostPort || 32768), Type: type });
    }
    return out;
  }

  private statusText(c: ContainerRecord, now: number): string {
    if (c.status === 'running') return `Up ${ago(now - (c.startedAt ?? now))}`;
    if (c.status === 'exited') return `Exited (${c.exitCode}) ${ago(now - (c.finishedAt ?? now))} ago`;
    return 'Created';
  }

  private list(req: FakeRequest): FakeResponse {
    const all = ['1', 'true', 'True'].includes(req.query.get('all') ?? '');
    const items = [...this.containers.values()]
      .filter((c) => all || c.status === 'running')
      .sort((a, b) => b.created - a.created)
      .map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        Image: c.imageRef,
        ImageID: c.image.id,
        Command: c.config.Cmd.join(' '),
        Created: Math.floor(c.created / 1000),
        Ports: this.ports(c),
        Labels: c.config.Labels,
        State: c.status,
        Status: this.statusText(c, req.now),
        HostConfig: { NetworkMode: c.hostConfig.NetworkMode },
        NetworkSettings: { Networks: { bridge: { IPAddress: c.status === 'running' ? c.ip : '', Gateway: c.status === 'running' ? '172.17.0.1' : '' } } },
        Mounts: [],
      }));
    return json(200, items);
  }

  private inspect(c: ContainerRecord, _now: number): object {
    const running = c.status === 'running';
    const ports: Record<string, Binding[] | null> = {};
    for (const port of Object.keys(c.config.ExposedPorts)) ports[port] = running && c.portBindings[port] ? c.portBindings[port].map((b) => ({ HostIp: b.HostIp || '0.0.0.0', HostPort: b.HostPort })) : null;
    return {
      Id: c.id,
      Created: iso(c.created),
      Path: c.config.Cmd[0],
      Args: c.config.Cmd.slice(1),
      State: {
        Status: c.status,
        Running: running,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: running ? 4000 + (parseInt(c.id.slice(0, 4), 16) % 1000) : 0,
        ExitCode: c.exitCode,
        Error: '',
        StartedAt: iso(c.startedAt),
        FinishedAt: iso(c.finishedAt),
      },
      Image: c.image.id,
      Name: `/${c.name}`,
      RestartCount: c.restartCount,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: c.hostConfig,
      Config: c.config,
      NetworkSettings: {
        Ports: ports,
        IPAddress: running ? c.ip : '',
        Gateway: running ? '172.17.0.1' : '',
        Networks: { bridge: { IPAddress: running ? c.ip : '', Gateway: running ? '172.17.0.1' : '' } },
      },
    };
  }

  /** Logs: multiplexed frames (8-byte headers) without a TTY, raw text with one. */
  private logs(c: ContainerRecord, req: FakeRequest): FakeResponse {
    const q = req.query;
    const yes = (k: string): boolean => ['1', 'true', 'True'].includes(q.get(k) ?? '');
    if (!yes('stdout') && !yes('stderr')) throw new ApiError(400, 'BadRequest', 'Bad parameters: you must choose at least one stream');
    const since = Number(q.get('since') ?? '0');
    let lines = c.logs.filter((l) => (l.stream === 1 ? yes('stdout') : yes('stderr')) && l.at >= since * 1000);
    const tail = q.get('tail') ?? 'all';
    if (tail !== 'all' && /^\d+$/.test(tail)) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    const text = (l: (typeof lines)[number]): string => `${yes('timestamps') ? `${new Date(l.at).toISOString().replace('Z', '000000Z')} ` : ''}${l.text}\n`;
    if (c.config.Tty) return { status: 200, headers: { 'content-type': 'application/vnd.docker.raw-stream', 'api-version': `1.${DOCKER_MAX_API}` }, body: lines.map(text).join('') };
    const frames = lines.map((l) => {
      const payload = Buffer.from(text(l));
      const header = Buffer.alloc(8);
      header[0] = l.stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    });
    return { status: 200, headers: { 'content-type': 'application/vnd.docker.multiplexed-stream', 'api-version': `1.${DOCKER_MAX_API}` }, body: Buffer.concat(frames) };
  }
}
