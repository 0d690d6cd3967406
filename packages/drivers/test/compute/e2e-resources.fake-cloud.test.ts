/**
 * End to end against the embedded fake cloud (in its worker thread, so the sync style can block this one), in
 * the sync style and Design 3 (`async: true`), on EC2 and DigitalOcean: a node provisioned with a key pair
 * and a data volume (create → attach → snapshot → detach → destroy, and a volume restored from the
 * snapshot), key pairs created, imported and deleted, an image created, copied to another region, launched
 * from there and deleted.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateSshKeyPair, InvalidArgumentError, KeyPairDoesNotExistError, RequestError, type NodeDriver } from '@dualcloud/core';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver as design3Driver, Provider as Design3Provider } from '@dualcloud/async-mode/compute';
import {
  getDriver,
  KeyPair,
  NodeImage,
  NodeState,
  Provider,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type DigitalOceanNodeDriver,
  type EC2NodeDriver,
  type Node,
  type NodeLocation,
} from '@dualcloud/drivers/compute';

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: 40 });
});
afterAll(async () => {
  await cloud?.close();
});

type Style = 'sync' | 'design3';
const STYLES: Style[] = ['sync', 'design3'];
const WAIT = { timeout: 10_000, pollInterval: 15 };
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

/**
 * Awaits what a driver or model call returned: a plain value in the sync style (checked not to be a
 * Promise), a Promise in Design 3 (checked). Either way a failure becomes a rejection here.
 */
function caller(style: Style): <T>(invoke: () => T) => Promise<Awaited<T>> {
  return async <T>(invoke: () => T): Promise<Awaited<T>> => {
    const value = invoke();
    expect(value instanceof Promise).toBe(style === 'design3');
    return await value;
  };
}

/** An EC2 driver in `region`, in the style (Design 3's class from `@dualcloud/async-mode/compute`). */
function ec2(style: Style, region: string): EC2NodeDriver {
  const options = { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region, ...cloud.endpoint('ec2'), retry: FAST_RETRY };
  if (style === 'sync') return new (getDriver(Provider.EC2))(options);
  return new (design3Driver(Design3Provider.EC2))({ ...options, async: true }) as unknown as EC2NodeDriver;
}

function digitalocean(style: Style): DigitalOceanNodeDriver {
  const options = { key: FAKE_CREDENTIALS.digitalocean.token, ...cloud.endpoint('digitalocean'), retry: FAST_RETRY };
  if (style === 'sync') return new (getDriver(Provider.DIGITAL_OCEAN))(options);
  return new (design3Driver(Design3Provider.DIGITAL_OCEAN))({ ...options, async: true }) as unknown as DigitalOceanNodeDriver;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the volume's snapshots until `id` is available (EC2's start `creating`). */
async function snapshotReady(d: NodeDriver, call: ReturnType<typeof caller>, volume: StorageVolume, id: string): Promise<VolumeSnapshot> {
  for (let i = 0; i < 400; i++) {
    const found = (await call(() => d.listVolumeSnapshots(volume))).find((s) => s.id === id);
    if (found?.state === VolumeSnapshotState.AVAILABLE) return found;
    await pause(15);
  }
  throw new Error(`snapshot ${id} never became available`);
}

/** Polls until the image is usable (EC2's images are `pending` first). */
async function imageReady(d: NodeDriver, call: ReturnType<typeof caller>, id: string): Promise<NodeImage> {
  for (let i = 0; i < 400; i++) {
    const image = await call(() => d.getImage(id));
    if ((image.extra.state ?? 'available') === 'available') return image;
    await pause(15);
  }
  throw new Error(`image ${id} never became available`);
}

/**
 * A node provisioned with a key pair and a data volume, then torn down; the volume is snapshotted and a
 * second volume restored from the snapshot. Returns what it saw.
 */
async function provision(d: NodeDriver, style: Style, name: string, nodeKeyExtras: (key: KeyPair) => Record<string, unknown>): Promise<void> {
  const call = caller(style);
  const [images, sizes, locations] = [await call(() => d.listImages()), await call(() => d.listSizes()), await call(() => d.listLocations())];
  const location: NodeLocation = locations[0]!;
  const keyPair = await call(() => d.createKeyPair(`${name}-key`));
  expect(keyPair.privateKey).toMatch(/PRIVATE KEY-----/);

  const node = await call(() => d.createNode({ name, image: images[0]!, size: sizes[0]!, location, ex: nodeKeyExtras(keyPair) }));
  const [ready] = await call(() => d.waitUntilRunning([node], WAIT));

  const volume = await call(() => d.createVolume({ size: 4, name: `${name}-data`, location }));
  expect(volume).toBeInstanceOf(StorageVolume);
  await call(() => d.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, WAIT));
  expect(await call(() => volume.attach(ready!.node))).toBe(true);
  const inUse = await call(() => d.waitUntilVolumeState(volume, StorageVolumeState.INUSE, WAIT));
  expect(inUse.state).toBe(StorageVolumeState.INUSE);

  const snapshot = await call(() => inUse.snapshot(`${name}-snap`));
  const done = await snapshotReady(d, call, volume, snapshot.id);
  expect(await call(() => inUse.detach())).toBe(true);
  await call(() => d.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, WAIT));

  const restored = await call(() => d.createVolume({ size: 4, name: `${name}-restored`, location, snapshot: done }));
  await call(() => d.waitUntilVolumeState(restored, StorageVolumeState.AVAILABLE, WAIT));
  expect(await call(() => restored.destroy())).toBe(true);
  expect(await call(() => done.destroy())).toBe(true);
  expect(await call(() => volume.destroy())).toBe(true);
  expect((await call(() => d.listVolumes())).map((v) => v.id)).not.toEqual(expect.arrayContaining([volume.id]));

  expect(await call(() => d.destroyNode(ready!.node))).toBe(true);
  expect(await call(() => keyPair.delete())).toBe(true);
  await expect(call(() => d.getKeyPair(`${name}-key`))).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
}

/** Key pairs created, imported from a string, listed, fetched and deleted. */
async function keyPairs(d: NodeDriver, style: Style, prefix: string): Promise<void> {
  const call = caller(style);
  const created = await call(() => d.createKeyPair(`${prefix}-created`));
  const { publicKey } = generateSshKeyPair('e2e@test');
  const imported = await call(() => d.importKeyPairFromString(`${prefix}-imported`, publicKey));
  expect(imported.privateKey).toBeUndefined();
  const names = (await call(() => d.listKeyPairs())).map((k) => k.name);
  expect(names).toEqual(expect.arrayContaining([`${prefix}-created`, `${prefix}-imported`]));
  expect((await call(() => d.getKeyPair(`${prefix}-created`))).fingerprint).toBe(created.fingerprint);
  await expect(call(() => d.importKeyPairFromString(`${prefix}-bad`, created.privateKey!))).rejects.toBeInstanceOf(InvalidArgumentError);
  expect(await call(() => d.deleteKeyPair(created))).toBe(true);
  expect(await call(() => imported.delete())).toBe(true);
  expect((await call(() => d.listKeyPairs())).map((k) => k.name)).not.toEqual(expect.arrayContaining([`${prefix}-created`]));
}

describe.each(STYLES)('%s', (style) => {
  const call = caller(style);

  test('EC2: a node with a key pair and a data volume (attach, snapshot, detach, restore, destroy)', async () => {
    const d = ec2(style, 'eu-central-1');
    await provision(d, style, `e2e-${style}-ec2`, (key) => ({ keyName: key.name }));
  });

  test('DigitalOcean: a droplet with an SSH key and a data volume (attach, snapshot, detach, restore, destroy)', async () => {
    const d = digitalocean(style);
    await provision(d, style, `e2e-${style}-do`, (key) => ({ sshKeys: [key.fingerprint] }));
  });

  test('key pairs on EC2 (two regions kept apart) and DigitalOcean', async () => {
    await keyPairs(ec2(style, 'us-east-2'), style, `e2e-${style}`);
    await keyPairs(digitalocean(style), style, `e2e-${style}`);
    const east = ec2(style, 'us-east-2');
    const west = ec2(style, 'us-west-1');
    const only = await call(() => east.createKeyPair(`e2e-${style}-east-only`));
    await expect(call(() => west.getKeyPair(only.name))).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    expect(await call(() => east.deleteKeyPair(only))).toBe(true);
  });

  test('EC2: an image of a node copied to another region, launched there, and both deleted', async () => {
    const east = ec2(style, 'us-east-1');
    const west = ec2(style, 'eu-west-1');
    const [images, sizes] = [await call(() => east.listImages()), await call(() => east.listSizes())];
    const node = await call(() => east.createNode({ name: `img-${style}`, image: images[0]!, size: sizes[0]! }));
    const [ready] = await call(() => east.waitUntilRunning([node], WAIT));
    const image = await call(() => east.createImage(ready!.node, `golden-${style}`, { description: 'e2e' }));
    const available = await imageReady(east, call, image.id);
    const copy = await call(() => west.copyImage('us-east-1', available, `golden-${style}-eu`, { description: 'copied' }));
    expect(copy.id).not.toBe(image.id);
    await expect(call(() => east.getImage(copy.id))).rejects.toMatchObject({ name: 'ImageNotFoundError' });
    const copied = await imageReady(west, call, copy.id);
    expect([copied.name, copied.extra.description]).toEqual([`golden-${style}-eu`, 'copied']);
    const launched = await call(() => west.createNode({ name: `from-copy-${style}`, image: copied, size: sizes[0]! }));
    expect(launched.image).toBe(copy.id);
    expect(await call(() => west.destroyNode(launched))).toBe(true);
    expect(await call(() => west.deleteImage(copied))).toBe(true);
    expect(await call(() => east.deleteImage(available))).toBe(true);
    expect(await call(() => east.destroyNode(ready!.node))).toBe(true);
  });

  test('DigitalOcean: an image of a droplet transferred to another region, launched there, and deleted', async () => {
    const d = digitalocean(style);
    const [images, sizes, locations] = [await call(() => d.listImages()), await call(() => d.listSizes()), await call(() => d.listLocations())];
    const [nyc, ams] = [locations.find((l) => l.id === 'nyc3')!, locations.find((l) => l.id === 'ams3')!];
    const node = await call(() => d.createNode({ name: `img-${style}`, image: images[0]!, size: sizes[0]!, location: nyc }));
    const [ready] = await call(() => d.waitUntilRunning([node], WAIT));
    const image = await call(() => d.createImage(ready!.node, `golden-${style}`, { description: 'e2e' }));
    expect([image.extra.regions, image.extra.public]).toEqual([['nyc3'], false]);
    await expect(call(() => d.createNode({ name: `too-early-${style}`, image, size: sizes[0]!, location: ams }))).rejects.toBeInstanceOf(RequestError);
    const copy = await call(() => d.copyImage('nyc3', image, image.name, { ex: { region: 'ams3' } }));
    expect([copy.id, copy.extra.regions]).toEqual([image.id, ['nyc3', 'ams3']]);
    const launched = await call(() => d.createNode({ name: `from-copy-${style}`, image: copy, size: sizes[0]!, location: ams }));
    expect((launched.image as NodeImage).id).toBe(image.id);
    expect(await call(() => d.destroyNode(launched))).toBe(true);
    expect(await call(() => d.deleteImage(copy))).toBe(true);
    await expect(call(() => d.getImage(image.id))).rejects.toMatchObject({ name: 'ImageNotFoundError' });
    expect(await call(() => d.destroyNode(ready!.node))).toBe(true);
  });

  test('attaching to a stopped node fails with the provider’s error, on EC2 and DigitalOcean', async () => {
    for (const d of [ec2(style, 'ap-southeast-1'), digitalocean(style)] as NodeDriver[]) {
      const [images, sizes, locations] = [await call(() => d.listImages()), await call(() => d.listSizes()), await call(() => d.listLocations())];
      const node = await call(() => d.createNode({ name: `stopped-${style}`, image: images[0]!, size: sizes[0]!, location: locations[0]! }));
      const [ready] = await call(() => d.waitUntilRunning([node], WAIT));
      expect(await call(() => d.stopNode(ready!.node))).toBe(true);
      for (let i = 0; i < 400 && (await call(() => d.listNodes())).find((n) => n.id === node.id)?.state !== NodeState.STOPPED; i++) await pause(15);
      const volume = await call(() => d.createVolume({ size: 1, name: `stopped-${style}-vol`, location: locations[0]! }));
      await call(() => d.waitUntilVolumeState(volume, StorageVolumeState.AVAILABLE, WAIT));
      const refused = await call(() => d.attachVolume(ready!.node, volume)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(RequestError);
      expect((refused as RequestError).code).toBe(d.type === 'ec2' ? 'IncorrectInstanceState' : 'unprocessable_entity');
      expect(await call(() => d.destroyVolume(volume))).toBe(true);
      expect(await call(() => d.destroyNode(ready!.node))).toBe(true);
    }
  });
});

test('Design 3: several volumes made and attached at once to one node, at the devices given', async () => {
  const d = ec2('design3', 'us-west-2');
  const call = caller('design3');
  const [images, sizes, locations] = [await call(() => d.listImages()), await call(() => d.listSizes()), await call(() => d.listLocations())];
  const node = await call(() => d.createNode({ name: 'many-volumes', image: images[0]!, size: sizes[0]!, location: locations[0]! }));
  const [ready] = await call(() => d.waitUntilRunning([node], WAIT));
  const volumes = await Promise.all([0, 1, 2].map((i) => call(() => d.createVolume({ size: 1 + i, name: `many-${i}`, location: locations[0]! }))));
  await Promise.all(volumes.map((v) => call(() => d.waitUntilVolumeState(v, StorageVolumeState.AVAILABLE, WAIT))));
  const devices = ['/dev/sdf', '/dev/sdg', '/dev/sdh'];
  expect(await Promise.all(volumes.map((v, i) => call(() => d.attachVolume(ready!.node, v, devices[i]))))).toEqual([true, true, true]);
  const attached = await call(() => d.listVolumes({ node: ready!.node }));
  expect(attached.map((v) => v.extra.device).sort()).toEqual(devices);
  await Promise.all(volumes.map((v) => call(() => d.detachVolume(v))));
  await Promise.all(volumes.map((v) => call(() => d.waitUntilVolumeState(v, StorageVolumeState.AVAILABLE, WAIT))));
  expect(await Promise.all(volumes.map((v) => call(() => d.destroyVolume(v))))).toEqual([true, true, true]);
  expect(await call(() => d.destroyNode(ready!.node))).toBe(true);
});
