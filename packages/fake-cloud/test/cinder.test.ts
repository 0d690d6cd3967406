/**
 * The fake OpenStack's block storage and Nova resources over plain HTTP: Cinder v3 volumes and snapshots (states,
 * paging, Cinder's checks and error documents), Nova volume attachments, key pairs and the createImage action with
 * its Glance image, and faults applying to Cinder.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, FAKE_CREDENTIALS, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { parseSshPublicKey, sshFingerprint } from '@dualcloud/core';
import { send, sleep, type TestResponse } from './helpers/http.js';

const BOOT_MS = 120;
let server: FakeCloudServer;
let port: number;
let token: string;
let projectId: string;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: BOOT_MS });
  port = await server.listen();
  const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;
  const res = await send(port, {
    method: 'POST',
    path: '/identity/v3/auth/tokens',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: username, domain: { name: domain }, password } } }, scope: { project: { name: project, domain: { name: domain } } } } }),
  });
  token = String(res.headers['x-subject-token']);
  projectId = res.json().token.project.id;
});
afterAll(() => server.close());
beforeEach(() => server.configure({ nodeBootMs: BOOT_MS, faults: {}, maxNodes: 1000 }));

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
  const h: Record<string, string> = { 'x-auth-token': token, ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  return send(port, { method, path, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}
const cinder = (method: string, path: string, body?: unknown): Promise<TestResponse> => call(method, `/volume/v3/${projectId}${path}`, body);
const nova = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> => call(method, `/compute/v2.1${path}`, body, headers);

async function activeServer(): Promise<string> {
  const image = (await call('GET', '/image/v2/images')).json().images[0].id;
  const res = await nova('POST', '/servers', { server: { name: `s-${Math.random().toString(16).slice(2)}`, flavorRef: '1', imageRef: image } });
  expect(res.status).toBe(202);
  await sleep(BOOT_MS + 20);
  return res.json().server.id;
}

describe('Cinder volumes and snapshots', () => {
  test('a volume is creating, then available; listed newest first and paged; shown; deleted (202), then 404 in Cinder’s format', async () => {
    const created = await cinder('POST', '/volumes', { volume: { name: 'data', size: 2, availability_zone: 'nova', metadata: { contents: 'data' } } });
    expect(created.status).toBe(202);
    const v = created.json().volume;
    expect(v).toMatchObject({ name: 'data', size: 2, status: 'creating', availability_zone: 'nova', volume_type: 'lvmdriver-1', attachments: [], metadata: { contents: 'data' } });
    await sleep(BOOT_MS + 20);
    expect((await cinder('GET', `/volumes/${v.id}`)).json().volume.status).toBe('available');
    const second = (await cinder('POST', '/volumes', { volume: { name: 'second', size: 1 } })).json().volume;
    const page1 = (await cinder('GET', '/volumes/detail?limit=1')).json();
    expect(page1.volumes.map((x: { id: string }) => x.id)).toEqual([second.id]);
    expect(page1.volumes_links[0].href).toContain(`marker=${second.id}`);
    const page2 = (await cinder('GET', `/volumes/detail?limit=1&marker=${second.id}`)).json();
    expect(page2.volumes.map((x: { id: string }) => x.id)).toEqual([v.id]);
    await sleep(BOOT_MS + 20);
    for (const id of [v.id, second.id]) expect((await cinder('DELETE', `/volumes/${id}`)).status).toBe(202);
    const gone = await cinder('GET', `/volumes/${v.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toEqual({ itemNotFound: { code: 404, message: `Volume ${v.id} could not be found.` } });
  });

  test('bad sizes, zones and types are refused as Cinder does; no token is 401', async () => {
    expect((await cinder('POST', '/volumes', { volume: { name: 'x', size: 0 } })).json()).toHaveProperty('badRequest');
    expect((await cinder('POST', '/volumes', { volume: { name: 'x', size: 1, availability_zone: 'az-maintenance' } })).status).toBe(400);
    expect((await cinder('POST', '/volumes', { volume: { name: 'x', size: 1, volume_type: 'gold' } })).status).toBe(404);
    expect((await send(port, { method: 'GET', path: `/volume/v3/${projectId}/volumes/detail`, headers: {} })).status).toBe(401);
  });

  test('attach through Nova (attaching → in-use), snapshot with force, detach (detaching → available); a stopped server is 409', async () => {
    const serverId = await activeServer();
    const v = (await cinder('POST', '/volumes', { volume: { name: 'att', size: 1 } })).json().volume;
    await sleep(BOOT_MS + 20);
    const attached = await nova('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id, device: null } });
    expect(attached.status).toBe(200);
    expect(attached.json().volumeAttachment).toEqual({ id: v.id, serverId, volumeId: v.id, device: '/dev/vdb' });
    expect(['attaching', 'in-use']).toContain((await cinder('GET', `/volumes/${v.id}`)).json().volume.status);
    await sleep(BOOT_MS + 20);
    const inUse = (await cinder('GET', `/volumes/${v.id}`)).json().volume;
    expect(inUse.status).toBe('in-use');
    expect(inUse.attachments).toEqual([expect.objectContaining({ server_id: serverId, device: '/dev/vdb', volume_id: v.id })]);
    expect((await nova('GET', `/servers/${serverId}`)).json().server['os-extended-volumes:volumes_attached']).toEqual([{ id: v.id }]);
    expect((await cinder('POST', '/snapshots', { snapshot: { volume_id: v.id, name: 'no-force' } })).status).toBe(400);
    const snap = await cinder('POST', '/snapshots', { snapshot: { volume_id: v.id, name: 'forced', force: true } });
    expect(snap.status).toBe(202);
    expect(snap.json().snapshot).toMatchObject({ name: 'forced', volume_id: v.id, size: 1, status: 'creating' });
    expect((await nova('DELETE', `/servers/${serverId}/os-volume_attachments/${v.id}`)).status).toBe(202);
    expect(['detaching', 'available']).toContain((await cinder('GET', `/volumes/${v.id}`)).json().volume.status);
    await sleep(BOOT_MS + 20);
    expect((await cinder('GET', `/volumes/${v.id}`)).json().volume).toMatchObject({ status: 'available', attachments: [] });
    const listed = (await cinder('GET', '/snapshots/detail')).json().snapshots;
    expect(listed.find((x: { id: string }) => x.id === snap.json().snapshot.id).status).toBe('available');
    expect((await cinder('DELETE', `/volumes/${v.id}`)).status).toBe(400); // has a snapshot
    expect((await cinder('DELETE', `/snapshots/${snap.json().snapshot.id}`)).status).toBe(202);
    expect((await cinder('DELETE', `/snapshots/${snap.json().snapshot.id}`)).json()).toHaveProperty('itemNotFound');
    expect((await nova('POST', `/servers/${serverId}/action`, { 'os-stop': null })).status).toBe(202);
    await sleep(BOOT_MS + 20);
    const stopped = await nova('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: v.id } });
    expect(stopped.status).toBe(409);
    expect(Object.keys(stopped.json())).toEqual(['conflictingRequest']);
    const missing = await nova('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.json()).toEqual({ itemNotFound: { code: 404, message: 'Volume 00000000-0000-4000-8000-000000000000 could not be found.' } });
    expect((await cinder('DELETE', `/volumes/${v.id}`)).status).toBe(202);
  });

  test('faults apply to Cinder: an injected 503 is Nova’s serviceUnavailable document', async () => {
    server.configure({ faults: { sequence: ['503'] } });
    const res = await cinder('GET', '/volumes/detail');
    expect(res.status).toBe(503);
    expect((await cinder('GET', '/volumes/detail')).status).toBe(200);
  });
});

describe('Nova key pairs and createImage', () => {
  test('a generated key pair returns its private key once; an imported one its fingerprint; 409 on a taken name; 404 once deleted', async () => {
    const created = await nova('POST', '/os-keypairs', { keypair: { name: 'gen' } });
    expect(created.status).toBe(200);
    const kp = created.json().keypair;
    expect(kp.private_key).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(kp.fingerprint).toBe(sshFingerprint(parseSshPublicKey(kp.public_key)));
    expect((await nova('GET', '/os-keypairs/gen')).json().keypair).not.toHaveProperty('private_key');
    expect((await nova('POST', '/os-keypairs', { keypair: { name: 'gen' } })).json()).toEqual({ conflictingRequest: { code: 409, message: "Key pair 'gen' already exists." } });
    expect((await nova('POST', '/os-keypairs', { keypair: { name: 'bad', public_key: 'nonsense' } })).status).toBe(400);
    expect((await nova('POST', '/os-keypairs', { keypair: { name: 'late' } }, { 'openstack-api-version': 'compute 2.92' })).status).toBe(400);
    expect((await nova('GET', '/os-keypairs')).json().keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['gen']);
    expect((await nova('DELETE', '/os-keypairs/gen')).status).toBe(202);
    expect((await nova('GET', '/os-keypairs/gen')).status).toBe(404);
  });

  test('createImage: 202 with Location; the Glance image is queued, then active; deletable once (204, then 404)', async () => {
    const serverId = await activeServer();
    const res = await nova('POST', `/servers/${serverId}/action`, { createImage: { name: 'snap', metadata: { description: 'd' } } });
    expect(res.status).toBe(202);
    const id = String(res.headers.location).split('/').pop()!;
    const queued = (await call('GET', `/image/v2/images/${id}`)).json();
    expect(queued).toMatchObject({ name: 'snap', status: expect.stringMatching(/^(queued|saving|active)$/), visibility: 'private', description: 'd', instance_uuid: serverId });
    await sleep(BOOT_MS + 20);
    expect((await call('GET', `/image/v2/images/${id}`)).json().status).toBe('active');
    expect((await call('GET', '/image/v2/images')).json().images[0].id).toBe(id);
    const publicImage = (await call('GET', '/image/v2/images')).json().images[1].id;
    expect((await call('DELETE', `/image/v2/images/${publicImage}`)).status).toBe(403);
    expect((await call('DELETE', `/image/v2/images/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/image/v2/images/${id}`)).status).toBe(404);
    const later = await nova('POST', `/servers/${serverId}/action`, { createImage: { name: 'x' } }, { 'openstack-api-version': 'compute 2.45' });
    expect(later.json()).toHaveProperty('image_id');
  });
});
