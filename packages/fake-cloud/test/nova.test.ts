/**
 * The fake OpenStack: Keystone's catalog (v3 and v2.0, incl. Rackspace's API key), Nova v2.1 (servers and their
 * state machine, flavors, zones, the image proxy, paging, microversions, errors, projects and regions kept
 * apart) and Glance v2, over plain HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, FAKE_CREDENTIALS, FAKE_PROVIDERS, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { send, sleep, type TestResponse } from './helpers/http.js';

const BOOT_MS = 150;
let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({
    nodeBootMs: BOOT_MS,
    credentials: {
      keystone: [
        FAKE_CREDENTIALS.keystone,
        { username: 'other', password: 'other-secret', project: 'elsewhere', domain: 'Default' },
      ],
    },
  });
  port = await server.listen();
});
afterAll(() => server.close());
beforeEach(() => server.configure({ nodeBootMs: BOOT_MS, faults: {}, maxNodes: 1000, tokenTtlMs: 3_600_000 }));

const { username, password, project, domain, apiKey } = FAKE_CREDENTIALS.keystone;

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
  return send(port, { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A v3 token for `user` scoped to its project, and the token body. */
async function v3Token(user: string = username, secret: string = password, projectName: string = project): Promise<{ token: string; body: any }> {
  const res = await post('/identity/v3/auth/tokens', {
    auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: domain }, password: secret } } }, scope: { project: { name: projectName, domain: { name: domain } } } },
  });
  expect(res.status).toBe(201);
  return { token: String(res.headers['x-subject-token']), body: res.json().token };
}

let token: string;
beforeAll(async () => {
  token = (await v3Token()).token;
});

/** A compute call below `/compute/v2.1` with the demo token. */
function nova(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, base = '/compute/v2.1'): Promise<TestResponse> {
  const h: Record<string, string> = { 'x-auth-token': token, ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  return send(port, { method, path: `${base}${path}`, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function firstImage(): Promise<string> {
  return (await send(port, { method: 'GET', path: '/image/v2/images', headers: { 'x-auth-token': token } })).json().images[0].id;
}

async function boot(name: string, extra: Record<string, unknown> = {}, base?: string): Promise<any> {
  const res = await nova('POST', '/servers', { server: { name, flavorRef: '1', imageRef: await firstImage(), ...extra } }, {}, base);
  expect(res.status).toBe(202);
  return res.json().server;
}

async function show(id: string, base?: string): Promise<any> {
  const res = await nova('GET', `/servers/${id}`, undefined, {}, base);
  expect(res.status).toBe(200);
  return res.json().server;
}

describe('Keystone catalog', () => {
  test('the nova provider is listed; v3 tokens list compute and image (public, internal, admin) in RegionOne on this port', async () => {
    expect(FAKE_PROVIDERS).toContain('nova');
    const { body } = await v3Token();
    const origin = `http://127.0.0.1:${port}`;
    const byType = Object.fromEntries(body.catalog.map((s: any) => [s.type, s]));
    expect(byType.compute.name).toBe('nova');
    expect(byType.compute.endpoints.map((e: any) => [e.interface, e.region_id, e.url]).sort()).toEqual([
      ['admin', 'RegionOne', `${origin}/compute/v2.1`],
      ['internal', 'RegionOne', `${origin}/compute/v2.1`],
      ['public', 'RegionOne', `${origin}/compute/v2.1`],
    ]);
    expect(byType.image.endpoints.every((e: any) => e.url === `${origin}/image` && e.region === 'RegionOne')).toBe(true);
    expect(byType.identity.endpoints[0].url).toBe(`${origin}/identity`);
  });

  test('v2.0 password with a tenant: access.token, tenant and a catalog of publicURL / internalURL / adminURL', async () => {
    const res = await post('/identity/v2.0/tokens', { auth: { passwordCredentials: { username, password }, tenantName: project } });
    expect(res.status).toBe(200);
    const { access } = res.json();
    expect(access.token.id).toMatch(/^gAAAAA/);
    expect(access.token.expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(access.token.tenant.name).toBe(project);
    const compute = access.serviceCatalog.find((s: any) => s.type === 'compute');
    expect(compute.name).toBe('nova');
    expect(compute.endpoints[0]).toMatchObject({ region: 'RegionOne', publicURL: `http://127.0.0.1:${port}/compute/v2.1`, internalURL: expect.any(String), adminURL: expect.any(String) });
    // The v2.0 token opens Nova like a v3 one.
    const servers = await send(port, { method: 'GET', path: '/compute/v2.1/servers', headers: { 'x-auth-token': access.token.id } });
    expect(servers.status).toBe(200);
  });

  test('v2.0 without a tenant is unscoped (no catalog); Nova refuses it with 403', async () => {
    const { access } = (await post('/identity/v2.0/tokens', { auth: { passwordCredentials: { username, password } } })).json();
    expect(access.token.tenant).toBeUndefined();
    expect(access.serviceCatalog).toEqual([]);
    const res = await send(port, { method: 'GET', path: '/compute/v2.1/servers', headers: { 'x-auth-token': access.token.id } });
    expect(res.status).toBe(403);
    expect(Object.keys(res.json())).toEqual(['forbidden']);
  });

  test("v2.0 RAX-KSKEY:apiKeyCredentials: Rackspace's regional cloudServersOpenStack catalog, scoped to the user's project", async () => {
    const res = await post('/identity/v2.0/tokens', { auth: { 'RAX-KSKEY:apiKeyCredentials': { username, apiKey } } });
    expect(res.status).toBe(200);
    const { access } = res.json();
    const tenant = access.token.tenant.id;
    expect(tenant).toMatch(/^[0-9a-f]{32}$/);
    expect(access.user['RAX-AUTH:defaultRegion']).toBe('DFW');
    const compute = access.serviceCatalog.find((s: any) => s.type === 'compute');
    expect(compute.name).toBe('cloudServersOpenStack');
    expect(compute.endpoints.map((e: any) => e.region)).toEqual(['DFW', 'ORD', 'IAD', 'LON', 'SYD', 'HKG']);
    expect(compute.endpoints[1].publicURL).toBe(`http://127.0.0.1:${port}/compute/ORD/v2/${tenant}`);
    expect(compute.endpoints[1].internalURL).toBeUndefined();
  });

  test.each([
    ['a wrong API key', 401, { 'RAX-KSKEY:apiKeyCredentials': { username, apiKey: 'not-the-key' } }],
    ['a wrong password', 401, { passwordCredentials: { username, password: 'not-the-password' } }],
    ['an unknown user', 401, { passwordCredentials: { username: 'nobody', password } }],
    ['a foreign tenant', 401, { passwordCredentials: { username, password }, tenantName: 'elsewhere' }],
    ['an API key for a user without one', 401, { 'RAX-KSKEY:apiKeyCredentials': { username: 'other', apiKey: 'other-secret' } }],
    ['no credentials', 401, {}],
    ['a password that is not a string', 400, { passwordCredentials: { username, password: 7 } }],
  ])('v2.0 with %s is %i in Keystone’s format, echoing no secret', async (_what, status, auth) => {
    const res = await post('/identity/v2.0/tokens', { auth });
    expect(res.status).toBe(status);
    expect(res.json().error.code).toBe(status);
    expect(res.text).not.toContain('not-the');
    expect(res.text).not.toContain(password);
  });

  test('v2.0 with a body that is not JSON is 400', async () => {
    expect((await post('/identity/v2.0/tokens', '{"auth":')).status).toBe(400);
  });
});

describe('Nova authentication', () => {
  test('no token, an unknown token, or an expired one: 401 in keystonemiddleware’s format', async () => {
    for (const headers of [{}, { 'x-auth-token': 'gAAAAAnot-a-token' }] as Array<Record<string, string>>) {
      const res = await send(port, { method: 'GET', path: '/compute/v2.1/servers/detail', headers });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      expect(res.headers['www-authenticate']).toBe(`Keystone uri="http://127.0.0.1:${port}/identity"`);
    }
    server.configure({ tokenTtlMs: 400 });
    const short = (await v3Token()).token;
    expect((await send(port, { method: 'GET', path: '/compute/v2.1/flavors', headers: { 'x-auth-token': short } })).status).toBe(200);
    await sleep(450);
    expect((await send(port, { method: 'GET', path: '/compute/v2.1/flavors', headers: { 'x-auth-token': short } })).status).toBe(401);
    expect((await send(port, { method: 'GET', path: '/image/v2/images', headers: { 'x-auth-token': short } })).status).toBe(401);
  });

  test('the version root needs no token; a project in the path must be the token’s', async () => {
    const root = await send(port, { method: 'GET', path: '/compute/v2.1/' });
    expect(root.status).toBe(200);
    expect(root.json().version).toMatchObject({ id: 'v2.1', min_version: '2.1', version: '2.96' });
    const { body } = await v3Token();
    expect((await nova('GET', `/${body.project.id}/servers`)).status).toBe(200);
    const wrong = await nova('GET', `/${'0'.repeat(32)}/servers`);
    expect(wrong.status).toBe(400);
    expect(wrong.json().badRequest.message).toMatch(/doesn't match Context's project_id/);
  });
});

describe('Nova servers', () => {
  test('BUILD → ACTIVE after nodeBootMs, with fixed, floating and IPv6 addresses once active', async () => {
    const created = await boot('web-1', { metadata: { role: 'web' }, key_name: 'demo-key', security_groups: [{ name: 'web' }], user_data: Buffer.from('#!/bin/sh\necho hi').toString('base64') });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.adminPass).toMatch(/^[\w-]{12}$/);
    expect(created.security_groups).toEqual([{ name: 'web' }]);
    const building = await show(created.id);
    expect(building).toMatchObject({ name: 'web-1', status: 'BUILD', 'OS-EXT-STS:vm_state': 'building', 'OS-EXT-STS:task_state': 'spawning', addresses: {}, metadata: { role: 'web' }, key_name: 'demo-key', flavor: { id: '1' } });
    expect(building.adminPass).toBeUndefined(); // only the create response carries it
    await sleep(BOOT_MS + 10);
    const active = await show(created.id);
    expect(active).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:task_state': null, 'OS-EXT-STS:power_state': 1, 'OS-EXT-AZ:availability_zone': 'nova' });
    expect(active.addresses.private.map((a: any) => [a.version, a['OS-EXT-IPS:type']])).toEqual([
      [4, 'fixed'],
      [6, 'fixed'],
      [4, 'floating'],
    ]);
    expect(active.addresses.private[0].addr).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(active.addresses.private[2].addr).toMatch(/^203\.0\.113\.\d+$/);
    expect(active.links[0]).toEqual({ rel: 'self', href: `http://127.0.0.1:${port}/compute/v2.1/servers/${created.id}` });
  });

  test('reboot (SOFT → REBOOT, HARD → HARD_REBOOT), os-stop → SHUTOFF, os-start → ACTIVE, delete; wrong states are 409', async () => {
    const { id } = await boot('cycle');
    const act = (body: unknown) => nova('POST', `/servers/${id}/action`, body);
    const building = await act({ reboot: { type: 'SOFT' } });
    expect(building.status).toBe(409);
    expect(building.json().conflictingRequest.message).toMatch(/task_state spawning/);
    await sleep(BOOT_MS + 10);
    expect((await act({ reboot: { type: 'SOFT' } })).status).toBe(202);
    expect((await show(id)).status).toBe('REBOOT');
    expect((await act({ 'os-stop': null })).status).toBe(409);
    await sleep(BOOT_MS + 10);
    expect((await act({ reboot: { type: 'HARD' } })).status).toBe(202);
    expect((await show(id)).status).toBe('HARD_REBOOT');
    await sleep(BOOT_MS + 10);
    expect((await act({ 'os-start': null })).status).toBe(409);
    expect((await act({ 'os-stop': null })).status).toBe(202);
    expect(await show(id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off' });
    await sleep(BOOT_MS + 10);
    expect(await show(id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:power_state': 4 });
    expect((await act({ reboot: { type: 'SOFT' } })).status).toBe(409);
    expect((await act({ 'os-start': null })).status).toBe(202);
    await sleep(BOOT_MS + 10);
    expect((await show(id)).status).toBe('ACTIVE');
    expect((await act({ reboot: { type: 'GENTLE' } })).status).toBe(400);
    expect((await act({ pause: null })).json().badRequest.message).toBe('There is no such action: pause');
    expect((await nova('DELETE', `/servers/${id}`)).status).toBe(204);
    const gone = await nova('GET', `/servers/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    expect((await nova('DELETE', `/servers/${id}`)).status).toBe(404);
  });

  test.each([
    ['no server', {}, /server/],
    ['no name', { server: { flavorRef: '1', imageRef: 'x' } }, /name/],
    ['an unknown flavor', { server: { name: 'x', flavorRef: '99', imageRef: 'x' } }, /Flavor 99 could not be found/],
    ['an unknown image', { server: { name: 'x', flavorRef: '1', imageRef: 'nope' } }, /Can not find requested image/],
  ])('create with %s is 400 badRequest', async (_what, body, message) => {
    const res = await nova('POST', '/servers', body);
    expect(res.status).toBe(400);
    expect(res.json().badRequest.message).toMatch(message);
  });

  test('create checks the zone, user data, networks and metadata (400), and the quota (403)', async () => {
    const image = await firstImage();
    const create = (extra: Record<string, unknown>) => nova('POST', '/servers', { server: { name: 'x', flavorRef: '1', imageRef: image, ...extra } });
    expect((await create({ availability_zone: 'az-maintenance' })).json().badRequest.message).toBe('The requested availability zone is not available');
    expect((await create({ user_data: 'not base64!' })).json().badRequest.message).toBe('User data needs to be valid base 64.');
    expect((await create({ networks: [{ uuid: 'nope' }] })).status).toBe(400);
    expect((await create({ metadata: { n: 1 } })).status).toBe(400);
    const text = await nova('POST', '/servers', 'not json');
    expect(text.status).toBe(400);
    server.configure({ maxNodes: 0 });
    const over = await create({});
    expect(over.status).toBe(403);
    expect(over.json().forbidden.message).toMatch(/^Quota exceeded for instances/);
  });

  test('paging: limit and marker, servers_links next while pages are full (newest first); bad markers and limits are 400', async () => {
    const other = createFakeCloudServer({ nodeBootMs: 0 });
    const otherPort = await other.listen();
    try {
      const t = await send(otherPort, {
        method: 'POST',
        path: '/identity/v3/auth/tokens',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: username, domain: { name: domain }, password } } }, scope: { project: { name: project, domain: { name: domain } } } } }),
      });
      const h = { 'x-auth-token': String(t.headers['x-subject-token']), 'content-type': 'application/json' };
      const images = (await send(otherPort, { method: 'GET', path: '/image/v2/images', headers: h })).json().images;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await send(otherPort, { method: 'POST', path: '/compute/v2.1/servers', headers: h, body: JSON.stringify({ server: { name: `p${i}`, flavorRef: '2', imageRef: images[0].id } }) });
        ids.push(res.json().server.id);
      }
      const names: string[] = [];
      let path: string | undefined = '/compute/v2.1/servers/detail?limit=2';
      const links: string[] = [];
      while (path) {
        const page = (await send(otherPort, { method: 'GET', path, headers: h })).json();
        names.push(...page.servers.map((s: any) => s.name));
        const next = page.servers_links?.find((l: any) => l.rel === 'next')?.href as string | undefined;
        if (next) links.push(next);
        path = next ? next.replace(`http://127.0.0.1:${otherPort}`, '') : undefined;
      }
      expect(names).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
      expect(links).toEqual([
        `http://127.0.0.1:${otherPort}/compute/v2.1/servers/detail?limit=2&marker=${ids[3]}`,
        `http://127.0.0.1:${otherPort}/compute/v2.1/servers/detail?limit=2&marker=${ids[1]}`,
      ]);
      // A full last page has a next link; the page after it is empty and has none (as Nova).
      const full = (await send(otherPort, { method: 'GET', path: `/compute/v2.1/servers?limit=5`, headers: h })).json();
      expect(full.servers_links).toHaveLength(1);
      const after = (await send(otherPort, { method: 'GET', path: `/compute/v2.1/servers?limit=5&marker=${ids[0]}`, headers: h })).json();
      expect(after).toEqual({ servers: [] });
      expect((await send(otherPort, { method: 'GET', path: '/compute/v2.1/servers/detail?marker=nope', headers: h })).json().badRequest.message).toBe('marker [nope] not found');
      expect((await send(otherPort, { method: 'GET', path: '/compute/v2.1/servers/detail?limit=-1', headers: h })).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  test('projects and regions are kept apart; an unknown region is 404', async () => {
    const mine = await boot('mine');
    const theirs = (await v3Token('other', 'other-secret', 'elsewhere')).token;
    const seen = await send(port, { method: 'GET', path: '/compute/v2.1/servers/detail', headers: { 'x-auth-token': theirs } });
    expect(seen.json().servers.map((s: any) => s.id)).not.toContain(mine.id);
    expect((await send(port, { method: 'GET', path: `/compute/v2.1/servers/${mine.id}`, headers: { 'x-auth-token': theirs } })).status).toBe(404);

    const { access } = (await post('/identity/v2.0/tokens', { auth: { 'RAX-KSKEY:apiKeyCredentials': { username, apiKey } } })).json();
    const rax = { 'x-auth-token': access.token.id };
    const tenant = access.token.tenant.id;
    const created = await send(port, { method: 'POST', path: `/compute/ORD/v2/${tenant}/servers`, headers: { ...rax, 'content-type': 'application/json' }, body: JSON.stringify({ server: { name: 'in-ord', flavorRef: '1', imageRef: await firstImage() } }) });
    expect(created.status).toBe(202);
    const ord = (await send(port, { method: 'GET', path: `/compute/ORD/v2/${tenant}/servers`, headers: rax })).json().servers.map((s: any) => s.name);
    const dfw = (await send(port, { method: 'GET', path: `/compute/DFW/v2/${tenant}/servers`, headers: rax })).json().servers.map((s: any) => s.name);
    const regionOne = (await send(port, { method: 'GET', path: '/compute/v2.1/servers', headers: rax })).json().servers.map((s: any) => s.name);
    expect(ord).toEqual(['in-ord']);
    expect(dfw).toEqual([]);
    expect(regionOne).not.toContain('in-ord');
    expect(regionOne).toContain('mine');
    expect((await send(port, { method: 'GET', path: `/compute/XYZ/v2/${tenant}/servers`, headers: rax })).status).toBe(404);
  });
});

describe('Nova flavors, zones, images and microversions', () => {
  test('flavors/detail (paged by flavor id), one flavor, and a missing one', async () => {
    const first = (await nova('GET', '/flavors/detail?limit=3')).json();
    expect(first.flavors.map((f: any) => f.name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium']);
    expect(first.flavors[0]).toMatchObject({ id: '1', ram: 512, disk: 1, vcpus: 1, swap: '', 'OS-FLV-EXT-DATA:ephemeral': 0, 'OS-FLV-DISABLED:disabled': false });
    expect(first.flavors_links[0].href).toMatch(/\/flavors\/detail\?limit=3&marker=3$/);
    const second = (await nova('GET', '/flavors/detail?limit=3&marker=3')).json();
    expect(second.flavors.map((f: any) => f.id)).toEqual(['4', '5']);
    expect(second.flavors_links).toBeUndefined();
    expect((await nova('GET', '/flavors/4')).json().flavor.name).toBe('m1.large');
    expect((await nova('GET', '/flavors/99')).json()).toEqual({ itemNotFound: { code: 404, message: 'Flavor 99 could not be found.' } });
  });

  test('availability zones', async () => {
    expect((await nova('GET', '/os-availability-zone')).json()).toEqual({
      availabilityZoneInfo: [
        { zoneName: 'nova', zoneState: { available: true }, hosts: null },
        { zoneName: 'az-maintenance', zoneState: { available: false }, hosts: null },
      ],
    });
  });

  test('microversions: echoed in both headers; 2.47 embeds the flavor; the image proxy is gone from 2.36; out of range is 406', async () => {
    const base = await nova('GET', '/flavors');
    expect(base.headers['openstack-api-version']).toBe('compute 2.1');
    expect(base.headers['x-openstack-nova-api-version']).toBe('2.1');
    const legacy = await nova('GET', '/flavors', undefined, { 'x-openstack-nova-api-version': '2.30' });
    expect(legacy.headers['openstack-api-version']).toBe('compute 2.30');
    const latest = await nova('GET', '/flavors', undefined, { 'openstack-api-version': 'compute latest' });
    expect(latest.headers['x-openstack-nova-api-version']).toBe('2.96');
    const { id } = await boot('mv');
    const embedded = (await nova('GET', `/servers/${id}`, undefined, { 'openstack-api-version': 'compute 2.47' })).json().server.flavor;
    expect(embedded).toEqual({ vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, original_name: 'm1.tiny', extra_specs: {} });
    const proxy = await nova('GET', '/images/detail');
    expect(proxy.status).toBe(200);
    expect(proxy.json().images[0]).toMatchObject({ status: 'ACTIVE', progress: 100, minDisk: 10, minRam: 512 });
    expect((await nova('GET', '/images/detail', undefined, { 'openstack-api-version': 'compute 2.36' })).status).toBe(404);
    const tooNew = await nova('GET', '/flavors', undefined, { 'openstack-api-version': 'compute 2.200' });
    expect(tooNew.status).toBe(406);
    expect(tooNew.json().computeFault.message).toBe('Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.96.');
  });

  test('Glance v2: images newest first, paged with next; one image; a missing one is Glance’s HTML 404', async () => {
    const glance = (path: string) => send(port, { method: 'GET', path: `/image${path}`, headers: { 'x-auth-token': token } });
    const all = (await glance('/v2/images')).json();
    expect(all.images.map((i: any) => i.name)).toEqual(['ubuntu-22.04-server-cloudimg-amd64', 'debian-12-genericcloud-amd64', 'cirros-0.6.2-x86_64-disk']);
    expect(all.images[0]).toMatchObject({ status: 'active', visibility: 'public', min_disk: 10, min_ram: 512, disk_format: 'qcow2', self: `/v2/images/${all.images[0].id}` });
    expect(all.next).toBeUndefined();
    expect(all.first).toBe('/v2/images');
    const page = (await glance('/v2/images?limit=2')).json();
    expect(page.next).toBe(`/v2/images?limit=2&marker=${all.images[1].id}`);
    expect((await glance(page.next)).json().images.map((i: any) => i.id)).toEqual([all.images[2].id]);
    expect((await glance(`/v2/images/${all.images[2].id}`)).json().name).toBe('cirros-0.6.2-x86_64-disk');
    const missing = await glance('/v2/images/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/text\/html/);
    expect(missing.text).toContain('No image found with ID nope');
    expect((await glance('/v2/images?marker=nope')).status).toBe(400);
  });
});

describe('faults', () => {
  test('an injected 429 is overLimit with Retry-After; a 500 is computeFault', async () => {
    server.configure({ faults: { sequence: ['429', '500'], retryAfterSeconds: 3 } });
    const limited = await nova('GET', '/flavors');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.json()).toEqual({ overLimit: { code: 429, message: 'Rate exceeded.', retryAfter: '3' } });
    const failed = await nova('GET', '/flavors');
    expect(failed.status).toBe(500);
    expect(Object.keys(failed.json())).toEqual(['computeFault']);
    expect(server.stats().byProvider.nova).toBeGreaterThan(0);
  });
});
