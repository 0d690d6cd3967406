/**
 * OpenStack volumes, snapshots, key pairs and images end to end against the embedded fake cloud (Keystone, Nova,
 * Glance and Cinder in a worker thread, so the sync style can block this one), in the sync style and Design 3
 * (`async: true`): create volume → attach → snapshot → detach → destroy (and a volume from the snapshot);
 * create / import / delete key pairs; create image → delete; Cinder paging; injected faults retried.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  generateSshKeyPair,
  ImageNotFoundError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  NodeNotFoundError,
  NotImplementedError,
  RequestError,
  VolumeNotFoundError,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import { getDriver as design3 } from '@dualcloud/async-mode/compute';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import {
  getDriver,
  KeyPair,
  Node,
  NodeImage,
  NodeState,
  Provider,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type NodeLocation,
  type NodeSize,
  type OpenStackNodeDriverOptions,
} from '@dualcloud/drivers/compute';

const BOOT_MS = 200;
const WAIT = { timeout: 10_000, pollInterval: 15 };
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: BOOT_MS });
});
afterAll(async () => {
  await cloud?.close();
});
beforeEach(async () => {
  await cloud.configure({ nodeBootMs: BOOT_MS, faults: {} });
});

type Style = 'sync' | 'design3';
const STYLES: Style[] = ['sync', 'design3'];

interface Driver {
  call<T>(method: string, ...args: unknown[]): Promise<T>;
}

function open(style: Style, extra: Partial<OpenStackNodeDriverOptions> = {}): Driver {
  const options = { authUrl: cloud.endpoint('keystone').authUrl, username, password, projectName: project, userDomainName: domain, retry: RETRY, ...extra };
  const target: Record<string, (...args: unknown[]) => unknown> =
    style === 'sync' ? (new (getDriver(Provider.OPENSTACK))(options) as never) : (new (design3(Provider.OPENSTACK))({ ...options, async: true }) as never);
  return {
    async call<T>(method: string, ...args: unknown[]): Promise<T> {
      const value = target[method]!(...args);
      if (style === 'sync') expect(value).not.toBeInstanceOf(Promise);
      else expect(value).toBeInstanceOf(Promise);
      return (await value) as T;
    },
  };
}

let sequence = 0;
const unique = (style: Style): string => `e2e-${style}-${++sequence}-${process.pid}`;

/** A running server in the first availability zone. */
async function runningNode(d: Driver, style: Style): Promise<{ node: Node; zone: NodeLocation }> {
  const [images, sizes, zones] = [await d.call<NodeImage[]>('listImages'), await d.call<NodeSize[]>('listSizes'), await d.call<NodeLocation[]>('listLocations')];
  const cirros = images.find((i) => i.name.startsWith('cirros'))!;
  const node = await d.call<Node>('createNode', { name: unique(style), image: cirros, size: sizes[0]!, location: zones[0]! });
  const [ready] = await d.call<Array<{ node: Node }>>('waitUntilRunning', [node], WAIT);
  return { node: ready!.node, zone: zones[0]! };
}

async function untilSnapshot(d: Driver, volume: StorageVolume, id: string, state: string): Promise<VolumeSnapshot> {
  for (let i = 0; i < 300; i++) {
    const found = (await d.call<VolumeSnapshot[]>('listVolumeSnapshots', volume)).find((s) => s.id === id);
    if (found?.state === state) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`snapshot ${id} never reached ${state}`);
}

async function untilImage(d: Driver, id: string, status: string): Promise<NodeImage> {
  for (let i = 0; i < 300; i++) {
    const image = await d.call<NodeImage>('getImage', id);
    if (image.extra.status === status) return image;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`image ${id} never reached ${status}`);
}

describe.each(STYLES)('%s', (style) => {
  test('volume: create (creating → available) → attach (in-use, seen on the server) → snapshot → detach → destroy; a volume from the snapshot', async () => {
    const d = open(style);
    const { node, zone } = await runningNode(d, style);
    const name = unique(style);
    const volume = await d.call<StorageVolume>('createVolume', { size: 2, name, location: zone, ex: { volumeType: 'lvmdriver-1' } });
    expect([volume.name, volume.size, volume.state, volume.extra.location, volume.extra.volume_type, volume.extra.description]).toEqual([name, 2, StorageVolumeState.CREATING, zone.id, 'lvmdriver-1', name]);
    await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);

    expect(await d.call('attachVolume', node, volume, '/dev/vdc')).toBe(true);
    // A second attach while the first is under way is Nova's 400 (the volume is not available).
    await expect(d.call('attachVolume', node, volume)).rejects.toBeInstanceOf(RequestError);
    const inUse = await d.call<StorageVolume>('waitUntilVolumeState', volume, StorageVolumeState.INUSE, WAIT);
    expect(inUse.extra.attachments).toEqual([expect.objectContaining({ server_id: node.id, device: '/dev/vdc', volume_id: volume.id })]);
    const server = (await d.call<Node[]>('listNodes')).find((n) => n.id === node.id)!;
    expect(server.extra.volumes_attached).toEqual([{ id: volume.id }]);
    // Cinder refuses to delete an attached volume.
    await expect(d.call('destroyVolume', inUse)).rejects.toBeInstanceOf(RequestError);

    const snapshot = await d.call<VolumeSnapshot>('createVolumeSnapshot', inUse, `${name}-snap`);
    expect([snapshot.name, snapshot.size, snapshot.state, snapshot.extra.volume_id]).toEqual([`${name}-snap`, 2, VolumeSnapshotState.CREATING, volume.id]);
    const done = await untilSnapshot(d, volume, snapshot.id, VolumeSnapshotState.AVAILABLE);
    expect(done.createdAt).toBeInstanceOf(Date);

    const restored = await d.call<StorageVolume>('createVolume', { size: 3, name: `${name}-restored`, snapshot: done });
    expect(restored.extra.snapshot_id).toBe(done.id);
    await d.call('waitUntilVolumeState', restored, StorageVolumeState.AVAILABLE, WAIT);
    expect(await d.call('destroyVolume', restored)).toBe(true);

    expect(await d.call('detachVolume', inUse)).toBe(true);
    const detached = await d.call<StorageVolume>('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, WAIT);
    expect(detached.extra.attachments).toEqual([]);
    await expect(d.call('detachVolume', detached)).rejects.toMatchObject({ code: 'VolumeNotAttached' });
    // A volume with snapshots cannot be deleted: the snapshot goes first.
    await expect(d.call('destroyVolume', detached)).rejects.toBeInstanceOf(RequestError);
    expect(await d.call('destroyVolumeSnapshot', done)).toBe(true);
    await expect(d.call('destroyVolumeSnapshot', done)).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);
    expect(await d.call('destroyVolume', detached)).toBe(true);
    await expect(d.call('destroyVolume', detached)).rejects.toBeInstanceOf(VolumeNotFoundError);
    expect((await d.call<StorageVolume[]>('listVolumes')).map((v) => v.id)).not.toContain(volume.id);
    await expect(d.call('createVolume', { size: 1, name: 'x', snapshot: done })).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);
    await expect(d.call('attachVolume', node, detached)).rejects.toBeInstanceOf(VolumeNotFoundError);

    // A stopped server takes no volume (Nova's 409), a deleted one is NodeNotFoundError.
    const other = await d.call<StorageVolume>('createVolume', { size: 1, name: unique(style) });
    await d.call('waitUntilVolumeState', other, StorageVolumeState.AVAILABLE, WAIT);
    expect(await d.call('stopNode', node)).toBe(true);
    for (let i = 0; i < 300 && (await d.call<Node[]>('listNodes')).find((n) => n.id === node.id)?.state !== NodeState.STOPPED; i++) await new Promise((r) => setTimeout(r, 10));
    await expect(d.call('attachVolume', node, other)).rejects.toMatchObject({ status: 409, code: 'conflictingRequest' });
    expect(await d.call('destroyNode', node)).toBe(true);
    await expect(d.call('attachVolume', node, other)).rejects.toBeInstanceOf(NodeNotFoundError);
    expect(await d.call('destroyVolume', other)).toBe(true);
  });

  test('key pairs: create (Nova’s private key, once, never printed), import from a string, get, list, delete', async () => {
    const d = open(style);
    const name = unique(style);
    const created = await d.call<KeyPair>('createKeyPair', name);
    expect(created.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(created.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const line = created.privateKey!.split('\n')[1]!;
    for (const text of [inspect(created, { showHidden: true, depth: 9 }), JSON.stringify(created), String(created)]) expect(text).not.toContain(line);
    await expect(d.call('createKeyPair', name)).rejects.toBeInstanceOf(KeyPairAlreadyExistsError);

    const generated = generateSshKeyPair('e2e@import');
    const imported = await d.call<KeyPair>('importKeyPairFromString', `${name}-imported`, generated.publicKey);
    expect([imported.publicKey, imported.privateKey]).toEqual([generated.publicKey, undefined]);
    const fetched = await d.call<KeyPair>('getKeyPair', name);
    expect([fetched.fingerprint, fetched.publicKey, fetched.privateKey]).toEqual([created.fingerprint, created.publicKey, undefined]);
    const listed = await d.call<KeyPair[]>('listKeyPairs');
    expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining([name, `${name}-imported`]));

    expect(await d.call('deleteKeyPair', created)).toBe(true);
    expect(await d.call('deleteKeyPair', imported)).toBe(true);
    await expect(d.call('getKeyPair', name)).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    await expect(d.call('deleteKeyPair', imported)).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
  });

  test('images: createImage (queued → active in Glance, listed, bootable) → deleteImage; copyImage is NotImplementedError', async () => {
    const d = open(style);
    const { node } = await runningNode(d, style);
    const name = unique(style);
    const image = await d.call<NodeImage>('createImage', node, name, { description: 'e2e image' });
    expect([image.name, image.extra.visibility]).toEqual([name, 'private']);
    expect(['queued', 'saving', 'active']).toContain(image.extra.status);
    const active = await untilImage(d, image.id, 'active');
    expect(active.extra.minDisk).toBeGreaterThanOrEqual(1);
    expect((await d.call<NodeImage[]>('listImages')).map((i) => i.id)).toContain(image.id);
    await expect(d.call('copyImage', 'RegionOne', active, `${name}-copy`)).rejects.toBeInstanceOf(NotImplementedError);
    // A server booted from the new image.
    const sizes = await d.call<NodeSize[]>('listSizes');
    const child = await d.call<Node>('createNode', { name: `${name}-child`, image: active, size: sizes.find((s) => s.disk >= 1)! });
    expect(child.extra.imageId).toBe(image.id);
    expect(await d.call('destroyNode', child)).toBe(true);

    expect(await d.call('deleteImage', active)).toBe(true);
    await expect(d.call('getImage', image.id)).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(d.call('deleteImage', active)).rejects.toBeInstanceOf(ImageNotFoundError);
    await d.call('destroyNode', node);
    await expect(d.call('createImage', node, `${name}-gone`)).rejects.toBeInstanceOf(NodeNotFoundError);
  });

  test('Cinder pages are followed by marker; injected 503s on Cinder are retried', async () => {
    const d = open(style, { pageSize: 2 });
    const made: StorageVolume[] = [];
    for (let i = 0; i < 5; i++) made.push(await d.call<StorageVolume>('createVolume', { size: 1, name: unique(style) }));
    const listed = (await d.call<StorageVolume[]>('listVolumes')).map((v) => v.id);
    expect(listed).toEqual(expect.arrayContaining(made.map((v) => v.id)));
    expect(new Set(listed).size).toBe(listed.length);
    await cloud.configure({ nodeBootMs: BOOT_MS, faults: { sequence: ['503', '503'], providers: ['nova'] } });
    const again = await open(style, { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } }).call<StorageVolume[]>('listVolumes');
    expect(again.map((v) => v.id)).toEqual(expect.arrayContaining(made.map((v) => v.id)));
    await cloud.configure({ nodeBootMs: BOOT_MS, faults: {} });
    for (const v of made) await d.call('waitUntilVolumeState', v, StorageVolumeState.AVAILABLE, WAIT);
    for (const v of made) expect(await d.call('destroyVolume', v)).toBe(true);
  });
});
