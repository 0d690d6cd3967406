/**
 * The OpenStack driver's volumes and snapshots (Cinder v3), key pairs (Nova `os-keypairs`) and images (Nova's
 * `createImage` action, Glance v2) in async mode against msw: request shapes, parsing, paging, every mapped error,
 * bad input refused before anything is sent.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ImageNotFoundError,
  InvalidArgumentError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  MalformedResponseError,
  NodeNotFoundError,
  NotFoundError,
  NotImplementedError,
  RateLimitError,
  RequestError,
  VolumeNotFoundError,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import { KeyPair, NodeImage, StorageVolume, StorageVolumeState, VolumeSnapshot, VolumeSnapshotState, type Node } from '@dualcloud/drivers/compute';
import { fixture, fixtureJson, promised } from './helpers/fixtures.js';
import { empty, GLANCE, json, KEYSTONE, NOVA, openstackCloud, openstackDriver, PROJECT_ID, RACKSPACE_ORD, rackspaceDriver, serviceRequests, TOKEN, type Reply, type SeenRequest } from './helpers/openstack-msw.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const CINDER = `https://cinder.example.com:8776/v3/${PROJECT_ID}`;
const cloud = (routes: Record<string, Reply>): SeenRequest[] => openstackCloud(server, routes);
const SERVER = 'f5dc173b-6804-445a-a6d8-c705dad5b5eb';
const V1 = '6edbc2f4-1507-44f8-ac0d-eed1d2608d38';
const V2 = '9c5c3d6a-1e42-4ba7-8a5e-2b7c9d0e1f23';
const S1 = '2bb856e1-b3d8-4432-a858-09e4ce939389';
const IMAGE = 'd7b5c3b0-6f3b-4a0e-9d8e-1c2b3a4d5e6f';
const node = (id = SERVER): Node => ({ id }) as Node;
const volume = (id = V1, extra: Record<string, unknown> = {}): StorageVolume => new StorageVolume({ id, name: 'v', size: 1, state: StorageVolumeState.AVAILABLE, extra }, {} as never);
const snapshot = (id = S1): VolumeSnapshot => new VolumeSnapshot({ id, state: VolumeSnapshotState.AVAILABLE }, {} as never);
const html = (name: string, status: number) => () => new MswResponse(fixture(`openstack/${name}`), { status, headers: { 'content-type': 'text/html; charset=UTF-8' } });
const failure = (p: Promise<unknown>): Promise<unknown> => p.then(
  () => {
    throw new Error('expected a failure');
  },
  (e: unknown) => e,
);

describe('volumes (Cinder v3)', () => {
  test('listVolumes: the catalog’s volumev3 endpoint with the same token; Libcloud’s states and extras', async () => {
    const seen = cloud({ [`GET ${CINDER}/volumes/detail`]: 'volumes_detail.json' });
    const volumes = await promised(openstackDriver().listVolumes());
    const [request] = serviceRequests(seen);
    expect(request!.where).toBe(`${CINDER}/volumes/detail`);
    expect(request!.url.search).toBe('');
    expect(request!.headers.get('x-auth-token')).toBe(TOKEN);
    expect(volumes.map((v) => [v.id, v.name, v.size, v.state])).toEqual([
      [V1, 'data-1', 10, StorageVolumeState.AVAILABLE],
      [V2, 'db-disk', 40, StorageVolumeState.INUSE],
      ['b1a3e0c2-4d5f-4e6a-9b7c-8d9e0f1a2b3c', 'restored', 20, StorageVolumeState.CREATING],
    ]);
    expect(volumes[1]!.extra).toEqual({
      description: 'db-disk',
      attachments: fixtureJson('openstack/volumes_detail.json').volumes[1].attachments,
      state: 'in-use',
      snapshot_id: null,
      location: 'nova',
      volume_type: '__DEFAULT__',
      metadata: { contents: 'db-disk' },
      created_at: '2024-03-05T09:41:20.000000',
    });
    expect(volumes[2]!.extra.snapshot_id).toBe(S1);
    expect(volumes.every((v) => v instanceof StorageVolume)).toBe(true);
  });

  test('an empty list; several pages followed by marker with pageSize as limit', async () => {
    cloud({ [`GET ${CINDER}/volumes/detail`]: 'volumes_detail_empty.json' });
    expect(await promised(openstackDriver().listVolumes())).toEqual([]);
    server.resetHandlers();
    const seen = cloud({
      [`GET ${CINDER}/volumes/detail`]: (s, n) => json(['volumes_detail_page1.json', 'volumes_detail_page2.json', 'volumes_detail_page3.json'][n - 1]!)(s, n),
    });
    const volumes = await promised(openstackDriver({ pageSize: 1 }).listVolumes());
    expect(volumes).toHaveLength(3);
    expect(serviceRequests(seen).map((s) => s.url.search)).toEqual(['?limit=1', `?limit=1&marker=${V1}`, `?limit=1&marker=${V2}`]);
  });

  test('a catalog naming the service block-storage (not volumev3) is used too; a catalog without either is NotFoundError', async () => {
    const seen = cloud({
      [`POST ${KEYSTONE}/auth/tokens`]: () => new MswResponse(fixture('openstack/keystone_v3_token_block_storage.json'), { status: 201, headers: { 'content-type': 'application/json', 'x-subject-token': TOKEN } }),
      [`GET ${CINDER}/volumes/detail`]: 'volumes_detail_empty.json',
    });
    expect(await promised(openstackDriver().listVolumes())).toEqual([]);
    expect(serviceRequests(seen).map((s) => s.where)).toEqual([`${CINDER}/volumes/detail`]);
    server.resetHandlers();
    const token = fixtureJson('openstack/keystone_v3_token.json');
    token.token.catalog = token.token.catalog.filter((c: { type: string }) => c.type !== 'volumev3');
    cloud({ [`POST ${KEYSTONE}/auth/tokens`]: () => new MswResponse(JSON.stringify(token), { status: 201, headers: { 'content-type': 'application/json', 'x-subject-token': TOKEN } }) });
    const error = await failure(promised(openstackDriver().listVolumes()));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'EndpointNotFound' });
  });

  test('createVolume posts Libcloud’s body (name as description and contents metadata, zone, type, snapshot) and returns the creating volume', async () => {
    const seen = cloud({ [`POST ${CINDER}/volumes`]: json('volume_create.json', 202) });
    const d = openstackDriver();
    const zone = { id: 'nova' } as never;
    const created = await promised(d.createVolume({ size: 10, name: 'data-1', location: zone, snapshot: snapshot(), ex: { volumeType: 'lvmdriver-1' } }));
    expect([created.id, created.state, created.size]).toEqual([V1, StorageVolumeState.CREATING, 10]);
    const [request] = serviceRequests(seen);
    expect(request!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      volume: { name: 'data-1', description: 'data-1', size: 10, metadata: { contents: 'data-1' }, volume_type: 'lvmdriver-1', availability_zone: 'nova', snapshot_id: S1 },
    });
    await promised(d.createVolume({ size: 1, name: 'plain' }));
    expect(JSON.parse(serviceRequests(seen)[1]!.body)).toEqual({ volume: { name: 'plain', description: 'plain', size: 1, metadata: { contents: 'plain' } } });
  });

  test('createVolume: a missing snapshot is VolumeSnapshotNotFoundError; Cinder’s 400 is RequestError; bad input is refused unsent', async () => {
    cloud({ [`POST ${CINDER}/volumes`]: json('error_snapshot_not_found.json', 404) });
    const error = await failure(promised(openstackDriver().createVolume({ size: 1, name: 'x', snapshot: snapshot() })));
    expect(error).toBeInstanceOf(VolumeSnapshotNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'itemNotFound' });
    server.resetHandlers();
    cloud({ [`POST ${CINDER}/volumes`]: json('error_bad_request.json', 400) });
    expect(await failure(promised(openstackDriver().createVolume({ size: 1, name: 'x' })))).toBeInstanceOf(RequestError);
    server.resetHandlers();
    const seen = cloud({});
    const d = openstackDriver();
    for (const options of [{ size: 0, name: 'x' }, { size: 1.5, name: 'x' }, { size: 1, name: '' }, { size: 1, name: 'x', ex: { iops: 3 } }, { size: 1, name: 'x', ex: { volumeType: 7 } }, null]) {
      expect(await failure(promised(d.createVolume(options as never)))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(serviceRequests(seen)).toEqual([]);
  });

  test('attachVolume posts a volumeAttachment to Nova (device null for Nova’s choice, or the one given)', async () => {
    const seen = cloud({ [`POST ${NOVA}/servers/${SERVER}/os-volume_attachments`]: 'volume_attachment.json' });
    const d = openstackDriver();
    expect(await promised(d.attachVolume(node(), volume()))).toBe(true);
    expect(await promised(d.attachVolume(node(), volume(), 'auto'))).toBe(true);
    expect(await promised(d.attachVolume(node(), volume(), '/dev/vdc'))).toBe(true);
    const requests = serviceRequests(seen);
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([
      { volumeAttachment: { volumeId: V1, device: null } },
      { volumeAttachment: { volumeId: V1, device: null } },
      { volumeAttachment: { volumeId: V1, device: '/dev/vdc' } },
    ]);
    expect(requests[0]!.headers.get('openstack-api-version')).toBe('compute 2.1');
  });

  test('attachVolume errors: a stopped server (409) is RequestError, a missing server NodeNotFoundError, a missing volume VolumeNotFoundError', async () => {
    const url = `POST ${NOVA}/servers/${SERVER}/os-volume_attachments`;
    cloud({ [url]: json('error_attach_conflict.json', 409) });
    const conflict = await failure(promised(openstackDriver().attachVolume(node(), volume())));
    expect(conflict).toBeInstanceOf(RequestError);
    expect(conflict).toMatchObject({ status: 409, code: 'conflictingRequest' });
    server.resetHandlers();
    cloud({ [url]: json('error_item_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().attachVolume(node(), volume())))).toBeInstanceOf(NodeNotFoundError);
    server.resetHandlers();
    cloud({ [url]: json('error_attach_volume_not_found.json', 404) });
    const missing = await failure(promised(openstackDriver().attachVolume(node(), volume())));
    expect(missing).toBeInstanceOf(VolumeNotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'itemNotFound' });
    server.resetHandlers();
    const seen = cloud({});
    expect(await failure(promised(openstackDriver().attachVolume(node('../x'), volume())))).toBeInstanceOf(InvalidArgumentError);
    expect(await failure(promised(openstackDriver().attachVolume(node(), volume(), '')))).toBeInstanceOf(InvalidArgumentError);
    expect(serviceRequests(seen)).toEqual([]);
  });

  test('detachVolume reads the volume, then deletes each of its attachments at Nova; a volume attached nowhere is RequestError', async () => {
    const seen = cloud({ [`GET ${CINDER}/volumes/${V2}`]: 'volume_show.json', [`DELETE ${NOVA}/servers/${SERVER}/os-volume_attachments/${V2}`]: empty(202) });
    expect(await promised(openstackDriver().detachVolume(volume(V2)))).toBe(true);
    expect(serviceRequests(seen).map((s) => `${s.method} ${s.where}`)).toEqual([`GET ${CINDER}/volumes/${V2}`, `DELETE ${NOVA}/servers/${SERVER}/os-volume_attachments/${V2}`]);
    server.resetHandlers();
    cloud({ [`GET ${CINDER}/volumes/${V2}`]: 'volume_show_available.json' });
    const error = await failure(promised(openstackDriver().detachVolume(volume(V2))));
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'VolumeNotAttached' });
    server.resetHandlers();
    cloud({ [`GET ${CINDER}/volumes/${V2}`]: json('error_volume_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().detachVolume(volume(V2))))).toBeInstanceOf(VolumeNotFoundError);
  });

  test('destroyVolume: true on 202; a missing volume is VolumeNotFoundError, an attached one Cinder’s 400 (RequestError)', async () => {
    const seen = cloud({ [`DELETE ${CINDER}/volumes/${V1}`]: empty(202) });
    expect(await promised(openstackDriver().destroyVolume(volume()))).toBe(true);
    expect(serviceRequests(seen).map((s) => s.method)).toEqual(['DELETE']);
    server.resetHandlers();
    cloud({ [`DELETE ${CINDER}/volumes/${V1}`]: json('error_volume_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().destroyVolume(volume())))).toBeInstanceOf(VolumeNotFoundError);
    server.resetHandlers();
    cloud({ [`DELETE ${CINDER}/volumes/${V1}`]: json('error_volume_in_use.json', 400) });
    const error = await failure(promised(openstackDriver().destroyVolume(volume())));
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ status: 400, code: 'badRequest' });
  });

  test('waitUntilVolumeState polls GET /volumes/{id} and ends when the state is reached; a volume gone is VolumeNotFoundError', async () => {
    const seen = cloud({ [`GET ${CINDER}/volumes/${V2}`]: (s, n) => json(n < 3 ? 'volume_show_available.json' : 'volume_show.json')(s, n) });
    const inUse = await promised(openstackDriver().waitUntilVolumeState(volume(V2), StorageVolumeState.INUSE, { timeout: 5_000, pollInterval: 1 }));
    expect(inUse.state).toBe(StorageVolumeState.INUSE);
    expect(serviceRequests(seen)).toHaveLength(3);
    server.resetHandlers();
    cloud({ [`GET ${CINDER}/volumes/${V2}`]: json('error_volume_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().waitUntilVolumeState(volume(V2), StorageVolumeState.AVAILABLE, { timeout: 5_000, pollInterval: 1 })))).toBeInstanceOf(VolumeNotFoundError);
  });

  test('a malformed volume list (HTML, no volumes array, a volume without size) is MalformedResponseError', async () => {
    for (const reply of [
      () => new MswResponse('<html>gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      () => MswResponse.json({ servers: [] }),
      () => MswResponse.json({ volumes: [{ id: V1, status: 'available', attachments: [] }] }),
    ]) {
      server.resetHandlers();
      cloud({ [`GET ${CINDER}/volumes/detail`]: reply });
      expect(await failure(promised(openstackDriver({ retry: { maxAttempts: 1 } }).listVolumes()))).toBeInstanceOf(MalformedResponseError);
    }
  });
});

describe('snapshots (Cinder v3)', () => {
  test('listVolumeSnapshots lists /snapshots/detail and keeps the volume’s, as Libcloud; states, names and dates parsed', async () => {
    const seen = cloud({ [`GET ${CINDER}/snapshots/detail`]: 'snapshots_detail.json' });
    const snapshots = await promised(openstackDriver().listVolumeSnapshots(volume(V2)));
    expect(serviceRequests(seen).map((s) => s.where)).toEqual([`${CINDER}/snapshots/detail`]);
    expect(snapshots.map((s) => [s.id, s.name, s.size, s.state])).toEqual([
      [S1, 'db-nightly', 40, VolumeSnapshotState.AVAILABLE],
      ['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', undefined, 40, VolumeSnapshotState.ERROR],
    ]);
    expect(snapshots[0]!.createdAt).toEqual(new Date('2024-03-06T08:00:00Z'));
    expect(snapshots[0]!.extra).toEqual({ volume_id: V2, name: 'db-nightly', created: '2024-03-06T08:00:00.000000', description: 'nightly backup', status: 'available' });
    expect(await promised(openstackDriver().listVolumeSnapshots(volume('00000000-0000-4000-8000-000000000000')))).toEqual([]);
  });

  test('an empty list, and pages followed by marker', async () => {
    cloud({ [`GET ${CINDER}/snapshots/detail`]: 'snapshots_detail_empty.json' });
    expect(await promised(openstackDriver().listVolumeSnapshots(volume(V2)))).toEqual([]);
    server.resetHandlers();
    const seen = cloud({ [`GET ${CINDER}/snapshots/detail`]: (s, n) => json(n === 1 ? 'snapshots_detail_page1.json' : 'snapshots_detail_page2.json')(s, n) });
    expect(await promised(openstackDriver({ pageSize: 2 }).listVolumeSnapshots(volume(V2)))).toHaveLength(2);
    expect(serviceRequests(seen).map((s) => s.url.search)).toEqual(['?limit=2', '?limit=2&marker=e8f0a3b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b']);
  });

  test('createVolumeSnapshot posts volume_id, force true (Libcloud’s default) and the name; a missing volume is VolumeNotFoundError', async () => {
    const seen = cloud({ [`POST ${CINDER}/snapshots`]: json('snapshot_create.json', 202) });
    const created = await promised(openstackDriver().createVolumeSnapshot(volume(), 'data-first'));
    expect([created.id, created.name, created.state]).toEqual(['e8f0a3b4-5c6d-4e7f-8a9b-0c1d2e3f4a5b', 'data-first', VolumeSnapshotState.CREATING]);
    expect(JSON.parse(serviceRequests(seen)[0]!.body)).toEqual({ snapshot: { volume_id: V1, force: true, name: 'data-first' } });
    await promised(openstackDriver().createVolumeSnapshot(volume()));
    expect(JSON.parse(serviceRequests(seen)[1]!.body)).toEqual({ snapshot: { volume_id: V1, force: true } });
    server.resetHandlers();
    cloud({ [`POST ${CINDER}/snapshots`]: json('error_volume_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().createVolumeSnapshot(volume(), 'x')))).toBeInstanceOf(VolumeNotFoundError);
  });

  test('destroyVolumeSnapshot: true on 202; a missing snapshot is VolumeSnapshotNotFoundError; a bad id is refused unsent', async () => {
    cloud({ [`DELETE ${CINDER}/snapshots/${S1}`]: empty(202) });
    expect(await promised(openstackDriver().destroyVolumeSnapshot(snapshot()))).toBe(true);
    server.resetHandlers();
    cloud({ [`DELETE ${CINDER}/snapshots/${S1}`]: json('error_snapshot_not_found.json', 404) });
    const error = await failure(promised(openstackDriver().destroyVolumeSnapshot(snapshot())));
    expect(error).toBeInstanceOf(VolumeSnapshotNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'itemNotFound' });
    server.resetHandlers();
    const seen = cloud({});
    expect(await failure(promised(openstackDriver().destroyVolumeSnapshot(snapshot('a/b'))))).toBeInstanceOf(InvalidArgumentError);
    expect(serviceRequests(seen)).toEqual([]);
  });
});

describe('key pairs (Nova os-keypairs)', () => {
  test('listKeyPairs: empty, and several (the keypair documents inside the list)', async () => {
    cloud({ [`GET ${NOVA}/os-keypairs`]: 'keypairs_list_empty.json' });
    expect(await promised(openstackDriver().listKeyPairs())).toEqual([]);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/os-keypairs`]: 'keypairs_list.json' });
    const keys = await promised(openstackDriver().listKeyPairs());
    expect(keys.map((k) => [k.name, k.fingerprint, k.publicKey?.split(' ')[0], k.privateKey])).toEqual([
      ['keypair-5d935425', '7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd', 'ssh-rsa', undefined],
      ['deploy', '1f:b4:3c:8e:0d:1a:7f:22:6e:c5:41:9a:7b:3d:08:f6', 'ssh-ed25519', undefined],
    ]);
    expect(keys.every((k) => k instanceof KeyPair)).toBe(true);
  });

  test('getKeyPair: GET /os-keypairs/{name} (percent-encoded); a missing one is KeyPairDoesNotExistError', async () => {
    const seen = cloud({ [`GET ${NOVA}/os-keypairs/keypair-5d935425`]: 'keypair_show.json', [`GET ${NOVA}/os-keypairs/my%20key`]: 'keypair_show.json' });
    const key = await promised(openstackDriver().getKeyPair('keypair-5d935425'));
    expect([key.name, key.fingerprint]).toEqual(['keypair-5d935425', '7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd']);
    await promised(openstackDriver().getKeyPair('my key'));
    expect(serviceRequests(seen).map((s) => s.where)).toEqual([`${NOVA}/os-keypairs/keypair-5d935425`, `${NOVA}/os-keypairs/my%20key`]);
    server.resetHandlers();
    cloud({ [`GET ${NOVA}/os-keypairs/gone`]: json('error_keypair_not_found.json', 404) });
    const error = await failure(promised(openstackDriver().getKeyPair('gone')));
    expect(error).toBeInstanceOf(KeyPairDoesNotExistError);
    expect(error).toMatchObject({ status: 404, code: 'itemNotFound' });
  });

  test('createKeyPair posts the name only; Nova’s private key is returned once, readable, never printed', async () => {
    const seen = cloud({ [`POST ${NOVA}/os-keypairs`]: 'keypair_create.json' });
    const created = await promised(openstackDriver().createKeyPair('keypair-5d935425'));
    expect(JSON.parse(serviceRequests(seen)[0]!.body)).toEqual({ keypair: { name: 'keypair-5d935425' } });
    const privateKey = fixtureJson('openstack/keypair_create.json').keypair.private_key as string;
    expect(created.privateKey).toBe(privateKey);
    const line = privateKey.split('\n')[1]!;
    for (const text of [inspect(created, { showHidden: true, depth: 9 }), JSON.stringify(created), String(created), inspect({ ...created })]) expect(text).not.toContain(line);
    expect(JSON.parse(JSON.stringify(created)).privateKey).toBe('[REDACTED]');
  });

  test('createKeyPair: a taken name is KeyPairAlreadyExistsError; an answer without a private key is MalformedResponseError', async () => {
    cloud({ [`POST ${NOVA}/os-keypairs`]: json('error_keypair_exists.json', 409) });
    const error = await failure(promised(openstackDriver().createKeyPair('keypair-5d935425')));
    expect(error).toBeInstanceOf(KeyPairAlreadyExistsError);
    expect(error).toMatchObject({ status: 409, code: 'conflictingRequest' });
    server.resetHandlers();
    cloud({ [`POST ${NOVA}/os-keypairs`]: 'keypair_import.json' });
    expect(await failure(promised(openstackDriver().createKeyPair('deploy')))).toBeInstanceOf(MalformedResponseError);
  });

  test('importKeyPairFromString posts name and public_key; a key that is not one is refused unsent; Nova’s 400 is RequestError', async () => {
    const publicKey = fixtureJson('openstack/keypair_import.json').keypair.public_key as string;
    const seen = cloud({ [`POST ${NOVA}/os-keypairs`]: 'keypair_import.json' });
    const imported = await promised(openstackDriver().importKeyPairFromString('deploy', `${publicKey}\n`));
    expect([imported.name, imported.privateKey]).toEqual(['deploy', undefined]);
    expect(JSON.parse(serviceRequests(seen)[0]!.body)).toEqual({ keypair: { name: 'deploy', public_key: publicKey } });
    expect(await failure(promised(openstackDriver().importKeyPairFromString('deploy', 'not a key')))).toBeInstanceOf(InvalidArgumentError);
    expect(await failure(promised(openstackDriver().importKeyPairFromString('', publicKey)))).toBeInstanceOf(InvalidArgumentError);
    expect(serviceRequests(seen)).toHaveLength(1);
    server.resetHandlers();
    cloud({ [`POST ${NOVA}/os-keypairs`]: json('error_keypair_invalid.json', 400) });
    expect(await failure(promised(openstackDriver().importKeyPairFromString('deploy', publicKey)))).toBeInstanceOf(RequestError);
  });

  test('deleteKeyPair: true on 202 (2.1) and 204 (2.2+); a missing one is KeyPairDoesNotExistError', async () => {
    const key = new KeyPair({ name: 'deploy', fingerprint: 'x' }, {} as never);
    cloud({ [`DELETE ${NOVA}/os-keypairs/deploy`]: (s, n) => empty(n === 1 ? 202 : 204)() });
    expect(await promised(openstackDriver().deleteKeyPair(key))).toBe(true);
    expect(await promised(openstackDriver().deleteKeyPair(key))).toBe(true);
    server.resetHandlers();
    cloud({ [`DELETE ${NOVA}/os-keypairs/deploy`]: json('error_keypair_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().deleteKeyPair(key)))).toBeInstanceOf(KeyPairDoesNotExistError);
  });
});

describe('images (Nova createImage, Glance v2)', () => {
  test('getImage reads Glance’s /v2/images/{id}; Glance’s HTML 404 is ImageNotFoundError', async () => {
    const seen = cloud({ [`GET ${GLANCE}/v2/images/70a599e0-31e7-49b7-b260-868f441e862b`]: 'glance_image_show.json' });
    const image = await promised(openstackDriver().getImage('70a599e0-31e7-49b7-b260-868f441e862b'));
    expect(image).toBeInstanceOf(NodeImage);
    expect([image.name, image.extra.status, image.extra.minDisk]).toEqual(['ubuntu-22.04-server', 'active', 10]);
    expect(serviceRequests(seen)[0]!.headers.get('x-auth-token')).toBe(TOKEN);
    server.resetHandlers();
    cloud({ [`GET ${GLANCE}/v2/images/${IMAGE}`]: html('glance_not_found.html', 404) });
    const error = await failure(promised(openstackDriver().getImage(IMAGE)));
    expect(error).toBeInstanceOf(ImageNotFoundError);
    expect(error).toMatchObject({ status: 404 });
    expect((error as Error).message).toContain(`No image found with ID ${IMAGE}`);
  });

  test('createImage: the createImage action with the name and description in metadata, then the image at Location from Glance', async () => {
    const seen = cloud({
      [`POST ${NOVA}/servers/${SERVER}/action`]: () => new MswResponse(null, { status: 202, headers: { location: `${GLANCE}/images/${IMAGE}` } }),
      [`GET ${GLANCE}/v2/images/${IMAGE}`]: 'glance_image_snapshot.json',
    });
    const image = await promised(openstackDriver().createImage(node(), 'web-backup', { description: 'before the upgrade', ex: { metadata: { team: 'web' } } }));
    expect([image.id, image.name, image.extra.status, image.extra.visibility]).toEqual([IMAGE, 'web-backup', 'queued', 'private']);
    const [action, get] = serviceRequests(seen);
    expect(JSON.parse(action!.body)).toEqual({ createImage: { name: 'web-backup', metadata: { team: 'web', description: 'before the upgrade' } } });
    expect(get!.where).toBe(`${GLANCE}/v2/images/${IMAGE}`);
  });

  test('createImage: microversion 2.45’s image_id body works too; no id at all is MalformedResponseError; a missing server NodeNotFoundError', async () => {
    cloud({ [`POST ${NOVA}/servers/${SERVER}/action`]: () => MswResponse.json({ image_id: IMAGE }, { status: 202 }), [`GET ${GLANCE}/v2/images/${IMAGE}`]: 'glance_image_snapshot.json' });
    expect((await promised(openstackDriver({ microversion: '2.45' }).createImage(node(), 'web-backup'))).id).toBe(IMAGE);
    server.resetHandlers();
    cloud({ [`POST ${NOVA}/servers/${SERVER}/action`]: empty(202) });
    expect(await failure(promised(openstackDriver().createImage(node(), 'web-backup')))).toBeInstanceOf(MalformedResponseError);
    server.resetHandlers();
    cloud({ [`POST ${NOVA}/servers/${SERVER}/action`]: json('error_item_not_found.json', 404) });
    expect(await failure(promised(openstackDriver().createImage(node(), 'web-backup')))).toBeInstanceOf(NodeNotFoundError);
    server.resetHandlers();
    cloud({ [`POST ${NOVA}/servers/${SERVER}/action`]: json('error_conflict.json', 409) });
    expect(await failure(promised(openstackDriver().createImage(node(), 'web-backup')))).toBeInstanceOf(RequestError);
    server.resetHandlers();
    const seen = cloud({});
    for (const [name, options] of [['', {}], ['x', { ex: { reboot: true } }], ['x', { ex: { metadata: { a: 1 } } }], ['x', { description: 5 }]] as const) {
      expect(await failure(promised(openstackDriver().createImage(node(), name, options as never)))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(serviceRequests(seen)).toEqual([]);
  });

  test('deleteImage: Glance’s DELETE, true on 204; a missing image is ImageNotFoundError; copyImage is NotImplementedError', async () => {
    const image = new NodeImage(IMAGE, 'web-backup', {});
    const seen = cloud({ [`DELETE ${GLANCE}/v2/images/${IMAGE}`]: empty(204) });
    expect(await promised(openstackDriver().deleteImage(image))).toBe(true);
    expect(serviceRequests(seen).map((s) => `${s.method} ${s.where}`)).toEqual([`DELETE ${GLANCE}/v2/images/${IMAGE}`]);
    server.resetHandlers();
    cloud({ [`DELETE ${GLANCE}/v2/images/${IMAGE}`]: html('glance_not_found.html', 404) });
    expect(await failure(promised(openstackDriver().deleteImage(image)))).toBeInstanceOf(ImageNotFoundError);
    expect(await failure(promised(openstackDriver().copyImage('RegionOne', image, 'copy')))).toBeInstanceOf(NotImplementedError);
  });
});

describe('Rackspace', () => {
  test('getImage and deleteImage go through the compute API’s image proxy; a missing image is ImageNotFoundError; volumes need a Cinder v3 endpoint', async () => {
    const id = '70a599e0-31e7-49b7-b260-868f441e862b';
    const seen = cloud({ [`GET ${RACKSPACE_ORD}/images/${id}`]: 'image_compute_show.json', [`DELETE ${RACKSPACE_ORD}/images/${id}`]: empty(204) });
    const image = await promised(rackspaceDriver().getImage(id));
    expect([image.id, image.name, image.extra.status]).toEqual([id, 'Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)', 'ACTIVE']);
    expect(await promised(rackspaceDriver().deleteImage(image))).toBe(true);
    expect(serviceRequests(seen).map((s) => `${s.method} ${s.where}`)).toEqual([`GET ${RACKSPACE_ORD}/images/${id}`, `DELETE ${RACKSPACE_ORD}/images/${id}`]);
    server.resetHandlers();
    cloud({ [`GET ${RACKSPACE_ORD}/images/${id}`]: json('error_item_not_found.json', 404) });
    expect(await failure(promised(rackspaceDriver().getImage(id)))).toBeInstanceOf(ImageNotFoundError);
    const error = await failure(promised(rackspaceDriver().listVolumes()));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'EndpointNotFound' });
  });
});

describe('rate limits', () => {
  test('Nova’s and Cinder’s overLimit without a Retry-After header: its retryAfter is the RateLimitError’s', async () => {
    cloud({ [`DELETE ${CINDER}/volumes/${V1}`]: json('error_over_limit.json', 413) });
    const error = await failure(promised(openstackDriver({ retry: { maxAttempts: 1 } }).destroyVolume(volume())));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 413, code: 'overLimit', retryAfter: 7 });
  });
});
