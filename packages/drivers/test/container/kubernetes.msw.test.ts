/**
 * Kubernetes container driver in async mode against msw: request shapes per call, parsing of the API's
 * documented responses, `limit` / `continue` paging, each mapped `Status` error, malformed bodies.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { recordingRouter, type Reply } from '../helpers/msw-routes.js';
import {
  ASYNC_MODE,
  ClusterNotFoundError,
  ContainerAlreadyExistsError,
  ContainerNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NotImplementedError,
  ProviderError,
  RateLimitError,
  RequestError,
} from '@dualcloud/core';
import {
  Container,
  ContainerCluster,
  ContainerImage,
  ContainerState,
  getDriver,
  KubernetesContainerDriver,
  Provider,
  type KubernetesContainerDriverOptions,
} from '@dualcloud/drivers/container';

const ROOT = new URL('../fixtures/container/kubernetes/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, ROOT), 'utf8');

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TOKEN = 'k8s-test-token-0123456789abcdef';
const API = 'https://k8s.example.test:6443';

/** Routes `METHOD /path` to replies (anything else is a 404); records every request. */
const api = recordingRouter(server, API, (request, n) => json('status_pod_not_found.json', 404)(request, n));

const json =
  (name: string, status = 200, headers: Record<string, string> = {}): Reply =>
  () =>
    new MswResponse(fixture(name), { status, headers: { 'content-type': 'application/json', ...headers } });
const raw =
  (body: string, status = 200, type = 'application/json'): Reply =>
  () =>
    new MswResponse(body, { status, headers: { 'content-type': type } });

function driver(options: Partial<KubernetesContainerDriverOptions> = {}): KubernetesContainerDriver {
  const Driver = getDriver(Provider.KUBERNETES);
  return new Driver({ token: TOKEN, server: API, transport: { adapter: 'http' }, retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...options, [ASYNC_MODE]: true } as KubernetesContainerDriverOptions);
}

/** An async-mode method's Promise, typed as its sync result. */
function p<T>(value: T): Promise<T> {
  if (!(value instanceof Promise)) throw new Error('expected a Promise from an async-mode driver');
  return value as unknown as Promise<T>;
}

async function lines(iterable: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of iterable as unknown as AsyncIterable<string>) out.push(line);
  return out;
}

const tomcat = (d: KubernetesContainerDriver): ContainerImage => new ContainerImage({ id: 'tomcat:8.0', name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' }, d);
const demo = (d: KubernetesContainerDriver): ContainerCluster => new ContainerCluster({ id: 'demo', name: 'demo' }, d);

describe('Kubernetes driver: registry and options', () => {
  test('getDriver(Provider.KUBERNETES) is the driver; supportsClusters', () => {
    expect(getDriver(Provider.KUBERNETES)).toBe(KubernetesContainerDriver);
    const d = driver();
    expect(d.supportsClusters).toBe(true);
    expect(d.name).toBe('Kubernetes');
    expect(d.namespace).toBe('default');
  });

  test('bad options are InvalidArgumentErrors', () => {
    expect(() => driver({ pageSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => driver({ host: 'https://k8s.example.test' })).toThrow(/give a URL as server/);
    expect(() => driver({ server: 'ftp://x' })).toThrow(InvalidArgumentError);
    expect(() => driver({ namespace: 'Not_A_Label' })).toThrow(InvalidArgumentError);
    expect(() => driver({ clientCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' })).toThrow(/clientCert and clientKey go together/);
    expect(() => driver({ insecure: 'yes' as never })).toThrow(InvalidArgumentError);
  });
});

describe('listContainers', () => {
  test('GET /api/v1/pods?limit=500 with the bearer token; every container of every pod (Libcloud _to_pod / _to_container)', async () => {
    const seen = api({ 'GET /api/v1/pods': json('list_pods.json') });
    const containers = await p(driver().listContainers());
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url.search).toBe('?limit=500');
    expect(seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.accept).toBe('application/json');
    expect(containers.map((c) => [c.name, c.extra.pod, c.extra.namespace])).toEqual([
      ['my-tomcat', 'my-tomcat', 'default'],
      ['nginx', 'web', 'demo'],
      ['sidecar', 'web', 'demo'],
      ['coredns', 'coredns-5d78c9869d-abcde', 'kube-system'],
    ]);
    const pods = JSON.parse(fixture('list_pods.json')).items;
    const first = containers[0]!;
    expect(first).toBeInstanceOf(Container);
    expect(first.id).toBe('default/my-tomcat/my-tomcat');
    expect(first.extra.containerId).toBe(pods[0].status.containerStatuses[0].containerID);
    expect(first.image.id).toBe(pods[0].status.containerStatuses[0].imageID);
    expect(first.image.name).toBe('tomcat:8.0');
    expect(first.image.version).toBe('8.0');
    expect(first.state).toBe(ContainerState.RUNNING);
    expect(first.ipAddresses).toEqual(['10.244.1.5']);
    expect(first.extra).toMatchObject({ phase: 'Running', nodeName: 'node-1', restartCount: 0, ready: true });
    expect(containers[1]!.ipAddresses).toEqual(['10.244.2.7']);
  });

  test('an empty list, and "items": null, are empty', async () => {
    api({ 'GET /api/v1/pods': json('list_pods_empty.json') });
    expect(await p(driver().listContainers())).toEqual([]);
    server.resetHandlers();
    api({ 'GET /api/v1/pods': raw('{"kind":"PodList","metadata":{},"items":null}') });
    expect(await p(driver().listContainers())).toEqual([]);
  });

  test('pages follow metadata.continue with the same limit', async () => {
    const seen = api({ 'GET /api/v1/pods': (r, n) => json(r.url.searchParams.has('continue') ? 'list_pods_page2.json' : 'list_pods_page1.json')(r, n) });
    const containers = await p(driver({ pageSize: 2 }).listContainers());
    expect(seen.map((s) => Object.fromEntries(s.url.searchParams))).toEqual([
      { limit: '2' },
      { limit: '2', continue: JSON.parse(fixture('list_pods_page1.json')).metadata.continue },
    ]);
    expect(containers.map((c) => c.name)).toEqual(['my-tomcat', 'nginx', 'sidecar', 'coredns']);
  });

  test('a repeated continue token is a MalformedResponseError, not an endless loop', async () => {
    api({ 'GET /api/v1/pods': json('list_pods_page1.json') });
    await expect(p(driver().listContainers())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('{ cluster } lists that namespace; a missing namespace is ClusterNotFoundError', async () => {
    const seen = api({ 'GET /api/v1/namespaces/demo/pods': json('list_pods.json') });
    const d = driver();
    await p(d.listContainers({ cluster: demo(d) }));
    expect(seen[0]!.url.pathname).toBe('/api/v1/namespaces/demo/pods');
    server.resetHandlers();
    api({ 'GET /api/v1/namespaces/demo/pods': json('status_namespace_not_found.json', 404) });
    await expect(p(d.listContainers({ cluster: demo(d) }))).rejects.toBeInstanceOf(ClusterNotFoundError);
  });

  test('{ image } and { all: false } filter', async () => {
    api({ 'GET /api/v1/pods': json('list_pods.json') });
    const d = driver();
    const nginx = new ContainerImage({ id: '', name: 'nginx:1.25', path: 'nginx:1.25', version: '1.25' }, d);
    expect((await p(d.listContainers({ image: nginx }))).map((c) => c.name)).toEqual(['nginx']);
    expect(await p(d.listContainers({ all: false }))).toHaveLength(4);
    await expect(p(d.listContainers({ cluster: 'demo' as never }))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('container states follow the container status (waiting → pending, terminated → terminated)', async () => {
    const doc = JSON.parse(fixture('list_pods.json'));
    doc.items[0].status.containerStatuses[0].state = { waiting: { reason: 'ImagePullBackOff' } };
    doc.items[1].status.containerStatuses[0].state = { terminated: { exitCode: 0 } };
    delete doc.items[2].status.containerStatuses;
    doc.items[2].status.phase = 'Pending';
    api({ 'GET /api/v1/pods': raw(JSON.stringify(doc)) });
    const d = driver();
    const all = await p(d.listContainers());
    expect(all.map((c) => c.state)).toEqual([ContainerState.PENDING, ContainerState.TERMINATED, ContainerState.RUNNING, ContainerState.PENDING]);
    expect(all[3]!.id).toBe('kube-system/coredns-5d78c9869d-abcde/coredns');
    expect((await p(d.listContainers({ all: false }))).map((c) => c.name)).toEqual(['sidecar']);
  });
});

describe('getContainer', () => {
  test('by containerID (Libcloud ids, extra.containerId): lists every pod, as Libcloud does; a missing id is ContainerNotFoundError', async () => {
    const seen = api({ 'GET /api/v1/pods': json('list_pods.json') });
    const d = driver();
    const id = JSON.parse(fixture('list_pods.json')).items[1].status.containerStatuses[1].containerID;
    const found = await p(d.getContainer(id));
    expect([found.id, found.name, found.extra.pod, found.extra.containerId]).toEqual(['demo/web/sidecar', 'sidecar', 'web', id]);
    expect(seen[0]!.url.pathname).toBe('/api/v1/pods');
    await expect(p(d.getContainer('containerd://missing'))).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  test('by <namespace>/<pod>/<container>: GET the pod; a missing pod or container is ContainerNotFoundError', async () => {
    const seen = api({ 'GET /api/v1/namespaces/default/pods/my-tomcat': json('get_pod.json'), 'GET /api/v1/namespaces/default/pods/ghost': json('status_pod_not_found.json', 404) });
    const d = driver();
    expect((await p(d.getContainer('default/my-tomcat/my-tomcat'))).name).toBe('my-tomcat');
    expect(seen[0]!.method).toBe('GET');
    await expect(p(d.getContainer('default/ghost/ghost'))).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(p(d.getContainer('default/my-tomcat/other'))).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(p(d.getContainer('BAD/x/y'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('deployContainer', () => {
  test("POST /api/v1/namespaces/{ns}/pods with Libcloud's single-container pod; answers the pending container", async () => {
    const seen = api({ 'POST /api/v1/namespaces/default/pods': json('create_pod.json', 201) });
    const d = driver();
    const container = await p(d.deployContainer('my-tomcat', tomcat(d)));
    expect(seen[0]!.contentType).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ metadata: { name: 'my-tomcat' }, spec: { containers: [{ name: 'my-tomcat', image: 'tomcat:8.0' }] } });
    expect(container.id).toBe('default/my-tomcat/my-tomcat');
    expect(container.state).toBe(ContainerState.PENDING);
    expect(container.ipAddresses).toEqual([]);
    expect(container.extra).toMatchObject({ pod: 'my-tomcat', namespace: 'default', phase: 'Pending' });
  });

  test('into the cluster namespace, with parameters added to the container', async () => {
    const seen = api({ 'POST /api/v1/namespaces/demo/pods': json('create_pod.json', 201) });
    const d = driver();
    await p(d.deployContainer('my-tomcat', tomcat(d), { cluster: demo(d), parameters: { ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: '1' }] } }));
    expect(JSON.parse(seen[0]!.body).spec.containers).toEqual([{ ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: '1' }], name: 'my-tomcat', image: 'tomcat:8.0' }]);
  });

  test('409 AlreadyExists → ContainerAlreadyExistsError; a missing namespace → ClusterNotFoundError; 422 Invalid → InvalidArgumentError', async () => {
    const d = driver();
    api({ 'POST /api/v1/namespaces/default/pods': json('status_pod_exists.json', 409) });
    await expect(p(d.deployContainer('my-tomcat', tomcat(d)))).rejects.toBeInstanceOf(ContainerAlreadyExistsError);
    server.resetHandlers();
    api({ 'POST /api/v1/namespaces/demo/pods': json('status_namespace_not_found.json', 404) });
    await expect(p(d.deployContainer('my-tomcat', tomcat(d), { cluster: demo(d) }))).rejects.toBeInstanceOf(ClusterNotFoundError);
    server.resetHandlers();
    api({ 'POST /api/v1/namespaces/default/pods': json('status_invalid.json', 422) });
    await expect(p(d.deployContainer('my-tomcat', tomcat(d)))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('a POST is not retried on a 500 (it may have created the pod)', async () => {
    const seen = api({ 'POST /api/v1/namespaces/default/pods': json('status_internal_error.json', 500) });
    const d = driver();
    await expect(p(d.deployContainer('my-tomcat', tomcat(d)))).rejects.toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(1);
  });

  test('bad arguments are refused before anything is sent', async () => {
    const seen = api({});
    const d = driver();
    await expect(p(d.deployContainer('My_Tomcat', tomcat(d)))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p(d.deployContainer('my-tomcat', 'tomcat:8.0' as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p(d.deployContainer('my-tomcat', tomcat(d), { parameters: [] as never }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p(d.deployContainer('my-tomcat', tomcat(d), { cluster: new ContainerCluster({ id: 'Bad Id', name: 'x' }, d) }))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });
});

describe('destroyContainer and logs', () => {
  async function listed(d: KubernetesContainerDriver): Promise<Container[]> {
    return p(d.listContainers());
  }

  test('DELETE the pod (Libcloud ex_destroy_pod); a missing pod is ContainerNotFoundError', async () => {
    const seen = api({ 'GET /api/v1/pods': json('list_pods.json'), 'DELETE /api/v1/namespaces/default/pods/my-tomcat': json('delete_pod.json') });
    const d = driver();
    const [first] = await listed(d);
    expect(await p(d.destroyContainer(first!))).toBe(true);
    expect(seen[1]!.method).toBe('DELETE');
    server.resetHandlers();
    api({ 'DELETE /api/v1/namespaces/default/pods/my-tomcat': json('status_pod_not_found.json', 404) });
    await expect(p(d.destroyContainer(first!))).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  test('containerLogs: GET …/log?container=&tailLines=&sinceTime=&timestamps=, as lines', async () => {
    const seen = api({ 'GET /api/v1/pods': json('list_pods.json'), 'GET /api/v1/namespaces/demo/pods/web/log': raw(fixture('pod_log.txt'), 200, 'text/plain') });
    const d = driver();
    const sidecar = (await listed(d))[2]!;
    const got = await lines(d.containerLogs(sidecar, { tail: 3, since: new Date('2024-05-01T10:00:00.500Z'), timestamps: true }));
    expect(got).toEqual(fixture('pod_log.txt').trimEnd().split('\n'));
    expect(Object.fromEntries(seen[1]!.url.searchParams)).toEqual({ container: 'sidecar', tailLines: '3', sinceTime: '2024-05-01T10:00:00Z', timestamps: 'true' });
    expect(await lines(d.containerLogs(sidecar))).toHaveLength(3);
    expect(Object.fromEntries(seen[2]!.url.searchParams)).toEqual({ container: 'sidecar' });
  });

  test('containerLogs: an empty log is no lines; a waiting container (400) is a RequestError; bad options refused', async () => {
    api({ 'GET /api/v1/pods': json('list_pods.json'), 'GET /api/v1/namespaces/default/pods/my-tomcat/log': raw('', 200, 'text/plain') });
    const d = driver();
    const [first] = await listed(d);
    expect(await lines(d.containerLogs(first!))).toEqual([]);
    server.resetHandlers();
    api({
      'GET /api/v1/namespaces/default/pods/my-tomcat/log': raw(
        JSON.stringify({ kind: 'Status', status: 'Failure', message: 'container "my-tomcat" in pod "my-tomcat" is waiting to start: ContainerCreating', reason: 'BadRequest', code: 400 }),
        400,
      ),
    });
    await expect(lines(d.containerLogs(first!))).rejects.toBeInstanceOf(RequestError);
    expect(() => d.containerLogs(first!, { tail: -1 })).toThrow(InvalidArgumentError);
    expect(() => d.containerLogs(first!, { stdout: false, stderr: false })).toThrow(InvalidArgumentError);
  });
});

describe('clusters (namespaces)', () => {
  test('listClusters: GET /api/v1/namespaces; id = name = metadata.name, extra.phase (Libcloud _to_cluster)', async () => {
    const seen = api({ 'GET /api/v1/namespaces': json('list_namespaces.json') });
    const clusters = await p(driver().listClusters());
    expect(seen[0]!.url.search).toBe('?limit=500');
    expect(clusters.map((c) => [c.id, c.name, c.extra])).toEqual([
      ['default', 'default', { phase: 'Active' }],
      ['demo', 'demo', { phase: 'Active' }],
      ['kube-system', 'kube-system', { phase: 'Active' }],
      ['old', 'old', { phase: 'Terminating' }],
    ]);
  });

  test('getCluster, createCluster (Libcloud body), destroyCluster', async () => {
    const seen = api({
      'GET /api/v1/namespaces/demo': json('get_namespace.json'),
      'POST /api/v1/namespaces': json('create_namespace.json', 201),
      'DELETE /api/v1/namespaces/demo': json('delete_namespace.json'),
    });
    const d = driver();
    expect((await p(d.getCluster('demo'))).id).toBe('demo');
    const created = await p(d.createCluster('created'));
    expect([created.id, created.extra.phase]).toEqual(['created', 'Active']);
    expect(JSON.parse(seen[1]!.body)).toEqual({ metadata: { name: 'created' } });
    expect(await p(d.destroyCluster(demo(d)))).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.url.pathname}`)).toEqual(['GET /api/v1/namespaces/demo', 'POST /api/v1/namespaces', 'DELETE /api/v1/namespaces/demo']);
  });

  test('a missing namespace is ClusterNotFoundError; an existing one on create is a 409 RequestError (AlreadyExists)', async () => {
    api({
      'GET /api/v1/namespaces/ghost': json('status_namespace_not_found.json', 404),
      'DELETE /api/v1/namespaces/ghost': json('status_namespace_not_found.json', 404),
      'POST /api/v1/namespaces': json('status_namespace_exists.json', 409),
    });
    const d = driver();
    await expect(p(d.getCluster('ghost'))).rejects.toBeInstanceOf(ClusterNotFoundError);
    await expect(p(d.destroyCluster(new ContainerCluster({ id: 'ghost', name: 'ghost' }, d)))).rejects.toBeInstanceOf(ClusterNotFoundError);
    const error = await p(d.createCluster('demo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ status: 409, code: 'AlreadyExists' });
    await expect(p(d.createCluster('Not Valid'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('listImages', () => {
  test('the images the pods use, once each', async () => {
    api({ 'GET /api/v1/pods': json('list_pods.json') });
    const images = await p(driver().listImages());
    expect(images.map((i) => i.name)).toEqual(['tomcat:8.0', 'nginx:1.25', 'busybox:1.36', 'registry.k8s.io/coredns/coredns:v1.10.1']);
    expect(images[0]!.id).toMatch(/^docker\.io\/library\/tomcat@sha256:/);
  });
});

describe('errors', () => {
  test('401 Unauthorized → InvalidCredentialsError; 403 Forbidden (RBAC) → RequestError with the reason', async () => {
    api({ 'GET /api/v1/pods': json('status_unauthorized.json', 401), 'GET /api/v1/namespaces': json('status_forbidden.json', 403) });
    const d = driver();
    await expect(p(d.listContainers())).rejects.toBeInstanceOf(InvalidCredentialsError);
    const forbidden = await p(d.listClusters()).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(RequestError);
    expect(forbidden).toMatchObject({ status: 403, code: 'Forbidden' });
    expect(String((forbidden as Error).message)).toContain('cannot list resource');
  });

  test('429 TooManyRequests is retried after Retry-After; when it persists it is a RateLimitError', async () => {
    const seen = api({ 'GET /api/v1/pods': (r, n) => (n === 1 ? json('status_too_many_requests.json', 429, { 'retry-after': '0' }) : json('list_pods.json'))(r, n) });
    expect(await p(driver().listContainers())).toHaveLength(4);
    expect(seen).toHaveLength(2);
    server.resetHandlers();
    api({ 'GET /api/v1/pods': json('status_too_many_requests.json', 429, { 'retry-after': '0' }) });
    await expect(p(driver({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }).listContainers())).rejects.toBeInstanceOf(RateLimitError);
  });

  test('5xx is retried (GET), then a ProviderError', async () => {
    const seen = api({ 'GET /api/v1/namespaces': json('status_internal_error.json', 500) });
    await expect(p(driver({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).listClusters())).rejects.toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(3);
  });

  test.each([
    ['an HTML page', raw('<html><body>502 Bad Gateway</body></html>', 200, 'text/html')],
    ['truncated JSON', raw('{"kind":"PodList","items":[{"metadata":')],
    ['a JSON array', raw('[]')],
    ['items not an array', raw('{"kind":"PodList","items":{}}')],
    ['a pod without metadata', raw('{"kind":"PodList","items":[{"spec":{"containers":[]}}]}')],
    ['a pod without spec.containers', raw('{"kind":"PodList","items":[{"metadata":{"name":"a","namespace":"b"},"status":{}}]}')],
    ['a container without a name', raw('{"kind":"PodList","items":[{"metadata":{"name":"a","namespace":"b"},"spec":{"containers":[{"image":"x"}]}}]}')],
    ['a non-string continue', raw('{"kind":"PodList","metadata":{"continue":5},"items":[]}')],
  ])('%s is a MalformedResponseError', async (_what, reply) => {
    api({ 'GET /api/v1/pods': reply });
    await expect(p(driver().listContainers())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('an HTML error page keeps its status mapping (401 → InvalidCredentialsError)', async () => {
    api({ 'GET /api/v1/namespaces/demo': raw('<html>Unauthorized</html>', 401, 'text/html') });
    await expect(p(driver().getCluster('demo'))).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('Kubernetes has no stop / start / restart, install or locations: NotImplementedError, nothing sent', async () => {
    const seen = api({});
    const d = driver();
    const c = new Container({ id: 'x', name: 'x', image: tomcat(d), state: ContainerState.RUNNING, ipAddresses: [], extra: { pod: 'x', namespace: 'default' } }, d);
    await expect(p(d.stopContainer(c))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(p(d.startContainer(c))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(p(d.restartContainer(c))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(p(d.installImage('tomcat:8.0'))).rejects.toBeInstanceOf(NotImplementedError);
    await expect(p(d.listLocations())).rejects.toBeInstanceOf(NotImplementedError);
    expect(seen).toEqual([]);
  });
});

describe('authentication', () => {
  test('key + secret is basic auth (Libcloud KubernetesBasicAuthConnection); key alone is a bearer token', async () => {
    const seen = api({ 'GET /api/v1/namespaces': json('list_namespaces.json') });
    await p(driver({ token: undefined, key: 'admin', secret: 'pa55' }).listClusters());
    await p(driver({ token: undefined, key: 'tok-1' }).listClusters());
    expect(seen.map((s) => s.authorization)).toEqual([`Basic ${Buffer.from('admin:pa55').toString('base64')}`, 'Bearer tok-1']);
  });

  test('a server with a path prefix keeps it', async () => {
    const seen: string[] = [];
    server.use(http.get('https://rancher.example.test/k8s/clusters/c-1/api/v1/namespaces', ({ request }) => (seen.push(new URL(request.url).pathname), new MswResponse(fixture('list_namespaces.json')))));
    await p(driver({ server: 'https://rancher.example.test/k8s/clusters/c-1/' }).listClusters());
    expect(seen).toEqual(['/k8s/clusters/c-1/api/v1/namespaces']);
  });
});
