/**
 * The OpenStack and Rackspace drivers in async mode against msw: identity and catalog, request shapes
 * (microversion headers, paging by marker, bodies), parsing, every mapped error, bad responses, bad input.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  InvalidArgumentError,
  InvalidCredentialsError,
  MalformedResponseError,
  NodeNotFoundError,
  NotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  TimeoutError,
} from '@dualcloud/core';
import { getDriver, NodeImage, NodeLocation, NodeSize, NodeState, OpenStackNodeDriver, Provider, RackspaceNodeDriver, type Node } from '@dualcloud/drivers/compute';
import { fixture, fixtureJson, promised } from './helpers/fixtures.js';
import {
  API_KEY,
  empty,
  GLANCE,
  json,
  KEYSTONE,
  NOVA,
  openstackCloud,
  openstackDriver,
  PASSWORD,
  RACKSPACE_IDENTITY,
  RACKSPACE_ORD,
  rackspaceDriver,
  serviceRequests,
  TOKEN,
  type Reply,
  type SeenRequest,
} from './helpers/openstack-msw.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const cloud = (routes: Record<string, Reply>): SeenRequest[] => openstackCloud(server, routes);
const WEB = 'f5dc173b-6804-445a-a6d8-c705dad5b5eb';
const node = (id = WEB): Node => ({ id }) as Node;
const catalog = (d: OpenStackNodeDriver) => ({
  size: new NodeSize('2', 'm1.small', 2048, 20, undefined, undefined, d),
  image: new NodeImage('70a599e0-31e7-49b7-b260-868f441e862b', 'ubuntu', d),
});
const text = (e: unknown): string => `${String(e)} ${(e as Error).stack} ${JSON.stringify(e)} ${inspect(e, { depth: 5, showHidden: true })}`;

describe('identity and endpoints', () => {
  test('a Keystone v3 password token, scoped to the project, is fetched once and sent to the catalog’s compute endpoint with the microversion', async () => {
    const seen = cloud({ [`GET ${NOVA}/servers/detail`]: 'servers_detail.json', [`GET ${NOVA}/flavors/detail`]: 'flavors_detail.json' });
    const d = openstackDriver();
    await promised(d.listNodes());
    await promised(d.listSizes());
    const [auth, ...rest] = seen;
    expect(auth!.where).toBe(`${KEYSTONE}/auth/tokens`);
    expect(JSON.parse(auth!.body)).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: PASSWORD } } },
        scope: { project: { name: 'demo', domain: { name: 'Default' } } },
      },
    });
    expect(rest.map((s) => s.where)).toEqual([`${NOVA}/servers/detail`, `${NOVA}/flavors/detail`]);
    for (const s of rest) {
      expect(s.headers.get('x-auth-token')).toBe(TOKEN);
      expect(s.headers.get('openstack-api-version')).toBe('compute 2.1');
      expect(s.headers.get('x-openstack-nova-api-version')).toBe('2.1');
      expect(s.headers.get('accept')).toBe('application/json');
    }
  });

  test('Libcloud-style key/secret stand for username/password, region for regionName; a region the catalog lacks is NotFoundError naming what it offers', async () => {
    const seen = cloud({});
    const d = openstackDriver({ username: undefined, password: undefined, key: 'demo', secret: PASSWORD, region: 'RegionTwo' });
    const error = await promised(d.listNodes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'EndpointNotFound' });
    expect((error as Error).message).toBe('openstack: no public compute endpoint in RegionTwo: the catalog offers RegionOne/public, RegionOne/internal, RegionOne/admin');
    expect(JSON.parse(seen[0]!.body).auth.identity.password.user).toEqual({ name: 'demo', domain: { name: 'Default' }, password: PASSWORD });
    expect(serviceRequests(seen)).toEqual([]);
  });

  test('endpointOverride skips the catalog; a microversion option is sent in both headers', async () => {
    const seen = cloud({ 'GET https://private.example.net/compute/v2.1/servers/detail': 'servers_detail_empty.json' });
    await promised(openstackDriver({ endpointOverride: 'https://private.example.net/compute/v2.1', microversion: '2.42' }).listNodes());
    const [request] = serviceRequests(seen);
    expect(request!.where).toBe('https://private.example.net/compute/v2.1/servers/detail');
    expect(request!.headers.get('openstack-api-version')).toBe('compute 2.42');
    expect(request!.headers.get('x-openstack-nova-api-version')).toBe('2.42');
  });

  test('a token Nova refuses (401) is replaced once and the call replayed; a second refusal is InvalidCredentialsError', async () => {
    const seen = cloud({ [`GET ${NOVA}/flavors/detail`]: (s, n) => (n === 1 ? json('error_unauthorized.json', 401)(s, n) : json('flavors_detail.json')(s, n)) });
    await expect(promised(openstackDriver().listSizes())).resolves.toHaveLength(6);
    expect(seen.map((s) => `${s.method} ${s.where}`)).toEqual([`POST ${KEYSTONE}/auth/tokens`, `GET ${NOVA}/flavors/detail`, `POST ${KEYSTONE}/auth/tokens`, `GET ${NOVA}/flavors/detail`]);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/flavors/detail`]: json('error_unauthorized.json', 401) });
    const error = await promised(openstackDriver().listSizes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ status: 401, code: 'Unauthorized', provider: 'openstack' });
    expect(text(error)).not.toContain(TOKEN);
  });

  test('a wrong password is Keystone’s 401: InvalidCredentialsError, and neither the password nor a token shows', async () => {
    cloud({ [`POST ${KEYSTONE}/auth/tokens`]: json('error_unauthorized.json', 401) });
    const error = await promised(openstackDriver({ password: 'wrong-password-0000000' }).listNodes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ status: 401, provider: 'keystone' });
    expect(text(error)).not.toContain('wrong-password-0000000');
  });

  test('options are checked at construction: page size, microversion, unknown keys', () => {
    expect(() => openstackDriver({ pageSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => openstackDriver({ pageSize: 1001 })).toThrow(InvalidArgumentError);
    expect(() => openstackDriver({ microversion: '3.0' })).toThrow(InvalidArgumentError);
    expect(() => openstackDriver({ ex_force_auth_url: KEYSTONE } as never)).toThrow(InvalidArgumentError);
    // host/port/secure would be silently unused (endpoints come from the catalog): refused with what to use instead.
    expect(() => openstackDriver({ host: '127.0.0.1', port: 8774 })).toThrow(/host, port are not used: .* authUrl .* endpointOverride/);
    expect(() => rackspaceDriver({ secure: false })).toThrow(InvalidArgumentError);
    expect(openstackDriver({ microversion: 'latest' }).microversion).toBe('latest');
    expect(new (getDriver(Provider.OPENSTACK))({ authUrl: KEYSTONE, username: 'u', password: 'p' })).toBeInstanceOf(OpenStackNodeDriver);
  });
});

describe('lists', () => {
  test('listNodes parses servers: Libcloud states, public/private split, image and flavor ids, creation time, extras', async () => {
    cloud({ [`GET ${NOVA}/servers/detail`]: 'servers_detail.json' });
    const nodes = await promised(openstackDriver().listNodes());
    expect(nodes.map((n) => [n.name, n.state, n.publicIps, n.privateIps])).toEqual([
      ['web-1', NodeState.RUNNING, ['203.0.113.10', '2001:db8::10'], ['10.0.0.5', 'fd5e:7a2b:c3d4::5']],
      ['builder', NodeState.PENDING, [], []],
      ['stopped-db', NodeState.STOPPED, ['100.64.0.7', '2001:db8:1::7'], ['172.16.4.2', '192.168.10.3']],
      ['rebooting', NodeState.REBOOTING, [], ['10.0.0.9']],
      ['from-volume', NodeState.ERROR, [], []],
      ['moving', NodeState.UNKNOWN, ['198.51.100.12'], ['10.0.0.12']],
    ]);
    const [web] = nodes;
    expect([web!.image, web!.size, web!.createdAt?.toISOString()]).toEqual(['70a599e0-31e7-49b7-b260-868f441e862b', '1', '2013-09-03T04:01:32.000Z']);
    expect(web!.extra).toMatchObject({ key_name: 'demo-key', availability_zone: 'nova', metadata: { role: 'web' }, tenantId: '6f70656e737461636b20342065766572', status: 'ACTIVE', vm_state: 'active' });
    expect(nodes[4]!.image).toBeUndefined(); // booted from a volume: "image": ""
    expect(nodes[4]!.extra.fault).toMatchObject({ code: 500 });
  });

  test('an empty project lists no servers, in one request', async () => {
    const seen = cloud({ [`GET ${NOVA}/servers/detail`]: 'servers_detail_empty.json' });
    await expect(promised(openstackDriver().listNodes())).resolves.toEqual([]);
    expect(serviceRequests(seen)).toHaveLength(1);
  });

  test('pages follow servers_links by marker only (never the link’s host), with pageSize as limit; a full last page costs one empty page', async () => {
    const page1 = fixtureJson('openstack/servers_detail_page1.json');
    const seen = cloud({
      [`GET ${NOVA}/servers/detail`]: (s, n) => {
        const marker = s.url.searchParams.get('marker');
        return json(marker === null ? 'servers_detail_page1.json' : marker === page1.servers[1].id ? 'servers_detail_page2.json' : 'servers_detail_page3.json')(s, n);
      },
    });
    const nodes = await promised(openstackDriver({ pageSize: 2 }).listNodes());
    expect(nodes.map((n) => n.name)).toEqual(['web-1', 'builder', 'stopped-db', 'rebooting']);
    expect(serviceRequests(seen).map((s) => `${s.url.host} ${s.url.search}`)).toEqual([
      'nova.example.com:8774 ?limit=2',
      `nova.example.com:8774 ?limit=2&marker=${page1.servers[1].id}`,
      'nova.example.com:8774 ?limit=2&marker=b0c6a59b-0a57-4a6b-bcc6-2e1c0f5a9d11',
    ]);
  });

  test('a next link repeating a marker, or without one, is MalformedResponseError (no endless loop)', async () => {
    const looping = fixtureJson('openstack/servers_detail_page1.json');
    cloud({ [`GET ${NOVA}/servers/detail`]: () => MswResponse.json(looping) });
    await expect(promised(openstackDriver().listNodes())).rejects.toMatchObject({ constructor: MalformedResponseError, code: 'RepeatedToken' });
    server.resetHandlers();
    const markerless = { ...looping, servers_links: [{ rel: 'next', href: 'http://openstack.example.com/v2.1/servers/detail?page=2' }] };
    cloud({ [`GET ${NOVA}/servers/detail`]: () => MswResponse.json(markerless) });
    await expect(promised(openstackDriver().listNodes())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('listSizes: flavors (one page; two pages by flavors_links; none)', async () => {
    cloud({ [`GET ${NOVA}/flavors/detail`]: 'flavors_detail.json' });
    const sizes = await promised(openstackDriver().listSizes());
    expect(sizes.map((s) => [s.id, s.name, s.ram, s.disk, s.price, s.extra.vcpus, s.extra.swap, s.extra.disabled])).toEqual([
      ['1', 'm1.tiny', 512, 1, undefined, 1, '', false],
      ['2', 'm1.small', 2048, 20, undefined, 1, '', false],
      ['3', 'm1.medium', 4096, 40, undefined, 2, '', false],
      ['4', 'm1.large', 8192, 80, undefined, 4, '', false],
      ['c1.dedicated', 'c1.dedicated', 16384, 40, undefined, 8, 1024, false],
      ['7', 'm1.retired', 256, 0, undefined, 1, '', true],
    ]);
    expect(sizes[4]!.extra).toMatchObject({ 'hw:cpu_policy': 'dedicated', ephemeral_disk: 20, is_public: false });
    server.resetHandlers();
    const seen = cloud({ [`GET ${NOVA}/flavors/detail`]: (s, n) => json(s.url.searchParams.get('marker') === '3' ? 'flavors_detail_page2.json' : 'flavors_detail_page1.json')(s, n) });
    expect((await promised(openstackDriver().listSizes())).map((s) => s.id)).toEqual(['1', '2', '3', '4', 'c1.dedicated', '7']);
    expect(serviceRequests(seen).map((s) => s.url.search)).toEqual(['', '?marker=3']);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/flavors/detail`]: () => MswResponse.json({ flavors: [] }) });
    await expect(promised(openstackDriver().listSizes())).resolves.toEqual([]);
  });

  test('listImages asks Glance v2 at the catalog’s image endpoint, without compute headers, following next by marker', async () => {
    let seen = cloud({ [`GET ${GLANCE}/v2/images`]: 'images_glance.json' });
    const images = await promised(openstackDriver().listImages());
    expect(images.map((i) => [i.name, i.extra.status, i.extra.visibility, i.extra.minDisk])).toEqual([
      ['ubuntu-22.04-server', 'active', 'public', 10],
      ['cirros-0.6.2-x86_64-disk', 'active', 'public', 0],
      ['db-snapshot', 'active', 'private', 40],
      ['pending-upload', 'queued', 'public', 0],
    ]);
    const [glance] = serviceRequests(seen);
    expect(glance!.headers.get('x-auth-token')).toBe(TOKEN);
    expect(glance!.headers.get('openstack-api-version')).toBeNull();
    server.resetHandlers();
    seen = cloud({ [`GET ${GLANCE}/v2/images`]: (s, n) => json(s.url.searchParams.get('marker') ? 'images_glance_page2.json' : 'images_glance_page1.json')(s, n) });
    expect(await promised(openstackDriver({ pageSize: 2 }).listImages())).toHaveLength(4);
    expect(serviceRequests(seen).map((s) => s.url.search)).toEqual(['?limit=2', '?limit=2&marker=1bea47ed-f6a9-463b-b423-14b9cca9ad27']);
    server.resetHandlers();
    cloud({ [`GET ${GLANCE}/v2/images`]: 'images_glance_empty.json' });
    await expect(promised(openstackDriver().listImages())).resolves.toEqual([]);
  });

  test('Glance’s HTML errors are typed too', async () => {
    cloud({ [`GET ${GLANCE}/v2/images`]: () => new MswResponse('<html><body><h1>400 Bad Request</h1>Invalid sort key: nope<br /><br /></body></html>', { status: 400, headers: { 'content-type': 'text/html' } }) });
    const error = await promised(openstackDriver().listImages()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ status: 400, provider: 'openstack' });
    expect((error as Error).message).toContain('Invalid sort key: nope');
  });

  test('listLocations: the available availability zones (none when the cloud lists none)', async () => {
    cloud({ [`GET ${NOVA}/os-availability-zone`]: 'availability_zones.json' });
    const locations = await promised(openstackDriver().listLocations());
    expect(locations.map((l) => [l.id, l.name, l.country, l.extra.available])).toEqual([
      ['nova', 'nova', '', true],
      ['az-2', 'az-2', '', true],
    ]);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/os-availability-zone`]: () => MswResponse.json({ availabilityZoneInfo: [] }) });
    await expect(promised(openstackDriver().listLocations())).resolves.toEqual([]);
  });
});

describe('lifecycle', () => {
  test('createNode POSTs the server (ex extras mapped, user data base64) then reads it back; the admin password prints redacted', async () => {
    const seen = cloud({ [`POST ${NOVA}/servers`]: json('server_create.json', 202), [`GET ${NOVA}/servers/0c1b2a39-4857-4b6a-9d8c-7e6f5a4b3c2d`]: 'server_show_build.json' });
    const d = openstackDriver();
    const created = await promised(
      d.createNode({
        name: 'web-2',
        ...catalog(d),
        location: new NodeLocation('az-2', 'az-2', '', d),
        ex: {
          keyName: 'demo-key',
          securityGroups: ['default', { name: 'web' }],
          networks: ['2a3b4c5d-0000-4000-8000-000000000001', { id: '2a3b4c5d-0000-4000-8000-000000000002', fixedIp: '10.0.0.50' }, { port: 'p-1' }],
          userData: '#cloud-config\npackages: [nginx]\n',
          metadata: { role: 'web' },
          configDrive: true,
          diskConfig: 'AUTO',
        },
      }),
    );
    const [post, get] = serviceRequests(seen);
    expect(post!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(post!.body)).toEqual({
      server: {
        name: 'web-2',
        imageRef: '70a599e0-31e7-49b7-b260-868f441e862b',
        flavorRef: '2',
        metadata: { role: 'web' },
        availability_zone: 'az-2',
        key_name: 'demo-key',
        user_data: Buffer.from('#cloud-config\npackages: [nginx]\n').toString('base64'),
        'OS-DCF:diskConfig': 'AUTO',
        config_drive: true,
        networks: [{ uuid: '2a3b4c5d-0000-4000-8000-000000000001' }, { uuid: '2a3b4c5d-0000-4000-8000-000000000002', fixed_ip: '10.0.0.50' }, { port: 'p-1' }],
        security_groups: [{ name: 'default' }, { name: 'web' }],
      },
    });
    expect(get!.method).toBe('GET');
    expect([created.id, created.name, created.state, created.size, created.image]).toEqual(['0c1b2a39-4857-4b6a-9d8c-7e6f5a4b3c2d', 'web-2', NodeState.PENDING, '2', '70a599e0-31e7-49b7-b260-868f441e862b']);
    expect(created.extra.password).toBe('6NpUwoz2QDRN');
    expect(inspect(created, { depth: 10 })).not.toContain('6NpUwoz2QDRN');
    expect(JSON.stringify(created)).not.toContain('6NpUwoz2QDRN');
    expect(inspect(created.extra)).toContain("password: '[REDACTED]'");
  });

  test('createNode is not retried (Nova has no client token): a 503 surfaces after one POST', async () => {
    const seen = cloud({ [`POST ${NOVA}/servers`]: () => MswResponse.json({ serviceUnavailable: { code: 503, message: 'busy' } }, { status: 503 }) });
    const d = openstackDriver();
    await expect(promised(d.createNode({ name: 'web-2', ...catalog(d) }))).rejects.toBeInstanceOf(ProviderError);
    expect(serviceRequests(seen)).toHaveLength(1);
  });

  test.each([
    ['an empty name', { name: '' }],
    ['no size', { size: undefined }],
    ['an unknown ex key', { ex: { ex_keyname: 'k' } }],
    ['metadata with a number', { ex: { metadata: { n: 1 } } }],
    ['user data that is not text', { ex: { userData: 42 } }],
    ['a network that is neither an id nor an object', { ex: { networks: [7] } }],
    ['a nameless security group', { ex: { securityGroups: [{}] } }],
    ['a disk config other than AUTO/MANUAL', { ex: { diskConfig: 'auto' } }],
  ])('createNode with %s is InvalidArgumentError, nothing sent', async (_what, override) => {
    const seen = cloud({});
    const d = openstackDriver();
    await expect(promised(d.createNode({ name: 'web-2', ...catalog(d), ...override } as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('reboot is HARD (as Libcloud), exSoftRebootNode SOFT, start/stop are os-start/os-stop (202); destroy is DELETE (204 or 202)', async () => {
    const seen = cloud({ [`POST ${NOVA}/servers/${WEB}/action`]: empty(202), [`DELETE ${NOVA}/servers/${WEB}`]: (s, n) => empty(n === 1 ? 204 : 202)() });
    const d = openstackDriver();
    expect(await promised(d.rebootNode(node()))).toBe(true);
    expect(await promised(d.exSoftRebootNode(node()))).toBe(true);
    expect(await promised(d.exHardRebootNode(node()))).toBe(true);
    expect(await promised(d.stopNode(node()))).toBe(true);
    expect(await promised(d.startNode(node()))).toBe(true);
    expect(await promised(d.destroyNode(node()))).toBe(true);
    expect(await promised(d.destroyNode(node()))).toBe(true);
    expect(serviceRequests(seen).map((s) => [s.method, s.url.pathname.replace(`/v2.1/8e8fad79486c1308d0fe0fde65db31e1`, ''), s.body && JSON.parse(s.body)])).toEqual([
      ['POST', `/servers/${WEB}/action`, { reboot: { type: 'HARD' } }],
      ['POST', `/servers/${WEB}/action`, { reboot: { type: 'SOFT' } }],
      ['POST', `/servers/${WEB}/action`, { reboot: { type: 'HARD' } }],
      ['POST', `/servers/${WEB}/action`, { 'os-stop': null }],
      ['POST', `/servers/${WEB}/action`, { 'os-start': null }],
      ['DELETE', `/servers/${WEB}`, ''],
      ['DELETE', `/servers/${WEB}`, ''],
    ]);
  });

  test('an action answered with another 2xx than 202 is false, as Libcloud', async () => {
    cloud({ [`POST ${NOVA}/servers/${WEB}/action`]: empty(200) });
    await expect(promised(openstackDriver().rebootNode(node()))).resolves.toBe(false);
  });

  test('a server id that could leave /servers is refused before sending', async () => {
    const seen = cloud({});
    const d = openstackDriver();
    for (const id of ['../flavors/1', 'a/b', '', 'x?y=1']) await expect(promised(d.rebootNode(node(id)))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(promised(d.destroyNode(undefined as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('waitUntilRunning polls until the server is ACTIVE with an address; node methods return Promises in async mode', async () => {
    const doc = fixtureJson('openstack/servers_detail.json');
    const booting = structuredClone(doc);
    booting.servers[0].status = 'BUILD';
    booting.servers[0].addresses = {};
    cloud({ [`GET ${NOVA}/servers/detail`]: (_s, n) => MswResponse.json(n < 3 ? booting : doc), [`POST ${NOVA}/servers/${WEB}/action`]: empty(202) });
    const d = openstackDriver();
    const [ready] = await promised(d.waitUntilRunning([node()], { timeout: 5_000, pollInterval: 5 }));
    expect(ready!.ips).toEqual(['203.0.113.10', '2001:db8::10', '10.0.0.5', 'fd5e:7a2b:c3d4::5']);
    await expect(promised(ready!.node.reboot())).resolves.toBe(true);
    const error = await promised(d.waitUntilRunning([node('9e5476bd-a4ec-4653-93d6-72c93aa682ba')], { timeout: 30, pollInterval: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('errors', () => {
  test.each([
    ['rebootNode', (d: OpenStackNodeDriver) => d.rebootNode(node()), 'POST', '/action'],
    ['startNode', (d: OpenStackNodeDriver) => d.startNode(node()), 'POST', '/action'],
    ['stopNode', (d: OpenStackNodeDriver) => d.stopNode(node()), 'POST', '/action'],
    ['destroyNode', (d: OpenStackNodeDriver) => d.destroyNode(node()), 'DELETE', ''],
  ])('404 itemNotFound on %s is NodeNotFoundError with Nova’s message', async (_name, call, method, suffix) => {
    cloud({ [`${method} ${NOVA}/servers/${WEB}${suffix}`]: json('error_item_not_found.json', 404) });
    const error = await promised(call(openstackDriver())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'itemNotFound', provider: 'openstack' });
    expect((error as Error).message).toContain(`Instance ${WEB} could not be found.`);
  });

  test('413 overLimit is RateLimitError with Retry-After; a POST is not retried', async () => {
    const seen = cloud({ [`POST ${NOVA}/servers/${WEB}/action`]: json('error_over_limit.json', 413, { 'retry-after': '7' }) });
    const error = await promised(openstackDriver().rebootNode(node())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 413, code: 'overLimit', retryAfter: 7 });
    expect(serviceRequests(seen)).toHaveLength(1);
  });

  test('429 on a list is retried after Retry-After, then succeeds; with no attempts left it is RateLimitError', async () => {
    const limited = (s: SeenRequest, n: number) =>
      n === 1 ? new MswResponse(JSON.stringify({ overLimit: { code: 429, message: 'Rate exceeded.', retryAfter: '0' } }), { status: 429, headers: { 'retry-after': '0', 'content-type': 'application/json' } }) : json('flavors_detail.json')(s, n);
    const seen = cloud({ [`GET ${NOVA}/flavors/detail`]: limited });
    await expect(promised(openstackDriver().listSizes())).resolves.toHaveLength(6);
    expect(serviceRequests(seen)).toHaveLength(2);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/flavors/detail`]: limited });
    await expect(promised(openstackDriver({ retry: { maxAttempts: 1 } }).listSizes())).rejects.toMatchObject({ constructor: RateLimitError, status: 429, retryAfter: 0 });
  });

  test.each([
    ['400 badRequest', 'error_bad_request.json', 400, 'badRequest', RequestError],
    ['403 forbidden (quota)', 'error_forbidden.json', 403, 'forbidden', RequestError],
    ['409 conflictingRequest', 'error_conflict.json', 409, 'conflictingRequest', RequestError],
  ])('%s is a RequestError with Nova’s fault name (%s)', async (_what, file, status, code, ErrorClass) => {
    cloud({ [`POST ${NOVA}/servers`]: json(file, status) });
    const d = openstackDriver();
    const error = await promised(d.createNode({ name: 'web-2', ...catalog(d) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).not.toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ status, code });
  });

  test('500 computeFault on a GET is retried, then ProviderError', async () => {
    const seen = cloud({ [`GET ${NOVA}/os-availability-zone`]: () => MswResponse.json({ computeFault: { code: 500, message: 'Unexpected API Error.' } }, { status: 500 }) });
    const error = await promised(openstackDriver({ retry: { maxAttempts: 3, baseDelayMs: 1 } }).listLocations()).catch((e: unknown) => e);
    expect(error).toMatchObject({ constructor: ProviderError, status: 500, code: 'computeFault' });
    expect(serviceRequests(seen)).toHaveLength(3);
  });

  const bodies: Array<[string, () => Response]> = [
    ['malformed JSON', () => new MswResponse('{"servers": [{"id": 1,', { headers: { 'content-type': 'application/json' } })],
    ['an HTML page with 200', () => new MswResponse('<html><body>maintenance</body></html>', { headers: { 'content-type': 'text/html' } })],
    ['an empty 200 body', () => new MswResponse('', { status: 200 })],
    ['a JSON array', () => MswResponse.json([1, 2])],
    ['servers that is not an array', () => MswResponse.json({ servers: { id: 'x' } })],
    ['a server without an id', () => MswResponse.json({ servers: [{ name: 'x', status: 'ACTIVE' }] })],
    ['servers_links that is not an array', () => MswResponse.json({ servers: [], servers_links: { rel: 'next' } })],
  ];
  test.each(bodies)('%s is MalformedResponseError', async (_name, reply) => {
    cloud({ [`GET ${NOVA}/servers/detail`]: reply });
    await expect(promised(openstackDriver({ retry: { maxAttempts: 1 } }).listNodes())).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('a create reply without a server id is MalformedResponseError', async () => {
    cloud({ [`POST ${NOVA}/servers`]: () => MswResponse.json({ server: {} }, { status: 202 }) });
    const d = openstackDriver();
    await expect(promised(d.createNode({ name: 'web-2', ...catalog(d) }))).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

describe('Rackspace', () => {
  test('Keystone v2.0 with the API key, then the ORD cloudServersOpenStack endpoint; images from the compute API, active only', async () => {
    const seen = cloud({ [`GET ${RACKSPACE_ORD}/servers/detail`]: 'servers_detail.json', [`GET ${RACKSPACE_ORD}/images/detail`]: 'images_compute_detail.json' });
    const d = rackspaceDriver();
    expect([d.type, d.name, d.regionName]).toEqual(['rackspace', 'Rackspace Cloud (Next Gen)', 'ORD']);
    expect(await promised(d.listNodes())).toHaveLength(6);
    const images = await promised(d.listImages());
    expect(images.map((i) => [i.name, i.extra.status, i.extra.serverId])).toEqual([
      ['Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)', 'ACTIVE', undefined],
      ['db-snapshot', 'ACTIVE', '3f2cbbd1-53a3-4d3a-87fd-ff5f6c3f0a2b'],
    ]);
    expect(seen[0]!.where).toBe(`${RACKSPACE_IDENTITY}/tokens`);
    expect(JSON.parse(seen[0]!.body)).toEqual({ auth: { 'RAX-KSKEY:apiKeyCredentials': { username: 'demo', apiKey: API_KEY } } });
    expect(serviceRequests(seen).map((s) => s.where)).toEqual([`${RACKSPACE_ORD}/servers/detail`, `${RACKSPACE_ORD}/images/detail`]);
    expect(serviceRequests(seen)[0]!.headers.get('x-auth-token')).toBe(fixtureJson('openstack/rackspace_v2_token.json').access.token.id);
  });

  test('Libcloud’s spelling works: key/secret and a lower-case region; DFW is the default region', async () => {
    const seen = cloud({ 'GET https://lon.servers.api.rackspacecloud.com/v2/123456/flavors/detail': 'flavors_detail.json', 'GET https://dfw.servers.api.rackspacecloud.com/v2/123456/flavors/detail': 'flavors_detail.json' });
    await promised(rackspaceDriver({ username: undefined, apiKey: undefined, regionName: undefined, key: 'demo', secret: API_KEY, region: 'lon' }).listSizes());
    await promised(rackspaceDriver({ regionName: undefined }).listSizes());
    expect(serviceRequests(seen).map((s) => s.url.host)).toEqual(['lon.servers.api.rackspacecloud.com', 'dfw.servers.api.rackspacecloud.com']);
    expect(JSON.parse(seen[0]!.body).auth['RAX-KSKEY:apiKeyCredentials']).toEqual({ username: 'demo', apiKey: API_KEY });
  });

  test('an unknown region or missing credentials are refused at construction; a refused API key is InvalidCredentialsError without the key', async () => {
    expect(() => rackspaceDriver({ regionName: 'MARS' })).toThrow(InvalidArgumentError);
    expect(() => new RackspaceNodeDriver({ username: 'demo' })).toThrow(InvalidArgumentError);
    expect(getDriver(Provider.RACKSPACE)).toBe(RackspaceNodeDriver);
    cloud({ [`POST ${RACKSPACE_IDENTITY}/tokens`]: () => MswResponse.json({ unauthorized: { code: 401, message: 'Username or api key is invalid.' } }, { status: 401 }) });
    const error = await promised(rackspaceDriver().listNodes()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(text(error)).not.toContain(API_KEY);
    expect(fixture('openstack/rackspace_v2_token.json')).toContain('cloudServersOpenStack');
  });
});
