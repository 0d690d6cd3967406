/**
 * DigitalOcean driver in async mode against msw: request shapes, parsing, paging, rate limits, errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { recordingRouter, type Reply } from '../helpers/msw-routes.js';
import {
  ASYNC_MODE,
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NodeNotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  TimeoutError,
} from '@dualcloud/core';
import {
  DigitalOceanNodeDriver,
  getDriver,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  Provider,
  type DigitalOceanNodeDriverOptions,
  type Node,
} from '@dualcloud/drivers/compute';
import { fixture, fixtureJson, promised } from './helpers/fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const API = 'https://api.digitalocean.com';

/** Routes `METHOD /path` to replies (anything else is a 404); records every request. */
const api = recordingRouter(server, API, () => MswResponse.json(fixtureJson('digitalocean/error_not_found.json'), { status: 404 }));

const json = (name: string, status = 200, headers: Record<string, string> = {}): Reply => () =>
  new MswResponse(fixture(`digitalocean/${name}`), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

function driver(options: Partial<DigitalOceanNodeDriverOptions> = {}): DigitalOceanNodeDriver {
  const Driver = getDriver(Provider.DIGITAL_OCEAN);
  return new Driver({ key: TOKEN, transport: { adapter: 'http' }, retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...options, [ASYNC_MODE]: true } as DigitalOceanNodeDriverOptions);
}

describe('DigitalOcean lists', () => {
  test('listNodes parses droplets: Libcloud states, last public/private IPv4, image and size', async () => {
    const seen = api({ 'GET /v2/droplets': json('list_droplets.json') });
    const nodes = await promised(driver().listNodes());
    expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
      ['3164444', 'example.com', NodeState.RUNNING, ['203.0.113.50'], ['10.128.192.124']],
      ['3164450', 'worker-1', NodeState.PENDING, [], []],
      ['3164494', 'archive-me', NodeState.STOPPED, ['198.51.100.15'], ['10.128.0.9']],
      ['3164499', 'gone', NodeState.TERMINATED, [], []],
    ]);
    const first = nodes[0]!;
    expect(first.image).toBeInstanceOf(NodeImage);
    expect(first.image).toMatchObject({ id: '129211873', name: '22.04 (LTS) x64', extra: { slug: 'ubuntu-22-04-x64' } });
    expect(first.size).toBeInstanceOf(NodeSize);
    expect(first.size).toMatchObject({ id: 's-1vcpu-1gb', ram: 1024, disk: 25, price: 0.00893 });
    expect(first.createdAt?.toISOString()).toBe('2026-11-20T16:29:21.000Z');
    expect(first.extra).toMatchObject({ region: 'New York 3', size_slug: 's-1vcpu-1gb', tags: ['web', 'env:prod'], status: 'active' });
    expect(seen.map((s) => [s.method, s.url.pathname, s.url.searchParams.get('page'), s.url.searchParams.get('per_page')])).toEqual([['GET', '/v2/droplets', '1', '200']]);
    expect(seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('an empty account lists no droplets', async () => {
    api({ 'GET /v2/droplets': json('list_droplets_empty.json') });
    await expect(promised(driver().listNodes())).resolves.toEqual([]);
  });

  test('follows links.pages.next by its page number only, never its host', async () => {
    const seen = api({ 'GET /v2/droplets': (s) => json(`list_droplets_page${s.url.searchParams.get('page')}.json`)(s, 1) });
    const nodes = await promised(driver().listNodes());
    expect(nodes.map((n) => n.name)).toEqual(['paged-1', 'paged-2', 'paged-3']);
    // Page 2's next link points at another host: the driver still asks api.digitalocean.com for page 3.
    expect(seen.map((s) => `${s.url.host} ${s.url.searchParams.get('page')}`)).toEqual(['api.digitalocean.com 1', 'api.digitalocean.com 2', 'api.digitalocean.com 3']);
  });

  test('a next link without a page number is a MalformedResponseError', async () => {
    const doc = fixtureJson('digitalocean/list_droplets_page1.json');
    doc.links.pages.next = 'https://api.digitalocean.com/v2/droplets?cursor=abc';
    api({ 'GET /v2/droplets': () => MswResponse.json(doc) });
    await expect(promised(driver().listNodes())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('listImages, listSizes and listLocations (available regions only)', async () => {
    api({ 'GET /v2/images': json('list_images.json'), 'GET /v2/sizes': json('list_sizes.json'), 'GET /v2/regions': json('list_regions.json') });
    const d = driver();
    const [images, sizes, locations] = await Promise.all([promised(d.listImages()), promised(d.listSizes()), promised(d.listLocations())]);
    expect(images.map((i) => [i.id, i.name, i.extra.slug])).toEqual([
      ['129211873', '22.04 (LTS) x64', 'ubuntu-22-04-x64'],
      ['7555620', 'nginx-snapshot', null],
    ]);
    expect(sizes.map((s) => [s.id, s.name, s.ram, s.disk, s.bandwidth, s.price, s.extra.vcpus])).toEqual([
      ['s-1vcpu-1gb', 's-1vcpu-1gb', 1024, 25, 1, 0.00893, 1],
      ['s-2vcpu-2gb', 's-2vcpu-2gb', 2048, 60, 3, 0.02679, 2],
    ]);
    expect(locations.map((l) => [l.id, l.name, l.country])).toEqual([
      ['nyc3', 'New York 3', ''],
      ['ams3', 'Amsterdam 3', ''],
    ]);
  });
});

describe('DigitalOcean lifecycle', () => {
  const catalog = (d: DigitalOceanNodeDriver) => ({
    size: new NodeSize('s-1vcpu-1gb', 's-1vcpu-1gb', 1024, 25, 1, 0.00893, d),
    image: new NodeImage('129211873', '22.04 (LTS) x64', d),
    location: new NodeLocation('nyc3', 'New York 3', '', d),
  });

  test('createNode POSTs the droplet as JSON and parses the 202 reply', async () => {
    const seen = api({ 'POST /v2/droplets': json('create_droplet.json', 202) });
    const d = driver();
    const node = await promised(d.createNode({ name: 'web-2', ...catalog(d), ex: { tags: ['web'], ipv6: true, sshKeys: [512190] } }));
    expect([node.id, node.name, node.state]).toEqual(['3164600', 'web-2', NodeState.PENDING]);
    expect(seen[0]!.contentType).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ name: 'web-2', size: 's-1vcpu-1gb', image: 129211873, region: 'nyc3', tags: ['web'], ipv6: true, ssh_keys: [512190] });
  });

  test('createNode is not retried (no idempotency token): a 503 surfaces after one request', async () => {
    const unavailable = () => MswResponse.json({ id: 'service_unavailable', message: 'Service Unavailable' }, { status: 503 });
    const seen = api({ 'POST /v2/droplets': unavailable });
    const d = driver();
    await expect(promised(d.createNode({ name: 'web-2', ...catalog(d) }))).rejects.toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(1);
  });

  test('createNode checks its arguments before sending', async () => {
    const d = driver();
    await expect(promised(d.createNode({ name: '', ...catalog(d) }))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('reboot, power on/off use actions (201) and destroy uses DELETE (204)', async () => {
    const seen = api({
      'GET /v2/droplets': json('list_droplets.json'),
      'POST /v2/droplets/3164444/actions': json('droplet_action.json', 201),
      'DELETE /v2/droplets/3164444': () => new MswResponse(null, { status: 204 }),
    });
    const d = driver();
    const [node] = await promised(d.listNodes());
    await expect(promised(d.rebootNode(node!))).resolves.toBe(true);
    await expect(promised(node!.stop())).resolves.toBe(true);
    await expect(promised(d.startNode(node!))).resolves.toBe(true);
    await expect(promised(d.destroyNode(node!))).resolves.toBe(true);
    expect(seen.slice(1).map((s) => [s.method, s.url.pathname, s.body && JSON.parse(s.body).type])).toEqual([
      ['POST', '/v2/droplets/3164444/actions', 'reboot'],
      ['POST', '/v2/droplets/3164444/actions', 'power_off'],
      ['POST', '/v2/droplets/3164444/actions', 'power_on'],
      ['DELETE', '/v2/droplets/3164444', ''],
    ]);
  });

  test('waitUntilRunning polls until the droplet is active with an IP, or times out naming it', async () => {
    const doc = fixtureJson('digitalocean/list_droplets.json');
    const booting = structuredClone(doc);
    booting.droplets[0].status = 'new';
    booting.droplets[0].networks.v4 = [];
    api({ 'GET /v2/droplets': (_s, n) => MswResponse.json(n < 3 ? booting : doc) });
    const d = driver();
    const [ready] = await promised(d.waitUntilRunning([{ id: '3164444' } as Node], { timeout: 5_000, pollInterval: 5 }));
    expect(ready!.ips).toEqual(['203.0.113.50', '10.128.192.124']);
    const error = await promised(d.waitUntilRunning([{ id: '3164450' } as Node], { timeout: 30, pollInterval: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/still not running: 3164450$/);
  });
});

describe('DigitalOcean errors and rate limits', () => {
  const node = { id: '3164444' } as Node;

  test('401 is InvalidCredentialsError, and the token never shows', async () => {
    api({ 'GET /v2/droplets': json('error_unauthorized.json', 401) });
    const error = await promised(driver().listNodes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', requestId: 'bfd2ee5b-4a42-4bbf-9c0b-000000000002' });
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(TOKEN);
  });

  test('404 on a droplet is NodeNotFoundError', async () => {
    api({ 'POST /v2/droplets/3164444/actions': json('error_not_found.json', 404) });
    await expect(promised(driver().rebootNode(node))).rejects.toMatchObject({ constructor: NodeNotFoundError, code: 'not_found', status: 404 });
    api({ 'DELETE /v2/droplets/3164444': json('error_not_found.json', 404) });
    await expect(promised(driver().destroyNode(node))).rejects.toBeInstanceOf(NodeNotFoundError);
  });

  test('a non-numeric droplet id is refused before sending', async () => {
    await expect(promised(driver().rebootNode({ id: '../account' } as Node))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('422 is a RequestError with DigitalOcean’s error id', async () => {
    api({ 'POST /v2/droplets': json('error_unprocessable.json', 422) });
    const d = driver();
    const { size, image } = { size: new NodeSize('nope', 'nope', 0, 0, 0, 0, d), image: new NodeImage('1', 'x', d) };
    await expect(promised(d.createNode({ name: 'x', size, image }))).rejects.toMatchObject({ constructor: RequestError, status: 422, code: 'unprocessable_entity' });
  });

  test('429 with DigitalOcean’s ratelimit-reset header gives RateLimitError.retryAfter', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 30);
    api({ 'GET /v2/sizes': json('error_too_many_requests.json', 429, { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': reset }) });
    const error = await promised(driver({ retry: { maxAttempts: 1 } }).listSizes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).code).toBe('too_many_requests');
    expect((error as RateLimitError).retryAfter).toBeGreaterThan(25);
    expect((error as RateLimitError).retryAfter).toBeLessThanOrEqual(30);
  });

  test('a 429 with Retry-After is retried for a GET, then succeeds', async () => {
    const seen = api({
      'GET /v2/sizes': (s, n) => (n === 1 ? json('error_too_many_requests.json', 429, { 'retry-after': '0' })(s, n) : json('list_sizes.json')(s, n)),
    });
    await expect(promised(driver().listSizes())).resolves.toHaveLength(2);
    expect(seen).toHaveLength(2);
  });
});

describe('DigitalOcean bad responses', () => {
  const bodies: Array<[string, () => Response, new (...args: never[]) => Error]> = [
    ['malformed JSON', () => new MswResponse('{"droplets": [{"id": 1,', { headers: { 'content-type': 'application/json' } }), MalformedResponseError],
    ['an HTML page with 200', () => new MswResponse('<html><body>maintenance</body></html>', { headers: { 'content-type': 'text/html' } }), MalformedResponseError],
    ['an empty 200 body', () => new MswResponse('', { status: 200 }), MalformedResponseError],
    ['a JSON array', () => MswResponse.json([1, 2]), MalformedResponseError],
    ['droplets that is not an array', () => MswResponse.json({ droplets: { id: 1 } }), MalformedResponseError],
    ['a droplet without an id', () => MswResponse.json({ droplets: [{ name: 'x', status: 'active' }], links: {} }), MalformedResponseError],
    ['an HTML 503 page', () => new MswResponse('<html>unavailable</html>', { status: 503, headers: { 'content-type': 'text/html' } }), ProviderError],
  ];
  test.each(bodies)('%s gives a typed error', async (_name, reply, ErrorClass) => {
    api({ 'GET /v2/droplets': reply });
    await expect(promised(driver({ retry: { maxAttempts: 1 } }).listNodes())).rejects.toBeInstanceOf(ErrorClass);
  });
});
