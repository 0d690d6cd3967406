/**
 * The Kubernetes API (core/v1, JSON, bearer tokens): namespaces, pods (Pending, then Running once
 * `nodeBootMs` has passed, with pod IPs and container statuses), pod logs, `limit` / `continue` paging, and
 * errors as `Status` objects. `/version`, `/api` and `/apis` answer discovery.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { AuthFailure, verifyBearer } from './auth.js';
import type { ResolvedOptions } from './options.js';
import { ApiError, type FakeRequest, type FakeResponse } from './wire.js';

/** Whether a path is the Kubernetes API's (`/api`, `/apis`, `/version` and below). */
export function isKubernetesPath(rawPath: string): boolean {
  return rawPath === '/version' || rawPath === '/api' || rawPath.startsWith('/api/') || rawPath === '/apis' || rawPath.startsWith('/apis/');
}

/** Namespaces every cluster starts with. */
export const K8S_SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface Namespace {
  readonly name: string;
  readonly uid: string;
  readonly created: number;
  readonly resourceVersion: number;
}

interface PodContainer {
  readonly name: string;
  readonly image: string;
  readonly spec: Record<string, unknown>;
  readonly containerId: string;
  readonly imageId: string;
}

interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly created: number;
  /** When the pod runs (created + boot delay). */
  readonly runningAt: number;
  readonly ip: string;
  readonly containers: PodContainer[];
  resourceVersion: number;
}

type Json = Record<string, any>;

const JSON_HEADERS = { 'content-type': 'application/json' };

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hex(seed: string, length = 64): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}:${i}`).digest('hex');
  return out.slice(0, length);
}

/** A `Status` failure as the API server sends it. */
function status(code: number, reason: string, message: string, details?: Json): ApiError {
  return new ApiError(code, reason, message, details ? { details: JSON.stringify(details) } : {});
}

/** The Kubernetes emulator. */
export class KubernetesApi {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly pods = new Map<string, Pod>();
  private resourceVersion = 1000;
  private ipCounter = 0;

  constructor(private readonly options: () => ResolvedOptions) {
    const now = Date.now();
    for (const name of K8S_SYSTEM_NAMESPACES) this.namespaces.set(name, { name, uid: randomUUID(), created: now, resourceVersion: this.nextVersion() });
  }

  /** Handles one request: checks the bearer token, routes, renders JSON. */
  handle(req: FakeRequest): FakeResponse {
    verifyBearer(req, this.options().credentials.kubernetes);
    return this.route(req);
  }

  /** Renders an error as a `Status` object. */
  error(e: ApiError, _req: FakeRequest): FakeResponse {
    const body: Json = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.code, code: e.status };
    if (e.extra.details !== undefined) body.details = JSON.parse(e.extra.details);
    return { status: e.status, headers: { ...JSON_HEADERS, ...e.headers }, body: JSON.stringify(body) };
  }

  /** Every authentication failure is the API server's `401 Unauthorized`. */
  authError(_e: AuthFailure): ApiError {
    return status(401, 'Unauthorized', 'Unauthorized');
  }

  private nextVersion(): number {
    this.resourceVersion += 1;
    return this.resourceVersion;
  }

  private route(req: FakeRequest): FakeResponse {
    const path = req.rawPath.replace(/\/+$/, '') || '/';
    const m = req.method;
    if (path === '/version' && m === 'GET') return ok({ major: '1', minor: '29', gitVersion: 'v1.29.0-fakecloud', platform: 'linux/amd64' });
    if (path === '/api' && m === 'GET') return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis' && m === 'GET') return ok({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (path === '/api/v1' && m === 'GET') {
      return ok({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'namespaces', namespaced: false, kind: 'Namespace' }, { name: 'pods', namespaced: true, kind: 'Pod' }] });
    }
    const parts = path.split('/').slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw status(400, 'BadRequest', `invalid path segment ${p}`);
      }
    });
    if (parts[0] !== 'api' || parts[1] !== 'v1') throw status(404, 'NotFound', 'the server could not find the requested resource');
    const rest = parts.slice(2);
    if (rest.length === 1 && rest[0] === 'pods' && m === 'GET') return this.listPods(req, undefined);
    if (rest[0] !== 'namespaces') throw status(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 1) {
      if (m === 'GET') return this.listNamespaces(req);
      if (m === 'POST') return this.createNamespace(req);
      throw methodNotAllowed(m);
    }
    const ns = rest[1]!;
    if (rest.length === 2) {
      if (m === 'GET') return ok(this.namespaceJson(this.namespace(ns)));
      if (m === 'DELETE') return this.deleteNamespace(ns, req.now);
      throw methodNotAllowed(m);
    }
    if (rest[2] !== 'pods') throw status(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 3) {
      if (m === 'GET') {
        this.namespace(ns);
        return this.listPods(req, ns);
      }
      if (m === 'POST') return this.createPod(req, ns);
      throw methodNotAllowed(m);
    }
    const pod = this.pod(ns, rest[3]!);
    if (rest.length === 4) {
      if (m === 'GET') return ok(this.podJson(pod, req.now));
      if (m === 'DELETE') {
        this.pods.delete(`${ns}/${pod.name}`);
        pod.resourceVersion = this.nextVersion();
        const json = this.podJson(pod, req.now);
        json.metadata.deletionTimestamp = iso(req.now);
        return ok(json);
      }
      throw methodNotAllowed(m);
    }
    if (rest.length === 5 && rest[4] === 'log' && m === 'GET') return this.log(req, pod);
    throw status(404, 'NotFound', 'the server could not find the requested resource');
  }

  private namespace(name: string): Namespace {
    const found = this.namespaces.get(name);
    if (!found) throw status(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
    return found;
  }

  private pod(namespace: string, name: string): Pod {
    const found = this.pods.get(`${namespace}/${name}`);
    if (!found) throw status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    return found;
  }

  private namespaceJson(ns: Namespace, phase = 'Active'): Json {
    return {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: ns.name, uid: ns.uid, resourceVersion: String(ns.resourceVersion), creationTimestamp: iso(ns.created), labels: { 'kubernetes.io/metadata.name': ns.name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase },
    };
  }

  private podJson(pod: Pod, now: number): Json {
    const running = now >= pod.runningAt;
    const metadata = { name: pod.name, namespace: pod.namespace, uid: pod.uid, resourceVersion: String(pod.resourceVersion), creationTimestamp: iso(pod.created) };
    const spec = { containers: pod.containers.map((c) => ({ ...c.spec, name: c.name, image: c.image })), restartPolicy: 'Always', nodeName: 'fake-node-1', schedulerName: 'default-scheduler' };
    const statusJson: Json = { phase: running ? 'Running' : 'Pending', qosClass: 'BestEffort' };
    if (running) {
      statusJson.hostIP = '192.168.49.2';
      statusJson.podIP = pod.ip;
      statusJson.podIPs = [{ ip: pod.ip }];
      statusJson.startTime = iso(pod.created);
      statusJson.conditions = [{ type: 'Ready', status: 'True' }];
      statusJson.containerStatuses = pod.containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: iso(pod.runningAt) } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: c.imageId,
        containerID: c.containerId,
        started: true,
      }));
    } else if (now > pod.created) {
      // Scheduled, still pulling: statuses without ids, waiting.
      statusJson.startTime = iso(pod.created);
      statusJson.containerStatuses = pod.containers.map((c) => ({
        name: c.name,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: c.image,
        imageID: '',
        started: false,
      }));
    }
    return { kind: 'Pod', apiVersion: 'v1', metadata, spec, status: statusJson };
  }

  /** One page of `items` by `limit` / `continue` (an opaque token holding the offset and the list's kind). */
  private page<T>(req: FakeRequest, kind: string, items: T[]): { items: T[]; metadata: Json } {
    const limitText = req.query.get('limit');
    let limit = Infinity;
    if (limitText !== null && limitText !== '') {
      limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 0) throw status(400, 'BadRequest', `invalid limit "${limitText}"`);
      if (limit === 0) limit = Infinity;
    }
    let offset = 0;
    const token = req.query.get('continue');
    if (token !== null && token !== '') {
      let decoded: Json | undefined;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Json;
      } catch {
        decoded = undefined;
      }
      if (!decoded || decoded.kind !== kind || !Number.isInteger(decoded.offset) || decoded.offset < 0) {
        throw status(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      }
      offset = decoded.offset;
    }
    const slice = items.slice(offset, offset + limit);
    const metadata: Json = { resourceVersion: String(this.resourceVersion) };
    const next = offset + slice.length;
    if (next < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({ kind, offset: next })).toString('base64url');
      metadata.remainingItemCount = items.length - next;
    }
    return { items: slice, metadata };
  }

  private listNamespaces(req: FakeRequest): FakeResponse {
    const all = [...this.namespaces.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { items, metadata } = this.page(req, 'NamespaceList', all);
    return ok({ kind: 'NamespaceList', apiVersion: 'v1', metadata, items: items.map((ns) => this.namespaceJson(ns)) });
  }

  private createNamespace(req: FakeRequest): FakeResponse {
    const body = parseBody(req);
    const name = body.metadata?.name;
    if (typeof name !== 'string' || !DNS1123_LABEL.test(name) || name.length > 63) {
      throw status(422, 'Invalid', `Namespace "${String(name)}" is invalid: metadata.name: Invalid value: "${String(name)}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`, { name: String(name), kind: 'Namespace' });
    }
    if (this.namespaces.has(name)) throw status(409, 'AlreadyExists', `namespaces "${name}" already exists`, { name, kind: 'namespaces' });
    const ns: Namespace = { name, uid: randomUUID(), created: req.now, resourceVersion: this.nextVersion() };
    this.namespaces.set(name, ns);
    return { status: 201, headers: { ...JSON_HEADERS }, body: JSON.stringify(this.namespaceJson(ns)) };
  }

  /** Deletes a namespace and its pods (answered as `Terminating`, as the API server does; gone for later reads). */
  private deleteNamespace(name: string, now: number): FakeResponse {
    const ns = this.namespace(name);
    if (K8S_SYSTEM_NAMESPACES.includes(name)) throw status(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    this.namespaces.delete(name);
    for (const key of [...this.pods.keys()]) if (key.startsWith(`${name}/`)) this.pods.delete(key);
    const json = this.namespaceJson(ns, 'Terminating');
    json.metadata.deletionTimestamp = iso(now);
    return ok(json);
  }

  private listPods(req: FakeRequest, namespace: string | undefined): FakeResponse {
    const all = [...this.pods.values()]
      .filter((p) => namespace === undefined || p.namespace === namespace)
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const { items, metadata } = this.page(req, namespace === undefined ? 'PodList' : `PodList/${namespace}`, all);
    return ok({ kind: 'PodList', apiVersion: 'v1', metadata, items: items.map((p) => this.podJson(p, req.now)) });
  }

  private createPod(req: FakeRequest, namespace: string): FakeResponse {
    this.namespace(namespace);
    const body = parseBody(req);
    const name = body.metadata?.name;
    const invalid = (field: string, value: unknown, why: string): ApiError =>
      status(422, 'Invalid', `Pod "${String(name)}" is invalid: ${field}: ${why}: ${JSON.stringify(value)}`, { name: String(name), kind: 'Pod' });
    if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) throw invalid('metadata.name', name, 'Invalid value');
    const containers = body.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) throw invalid('spec.containers', containers, 'Required value');
    const seen = new Set<string>();
    const list: PodContainer[] = containers.map((c: unknown, i: number) => {
      if (c === null || typeof c !== 'object' || Array.isArray(c)) throw invalid(`spec.containers[${i}]`, c, 'Invalid value');
      const { name: cname, image, ...spec } = c as Json;
      if (typeof cname !== 'string' || cname.length > 63 || !DNS1123_LABEL.test(cname) || seen.has(cname)) throw invalid(`spec.containers[${i}].name`, cname, 'Invalid value');
      if (typeof image !== 'string' || image.trim() === '') throw invalid(`spec.containers[${i}].image`, image, 'Required value');
      seen.add(cname);
      const repo = image.replace(/[:@].*$/, '');
      const fullRepo = repo.includes('/') ? (repo.split('/')[0]!.includes('.') ? repo : `docker.io/${repo}`) : `docker.io/library/${repo}`;
      return { name: cname, image, spec, containerId: `containerd://${hex(`${namespace}/${name}/${cname}/${req.now}`)}`, imageId: `${fullRepo}@sha256:${hex(image)}` };
    });
    const key = `${namespace}/${name}`;
    if (this.pods.has(key)) throw status(409, 'AlreadyExists', `pods "${name}" already exists`, { name, kind: 'pods' });
    this.ipCounter += 1;
    const pod: Pod = {
      namespace,
      name,
      uid: randomUUID(),
      created: req.now,
      runningAt: req.now + this.options().nodeBootMs,
      ip: `10.244.${Math.floor(this.ipCounter / 250) % 250}.${(this.ipCounter % 250) + 2}`,
      containers: list,
      resourceVersion: this.nextVersion(),
    };
    this.pods.set(key, pod);
    const json = this.podJson(pod, req.now);
    // The create response is the pod as stored: no status beyond its phase yet.
    json.status = { phase: 'Pending', qosClass: 'BestEffort' };
    return { status: 201, headers: { ...JSON_HEADERS }, body: JSON.stringify(json) };
  }

  /** The container's log as plain text (`container`, `tailLines`, `sinceTime`, `timestamps`). */
  private log(req: FakeRequest, pod: Pod): FakeResponse {
    const containerName = req.query.get('container') ?? (pod.containers.length === 1 ? pod.containers[0]!.name : undefined);
    if (containerName === undefined) {
      throw status(400, 'BadRequest', `a container name must be specified for pod ${pod.name}, choose one of: [${pod.containers.map((c) => c.name).join(' ')}]`);
    }
    const container = pod.containers.find((c) => c.name === containerName);
    if (!container) throw status(400, 'BadRequest', `container ${containerName} is not valid for pod ${pod.name}`);
    if (req.now < pod.runningAt) throw status(400, 'BadRequest', `container "${containerName}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
    let lines = [
      { at: pod.runningAt, text: `Starting ${container.image} as ${containerName} in ${pod.namespace}/${pod.name}` },
      { at: pod.runningAt + 1, text: `Listening on ${pod.ip}:8080` },
      { at: pod.runningAt + 2, text: `Server startup in ${pod.runningAt - pod.created} ms` },
    ];
    const since = req.query.get('sinceTime');
    if (since !== null) {
      const t = Date.parse(since);
      if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(since)) throw status(400, 'BadRequest', `parsing time "${since}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
      lines = lines.filter((l) => l.at >= t);
    }
    const tail = req.query.get('tailLines');
    if (tail !== null) {
      const n = Number(tail);
      if (!Number.isInteger(n) || n < 0) throw status(400, 'BadRequest', `invalid tailLines "${tail}"`);
      lines = n === 0 ? [] : lines.slice(-n);
    }
    const stamps = req.query.get('timestamps') === 'true';
    const text = lines.map((l) => `${stamps ? `${new Date(l.at).toISOString().replace('Z', '000000Z')} ` : ''}${l.text}\n`).join('');
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: text };
  }
}

function ok(body: Json): FakeResponse {
  return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

function methodNotAllowed(method: string): ApiError {
  return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

function parseBody(req: FakeRequest): Json {
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw status(400, 'BadRequest', 'the object provided is unrecognized (must be of type JSON)');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw status(400, 'BadRequest', 'the object provided is unrecognized');
  return body as Json;
}
