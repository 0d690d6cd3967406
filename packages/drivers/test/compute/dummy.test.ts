import { inspect } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import {
  ASYNC_MODE,
  generateSshKeyPair,
  ImageNotFoundError,
  InvalidArgumentError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  NodeNotFoundError,
  RequestError,
  sshFingerprint,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import {
  DummyNodeDriver,
  getDriver,
  NodeState,
  Provider,
  providers,
  StorageVolumeState,
  VolumeSnapshotState,
  type KeyPair,
  type Node,
  type StorageVolume,
  type VolumeSnapshot,
} from '@dualcloud/drivers/compute';

describe('getDriver', () => {
  test('returns the Dummy class for Provider.DUMMY', () => {
    expect(getDriver(Provider.DUMMY)).toBe(DummyNodeDriver);
    expect(providers()).toContain('dummy');
  });
  test('rejects an unknown provider with InvalidArgumentError', () => {
    expect(() => getDriver('nope' as never)).toThrow(InvalidArgumentError);
  });
});

describe('DummyNodeDriver (sync)', () => {
  test('lists the two default nodes as Libcloud does', () => {
    const nodes = new (getDriver(Provider.DUMMY))({ key: 'any' }).listNodes();
    expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
      ['1', 'dummy-1', 'running', ['127.0.0.1'], []],
      ['2', 'dummy-2', 'running', ['127.0.0.2'], []],
    ]);
    expect(nodes[0]!.extra).toEqual({ foo: 'bar' });
  });

  test('nodeCount and a numeric key set the number of nodes', () => {
    expect(new DummyNodeDriver({ key: 'x', nodeCount: 0 }).listNodes()).toEqual([]);
    expect(new DummyNodeDriver({ key: '4' }).listNodes().map((n) => n.name)).toEqual(['dummy-1', 'dummy-2', 'dummy-3', 'dummy-4']);
    expect(() => new DummyNodeDriver({ key: 'x', nodeCount: -1 })).toThrow(InvalidArgumentError);
    expect(() => new DummyNodeDriver({ key: 'x', latencyMs: -5 })).toThrow(InvalidArgumentError);
  });

  test('images, sizes and locations match Libcloud’s dummy lists', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    expect(d.listImages().map((i) => i.name).sort()).toEqual(['Slackware 4', 'Ubuntu 9.04', 'Ubuntu 9.10']);
    expect(d.listSizes().map((s) => s.ram).sort((a, b) => a - b)).toEqual([128, 512, 4096, 8192]);
    expect(d.listLocations().map((l) => `${l.name} in ${l.country}`).sort()).toEqual([
      'Island Datacenter in FJ',
      'London Loft in GB',
      "Paul's Room in US",
    ]);
  });

  test('create, stop, start, reboot and destroy change the in-memory state', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [size] = d.listSizes();
    const [image] = d.listImages();
    const node = d.createNode({ name: 'web', size: size!, image: image! });
    expect([node.id, node.name, node.state, node.publicIps]).toEqual(['3', 'web', 'running', ['127.0.0.3']]);
    expect(node.size).toBe(size);
    expect(d.stopNode(node)).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.state).toBe(NodeState.STOPPED);
    expect(node.start()).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.state).toBe(NodeState.RUNNING);
    expect(d.rebootNode(node)).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.extra.reboots).toBe(1);
    expect(d.waitUntilRunning([node], { timeout: 1000, pollInterval: 10 }).map((r) => r.ips)).toEqual([['127.0.0.3']]);
    expect(node.destroy()).toBe(true);
    expect(d.listNodes().map((n) => n.name)).toEqual(['dummy-1', 'dummy-2']);
    expect(() => d.destroyNode(node)).toThrow(NodeNotFoundError);
    expect(() => d.createNode({ name: '', size: size!, image: image! })).toThrow(InvalidArgumentError);
  });

  test('waitUntilRunning times out naming the stopped node', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [a, b] = d.listNodes();
    d.stopNode(b!);
    expect(() => d.waitUntilRunning([a!, b!], { timeout: 60, pollInterval: 20 })).toThrow(/still not running: 2$/);
  });
});

describe('DummyNodeDriver (async mode)', () => {
  test('methods return Promises and latency runs concurrently', async () => {
    const d = new DummyNodeDriver({ key: 'any', latencyMs: 20, [ASYNC_MODE]: true } as never);
    expect(d.mode).toBe('async');
    const pending = d.listNodes() as unknown;
    expect(pending).toBeInstanceOf(Promise);
    const nodes = await (pending as Promise<ReturnType<DummyNodeDriver['listNodes']>>);
    expect(nodes).toHaveLength(2);
    const size = (await (d.listSizes() as unknown as Promise<ReturnType<DummyNodeDriver['listSizes']>>))[0]!;
    const image = (await (d.listImages() as unknown as Promise<ReturnType<DummyNodeDriver['listImages']>>))[0]!;
    const created = await Promise.all(
      ['a', 'b', 'c'].map((name) => d.createNode({ name, size, image }) as unknown as Promise<ReturnType<DummyNodeDriver['createNode']>>),
    );
    expect(created.map((n) => n.id).sort()).toEqual(['3', '4', '5']);
    expect(await (d.callAsync('listNodes', []) as Promise<unknown[]>)).toHaveLength(5);
  });
});

describe('DummyNodeDriver volumes, snapshots, key pairs and images', () => {
  test('a volume attaches to a running node at the next free device, and a destroyed node leaves it available', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [one, two] = d.listNodes();
    const a = d.createVolume({ size: 4, name: 'a' });
    const b = d.createVolume({ size: 8, name: 'b' });
    expect([a.id, a.state, b.id]).toEqual(['vol-1', StorageVolumeState.AVAILABLE, 'vol-2']);
    expect(a.attach(one!)).toBe(true);
    expect(d.attachVolume(one!, b)).toBe(true);
    expect(d.listVolumes().map((v) => [v.id, v.state, v.extra.nodeId, v.extra.device])).toEqual([
      ['vol-1', StorageVolumeState.INUSE, '1', '/dev/sdb'],
      ['vol-2', StorageVolumeState.INUSE, '1', '/dev/sdc'],
    ]);
    expect(() => d.attachVolume(two!, a)).toThrow(RequestError); // already in use
    expect(() => d.destroyVolume(a)).toThrow(RequestError);
    expect(d.destroyNode(one!)).toBe(true);
    expect(d.listVolumes().map((v) => v.state)).toEqual([StorageVolumeState.AVAILABLE, StorageVolumeState.AVAILABLE]);
    expect(() => d.detachVolume(a)).toThrow(RequestError);
  });

  test('attaching to a stopped node is a RequestError, to a missing one NodeNotFoundError; sizes and devices are checked', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [node] = d.listNodes();
    const v = d.createVolume({ size: 1, name: 'v' });
    d.stopNode(node!);
    expect(() => d.attachVolume(node!, v)).toThrow(expect.objectContaining({ code: 'IncorrectInstanceState' }));
    d.startNode(node!);
    expect(() => d.attachVolume({ ...node!, id: '99' } as never, v)).toThrow(NodeNotFoundError);
    expect(() => d.attachVolume(node!, v, 'sdb')).toThrow(InvalidArgumentError);
    expect(() => d.createVolume({ size: 0, name: 'x' })).toThrow(InvalidArgumentError);
    expect(() => d.createVolume({ size: 1, name: '' })).toThrow(InvalidArgumentError);
    expect(d.waitUntilVolumeState(v, StorageVolumeState.AVAILABLE, { pollInterval: 1 }).id).toBe(v.id);
  });

  test('snapshots list per volume; a volume from a snapshot needs at least its size', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const v = d.createVolume({ size: 10, name: 'data' });
    const s = v.snapshot('nightly') as VolumeSnapshot;
    expect([s.name, s.size, s.state, s.extra.volumeId]).toEqual(['nightly', 10, VolumeSnapshotState.AVAILABLE, v.id]);
    expect(d.createVolumeSnapshot(v).name).toMatch(/^snap-\d+$/);
    expect(d.listVolumeSnapshots(v)).toHaveLength(2);
    expect(() => d.createVolume({ size: 5, name: 'small', snapshot: s })).toThrow(InvalidArgumentError);
    expect(d.createVolume({ size: 10, name: 'restored', snapshot: s }).extra.snapshotId).toBe(s.id);
    expect(s.destroy()).toBe(true);
    expect(() => d.destroyVolumeSnapshot(s)).toThrow(VolumeSnapshotNotFoundError);
  });

  test('key pairs: a created one holds an OpenSSH private key that never prints; duplicates and missing names are typed errors', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const created = d.createKeyPair('me');
    expect(created.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(created.fingerprint).toBe(sshFingerprint(created.publicKey!));
    expect(inspect(created)).not.toContain(created.privateKey!.split('\n')[1]!);
    expect(() => d.createKeyPair('me')).toThrow(KeyPairAlreadyExistsError);
    expect(d.getKeyPair('me').privateKey).toBeUndefined();
    const imported = d.importKeyPairFromString('other', generateSshKeyPair('x').publicKey);
    expect(d.listKeyPairs().map((k) => k.name)).toEqual(['me', 'other']);
    expect(created.delete()).toBe(true);
    expect(d.deleteKeyPair(imported)).toBe(true);
    expect(() => d.getKeyPair('me')).toThrow(KeyPairDoesNotExistError);
    expect(() => d.deleteKeyPair(imported)).toThrow(KeyPairDoesNotExistError);
  });

  test('images: created and copied ones are listed after the catalog; catalog images cannot be deleted', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [node] = d.listNodes();
    const image = d.createImage(node!, 'golden', { description: 'base' });
    const copy = d.copyImage('elsewhere', image, 'golden-copy');
    expect(d.listImages().map((i) => i.name)).toEqual(['Ubuntu 9.10', 'Ubuntu 9.04', 'Slackware 4', 'golden', 'golden-copy']);
    expect(copy.extra).toEqual({ sourceRegion: 'elsewhere', sourceImageId: image.id });
    expect(d.getImage(image.id).extra).toEqual({ nodeId: node!.id, description: 'base' });
    expect(() => d.deleteImage(d.getImage('1'))).toThrow(RequestError);
    expect(d.deleteImage(copy)).toBe(true);
    expect(() => d.getImage(copy.id)).toThrow(ImageNotFoundError);
  });

  test('in async mode the same calls return Promises, and so do the models’ methods', async () => {
    const d = new DummyNodeDriver({ key: 'any', [ASYNC_MODE]: true } as never);
    const [node] = await (d.listNodes() as unknown as Promise<Node[]>);
    const volume = await (d.createVolume({ size: 1, name: 'v' }) as unknown as Promise<StorageVolume>);
    const attached = volume.attach(node!);
    expect(attached).toBeInstanceOf(Promise);
    await expect(attached).resolves.toBe(true);
    const keyPair = await (d.createKeyPair('k') as unknown as Promise<KeyPair>);
    await expect(keyPair.delete()).resolves.toBe(true);
  });
});
