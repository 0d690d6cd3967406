/**
 * DigitalOcean volumes, volume snapshots, SSH keys and images against msw, in async mode: the request each
 * call sends, the parse of DigitalOcean's documented responses (empty, one page, several pages), actions
 * polled until they complete, and every mapped error (`not_found` names the resource the request addresses).
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import { recordingRouter, type Reply, type Seen } from '../helpers/msw-routes.js';
import {
  ASYNC_MODE,
  generateSshKeyPair,
  ImageNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  NodeNotFoundError,
  ProviderError,
  RateLimitError,
  RequestError,
  sshFingerprint,
  TimeoutError,
  VolumeNotFoundError,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import {
  DigitalOceanNodeDriver,
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type DigitalOceanNodeDriverOptions,
} from '@dualcloud/drivers/compute';
import { fixture, fixtureJson, promised } from './helpers/fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const API = 'https://api.digitalocean.com';
const VOLUME_ID = '506f78a4-e098-11e5-ad9f-000f53306ae1';

/** Routes `METHOD /path` to replies (anything else is a 404); records every request. */
const api = recordingRouter(server, API, () => MswResponse.json(fixtureJson('digitalocean/error_not_found.json'), { status: 404 }));

const json = (name: string, status = 200): Reply => () => new MswResponse(fixture(`digitalocean/${name}`), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
const noContent: Reply = () => new MswResponse(null, { status: 204 });
const unavailable: Reply = () => MswResponse.json({ id: 'service_unavailable', message: 'busy', request_id: 'r-503' }, { status: 503 });
const requests = (seen: Seen[]) => seen.map((s) => `${s.method} ${s.url.pathname}${s.url.search}`);
const bodies = (seen: Seen[]) => seen.filter((s) => s.body !== '').map((s) => JSON.parse(s.body) as unknown);

function driver(options: Partial<DigitalOceanNodeDriverOptions> = {}): DigitalOceanNodeDriver {
  return new DigitalOceanNodeDriver({ key: TOKEN, transport: { adapter: 'http' }, retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...options, [ASYNC_MODE]: true } as DigitalOceanNodeDriverOptions);
}

const droplet = (id = '3164444'): Node => new Node({ id, name: 'web-1', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
const volume = (extra: Record<string, unknown> = { region_slug: 'nyc1' }, id = VOLUME_ID): StorageVolume =>
  new StorageVolume({ id, name: 'example-volume', size: 10, state: StorageVolumeState.AVAILABLE, extra }, {} as never);
const nyc1 = new NodeLocation('nyc1', 'New York 1', '', {});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('DigitalOcean volumes', () => {
  test('listVolumes parses /v2/volumes: inuse while droplet_ids lists a droplet, Libcloud’s extras', async () => {
    const seen = api({ 'GET /v2/volumes': json('list_volumes.json') });
    const volumes = await promised(driver().listVolumes());
    expect(volumes.map((v) => [v.id, v.name, v.size, v.state])).toEqual([
      [VOLUME_ID, 'example-volume', 10, StorageVolumeState.INUSE],
      ['2d2967ff-491d-11e6-860c-000f53315870', 'another-example', 100, StorageVolumeState.AVAILABLE],
    ]);
    expect(volumes[0]).toBeInstanceOf(StorageVolume);
    expect(volumes[0]!.extra).toMatchObject({ droplet_ids: [3164444], region_slug: 'nyc1', created_at: '2026-11-20T10:26:33Z', description: 'Block store for examples', filesystem_type: 'ext4', tags: ['aninterestingtag'] });
    expect((volumes[0]!.extra.region as { name: string }).name).toBe('New York 1');
    expect(requests(seen)).toEqual(['GET /v2/volumes?page=1&per_page=200']);
  });

  test('no volumes is empty; several pages are followed', async () => {
    api({ 'GET /v2/volumes': json('list_volumes_empty.json') });
    await expect(promised(driver().listVolumes())).resolves.toEqual([]);
    server.resetHandlers();
    const seen = api({ 'GET /v2/volumes': (s) => json(s.url.searchParams.get('page') === '2' ? 'list_volumes_page2.json' : 'list_volumes_page1.json')(s, 0) });
    expect((await promised(driver({ pageSize: 1 }).listVolumes())).map((v) => v.name)).toEqual(['paged-volume-1', 'paged-volume-2']);
    expect(requests(seen)).toEqual(['GET /v2/volumes?page=1&per_page=1', 'GET /v2/volumes?page=2&per_page=1']);
  });

  test('createVolume POSTs size, name, region and the extras; it is available at once; not retried', async () => {
    const seen = api({ 'POST /v2/volumes': (s, n) => (n === 2 ? unavailable(s, n) : json('create_volume.json', 201)(s, n)) });
    const d = driver();
    const created = await promised(d.createVolume({ size: 10, name: 'data-1', location: nyc1, ex: { description: 'data', filesystemType: 'ext4', filesystemLabel: 'data', tags: ['db'] } }));
    expect([created.id, created.name, created.size, created.state]).toEqual(['6d1e4c1b-1b5a-11ef-9a5c-0a58ac14a1b7', 'data-1', 10, StorageVolumeState.AVAILABLE]);
    await expect(promised(d.createVolume({ size: 10, name: 'data-2', location: nyc1 }))).rejects.toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(2);
    expect(bodies(seen)).toEqual([
      { size_gigabytes: 10, name: 'data-1', region: 'nyc1', description: 'data', filesystem_type: 'ext4', filesystem_label: 'data', tags: ['db'] },
      { size_gigabytes: 10, name: 'data-2', region: 'nyc1' },
    ]);
  });

  test('createVolume from a snapshot sends snapshot_id and may omit the region; a missing snapshot is VolumeSnapshotNotFoundError', async () => {
    const seen = api({ 'POST /v2/volumes': (s, n) => (n === 1 ? json('create_volume.json', 201)(s, n) : json('error_not_found.json', 404)(s, n)) });
    const d = driver();
    const snap = new VolumeSnapshot({ id: '8fa70202-873f-11e6-8b68-000f533176b1', state: VolumeSnapshotState.AVAILABLE }, {} as never);
    await promised(d.createVolume({ size: 10, name: 'restored', snapshot: snap }));
    await expect(promised(d.createVolume({ size: 10, name: 'restored', snapshot: snap }))).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);
    expect(bodies(seen)[0]).toEqual({ size_gigabytes: 10, name: 'restored', snapshot_id: '8fa70202-873f-11e6-8b68-000f533176b1' });
  });

  test.each([
    ['no location (and no snapshot)', { size: 1, name: 'data' }],
    ['an upper-case name', { size: 1, name: 'Data', location: nyc1 }],
    ['a name starting with a digit', { size: 1, name: '1data', location: nyc1 }],
    ['a size of 0', { size: 0, name: 'data', location: nyc1 }],
    ['an unknown ex key', { size: 1, name: 'data', location: nyc1, ex: { filesystem_type: 'ext4' } }],
  ])('createVolume with %s is InvalidArgumentError and sends nothing', async (_what, options) => {
    const seen = api({});
    await expect(promised(driver().createVolume(options as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('attachVolume posts an attach action with the droplet and region, then polls the action until it completes', async () => {
    const seen = api({
      'POST /v2/volumes/506f78a4-e098-11e5-ad9f-000f53306ae1/actions': json('volume_action_attach.json', 202),
      'GET /v2/volumes/506f78a4-e098-11e5-ad9f-000f53306ae1/actions/72531856': (s, n) => json(n < 3 ? 'volume_action_attach.json' : 'volume_action_completed.json')(s, n),
    });
    await expect(promised(driver().attachVolume(droplet(), volume()))).resolves.toBe(true);
    expect(requests(seen)).toEqual([
      `POST /v2/volumes/${VOLUME_ID}/actions`,
      `GET /v2/volumes/${VOLUME_ID}/actions/72531856`,
      `GET /v2/volumes/${VOLUME_ID}/actions/72531856`,
      `GET /v2/volumes/${VOLUME_ID}/actions/72531856`,
    ]);
    expect(bodies(seen)).toEqual([{ type: 'attach', droplet_id: 3164444, region: 'nyc1' }]);
  });

  test('attachVolume reads the volume’s region when the model has none, and refuses a device', async () => {
    const seen = api({
      [`GET /v2/volumes/${VOLUME_ID}`]: json('get_volume_detached.json'),
      [`POST /v2/volumes/${VOLUME_ID}/actions`]: json('volume_action_attach.json', 202),
      [`GET /v2/volumes/${VOLUME_ID}/actions/72531856`]: json('volume_action_completed.json'),
    });
    await expect(promised(driver().attachVolume(droplet(), volume({})))).resolves.toBe(true);
    expect(requests(seen)[0]).toBe(`GET /v2/volumes/${VOLUME_ID}`);
    expect(bodies(seen)).toEqual([{ type: 'attach', droplet_id: 3164444, region: 'nyc1' }]);
    seen.length = 0;
    await expect(promised(driver().attachVolume(droplet(), volume(), '/dev/sdb'))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('an attach whose droplet is missing is NodeNotFoundError; whose volume is missing, VolumeNotFoundError', async () => {
    api({ [`POST /v2/volumes/${VOLUME_ID}/actions`]: json('error_not_found.json', 404), [`GET /v2/volumes/${VOLUME_ID}`]: json('get_volume_detached.json') });
    const missingDroplet = await failure(promised(driver().attachVolume(droplet('987654321'), volume())));
    expect(missingDroplet).toBeInstanceOf(NodeNotFoundError);
    expect(missingDroplet).toMatchObject({ status: 404, code: 'not_found', provider: 'digitalocean' });
    server.resetHandlers();
    api({}); // the volume is missing too
    await expect(promised(driver().attachVolume(droplet(), volume()))).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  test('an action that errors is ProviderError; one that never completes is TimeoutError after actionTimeoutMs', async () => {
    api({
      [`POST /v2/volumes/${VOLUME_ID}/actions`]: json('volume_action_attach.json', 202),
      [`GET /v2/volumes/${VOLUME_ID}/actions/72531856`]: json('volume_action_errored.json'),
    });
    await expect(promised(driver().attachVolume(droplet(), volume()))).rejects.toMatchObject({ constructor: ProviderError, code: 'ActionErrored' });
    server.resetHandlers();
    api({
      [`POST /v2/volumes/${VOLUME_ID}/actions`]: json('volume_action_attach.json', 202),
      [`GET /v2/volumes/${VOLUME_ID}/actions/72531856`]: json('volume_action_attach.json'),
    });
    await expect(promised(driver({ actionTimeoutMs: 150 }).attachVolume(droplet(), volume()))).rejects.toMatchObject({ constructor: TimeoutError, code: 'ActionTimeout' });
    expect(() => driver({ actionTimeoutMs: 0 })).toThrow(InvalidArgumentError);
  });

  test('detachVolume reads the volume fresh and detaches it from each droplet it is attached to; false when attached to none', async () => {
    const seen = api({
      [`GET /v2/volumes/${VOLUME_ID}`]: (s, n) => json(n === 1 ? 'get_volume.json' : 'get_volume_detached.json')(s, n),
      [`POST /v2/volumes/${VOLUME_ID}/actions`]: json('volume_action_detach.json', 202),
      [`GET /v2/volumes/${VOLUME_ID}/actions/68212773`]: json('volume_action_completed.json'),
    });
    const d = driver();
    await expect(promised(d.detachVolume(volume()))).resolves.toBe(true);
    expect(bodies(seen)).toEqual([{ type: 'detach', droplet_id: 3164444, region: 'nyc1' }]);
    await expect(promised(d.detachVolume(volume()))).resolves.toBe(false);
    expect(requests(seen).filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });

  test('destroyVolume is DELETE /v2/volumes/{id} (204); an attached volume is refused with a RequestError', async () => {
    const seen = api({ [`DELETE /v2/volumes/${VOLUME_ID}`]: (s, n) => (n === 1 ? noContent(s, n) : json('error_volume_attached.json', 409)(s, n)) });
    const d = driver();
    await expect(promised(d.destroyVolume(volume()))).resolves.toBe(true);
    await expect(promised(d.destroyVolume(volume()))).rejects.toMatchObject({ constructor: RequestError, status: 409, code: 'conflict' });
    expect(requests(seen)).toEqual([`DELETE /v2/volumes/${VOLUME_ID}`, `DELETE /v2/volumes/${VOLUME_ID}`]);
  });

  test('waitUntilVolumeState reads GET /v2/volumes/{id} until the state', async () => {
    const seen = api({ [`GET /v2/volumes/${VOLUME_ID}`]: (s, n) => json(n < 2 ? 'get_volume_detached.json' : 'get_volume.json')(s, n) });
    const ready = await promised(driver().waitUntilVolumeState(volume(), StorageVolumeState.INUSE, { pollInterval: 5 }));
    expect(ready.extra.droplet_ids).toEqual([3164444]);
    expect(seen).toHaveLength(2);
  });
});

describe('DigitalOcean volume snapshots', () => {
  test('listVolumeSnapshots pages /v2/volumes/{id}/snapshots; snapshots are available (DigitalOcean makes them at once)', async () => {
    const seen = api({ [`GET /v2/volumes/${VOLUME_ID}/snapshots`]: json('list_volume_snapshots.json') });
    const snapshots = await promised(driver().listVolumeSnapshots(volume()));
    expect(snapshots.map((s) => [s.id, s.name, s.size, s.state, s.createdAt?.toISOString()])).toEqual([
      ['8fa70202-873f-11e6-8b68-000f533176b1', 'big-data-snapshot1475261774', 0, VolumeSnapshotState.AVAILABLE, '2026-11-21T18:56:14.000Z'],
      ['9bd1a5c2-873f-11e6-8b68-000f533176b1', 'big-data-snapshot1475261900', 1.25, VolumeSnapshotState.AVAILABLE, '2026-11-21T19:00:00.000Z'],
    ]);
    expect(snapshots[0]!.extra).toEqual({ created_at: '2026-11-21T18:56:14Z', resource_id: '82a48a18-873f-11e6-96bf-000f53315a41', resource_type: 'volume', regions: ['nyc1'], min_disk_size: 10, tags: ['aninterestingtag'] });
    expect(requests(seen)).toEqual([`GET /v2/volumes/${VOLUME_ID}/snapshots?page=1&per_page=200`]);
  });

  test('no snapshots is empty; several pages are followed; a missing volume is VolumeNotFoundError', async () => {
    api({ [`GET /v2/volumes/${VOLUME_ID}/snapshots`]: json('list_volume_snapshots_empty.json') });
    await expect(promised(driver().listVolumeSnapshots(volume()))).resolves.toEqual([]);
    server.resetHandlers();
    api({ [`GET /v2/volumes/${VOLUME_ID}/snapshots`]: (s) => json(s.url.searchParams.get('page') === '2' ? 'list_volume_snapshots_page2.json' : 'list_volume_snapshots_page1.json')(s, 0) });
    expect((await promised(driver({ pageSize: 1 }).listVolumeSnapshots(volume()))).map((s) => s.name)).toEqual(['paged-snapshot-1', 'paged-snapshot-2']);
    server.resetHandlers();
    api({});
    await expect(promised(driver().listVolumeSnapshots(volume()))).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  test('createVolumeSnapshot posts the name (a dated one when none is given); destroyVolumeSnapshot deletes /v2/snapshots/{id}', async () => {
    const seen = api({
      [`POST /v2/volumes/${VOLUME_ID}/snapshots`]: json('create_volume_snapshot.json', 201),
      'DELETE /v2/snapshots/8fa70202-873f-11e6-8b68-000f533176b9': (s, n) => (n === 1 ? noContent(s, n) : json('error_not_found.json', 404)(s, n)),
    });
    const d = driver();
    const created = await promised(d.createVolumeSnapshot(volume(), 'before-upgrade'));
    expect([created.name, created.state]).toEqual(['before-upgrade', VolumeSnapshotState.AVAILABLE]);
    await promised(d.createVolumeSnapshot(volume()));
    expect(bodies(seen)).toEqual([{ name: 'before-upgrade' }, { name: expect.stringMatching(/^example-volume-\d{8}-\d{6}$/) }]);
    await expect(promised(d.destroyVolumeSnapshot(created))).resolves.toBe(true);
    await expect(promised(d.destroyVolumeSnapshot(created))).rejects.toBeInstanceOf(VolumeSnapshotNotFoundError);
  });
});

describe('DigitalOcean SSH keys', () => {
  test('listKeyPairs pages /v2/account/keys; the id is kept in extra (deleting needs it)', async () => {
    const seen = api({ 'GET /v2/account/keys': json('list_ssh_keys.json') });
    const keys = await promised(driver().listKeyPairs());
    expect(keys.map((k) => [k.name, k.fingerprint, k.publicKey?.split(' ')[0], k.privateKey, k.extra])).toEqual([
      ['My SSH Public Key', '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa', 'ssh-rsa', undefined, { id: '512189' }],
      ['ops laptop', 'be:4a:0b:3c:11:fe:77:21:4b:44:d6:9c:7e:52:a8:60', 'ssh-ed25519', undefined, { id: '512190' }],
    ]);
    expect(requests(seen)).toEqual(['GET /v2/account/keys?page=1&per_page=200']);
  });

  test('no keys is empty; several pages are followed; getKeyPair finds a key by name or is KeyPairDoesNotExistError', async () => {
    api({ 'GET /v2/account/keys': json('list_ssh_keys_empty.json') });
    await expect(promised(driver().listKeyPairs())).resolves.toEqual([]);
    await expect(promised(driver().getKeyPair('ops laptop'))).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    server.resetHandlers();
    api({ 'GET /v2/account/keys': (s) => json(s.url.searchParams.get('page') === '2' ? 'list_ssh_keys_page2.json' : 'list_ssh_keys_page1.json')(s, 0) });
    const d = driver({ pageSize: 1 });
    expect((await promised(d.listKeyPairs())).map((k) => k.name)).toEqual(['My SSH Public Key', 'ops laptop']);
    expect((await promised(d.getKeyPair('ops laptop'))).fingerprint).toBe('be:4a:0b:3c:11:fe:77:21:4b:44:d6:9c:7e:52:a8:60');
  });

  test('createKeyPair generates an Ed25519 pair, imports its public key and returns the private key once', async () => {
    const seen = api({ 'GET /v2/account/keys': json('list_ssh_keys.json'), 'POST /v2/account/keys': json('create_ssh_key.json', 201) });
    const created = await promised(driver().createKeyPair('laptop'));
    expect(created).toBeInstanceOf(KeyPair);
    const [sent] = bodies(seen) as Array<{ name: string; public_key: string }>;
    expect(sent!.name).toBe('laptop');
    expect(sent!.public_key).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ laptop$/);
    expect([created.name, created.fingerprint, created.publicKey, created.extra]).toEqual(['laptop', '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fb', sent!.public_key, { id: '512199' }]);
    expect(created.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(`${inspect(created)} ${JSON.stringify(created)} ${String(created)}`).not.toContain(created.privateKey!.split('\n')[2]!);
    expect(seen.map((s) => s.body)).not.toContain(expect.stringContaining('PRIVATE KEY'));
    expect(seen.some((s) => s.body.includes(created.privateKey!.split('\n')[2]!))).toBe(false);
  });

  test('importKeyPairFromString posts the key; a name or key already there is KeyPairAlreadyExistsError before posting', async () => {
    const { publicKey } = generateSshKeyPair('me@laptop');
    const seen = api({ 'GET /v2/account/keys': json('list_ssh_keys.json'), 'POST /v2/account/keys': json('create_ssh_key.json', 201) });
    const d = driver();
    const imported = await promised(d.importKeyPairFromString('laptop', publicKey));
    expect([imported.name, imported.privateKey]).toEqual(['laptop', undefined]);
    expect(bodies(seen)).toEqual([{ name: 'laptop', public_key: publicKey }]);
    await expect(promised(d.importKeyPairFromString('ops laptop', generateSshKeyPair().publicKey))).rejects.toBeInstanceOf(KeyPairAlreadyExistsError);
    const listed = fixtureJson('digitalocean/list_ssh_keys.json').ssh_keys[1].public_key as string;
    expect(sshFingerprint(listed)).not.toBe(''); // a real key line: its fingerprint is the clash found below
    server.resetHandlers();
    api({ 'GET /v2/account/keys': () => MswResponse.json({ ssh_keys: [{ id: 1, name: 'other', fingerprint: sshFingerprint(publicKey), public_key: publicKey }], links: {}, meta: { total: 1 } }) });
    await expect(promised(d.importKeyPairFromString('new-name', publicKey))).rejects.toMatchObject({ constructor: KeyPairAlreadyExistsError, message: expect.stringContaining('already imported as "other"') });
    await expect(promised(d.importKeyPairFromString('x', 'ssh-ed25519 AAAA'))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('a key DigitalOcean refuses (422) is a RequestError; POST is not retried', async () => {
    const seen = api({ 'GET /v2/account/keys': json('list_ssh_keys_empty.json'), 'POST /v2/account/keys': json('error_key_in_use.json', 422) });
    await expect(promised(driver().importKeyPairFromString('laptop', generateSshKeyPair().publicKey))).rejects.toMatchObject({ constructor: RequestError, code: 'unprocessable_entity' });
    expect(requests(seen).filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });

  test('deleteKeyPair deletes by id (the fingerprint without one); a missing key is KeyPairDoesNotExistError', async () => {
    const seen = api({ 'DELETE /v2/account/keys/512189': noContent, 'DELETE /v2/account/keys/3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa': noContent });
    const d = driver();
    await expect(promised(d.deleteKeyPair(new KeyPair({ name: 'k', fingerprint: 'x', extra: { id: '512189' } }, {} as never)))).resolves.toBe(true);
    await expect(promised(d.deleteKeyPair(new KeyPair({ name: 'k', fingerprint: '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa' }, {} as never)))).resolves.toBe(true);
    await expect(promised(d.deleteKeyPair(new KeyPair({ name: 'k', fingerprint: 'x', extra: { id: '9' } }, {} as never)))).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    expect(requests(seen)).toEqual(['DELETE /v2/account/keys/512189', 'DELETE /v2/account/keys/3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa', 'DELETE /v2/account/keys/9']);
  });
});

describe('DigitalOcean images', () => {
  test('getImage is GET /v2/images/{id}; a missing one is ImageNotFoundError (not a node error)', async () => {
    api({ 'GET /v2/images/7555620': json('get_image.json') });
    const image = await promised(driver().getImage('7555620'));
    expect([image.id, image.name, image.extra.regions, image.extra.public]).toEqual(['7555620', 'nginx-snapshot', ['nyc1'], false]);
    await expect(promised(driver().getImage('999'))).rejects.toBeInstanceOf(ImageNotFoundError);
  });

  test('createImage: a snapshot action on the droplet, polled; the image is the newest snapshot of that name; the description is PUT', async () => {
    const seen = api({
      'POST /v2/droplets/3164444/actions': json('droplet_snapshot_action.json', 201),
      'GET /v2/actions/36805022': (s, n) => json(n === 1 ? 'droplet_snapshot_action.json' : 'action_completed.json')(s, n),
      'GET /v2/droplets/3164444/snapshots': json('list_droplet_snapshots.json'),
      'PUT /v2/images/7555620': json('update_image.json'),
    });
    const image = await promised(driver().createImage(droplet(), 'nginx-snapshot', { description: 'web tier' }));
    expect(image).toBeInstanceOf(NodeImage);
    expect([image.id, image.name, image.extra.regions]).toEqual(['7555620', 'nginx-snapshot', ['nyc1']]);
    expect(requests(seen)).toEqual([
      'POST /v2/droplets/3164444/actions',
      'GET /v2/actions/36805022',
      'GET /v2/actions/36805022',
      'GET /v2/droplets/3164444/snapshots?page=1&per_page=200',
      'PUT /v2/images/7555620',
    ]);
    expect(bodies(seen)).toEqual([{ type: 'snapshot', name: 'nginx-snapshot' }, { description: 'web tier' }]);
  });

  test('createImage of a missing droplet is NodeNotFoundError; deleteImage is DELETE (204), ImageNotFoundError when missing', async () => {
    const seen = api({ 'DELETE /v2/images/7555620': (s, n) => (n === 1 ? noContent(s, n) : json('error_not_found.json', 404)(s, n)) });
    const d = driver();
    await expect(promised(d.createImage(droplet('987654321'), 'x'))).rejects.toBeInstanceOf(NodeNotFoundError);
    const image = new NodeImage('7555620', 'nginx-snapshot', {});
    await expect(promised(d.deleteImage(image))).resolves.toBe(true);
    await expect(promised(d.deleteImage(image))).rejects.toBeInstanceOf(ImageNotFoundError);
    expect(requests(seen)).toEqual(['POST /v2/droplets/987654321/actions', 'DELETE /v2/images/7555620', 'DELETE /v2/images/7555620']);
  });

  test('copyImage transfers the image to ex.region, polls the image action and returns the image with the new region', async () => {
    const seen = api({
      'GET /v2/images/7555620': (s, n) => json(n === 1 ? 'get_image.json' : 'get_image_transferred.json')(s, n),
      'POST /v2/images/7555620/actions': json('image_transfer_action.json', 201),
      'GET /v2/images/7555620/actions/36805527': (s, n) => json(n === 1 ? 'image_transfer_action.json' : 'image_transfer_completed.json')(s, n),
    });
    const copy = await promised(driver().copyImage('nyc1', new NodeImage('7555620', 'nginx-snapshot', {}), 'nginx-snapshot', { ex: { region: 'ams3' } }));
    expect([copy.id, copy.extra.regions]).toEqual(['7555620', ['nyc1', 'ams3']]);
    expect(bodies(seen)).toEqual([{ type: 'transfer', region: 'ams3' }]);
    expect(requests(seen)).toEqual([
      'GET /v2/images/7555620',
      'POST /v2/images/7555620/actions',
      'GET /v2/images/7555620/actions/36805527',
      'GET /v2/images/7555620/actions/36805527',
      'GET /v2/images/7555620',
    ]);
  });

  test.each([
    ['no ex.region', 'nyc1', 'nginx-snapshot', {}],
    ['another name (a transfer keeps the name)', 'nyc1', 'renamed', { ex: { region: 'ams3' } }],
    ['a description', 'nyc1', 'nginx-snapshot', { description: 'x', ex: { region: 'ams3' } }],
    ['a source region the image is not in', 'sfo3', 'nginx-snapshot', { ex: { region: 'ams3' } }],
    ['an unknown ex key', 'nyc1', 'nginx-snapshot', { ex: { region: 'ams3', regions: ['lon1'] } }],
  ])('copyImage with %s is InvalidArgumentError and transfers nothing', async (_what, sourceRegion, name, options) => {
    const seen = api({ 'GET /v2/images/7555620': json('get_image.json') });
    await expect(promised(driver().copyImage(sourceRegion, new NodeImage('7555620', 'nginx-snapshot', {}), name, options as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  test('copyImage to a region the image is in already returns it without a transfer; a refused transfer is a RequestError', async () => {
    const seen = api({ 'GET /v2/images/7555620': json('get_image_transferred.json') });
    const same = await promised(driver().copyImage('nyc1', new NodeImage('7555620', 'nginx-snapshot', {}), 'nginx-snapshot', { ex: { region: 'ams3' } }));
    expect(same.extra.regions).toEqual(['nyc1', 'ams3']);
    expect(requests(seen)).toEqual(['GET /v2/images/7555620']);
    server.resetHandlers();
    api({ 'GET /v2/images/7555620': json('get_image.json'), 'POST /v2/images/7555620/actions': json('error_forbidden_image.json', 403) });
    await expect(promised(driver().copyImage('nyc1', new NodeImage('7555620', 'nginx-snapshot', {}), 'nginx-snapshot', { ex: { region: 'ams3' } }))).rejects.toMatchObject({ constructor: RequestError, status: 403, code: 'forbidden' });
  });
});

describe('DigitalOcean errors of these calls', () => {
  type Call = (d: DigitalOceanNodeDriver) => unknown;
  const cases: Array<[string, number, string, Call, new (...args: never[]) => Error, string]> = [
    ['error_not_found.json', 404, `DELETE /v2/volumes/${VOLUME_ID}`, (d) => d.destroyVolume(volume()), VolumeNotFoundError, 'not_found'],
    ['error_not_found.json', 404, `GET /v2/volumes/${VOLUME_ID}`, (d) => d.detachVolume(volume()), VolumeNotFoundError, 'not_found'],
    ['error_not_found.json', 404, `POST /v2/volumes/${VOLUME_ID}/snapshots`, (d) => d.createVolumeSnapshot(volume(), 's'), VolumeNotFoundError, 'not_found'],
    ['error_not_found.json', 404, 'DELETE /v2/snapshots/8fa70202-873f-11e6-8b68-000f533176b1', (d) => d.destroyVolumeSnapshot(new VolumeSnapshot({ id: '8fa70202-873f-11e6-8b68-000f533176b1', state: VolumeSnapshotState.AVAILABLE }, {} as never)), VolumeSnapshotNotFoundError, 'not_found'],
    ['error_not_found.json', 404, 'DELETE /v2/account/keys/512189', (d) => d.deleteKeyPair(new KeyPair({ name: 'k', fingerprint: 'f', extra: { id: '512189' } }, {} as never)), KeyPairDoesNotExistError, 'not_found'],
    ['error_not_found.json', 404, 'GET /v2/images/7555620', (d) => d.getImage('7555620'), ImageNotFoundError, 'not_found'],
    ['error_not_found.json', 404, 'POST /v2/droplets/3164444/actions', (d) => d.createImage(droplet(), 'x'), NodeNotFoundError, 'not_found'],
    ['error_droplet_off.json', 422, `POST /v2/volumes/${VOLUME_ID}/actions`, (d) => d.attachVolume(droplet(), volume()), RequestError, 'unprocessable_entity'],
    ['error_attachment_not_found.json', 422, `POST /v2/volumes/${VOLUME_ID}/actions`, (d) => d.detachVolume(volume()), RequestError, 'unprocessable_entity'],
    ['error_volume_attached.json', 409, `DELETE /v2/volumes/${VOLUME_ID}`, (d) => d.destroyVolume(volume()), RequestError, 'conflict'],
    ['error_unauthorized.json', 401, 'GET /v2/volumes', (d) => d.listVolumes(), InvalidCredentialsError, 'unauthorized'],
    ['error_too_many_requests.json', 429, 'GET /v2/account/keys', (d) => d.listKeyPairs(), RateLimitError, 'too_many_requests'],
  ];
  test.each(cases)('%s (%i) from %s becomes a typed error', async (name, status, route, call, ErrorClass, code) => {
    api({ [route]: json(name, status), [`GET /v2/volumes/${VOLUME_ID}`]: route.startsWith('GET') ? json(name, status) : json('get_volume.json') });
    const error = await failure(promised(call(driver({ retry: { maxAttempts: 1 } })) as Promise<unknown>));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, code, provider: 'digitalocean', requestId: expect.stringMatching(/^bfd2ee5b-/) });
    expect(String(error)).not.toContain(TOKEN);
  });
});
