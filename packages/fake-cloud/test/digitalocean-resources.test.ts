/**
 * The DigitalOcean emulation of volumes (and their actions and snapshots), SSH keys and the account's own
 * images, on the wire. Actions are `in-progress` for the boot delay (read right after the call) and change
 * state when they complete (polled for, with a deadline).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateSshKeyPair, sshFingerprint } from '@dualcloud/core';
import { createFakeCloudServer, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { digitalocean, sleep, type TestResponse } from './helpers/http.js';

const BOOT_MS = 400;
let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: BOOT_MS });
  port = await server.listen();
});
afterAll(() => server.close());

/** The JSON body of a response with `status` (the test fails on another status). */
function body(res: TestResponse, status = 200): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${res.text}`);
  return res.text ? res.json() : undefined;
}

async function until(path: string, check: (doc: any) => boolean): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const doc = body(await digitalocean(port, 'GET', path));
    if (check(doc)) return doc;
    if (Date.now() > deadline) throw new Error(`GET ${path} never satisfied the check`);
    await sleep(25);
  }
}

async function activeDroplet(region = 'nyc3', name = 'web'): Promise<number> {
  const { droplet } = body(await digitalocean(port, 'POST', '/v2/droplets', { name, region, size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64' }), 202);
  await until(`/v2/droplets/${droplet.id}`, (d) => d.droplet.status === 'active');
  return droplet.id;
}

async function waitForAction(path: string): Promise<void> {
  await until(path, (d) => d.action.status === 'completed');
}

describe('DigitalOcean volumes', () => {
  test('POST /v2/volumes is 201 with the volume; GET, list (by region and name), DELETE 204', async () => {
    const created = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 10, name: 'data-1', region: 'nyc3', description: 'd', filesystem_type: 'ext4', tags: ['db'] }), 201).volume;
    expect(created).toMatchObject({ name: 'data-1', size_gigabytes: 10, droplet_ids: [], region: { slug: 'nyc3' }, description: 'd', filesystem_type: 'ext4', tags: ['db'] });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${created.id}`)).volume.id).toBe(created.id);
    expect(body(await digitalocean(port, 'GET', '/v2/volumes?region=nyc3&name=data-1')).volumes.map((v: any) => v.id)).toEqual([created.id]);
    expect(body(await digitalocean(port, 'GET', '/v2/volumes?region=ams3&name=data-1')).volumes).toEqual([]);
    body(await digitalocean(port, 'DELETE', `/v2/volumes/${created.id}`), 204);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${created.id}`), 404).id).toBe('not_found');
  });

  test.each([
    [{ size_gigabytes: 1, name: 'Data', region: 'nyc3' }, 422],
    [{ size_gigabytes: 0, name: 'data', region: 'nyc3' }, 422],
    [{ size_gigabytes: 1, name: 'data', region: 'mars1' }, 422],
    [{ size_gigabytes: 1, name: 'data' }, 422],
    [{ size_gigabytes: 1, name: 'data', region: 'nyc3', snapshot_id: '00000000-0000-4000-8000-000000000000' }, 404],
  ])('POST /v2/volumes %j is refused with %i', async (request, status) => {
    expect((await digitalocean(port, 'POST', '/v2/volumes', request)).status).toBe(status);
  });

  test('a second volume of the same name in a region is 409', async () => {
    body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 1, name: 'twin', region: 'sfo3' }), 201);
    expect(body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 1, name: 'twin', region: 'sfo3' }), 409).id).toBe('conflict');
    body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 1, name: 'twin', region: 'lon1' }), 201);
  });

  test('attach: 202 with an in-progress action; droplet_ids changes when it completes; detach likewise', async () => {
    const droplet = await activeDroplet('nyc3', 'attach-me');
    const volume = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 5, name: 'attached', region: 'nyc3' }), 201).volume;
    const { action } = body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'attach', droplet_id: droplet, region: 'nyc3' }), 202);
    expect(action).toMatchObject({ status: 'in-progress', type: 'attach_volume', resource_type: 'volume', resource_id: volume.id, region_slug: 'nyc3' });
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}`)).volume.droplet_ids).toEqual([]);
    expect(body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'attach', droplet_id: droplet, region: 'nyc3' }), 422).message).toMatch(/pending event/);
    await waitForAction(`/v2/volumes/${volume.id}/actions/${action.id}`);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}`)).volume.droplet_ids).toEqual([droplet]);
    expect(body(await digitalocean(port, 'GET', `/v2/droplets/${droplet}`)).droplet.volume_ids).toEqual([volume.id]);
    expect(body(await digitalocean(port, 'GET', `/v2/actions/${action.id}`)).action.status).toBe('completed');
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}/actions`)).actions.map((a: any) => a.id)).toEqual([action.id]);
    expect((await digitalocean(port, 'DELETE', `/v2/volumes/${volume.id}`)).status).toBe(409);
    const detach = body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'detach', droplet_id: droplet, region: 'nyc3' }), 202).action;
    expect(detach.type).toBe('detach_volume');
    await waitForAction(`/v2/volumes/${volume.id}/actions/${detach.id}`);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}`)).volume.droplet_ids).toEqual([]);
    expect(body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'detach', droplet_id: droplet, region: 'nyc3' }), 422).message).toBe('Attachment not found');
  });

  test('attach refuses a missing droplet (404), a powered-off one, one in another region, a volume attached already', async () => {
    const droplet = await activeDroplet('nyc3', 'refuser');
    const volume = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 1, name: 'refused', region: 'nyc3' }), 201).volume;
    const attach = (dropletId: number, region = 'nyc3') => digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'attach', droplet_id: dropletId, region });
    expect(body(await attach(987654321), 404).id).toBe('not_found');
    expect((await attach(droplet, 'ams3')).status).toBe(422);
    const far = await activeDroplet('ams3', 'far');
    expect(body(await attach(far), 422).message).toMatch(/same region/);
    const off = body(await digitalocean(port, 'POST', `/v2/droplets/${droplet}/actions`, { type: 'power_off' }), 201).action;
    await waitForAction(`/v2/actions/${off.id}`);
    expect(body(await attach(droplet), 422).message).toMatch(/powered on/);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}`)).volume.droplet_ids).toEqual([]);
    expect((await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'resize', size_gigabytes: 2 })).status).toBe(422);
  });

  test('a deleted droplet leaves its volumes detached', async () => {
    const droplet = await activeDroplet('nyc3', 'doomed');
    const volume = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 1, name: 'survivor', region: 'nyc3' }), 201).volume;
    const { action } = body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/actions`, { type: 'attach', droplet_id: droplet, region: 'nyc3' }), 202);
    await waitForAction(`/v2/volumes/${volume.id}/actions/${action.id}`);
    body(await digitalocean(port, 'DELETE', `/v2/droplets/${droplet}`), 204);
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}`)).volume.droplet_ids).toEqual([]);
  });
});

describe('DigitalOcean volume snapshots', () => {
  test('POST /v2/volumes/{id}/snapshots is 201; listed per volume and at /v2/snapshots; a volume from it needs its size; DELETE 204', async () => {
    const volume = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 8, name: 'snapped', region: 'fra1' }), 201).volume;
    const snapshot = body(await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/snapshots`, { name: 'nightly', tags: ['a'] }), 201).snapshot;
    expect(snapshot).toMatchObject({ name: 'nightly', regions: ['fra1'], resource_id: volume.id, resource_type: 'volume', min_disk_size: 8, tags: ['a'] });
    expect(body(await digitalocean(port, 'GET', `/v2/volumes/${volume.id}/snapshots`)).snapshots.map((s: any) => s.id)).toEqual([snapshot.id]);
    expect(body(await digitalocean(port, 'GET', '/v2/snapshots?resource_type=volume')).snapshots.map((s: any) => s.id)).toContain(snapshot.id);
    expect(body(await digitalocean(port, 'GET', `/v2/snapshots/${snapshot.id}`)).snapshot.id).toBe(snapshot.id);
    expect((await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 4, name: 'too-small', snapshot_id: snapshot.id })).status).toBe(422);
    const restored = body(await digitalocean(port, 'POST', '/v2/volumes', { size_gigabytes: 8, name: 'restored', snapshot_id: snapshot.id }), 201).volume;
    expect(restored.region.slug).toBe('fra1');
    expect((await digitalocean(port, 'POST', `/v2/volumes/${volume.id}/snapshots`, { name: '' })).status).toBe(422);
    body(await digitalocean(port, 'DELETE', `/v2/snapshots/${snapshot.id}`), 204);
    expect((await digitalocean(port, 'DELETE', `/v2/snapshots/${snapshot.id}`)).status).toBe(404);
    expect((await digitalocean(port, 'GET', '/v2/volumes/00000000-0000-4000-8000-000000000000/snapshots')).status).toBe(404);
  });
});

describe('DigitalOcean SSH keys', () => {
  test('POST /v2/account/keys (201) with the MD5 fingerprint; GET by id or fingerprint; PUT renames; DELETE 204', async () => {
    const { publicKey } = generateSshKeyPair('me@laptop');
    const key = body(await digitalocean(port, 'POST', '/v2/account/keys', { name: 'laptop', public_key: publicKey }), 201).ssh_key;
    expect(key).toMatchObject({ name: 'laptop', public_key: publicKey, fingerprint: sshFingerprint(publicKey) });
    expect(body(await digitalocean(port, 'GET', `/v2/account/keys/${key.fingerprint}`)).ssh_key.id).toBe(key.id);
    expect(body(await digitalocean(port, 'PUT', `/v2/account/keys/${key.id}`, { name: 'renamed' })).ssh_key.name).toBe('renamed');
    expect(body(await digitalocean(port, 'GET', '/v2/account/keys')).ssh_keys.map((k: any) => k.name)).toContain('renamed');
    expect(body(await digitalocean(port, 'POST', '/v2/account/keys', { name: 'again', public_key: publicKey }), 422).message).toBe('SSH Key is already in use on your account');
    expect((await digitalocean(port, 'POST', '/v2/account/keys', { name: 'junk', public_key: 'ssh-rsa nope' })).status).toBe(422);
    expect((await digitalocean(port, 'POST', '/v2/account/keys', { name: '', public_key: generateSshKeyPair().publicKey })).status).toBe(422);
    body(await digitalocean(port, 'DELETE', `/v2/account/keys/${key.id}`), 204);
    expect((await digitalocean(port, 'GET', `/v2/account/keys/${key.id}`)).status).toBe(404);
  });
});

describe('DigitalOcean images of the account', () => {
  test('a droplet snapshot action locks the droplet and makes a private image when it completes; droplets launch from it', async () => {
    const droplet = await activeDroplet('nyc3', 'imaged');
    const { action } = body(await digitalocean(port, 'POST', `/v2/droplets/${droplet}/actions`, { type: 'snapshot', name: 'golden' }), 201);
    expect(action).toMatchObject({ type: 'snapshot', status: 'in-progress', resource_type: 'droplet', resource_id: droplet });
    expect(body(await digitalocean(port, 'POST', `/v2/droplets/${droplet}/actions`, { type: 'reboot' }), 422).message).toMatch(/pending event/);
    expect(body(await digitalocean(port, 'GET', `/v2/droplets/${droplet}/snapshots`)).snapshots).toEqual([]);
    await waitForAction(`/v2/actions/${action.id}`);
    const [snapshot] = body(await digitalocean(port, 'GET', `/v2/droplets/${droplet}/snapshots`)).snapshots;
    expect(snapshot).toMatchObject({ name: 'golden', regions: ['nyc3'], resource_type: 'droplet', resource_id: String(droplet) });
    const image = body(await digitalocean(port, 'GET', `/v2/images/${snapshot.id}`)).image;
    expect(image).toMatchObject({ name: 'golden', public: false, type: 'snapshot', slug: null, regions: ['nyc3'], distribution: 'Ubuntu' });
    expect(body(await digitalocean(port, 'GET', '/v2/images?private=true')).images.map((i: any) => i.id)).toContain(image.id);
    expect(body(await digitalocean(port, 'GET', '/v2/images?type=distribution')).images.map((i: any) => i.id)).not.toContain(image.id);
    expect(body(await digitalocean(port, 'GET', '/v2/images?per_page=200')).images.map((i: any) => i.id)).toContain(image.id);
    const launched = body(await digitalocean(port, 'POST', '/v2/droplets', { name: 'from-golden', region: 'nyc3', size: 's-1vcpu-1gb', image: image.id }), 202).droplet;
    expect(launched.image.id).toBe(image.id);
    expect((await digitalocean(port, 'POST', '/v2/droplets', { name: 'elsewhere', region: 'ams3', size: 's-1vcpu-1gb', image: image.id })).status).toBe(422);
    expect(body(await digitalocean(port, 'PUT', `/v2/images/${image.id}`, { description: 'web tier' })).image.description).toBe('web tier');
    body(await digitalocean(port, 'DELETE', `/v2/images/${image.id}`), 204);
    expect((await digitalocean(port, 'GET', `/v2/images/${image.id}`)).status).toBe(404);
    expect((await digitalocean(port, 'DELETE', '/v2/images/129211873')).status).toBe(403);
  });

  test('an image transfer adds the region when it completes; a region it is in already is refused', async () => {
    const droplet = await activeDroplet('nyc3', 'transferred');
    const { action } = body(await digitalocean(port, 'POST', `/v2/droplets/${droplet}/actions`, { type: 'snapshot', name: 'moving' }), 201);
    await waitForAction(`/v2/actions/${action.id}`);
    const [snapshot] = body(await digitalocean(port, 'GET', `/v2/droplets/${droplet}/snapshots`)).snapshots;
    const transfer = body(await digitalocean(port, 'POST', `/v2/images/${snapshot.id}/actions`, { type: 'transfer', region: 'ams3' }), 201).action;
    expect(transfer).toMatchObject({ type: 'transfer', status: 'in-progress', resource_type: 'image', resource_id: Number(snapshot.id), region_slug: 'ams3' });
    expect(body(await digitalocean(port, 'GET', `/v2/images/${snapshot.id}`)).image.regions).toEqual(['nyc3']);
    await waitForAction(`/v2/images/${snapshot.id}/actions/${transfer.id}`);
    expect(body(await digitalocean(port, 'GET', `/v2/images/${snapshot.id}`)).image.regions).toEqual(['nyc3', 'ams3']);
    expect(body(await digitalocean(port, 'POST', `/v2/images/${snapshot.id}/actions`, { type: 'transfer', region: 'ams3' }), 422).message).toMatch(/already/);
    expect((await digitalocean(port, 'POST', `/v2/images/${snapshot.id}/actions`, { type: 'transfer', region: 'mars1' })).status).toBe(422);
    expect((await digitalocean(port, 'POST', '/v2/images/129211873/actions', { type: 'transfer', region: 'ams3' })).status).toBe(403);
  });
});
