/**
 * The fake Kubernetes API over plain HTTP: namespaces, pods (Pending → Running after the boot delay, pod IPs,
 * container statuses), logs, `limit` / `continue` paging, `Status` errors, bearer tokens, routing beside
 * DigitalOcean, faults in the `Status` format, and the kubeconfig helper.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, FAKE_CREDENTIALS, K8S_SYSTEM_NAMESPACES, writeFakeKubeconfig, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { digitalocean, send, sleep, type TestResponse } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: 60 });
  port = await server.listen();
});
afterAll(() => server.close());

function kube(method: string, path: string, body?: unknown, token: string | null = FAKE_CREDENTIALS.kubernetes.token): Promise<TestResponse> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send(port, { method, path, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
}

const podBody = (name: string, image = 'tomcat:8.0', extra: Record<string, unknown> = {}): unknown => ({ metadata: { name }, spec: { containers: [{ name, image, ...extra }] } });

function expectStatus(res: TestResponse, code: number, reason: string, message?: RegExp): void {
  expect(res.status).toBe(code);
  expect(res.headers['content-type']).toBe('application/json');
  const body = res.json();
  expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code });
  if (message) expect(body.message).toMatch(message);
}

describe('Kubernetes API', () => {
  test('discovery: /version, /api, /apis', async () => {
    expect((await kube('GET', '/version')).json()).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect((await kube('GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await kube('GET', '/apis')).json()).toMatchObject({ kind: 'APIGroupList' });
  });

  test('bearer tokens: none or unknown is 401 Unauthorized as a Status', async () => {
    expectStatus(await kube('GET', '/api/v1/pods', undefined, null), 401, 'Unauthorized');
    expectStatus(await kube('GET', '/api/v1/pods', undefined, 'wrong-token'), 401, 'Unauthorized');
    expect((await kube('GET', '/api/v1/pods')).status).toBe(200);
  });

  test('namespaces: the system ones, create (201), get, duplicate (409 AlreadyExists), invalid (422), delete (Terminating, then 404)', async () => {
    server.reset();
    const list = (await kube('GET', '/api/v1/namespaces')).json();
    expect(list.kind).toBe('NamespaceList');
    expect(list.items.map((n: any) => n.metadata.name)).toEqual([...K8S_SYSTEM_NAMESPACES]);
    const created = await kube('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'Namespace', metadata: { name: 'demo' }, status: { phase: 'Active' } });
    expect((await kube('GET', '/api/v1/namespaces/demo')).json().metadata.name).toBe('demo');
    expectStatus(await kube('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } }), 409, 'AlreadyExists', /namespaces "demo" already exists/);
    expectStatus(await kube('POST', '/api/v1/namespaces', { metadata: { name: 'Bad_Name' } }), 422, 'Invalid');
    expectStatus(await kube('POST', '/api/v1/namespaces', '{not json'), 400, 'BadRequest');
    expectStatus(await kube('DELETE', '/api/v1/namespaces/default'), 403, 'Forbidden');
    const deleted = await kube('DELETE', '/api/v1/namespaces/demo');
    expect(deleted.json()).toMatchObject({ status: { phase: 'Terminating' }, metadata: { deletionTimestamp: expect.any(String) } });
    expectStatus(await kube('GET', '/api/v1/namespaces/demo'), 404, 'NotFound', /namespaces "demo" not found/);
  });

  test('pods: created Pending without statuses, Pending (waiting) until the boot delay, then Running with a pod IP and container statuses', async () => {
    server.reset();
    server.configure({ nodeBootMs: 600_000 });
    const created = await kube('POST', '/api/v1/namespaces/default/pods', podBody('my-tomcat', 'tomcat:8.0', { ports: [{ containerPort: 8080 }] }));
    server.configure({ nodeBootMs: 30 });
    expect(created.status).toBe(201);
    const pod = created.json();
    expect(pod).toMatchObject({ kind: 'Pod', metadata: { name: 'my-tomcat', namespace: 'default' }, status: { phase: 'Pending' } });
    expect(pod.status.containerStatuses).toBeUndefined();
    expect(pod.spec.containers).toEqual([{ ports: [{ containerPort: 8080 }], name: 'my-tomcat', image: 'tomcat:8.0' }]);
    await sleep(5);
    const pending = (await kube('GET', '/api/v1/namespaces/default/pods/my-tomcat')).json();
    expect(pending.status.phase).toBe('Pending');
    expect(pending.status.podIP).toBeUndefined();
    expect(pending.status.containerStatuses[0]).toMatchObject({ name: 'my-tomcat', state: { waiting: { reason: 'ContainerCreating' } }, ready: false });
    await kube('POST', '/api/v1/namespaces/default/pods', podBody('quick', 'tomcat:8.0'));
    let running: any;
    for (let i = 0; i < 100; i++) {
      running = (await kube('GET', '/api/v1/namespaces/default/pods/quick')).json();
      if (running.status.phase === 'Running') break;
      await sleep(10);
    }
    expect(running.status.phase).toBe('Running');
    expect(running.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(running.status.podIPs).toEqual([{ ip: running.status.podIP }]);
    expect(running.status.containerStatuses[0]).toMatchObject({
      name: 'quick',
      state: { running: { startedAt: expect.any(String) } },
      ready: true,
      image: 'tomcat:8.0',
      imageID: expect.stringMatching(/^docker\.io\/library\/tomcat@sha256:[0-9a-f]{64}$/),
      containerID: expect.stringMatching(/^containerd:\/\/[0-9a-f]{64}$/),
    });
    server.configure({ nodeBootMs: 60 });
  });

  test('pod errors: duplicate 409, missing namespace 404 (namespaces), missing pod 404 (pods), invalid 422', async () => {
    server.reset();
    expect((await kube('POST', '/api/v1/namespaces/default/pods', podBody('a'))).status).toBe(201);
    expectStatus(await kube('POST', '/api/v1/namespaces/default/pods', podBody('a')), 409, 'AlreadyExists', /pods "a" already exists/);
    expectStatus(await kube('POST', '/api/v1/namespaces/ghost/pods', podBody('a')), 404, 'NotFound', /namespaces "ghost" not found/);
    expectStatus(await kube('GET', '/api/v1/namespaces/ghost/pods'), 404, 'NotFound', /namespaces "ghost"/);
    expectStatus(await kube('GET', '/api/v1/namespaces/default/pods/ghost'), 404, 'NotFound', /pods "ghost" not found/);
    expectStatus(await kube('DELETE', '/api/v1/namespaces/default/pods/ghost'), 404, 'NotFound');
    expectStatus(await kube('POST', '/api/v1/namespaces/default/pods', podBody('Bad_Name')), 422, 'Invalid');
    expectStatus(await kube('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'x' }, spec: { containers: [] } }), 422, 'Invalid', /spec.containers/);
    expectStatus(await kube('POST', '/api/v1/namespaces/default/pods', podBody('y', '')), 422, 'Invalid', /image/);
    expectStatus(await kube('PUT', '/api/v1/namespaces/default/pods'), 405, 'MethodNotAllowed');
    expectStatus(await kube('GET', '/api/v1/nodes'), 404, 'NotFound');
  });

  test('deleting a pod answers it and removes it; deleting a namespace removes its pods', async () => {
    server.reset();
    await kube('POST', '/api/v1/namespaces', { metadata: { name: 'gone' } });
    await kube('POST', '/api/v1/namespaces/gone/pods', podBody('p1'));
    await kube('POST', '/api/v1/namespaces/gone/pods', podBody('p2'));
    const deleted = await kube('DELETE', '/api/v1/namespaces/gone/pods/p1');
    expect(deleted.json()).toMatchObject({ kind: 'Pod', metadata: { name: 'p1', deletionTimestamp: expect.any(String) } });
    expect((await kube('GET', '/api/v1/pods')).json().items.map((p: any) => p.metadata.name)).toEqual(['p2']);
    await kube('DELETE', '/api/v1/namespaces/gone');
    expect((await kube('GET', '/api/v1/pods')).json().items).toEqual([]);
  });

  test('lists page by limit / continue (an opaque token); a foreign or bad token is 400', async () => {
    server.reset();
    await kube('POST', '/api/v1/namespaces', { metadata: { name: 'paged' } });
    for (const name of ['e', 'a', 'd', 'b', 'c']) await kube('POST', '/api/v1/namespaces/paged/pods', podBody(name));
    await kube('POST', '/api/v1/namespaces/default/pods', podBody('z'));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const body = (await kube('GET', `/api/v1/pods${query}`)).json();
      expect(body.kind).toBe('PodList');
      expect(body.items.length).toBeLessThanOrEqual(2);
      names.push(...body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`));
      token = body.metadata.continue;
      if (token) expect(body.metadata.remainingItemCount).toBeGreaterThan(0);
      pages += 1;
    } while (token && pages < 10);
    expect(names).toEqual(['default/z', 'paged/a', 'paged/b', 'paged/c', 'paged/d', 'paged/e']);
    expect(pages).toBe(3);
    const inNamespace = (await kube('GET', '/api/v1/namespaces/paged/pods?limit=4')).json();
    expect(inNamespace.items).toHaveLength(4);
    expectStatus(await kube('GET', '/api/v1/pods?continue=not-a-token'), 400, 'BadRequest', /continue key is not valid/);
    expectStatus(await kube('GET', `/api/v1/namespaces?continue=${encodeURIComponent(inNamespace.metadata.continue)}`), 400, 'BadRequest');
    expectStatus(await kube('GET', '/api/v1/pods?limit=-1'), 400, 'BadRequest');
    const unpaged = (await kube('GET', '/api/v1/namespaces')).json();
    expect(unpaged.metadata.continue).toBeUndefined();
  });

  test('logs: plain text once running; tailLines, sinceTime, timestamps; waiting and unknown containers are 400', async () => {
    server.reset();
    server.configure({ nodeBootMs: 600_000 });
    await kube('POST', '/api/v1/namespaces/default/pods', podBody('slow', 'nginx:1.25'));
    server.configure({ nodeBootMs: 0 });
    expectStatus(await kube('GET', '/api/v1/namespaces/default/pods/slow/log?container=slow'), 400, 'BadRequest', /is waiting to start: ContainerCreating/);
    await kube('POST', '/api/v1/namespaces/default/pods', podBody('web', 'nginx:1.25'));
    server.configure({ nodeBootMs: 60 });
    const full = await kube('GET', '/api/v1/namespaces/default/pods/web/log?container=web');
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('text/plain');
    const lines = full.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('nginx:1.25');
    expect((await kube('GET', '/api/v1/namespaces/default/pods/web/log?container=web&tailLines=1')).text.trimEnd().split('\n')).toEqual([lines[2]]);
    expect((await kube('GET', '/api/v1/namespaces/default/pods/web/log')).text).toBe(full.text);
    const stamped = (await kube('GET', '/api/v1/namespaces/default/pods/web/log?container=web&timestamps=true')).text.trimEnd().split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z /);
    expect((await kube('GET', `/api/v1/namespaces/default/pods/web/log?container=web&sinceTime=${new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z')}`)).text).toBe('');
    expectStatus(await kube('GET', '/api/v1/namespaces/default/pods/web/log?container=other'), 400, 'BadRequest', /container other is not valid/);
    expectStatus(await kube('GET', '/api/v1/namespaces/default/pods/web/log?sinceTime=yesterday'), 400, 'BadRequest');
  });

  test('routing: Kubernetes paths with a Bearer token go to Kubernetes; DigitalOcean keeps /v2/', async () => {
    server.reset();
    const before = server.stats().byProvider;
    expect((await digitalocean(port, 'GET', '/v2/regions')).status).toBe(200);
    expect((await kube('GET', '/api/v1/namespaces')).status).toBe(200);
    // A DigitalOcean token on a Kubernetes path is a Kubernetes 401, not a DigitalOcean error.
    expectStatus(await kube('GET', '/api/v1/pods', undefined, FAKE_CREDENTIALS.digitalocean.token), 401, 'Unauthorized');
    const after = server.stats().byProvider;
    expect(after.digitalocean - before.digitalocean).toBe(1);
    expect(after.kubernetes - before.kubernetes).toBe(2);
    expect(server.endpoint('kubernetes')).toEqual({ host: '127.0.0.1', port, secure: false });
  });

  test('faults come as Status objects (429 with Retry-After)', async () => {
    server.configure({ faults: { sequence: ['429', '503', '500'], providers: ['kubernetes'] } });
    try {
      const limited = await kube('GET', '/api/v1/pods');
      expectStatus(limited, 429, 'TooManyRequests');
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expectStatus(await kube('GET', '/api/v1/pods'), 503, 'ServiceUnavailable');
      expectStatus(await kube('GET', '/api/v1/pods'), 500, 'InternalError');
      expect((await kube('GET', '/api/v1/pods')).status).toBe(200);
    } finally {
      server.configure({ faults: { rate: 0 } });
    }
  });

  test('writeFakeKubeconfig writes a current context with the server and the token (or a token file)', () => {
    const path = writeFakeKubeconfig(port, { namespace: 'team' });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`server: http://127.0.0.1:${port}`);
    expect(text).toContain(FAKE_CREDENTIALS.kubernetes.token);
    expect(text).toContain('current-context: "fake-cloud"');
    expect(text).toContain('namespace: "team"');
    const withFile = readFileSync(writeFakeKubeconfig(port, { tokenFile: true }), 'utf8');
    expect(withFile).toContain('tokenFile:');
    expect(withFile).not.toContain(FAKE_CREDENTIALS.kubernetes.token);
    expect(() => writeFakeKubeconfig(0)).toThrow(TypeError);
  });
});
