/**
 * The Docker driver's exchanges against msw (Design 3, Node's http adapter, which msw intercepts): request shapes
 * (paths, queries, the create body), empty and single lists, each mapped error, a pull stream ending in an error,
 * malformed and HTML bodies, and the logs framing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ContainerAlreadyExistsError,
  ContainerImageNotFoundError,
  ContainerNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  ProviderError,
  RequestError,
} from '@dualcloud/core';
import { getDriver as getAsyncMode } from '@dualcloud/async-mode/container';
import { ContainerState, Provider } from '@dualcloud/drivers/container';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const BASE = 'http://docker.test:2375/v1.41';
const ID = 'a'.repeat(64);

interface Seen {
  method: string;
  url: URL;
  body: string;
  authorization: string | null;
}

function api(routes: Record<string, (s: Seen) => Response>): Seen[] {
  const seen: Seen[] = [];
  server.use(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const s = { method: request.method, url, body: await request.text(), authorization: request.headers.get('authorization') };
      seen.push(s);
      const route = routes[`${request.method} ${decodeURIComponent(url.pathname).slice('/v1.41'.length)}`];
      return route ? route(s) : MswResponse.json({ message: 'page not found' }, { status: 404 });
    }),
  );
  return seen;
}

function driver(extra: Record<string, unknown> = {}) {
  return new (getAsyncMode(Provider.DOCKER))({ async: true, host: 'tcp://docker.test:2375', transport: { adapter: 'http' }, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, ...extra });
}

const summary = {
  Id: ID,
  Names: ['/my_tomcat_container'],
  Image: 'tomcat:8.0',
  ImageID: 'sha256:' + 'b'.repeat(64),
  Command: 'catalina.sh run',
  Created: 1700000000,
  Ports: [{ IP: '0.0.0.0', PrivatePort: 8080, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 8443, Type: 'tcp' }],
  State: 'running',
  Status: 'Up 3 seconds',
};
const inspect = { Id: ID, Name: '/my_tomcat_container', Image: 'sha256:' + 'b'.repeat(64), Created: '2023-11-14T22:13:20Z', State: { Status: 'running', Running: true } };
const err = (status: number, message: string) => () => MswResponse.json({ message }, { status });
const ndjson = (lines: object[]) => () => new MswResponse(lines.map((l) => JSON.stringify(l)).join('\r\n'), { headers: { 'content-type': 'application/json' } });

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('lists', () => {
  test('empty and single lists; all=1 by default, none with all: false', async () => {
    const seen = api({ 'GET /containers/json': (s) => MswResponse.json(s.url.searchParams.get('all') === '1' ? [summary] : []), 'GET /images/json': () => MswResponse.json([]) });
    const d = driver();
    expect(await d.listImages()).toEqual([]);
    const [c] = await d.listContainers();
    expect(c).toMatchObject({ id: ID, name: 'my_tomcat_container', state: ContainerState.RUNNING, ipAddresses: ['0.0.0.0'] });
    expect(c!.image).toMatchObject({ id: summary.ImageID, name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' });
    expect(c!.extra).toEqual({ id: ID, status: 'Up 3 seconds', created: 1700000000, image: 'tomcat:8.0', ports: summary.Ports, command: 'catalina.sh run' });
    expect(await d.listContainers({ all: false })).toEqual([]);
    expect(seen.map((s) => `${s.method} ${s.url.pathname}${s.url.search}`)).toEqual(['GET /v1.41/images/json', 'GET /v1.41/containers/json?all=1', 'GET /v1.41/containers/json']);
    expect(seen[0]!.authorization).toBeNull();
  });

  test('states as Libcloud reads the status text', async () => {
    const statuses = ['Up 2 hours', 'Exited (0) 5 minutes ago', 'Created', 'Up 1 second (Paused)', 'Restarting (1) 2 seconds ago'];
    api({ 'GET /containers/json': () => MswResponse.json(statuses.map((Status, i) => ({ ...summary, Id: `${i}${ID.slice(1)}`, Status }))) });
    expect((await driver().listContainers()).map((c) => c.state)).toEqual(['running', 'stopped', 'stopped', 'running', 'stopped']);
  });
});

describe('deploy', () => {
  test('the create body, then start, then inspect', async () => {
    const seen = api({
      'POST /containers/create': () => MswResponse.json({ Id: ID, Warnings: [] }, { status: 201 }),
      [`POST /containers/${ID}/start`]: () => new MswResponse(null, { status: 204 }),
      [`GET /containers/${ID}/json`]: () => MswResponse.json(inspect),
      'GET /images/tomcat:8.0/json': () => MswResponse.json({ Id: 'sha256:' + 'b'.repeat(64), RepoTags: ['tomcat:8.0'] }),
      'POST /images/create': ndjson([{ status: 'Pulling from library/tomcat', id: '8.0' }, { status: `Digest: sha256:${'c'.repeat(64)}` }, { status: 'Status: Downloaded newer image for tomcat:8.0' }]),
    });
    const d = driver();
    const image = await d.installImage('tomcat:8.0');
    expect(image).toMatchObject({ id: 'sha256:' + 'b'.repeat(64), name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0', extra: { digest: `sha256:${'c'.repeat(64)}` } });
    const c = await d.deployContainer('my_tomcat_container', image, {
      parameters: { command: `catalina.sh run -Dx='a b'`, environment: { A: 1 }, ports: ['8443'], portBindings: { 8080: 8080, '53/udp': '127.0.0.1:5353' } },
    });
    expect(c).toMatchObject({ id: ID, name: 'my_tomcat_container', state: ContainerState.RUNNING, ipAddresses: [] });
    expect(c.image.name).toBe(inspect.Image);
    const pull = seen[0]!;
    expect([...pull.url.searchParams]).toEqual([['fromImage', 'tomcat'], ['tag', '8.0']]);
    const create = seen.find((s) => s.url.pathname.endsWith('/containers/create'))!;
    expect(create.url.searchParams.get('name')).toBe('my_tomcat_container');
    expect(JSON.parse(create.body)).toEqual({
      Image: 'tomcat:8.0',
      Cmd: ['catalina.sh', 'run', '-Dx=a b'],
      Env: ['A=1'],
      ExposedPorts: { '8443/tcp': {}, '8080/tcp': {}, '53/udp': {} },
      Tty: false,
      OpenStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] } },
    });
    expect(seen.map((s) => `${s.method} ${s.url.pathname}`).slice(2)).toEqual(['POST /v1.41/containers/create', `POST /v1.41/containers/${ID}/start`, `GET /v1.41/containers/${ID}/json`]);
  });

  test('start: false does not start; 304 on start/stop is not an error', async () => {
    const seen = api({
      'POST /containers/create': () => MswResponse.json({ Id: ID }, { status: 201 }),
      [`GET /containers/${ID}/json`]: () => MswResponse.json({ ...inspect, State: { Status: 'created' } }),
      [`POST /containers/${ID}/stop`]: () => new MswResponse(null, { status: 304 }),
    });
    const d = driver();
    const image = (await d.listContainers({ all: true }).catch(() => undefined), undefined);
    void image;
    const c = await d.deployContainer('x1', new (await import('@dualcloud/drivers/container')).ContainerImage({ id: 'sha256:1', name: 'busybox', path: 'busybox:1.36', version: '1.36' }, d as never), { start: false });
    expect(c.state).toBe(ContainerState.STOPPED);
    expect((await c.stop()).state).toBe(ContainerState.STOPPED);
    expect(seen.some((s) => s.url.pathname.endsWith('/start'))).toBe(false);
  });

  test('bad parameters are refused before anything is sent', async () => {
    const seen = api({});
    const d = driver();
    const { ContainerImage } = await import('@dualcloud/drivers/container');
    const image = new ContainerImage({ id: 'sha256:1', name: 'busybox', path: 'busybox:1.36', version: '1.36' }, d as never);
    await expect(d.deployContainer('x', image, { parameters: { portBindings: { 99999: 1 } } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(d.deployContainer('x', image, { parameters: { environment: ['NOEQUALS'] } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(d.deployContainer('x', image, { parameters: { command: 'unclosed "quote' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(d.deployContainer('-x', image)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(d.getContainer('a/b')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });
});

describe('errors', () => {
  test.each([
    [404, 'No such container: abc', ContainerNotFoundError],
    [404, 'page not found', ContainerNotFoundError],
    [401, 'unauthorized', InvalidCredentialsError],
    [403, 'forbidden', InvalidCredentialsError],
    [409, 'conflict', RequestError],
    [500, 'An internal error occurred in the daemon', ProviderError],
  ] as const)('%i %s', async (status, message, kind) => {
    api({ 'GET /containers/abc/json': err(status, message) });
    const e = await driver().getContainer('abc').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(kind);
    if (message !== 'page not found') expect(String((e as Error).message)).toContain(message);
  });

  test('a name in use is ContainerAlreadyExistsError; a missing image is ContainerImageNotFoundError', async () => {
    const { ContainerImage } = await import('@dualcloud/drivers/container');
    api({ 'POST /containers/create': err(409, 'Conflict. The container name "/x" is already in use by container "abc".') });
    const d = driver();
    const image = new ContainerImage({ id: 'sha256:1', name: 'busybox', path: 'busybox:1.36', version: '1.36' }, d as never);
    await expect(d.deployContainer('x', image)).rejects.toBeInstanceOf(ContainerAlreadyExistsError);
    server.resetHandlers();
    api({ 'POST /containers/create': err(404, 'No such image: busybox:1.36') });
    await expect(d.deployContainer('x', image)).rejects.toBeInstanceOf(ContainerImageNotFoundError);
  });

  test('a 5xx is retried', async () => {
    let n = 0;
    api({ 'GET /images/json': () => (++n === 1 ? err(503, 'busy')() : MswResponse.json([{ Id: 'sha256:1', RepoTags: null, Created: 1, Size: 2, VirtualSize: 3 }])) });
    const [image] = await driver().listImages();
    expect(image).toMatchObject({ id: 'sha256:1', name: 'sha256:1', path: 'sha256:1', extra: { created: 1, size: 2, virtual_size: 3 } });
    expect(n).toBe(2);
  });

  test('a pull stream ending in an error is ContainerImageNotFoundError (or ProviderError)', async () => {
    api({ 'POST /images/create': ndjson([{ status: 'Pulling from library/tomcat', id: '0.1' }, { errorDetail: { message: 'manifest for tomcat:0.1 not found: manifest unknown' }, error: 'manifest for tomcat:0.1 not found: manifest unknown' }]) });
    await expect(driver().installImage('tomcat:0.1')).rejects.toBeInstanceOf(ContainerImageNotFoundError);
    server.resetHandlers();
    api({ 'POST /images/create': ndjson([{ error: 'write /var/lib/docker: no space left on device' }]) });
    await expect(driver().installImage('tomcat:0.1')).rejects.toBeInstanceOf(ProviderError);
  });

  test('malformed, truncated and HTML bodies are MalformedResponseError', async () => {
    const html = () => new MswResponse('<html><body>proxy</body></html>', { headers: { 'content-type': 'text/html' } });
    api({ 'GET /images/json': html, 'GET /containers/json': () => MswResponse.json({ not: 'a list' }), [`GET /containers/${ID}/json`]: () => MswResponse.json({ Id: ID, Name: '/x' }), 'POST /images/create': () => new MswResponse('{"status":"Pull', { headers: { 'content-type': 'application/json' } }) });
    const d = driver();
    await expect(d.listImages()).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(d.listContainers()).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(d.getContainer(ID)).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(d.installImage('busybox')).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

describe('logs', () => {
  test('multiplexed frames are demultiplexed per stream; raw text is split in lines', async () => {
    const body = Buffer.concat([frame(1, 'out one\nout tw'), frame(2, 'err one\n'), frame(1, 'o\n')]);
    const seen = api({
      [`GET /containers/${ID}/logs`]: (s) =>
        s.url.searchParams.get('tail') === '5'
          ? new MswResponse('raw one\r\nraw two\n', { headers: { 'content-type': 'application/vnd.docker.raw-stream' } })
          : new MswResponse(body, { headers: { 'content-type': 'application/vnd.docker.multiplexed-stream' } }),
      [`GET /containers/${ID}/json`]: () => MswResponse.json(inspect),
    });
    const d = driver();
    const c = await d.getContainer(ID);
    const lines: string[] = [];
    for await (const line of c.logs()) lines.push(line);
    expect(lines).toEqual(['out one', 'err one', 'out two']);
    const raw: string[] = [];
    for await (const line of c.logs({ tail: 5, since: new Date(1_700_000_000_000), timestamps: true, stderr: false })) raw.push(line);
    expect(raw).toEqual(['raw one', 'raw two']);
    expect(Object.fromEntries(seen[2]!.url.searchParams)).toEqual({ stdout: '1', stderr: '0', tail: '5', since: '1700000000', timestamps: '1' });
  });

  test('a multiplexed-stream body that is not framed is MalformedResponseError', async () => {
    api({ [`GET /containers/${ID}/logs`]: () => new MswResponse(Buffer.from([1, 0, 0, 0, 0, 0, 0, 9, 65]), { headers: { 'content-type': 'application/vnd.docker.multiplexed-stream' } }), [`GET /containers/${ID}/json`]: () => MswResponse.json(inspect) });
    const c = await driver().getContainer(ID);
    await expect((async () => { for await (const _ of c.logs()) void _; })()).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

test('key and secret are sent as HTTP Basic authentication', async () => {
  const seen = api({ 'GET /images/json': () => MswResponse.json([]) });
  await driver({ key: 'user', secret: 'pass' }).listImages();
  expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
});
