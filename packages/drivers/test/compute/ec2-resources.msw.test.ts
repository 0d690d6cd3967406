/**
 * EC2 volumes, snapshots, key pairs and images against msw, in async mode: the request each call sends, the
 * parse of EC2's documented responses (empty, one page, several pages), retries only where a ClientToken
 * makes them safe, and every mapped error. msw intercepts Node's http module, so the drivers use the `http`
 * adapter.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http, HttpResponse as MswResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  ASYNC_MODE,
  generateSshKeyPair,
  ImageNotFoundError,
  InvalidArgumentError,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  MalformedResponseError,
  NodeNotFoundError,
  ProviderError,
  RequestError,
  TimeoutError,
  VolumeNotFoundError,
  VolumeSnapshotNotFoundError,
} from '@dualcloud/core';
import {
  EC2NodeDriver,
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type EC2NodeDriverOptions,
} from '@dualcloud/drivers/compute';
import { fixture, promised } from './helpers/fixtures.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** Routes EC2 actions (on `region`'s endpoint) to responses; records every request's parameters and host. */
function ec2(routes: Record<string, (params: URLSearchParams, n: number) => Response>, region = 'us-east-1'): Array<{ params: URLSearchParams; host: string }> {
  const seen: Array<{ params: URLSearchParams; host: string }> = [];
  const counts = new Map<string, number>();
  server.use(
    http.post(`https://ec2.${region}.amazonaws.com/`, async ({ request }) => {
      const params = new URLSearchParams(await request.text());
      seen.push({ params, host: new URL(request.url).host });
      const action = params.get('Action') ?? '';
      const n = (counts.get(action) ?? 0) + 1;
      counts.set(action, n);
      const route = routes[action];
      return route ? route(params, n) : xml(fixture('ec2/error_auth_failure.xml').replace('AuthFailure', 'InvalidAction'), 400);
    }),
  );
  return seen;
}

function xml(body: string, status = 200): Response {
  return new MswResponse(body, { status, headers: { 'content-type': 'text/xml;charset=UTF-8' } });
}
const file = (name: string, status = 200) => () => xml(fixture(`ec2/${name}`), status);
const unavailable = () => xml('<Response><Errors><Error><Code>Unavailable</Code><Message>busy</Message></Error></Errors><RequestID>r-503</RequestID></Response>', 503);
const params = (seen: Array<{ params: URLSearchParams }>, i = 0): Record<string, string> => Object.fromEntries(seen[i]!.params);

function driver(options: Partial<EC2NodeDriverOptions> = {}): EC2NodeDriver {
  return new EC2NodeDriver({
    key: 'AKIDEXAMPLE',
    secret: SECRET,
    region: 'us-east-1',
    transport: { adapter: 'http' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
    [ASYNC_MODE]: true,
  } as EC2NodeDriverOptions);
}

const node = (id = 'i-0123456789abcdef0'): Node => new Node({ id, name: 'web-1', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
const volume = (id = 'vol-0a1b2c3d4e5f60001'): StorageVolume => new StorageVolume({ id, name: 'v', size: 1, state: StorageVolumeState.AVAILABLE }, {} as never);
const snapshot = (id = 'snap-0a1b2c3d4e5f60011'): VolumeSnapshot => new VolumeSnapshot({ id, state: VolumeSnapshotState.AVAILABLE }, {} as never);
const zone = (name: string, regionName = 'us-east-1'): NodeLocation => new NodeLocation('0', name, 'USA', {}, { regionName });

/** The rejection of a call that must fail. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('EC2 volumes', () => {
  test('listVolumes parses DescribeVolumes: names from the Name tag (else the id), sizes, Libcloud states, the attachment', async () => {
    const seen = ec2({ DescribeVolumes: file('describe_volumes.xml') });
    const volumes = await promised(driver().listVolumes());
    expect(volumes.map((v) => [v.id, v.name, v.size, v.state])).toEqual([
      ['vol-0a1b2c3d4e5f60001', 'web-data', 100, StorageVolumeState.INUSE],
      ['vol-0a1b2c3d4e5f60002', 'vol-0a1b2c3d4e5f60002', 8, StorageVolumeState.AVAILABLE],
      ['vol-0a1b2c3d4e5f60003', 'reports & logs', 500, StorageVolumeState.CREATING],
    ]);
    expect(volumes[0]).toBeInstanceOf(StorageVolume);
    expect(volumes[0]!.extra).toMatchObject({
      state: 'in-use',
      zone: 'us-east-1a',
      device: '/dev/sdf',
      instanceId: 'i-0123456789abcdef0',
      attachmentStatus: 'attached',
      attachTime: '2026-11-20T09:18:11.000Z',
      deleteOnTermination: false,
      volumeType: 'gp3',
      iops: 3000,
      throughput: 125,
      encrypted: false,
      tags: { Name: 'web-data', team: 'platform' },
    });
    expect(volumes[0]!.extra.snapshotId).toBeUndefined();
    expect(volumes[1]!.extra).toMatchObject({ snapshotId: 'snap-0a1b2c3d4e5f60001', device: undefined });
    expect(volumes[2]!.extra).toMatchObject({ encrypted: true, kmsKeyId: expect.stringMatching(/^arn:aws:kms:/), volumeType: 'io2' });
    expect(params(seen)).toEqual({ Action: 'DescribeVolumes', Version: '2016-11-15' });
  });

  test('no volumes is an empty list', async () => {
    ec2({ DescribeVolumes: file('describe_volumes_empty.xml') });
    await expect(promised(driver().listVolumes())).resolves.toEqual([]);
  });

  test('follows nextToken; MaxResults comes from pageSize, at most 500 (DescribeVolumes’ limit)', async () => {
    const seen = ec2({ DescribeVolumes: (p) => xml(fixture(p.get('NextToken') ? 'ec2/describe_volumes_page2.xml' : 'ec2/describe_volumes_page1.xml')) });
    const volumes = await promised(driver({ pageSize: 600 }).listVolumes());
    expect(volumes.map((v) => v.name)).toEqual(['paged-volume-1', 'paged-volume-2']);
    expect(seen.map((s) => [s.params.get('MaxResults'), s.params.get('NextToken')])).toEqual([
      ['500', null],
      ['500', 'eyJ2IjoiMiIsImMiOiJ2b2xzMiJ9'],
    ]);
  });

  test('listVolumes({ node, filters, volumeIds }) sends the attachment filter, the filters and the ids (without MaxResults)', async () => {
    const seen = ec2({ DescribeVolumes: file('describe_volumes_empty.xml') });
    await promised(driver({ pageSize: 5 }).listVolumes({ node: node(), filters: { status: ['in-use', 'available'] }, volumeIds: ['vol-1'] }));
    expect(params(seen)).toEqual({
      Action: 'DescribeVolumes',
      Version: '2016-11-15',
      'VolumeId.1': 'vol-1',
      'Filter.1.Name': 'status',
      'Filter.1.Value.1': 'in-use',
      'Filter.1.Value.2': 'available',
      'Filter.2.Name': 'attachment.instance-id',
      'Filter.2.Value.1': 'i-0123456789abcdef0',
    });
  });

  test('createVolume sends CreateVolume with the zone, a Name tag, the extras and a per-call ClientToken', async () => {
    const seen = ec2({ CreateVolume: file('create_volume.xml') });
    const d = driver();
    const created = await promised(
      d.createVolume({ size: 10, name: 'data-1', location: zone('us-east-1a'), snapshot: snapshot(), ex: { volumeType: 'io2', iops: 4000, encrypted: true, kmsKeyId: 'k-1', tags: { team: 'data' } } }),
    );
    await promised(d.createVolume({ size: 10, name: 'data-2', location: zone('us-east-1a') }));
    expect(created).toBeInstanceOf(StorageVolume);
    expect([created.id, created.name, created.size, created.state]).toEqual(['vol-0a1b2c3d4e5f60099', 'data-1', 10, StorageVolumeState.CREATING]);
    const [first, second] = [params(seen, 0), params(seen, 1)];
    expect(first).toEqual({
      Action: 'CreateVolume',
      Version: '2016-11-15',
      Size: '10',
      AvailabilityZone: 'us-east-1a',
      SnapshotId: 'snap-0a1b2c3d4e5f60011',
      VolumeType: 'io2',
      Iops: '4000',
      Encrypted: 'true',
      KmsKeyId: 'k-1',
      ClientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'TagSpecification.1.ResourceType': 'volume',
      'TagSpecification.1.Tag.1.Key': 'team',
      'TagSpecification.1.Tag.1.Value': 'data',
      'TagSpecification.1.Tag.2.Key': 'Name',
      'TagSpecification.1.Tag.2.Value': 'data-1',
    });
    expect(second!.ClientToken).not.toBe(first!.ClientToken);
  });

  test('a CreateVolume that failed with 503 is sent again with the same ClientToken (one volume)', async () => {
    const seen = ec2({ CreateVolume: (_p, n) => (n === 1 ? unavailable() : xml(fixture('ec2/create_volume.xml'))) });
    const created = await promised(driver().createVolume({ size: 10, name: 'data-1', location: zone('us-east-1a') }));
    expect(created.id).toBe('vol-0a1b2c3d4e5f60099');
    expect(seen.map((s) => s.params.get('ClientToken'))).toEqual([params(seen, 0).ClientToken, params(seen, 0).ClientToken]);
  });

  test('createVolume without a location uses the region’s first available zone', async () => {
    const seen = ec2({ DescribeAvailabilityZones: file('describe_availability_zones.xml'), CreateVolume: file('create_volume.xml') });
    await promised(driver().createVolume({ size: 10, name: 'data-1' }));
    expect(seen.map((s) => s.params.get('Action'))).toEqual(['DescribeAvailabilityZones', 'CreateVolume']);
    expect(params(seen, 1).AvailabilityZone).toBe('us-east-1a');
  });

  test.each([
    ['a size of 0', { size: 0, name: 'x', location: zone('us-east-1a') }],
    ['a fractional size', { size: 1.5, name: 'x', location: zone('us-east-1a') }],
    ['no name', { size: 1, name: '', location: zone('us-east-1a') }],
    ['a zone of another region', { size: 1, name: 'x', location: zone('eu-west-1a', 'eu-west-1') }],
    ['an unknown ex key', { size: 1, name: 'x', location: zone('us-east-1a'), ex: { volume_type: 'gp3' } }],
  ])('createVolume with %s is InvalidArgumentError and sends nothing', async (_what, options) => {
    const seen = ec2({});
    await expect(promised(driver().createVolume(options as never))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('attachVolume sends the device given; without one, the first of /dev/sdf…/dev/sdp the node’s volumes leave free', async () => {
    const seen = ec2({ AttachVolume: file('attach_volume.xml'), DescribeVolumes: file('describe_volumes.xml') });
    const d = driver();
    await expect(promised(d.attachVolume(node(), volume('vol-0a1b2c3d4e5f60099'), '/dev/xvdh'))).resolves.toBe(true);
    await expect(promised(d.attachVolume(node(), volume('vol-0a1b2c3d4e5f60099')))).resolves.toBe(true);
    expect(seen.map((s) => s.params.get('Action'))).toEqual(['AttachVolume', 'DescribeVolumes', 'AttachVolume']);
    expect(params(seen, 0)).toEqual({ Action: 'AttachVolume', Version: '2016-11-15', VolumeId: 'vol-0a1b2c3d4e5f60099', InstanceId: 'i-0123456789abcdef0', Device: '/dev/xvdh' });
    expect(params(seen, 1)).toMatchObject({ 'Filter.1.Name': 'attachment.instance-id', 'Filter.1.Value.1': 'i-0123456789abcdef0' });
    // /dev/sdf is taken by vol-…60001 in the fixture.
    expect(params(seen, 2).Device).toBe('/dev/sdg');
  });

  test('attachVolume refuses a device name EC2 does not take, without sending', async () => {
    const seen = ec2({});
    await expect(promised(driver().attachVolume(node(), volume(), 'sdf; rm -rf'))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });

  test('AttachVolume and DetachVolume are not retried (a repeat would fail on the first one’s effect)', async () => {
    const seen = ec2({ AttachVolume: unavailable, DetachVolume: unavailable });
    const d = driver();
    await expect(promised(d.attachVolume(node(), volume(), '/dev/sdf'))).rejects.toBeInstanceOf(ProviderError);
    await expect(promised(d.detachVolume(volume()))).rejects.toBeInstanceOf(ProviderError);
    expect(seen.map((s) => s.params.get('Action'))).toEqual(['AttachVolume', 'DetachVolume']);
  });

  test('detachVolume and destroyVolume send the volume id and read the answer', async () => {
    const seen = ec2({ DetachVolume: file('detach_volume.xml'), DeleteVolume: file('delete_volume.xml') });
    const d = driver();
    await expect(promised(d.detachVolume(volume()))).resolves.toBe(true);
    await expect(promised(d.destroyVolume(volume()))).resolves.toBe(true);
    expect(seen.map((s) => params(seen, seen.indexOf(s)))).toEqual([
      { Action: 'DetachVolume', Version: '2016-11-15', VolumeId: 'vol-0a1b2c3d4e5f60001' },
      { Action: 'DeleteVolume', Version: '2016-11-15', VolumeId: 'vol-0a1b2c3d4e5f60001' },
    ]);
  });

  test('waitUntilVolumeState polls DescribeVolumes of the one volume until it is in the state', async () => {
    const inUse = fixture('ec2/describe_volumes.xml');
    const attaching = inUse.replace('<status>in-use</status>', '<status>available</status>');
    const seen = ec2({ DescribeVolumes: (_p, n) => xml(n < 3 ? attaching : inUse) });
    const ready = await promised(driver().waitUntilVolumeState(volume(), StorageVolumeState.INUSE, { timeout: 5_000, pollInterval: 5 }));
    expect([ready.id, ready.state]).toEqual(['vol-0a1b2c3d4e5f60001', StorageVolumeState.INUSE]);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.params.get('VolumeId.1') === 'vol-0a1b2c3d4e5f60001')).toBe(true);
  });

  test('waitUntilVolumeState: TimeoutError naming the state, VolumeNotFoundError once the volume is gone, ProviderError on error', async () => {
    ec2({ DescribeVolumes: file('describe_volumes.xml') });
    const timedOut = await failure(promised(driver().waitUntilVolumeState(volume(), StorageVolumeState.AVAILABLE, { timeout: 30, pollInterval: 10 })));
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as Error).message).toMatch(/volume vol-0a1b2c3d4e5f60001 is inuse, not available$/);
    server.resetHandlers();
    ec2({ DescribeVolumes: file('error_volume_not_found.xml', 400) });
    await expect(promised(driver().waitUntilVolumeState(volume(), StorageVolumeState.AVAILABLE, { pollInterval: 5 }))).rejects.toBeInstanceOf(VolumeNotFoundError);
    server.resetHandlers();
    ec2({ DescribeVolumes: () => xml(fixture('ec2/describe_volumes.xml').replace('<status>in-use</status>', '<status>error</status>')) });
    await expect(promised(driver().waitUntilVolumeState(volume(), StorageVolumeState.AVAILABLE, { pollInterval: 5 }))).rejects.toMatchObject({ constructor: ProviderError, code: 'VolumeError' });
  });
});

describe('EC2 snapshots', () => {
  test('listVolumeSnapshots asks for the account’s snapshots of the volume and parses them', async () => {
    const seen = ec2({ DescribeSnapshots: file('describe_snapshots.xml') });
    const snapshots = await promised(driver().listVolumeSnapshots(volume()));
    expect(snapshots.map((s) => [s.id, s.name, s.size, s.state, s.createdAt?.toISOString()])).toEqual([
      ['snap-0a1b2c3d4e5f60011', 'web-data-nightly', 100, VolumeSnapshotState.AVAILABLE, '2026-11-20T10:00:00.000Z'],
      ['snap-0a1b2c3d4e5f60012', 'snap-0a1b2c3d4e5f60012', 100, VolumeSnapshotState.CREATING, '2026-11-21T10:00:00.000Z'],
      ['snap-0a1b2c3d4e5f60013', 'snap-0a1b2c3d4e5f60013', 100, VolumeSnapshotState.ERROR, '2026-11-21T11:00:00.000Z'],
    ]);
    expect(snapshots[0]).toBeInstanceOf(VolumeSnapshot);
    expect(snapshots[0]!.extra).toMatchObject({ volumeId: 'vol-0a1b2c3d4e5f60001', state: 'completed', progress: '100%', description: 'nightly', ownerId: '123456789012', tags: { Name: 'web-data-nightly' } });
    expect(snapshots[1]!.extra.progress).toBe('42%');
    expect(params(seen)).toEqual({ Action: 'DescribeSnapshots', Version: '2016-11-15', 'Owner.1': 'self', 'Filter.1.Name': 'volume-id', 'Filter.1.Value.1': 'vol-0a1b2c3d4e5f60001' });
  });

  test('no snapshots is an empty list; several pages are followed with MaxResults from pageSize', async () => {
    ec2({ DescribeSnapshots: file('describe_snapshots_empty.xml') });
    await expect(promised(driver().listVolumeSnapshots(volume()))).resolves.toEqual([]);
    server.resetHandlers();
    const seen = ec2({ DescribeSnapshots: (p) => xml(fixture(p.get('NextToken') ? 'ec2/describe_snapshots_page2.xml' : 'ec2/describe_snapshots_page1.xml')) });
    const snapshots = await promised(driver({ pageSize: 5 }).listVolumeSnapshots(volume()));
    expect(snapshots.map((s) => s.id)).toEqual(['snap-0000000000page1', 'snap-0000000000page2']);
    expect(seen.map((s) => [s.params.get('MaxResults'), s.params.get('NextToken')])).toEqual([
      ['5', null],
      ['5', 'eyJ2IjoiMiIsImMiOiJzbmFwczIifQ'],
    ]);
  });

  test('createVolumeSnapshot tags (and, as Libcloud, describes) the snapshot with the name; it is creating at first', async () => {
    const seen = ec2({ CreateSnapshot: file('create_snapshot.xml') });
    const d = driver();
    const created = await promised(d.createVolumeSnapshot(volume(), 'before-upgrade'));
    await promised(d.createVolumeSnapshot(volume()));
    expect([created.id, created.name, created.state, created.size]).toEqual(['snap-0a1b2c3d4e5f60099', 'before-upgrade', VolumeSnapshotState.CREATING, 100]);
    expect(params(seen, 0)).toEqual({
      Action: 'CreateSnapshot',
      Version: '2016-11-15',
      VolumeId: 'vol-0a1b2c3d4e5f60001',
      Description: 'before-upgrade',
      'TagSpecification.1.ResourceType': 'snapshot',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'before-upgrade',
    });
    expect(params(seen, 1)).toEqual({ Action: 'CreateSnapshot', Version: '2016-11-15', VolumeId: 'vol-0a1b2c3d4e5f60001' });
  });

  test('CreateSnapshot is not retried (it has no ClientToken); DeleteSnapshot is', async () => {
    const seen = ec2({ CreateSnapshot: unavailable, DeleteSnapshot: (_p, n) => (n === 1 ? unavailable() : xml(fixture('ec2/delete_snapshot.xml'))) });
    const d = driver();
    await expect(promised(d.createVolumeSnapshot(volume(), 'x'))).rejects.toBeInstanceOf(ProviderError);
    await expect(promised(d.destroyVolumeSnapshot(snapshot()))).resolves.toBe(true);
    expect(seen.map((s) => s.params.get('Action'))).toEqual(['CreateSnapshot', 'DeleteSnapshot', 'DeleteSnapshot']);
    expect(params(seen, 2)).toEqual({ Action: 'DeleteSnapshot', Version: '2016-11-15', SnapshotId: 'snap-0a1b2c3d4e5f60011' });
  });
});

describe('EC2 key pairs', () => {
  test('listKeyPairs parses DescribeKeyPairs with the public keys EC2 returns when asked', async () => {
    const seen = ec2({ DescribeKeyPairs: file('describe_key_pairs.xml') });
    const keys = await promised(driver().listKeyPairs());
    expect(keys.map((k) => [k.name, k.fingerprint, k.publicKey?.split(' ')[0], k.privateKey])).toEqual([
      ['deploy-key', '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f', undefined, undefined],
      ['ops laptop', 'dcOkZ9IQ5b3Q8Fp5iZg4W1P9AqJZb8Ls6m5tA9Vr0aI=', 'ssh-ed25519', undefined],
    ]);
    expect(keys[1]).toBeInstanceOf(KeyPair);
    expect(keys[1]!.extra).toEqual({ keyPairId: 'key-0a1b2c3d4e5f60002', keyType: 'ed25519', createTime: '2026-11-02T08:00:00.000Z', tags: { owner: 'ops' } });
    expect(params(seen)).toEqual({ Action: 'DescribeKeyPairs', Version: '2016-11-15', IncludePublicKey: 'true' });
  });

  test('no key pairs is an empty list; getKeyPair asks for the name and is KeyPairDoesNotExistError when EC2 lists none', async () => {
    const seen = ec2({ DescribeKeyPairs: file('describe_key_pairs_empty.xml') });
    const d = driver();
    await expect(promised(d.listKeyPairs())).resolves.toEqual([]);
    await expect(promised(d.getKeyPair('deploy-key'))).rejects.toBeInstanceOf(KeyPairDoesNotExistError);
    expect(params(seen, 1)).toEqual({ Action: 'DescribeKeyPairs', Version: '2016-11-15', 'KeyName.1': 'deploy-key', IncludePublicKey: 'true' });
  });

  test('createKeyPair returns the private key once, readable but never printed, with the fingerprint trimmed', async () => {
    const seen = ec2({ CreateKeyPair: file('create_key_pair.xml') });
    const created = await promised(driver().createKeyPair('deploy-2026'));
    expect(created).toBeInstanceOf(KeyPair);
    expect([created.name, created.fingerprint, created.extra.keyPairId]).toEqual(['deploy-2026', '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f', 'key-0a1b2c3d4e5f60099']);
    expect(created.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    const bodyLine = created.privateKey!.split('\n')[1]!;
    for (const text of [inspect(created), inspect(created, { showHidden: true }), JSON.stringify(created), String(created), JSON.stringify({ ...created })]) {
      expect(text).not.toContain(bodyLine);
    }
    expect(inspect(created)).toContain("privateKey: '[REDACTED]'");
    expect(Object.keys(created)).not.toContain('privateKey');
    expect(params(seen)).toEqual({ Action: 'CreateKeyPair', Version: '2016-11-15', KeyName: 'deploy-2026' });
  });

  test('CreateKeyPair is never retried: after a lost reply a repeat would fail and the private key would be lost', async () => {
    const seen = ec2({ CreateKeyPair: unavailable });
    await expect(promised(driver().createKeyPair('deploy-2026'))).rejects.toBeInstanceOf(ProviderError);
    expect(seen).toHaveLength(1);
  });

  test('a CreateKeyPair answer that cannot be read is reported without any of its body', async () => {
    const material = fixture('ec2/create_key_pair.xml');
    const broken = material.replace('</CreateKeyPairResponse>', '');
    ec2({ CreateKeyPair: () => xml(broken) });
    const error = await failure(promised(driver().createKeyPair('deploy-2026')));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/body is not shown/);
    const keyLine = /<keyMaterial>-----BEGIN RSA PRIVATE KEY-----\n(.+)\n/.exec(material)![1]!;
    expect(`${String(error)} ${inspect(error, { showHidden: true })} ${JSON.stringify(error)}`).not.toContain(keyLine);
    server.resetHandlers();
    ec2({ CreateKeyPair: () => xml(material.replace(/<keyMaterial>[\s\S]*<\/keyMaterial>/, '')) });
    await expect(promised(driver().createKeyPair('deploy-2026'))).rejects.toBeInstanceOf(MalformedResponseError);
  });

  test('importKeyPairFromString sends the public key line base64-encoded; a private key or junk is refused before sending', async () => {
    const seen = ec2({ ImportKeyPair: file('import_key_pair.xml') });
    const { publicKey, privateKey } = generateSshKeyPair('me@laptop');
    const imported = await promised(driver().importKeyPairFromString('laptop', `${publicKey}\n`));
    expect([imported.name, imported.fingerprint, imported.publicKey, imported.privateKey]).toEqual(['laptop', '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca', publicKey, undefined]);
    expect(params(seen)).toEqual({ Action: 'ImportKeyPair', Version: '2016-11-15', KeyName: 'laptop', PublicKeyMaterial: Buffer.from(publicKey).toString('base64') });
    for (const bad of [privateKey, 'ssh-rsa not-base64!', '']) {
      const error = await failure(promised(driver().importKeyPairFromString('laptop', bad)));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).not.toContain(privateKey.split('\n')[1]!);
    }
    expect(seen).toHaveLength(1);
  });

  test('deleteKeyPair sends the name', async () => {
    const seen = ec2({ DeleteKeyPair: file('delete_key_pair.xml') });
    const key = new KeyPair({ name: 'deploy-key', fingerprint: 'f' }, {} as never);
    await expect(promised(driver().deleteKeyPair(key))).resolves.toBe(true);
    expect(params(seen)).toEqual({ Action: 'DeleteKeyPair', Version: '2016-11-15', KeyName: 'deploy-key' });
  });
});

describe('EC2 images', () => {
  test('getImage is DescribeImages of the one id; ImageNotFoundError when EC2 lists none', async () => {
    const seen = ec2({ DescribeImages: (_p, n) => xml(fixture(n === 1 ? 'ec2/describe_images_one.xml' : 'ec2/describe_images_empty.xml')) });
    const d = driver();
    const image = await promised(d.getImage('ami-0abcdef1234567890'));
    expect([image.id, image.name, image.extra.state]).toEqual(['ami-0abcdef1234567890', 'al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64', 'available']);
    await expect(promised(d.getImage('ami-0abcdef1234567890'))).rejects.toBeInstanceOf(ImageNotFoundError);
    expect(params(seen)).toEqual({ Action: 'DescribeImages', Version: '2016-11-15', 'ImageId.1': 'ami-0abcdef1234567890' });
  });

  test('createImage sends CreateImage without a reboot unless ex.reboot, and is not retried', async () => {
    const seen = ec2({ CreateImage: (_p, n) => (n === 3 ? unavailable() : xml(fixture('ec2/create_image.xml'))) });
    const d = driver();
    const image = await promised(d.createImage(node(), 'web-2026', { description: 'web tier' }));
    await promised(d.createImage(node(), 'web-2027', { ex: { reboot: true, tags: { team: 'web' } } }));
    await expect(promised(d.createImage(node(), 'web-2028'))).rejects.toBeInstanceOf(ProviderError);
    expect(image).toBeInstanceOf(NodeImage);
    expect([image.id, image.name, image.extra]).toEqual(['ami-0a1b2c3d4e5f60099', 'web-2026', { instanceId: 'i-0123456789abcdef0', description: 'web tier' }]);
    expect(params(seen, 0)).toEqual({ Action: 'CreateImage', Version: '2016-11-15', InstanceId: 'i-0123456789abcdef0', Name: 'web-2026', Description: 'web tier', NoReboot: 'true' });
    expect(params(seen, 1)).toEqual({
      Action: 'CreateImage',
      Version: '2016-11-15',
      InstanceId: 'i-0123456789abcdef0',
      Name: 'web-2027',
      NoReboot: 'false',
      'TagSpecification.1.ResourceType': 'image',
      'TagSpecification.1.Tag.1.Key': 'team',
      'TagSpecification.1.Tag.1.Value': 'web',
    });
    expect(seen).toHaveLength(3);
  });

  test('deleteImage deregisters the image', async () => {
    const seen = ec2({ DeregisterImage: file('deregister_image.xml') });
    await expect(promised(driver().deleteImage(new NodeImage('ami-0a1b2c3d4e5f60099', 'x', {})))).resolves.toBe(true);
    expect(params(seen)).toEqual({ Action: 'DeregisterImage', Version: '2016-11-15', ImageId: 'ami-0a1b2c3d4e5f60099' });
  });

  test('copyImage is sent to the destination region’s endpoint, with a ClientToken kept across a retry', async () => {
    const seen = ec2({ CopyImage: (_p, n) => (n === 1 ? unavailable() : xml(fixture('ec2/copy_image.xml'))) }, 'eu-west-1');
    const west = driver({ region: 'eu-west-1' });
    const copy = await promised(west.copyImage('us-east-1', new NodeImage('ami-0a1b2c3d4e5f60099', 'web-2026', {}), 'web-2026-eu', { description: 'copied' }));
    expect([copy.id, copy.name, copy.extra]).toEqual(['ami-0a1b2c3d4e5f60098', 'web-2026-eu', { sourceRegion: 'us-east-1', sourceImageId: 'ami-0a1b2c3d4e5f60099', description: 'copied' }]);
    expect(seen.map((s) => s.host)).toEqual(['ec2.eu-west-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com']);
    expect(params(seen, 0)).toEqual({
      Action: 'CopyImage',
      Version: '2016-11-15',
      SourceRegion: 'us-east-1',
      SourceImageId: 'ami-0a1b2c3d4e5f60099',
      Name: 'web-2026-eu',
      Description: 'copied',
      ClientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(params(seen, 1).ClientToken).toBe(params(seen, 0).ClientToken);
  });

  test('copyImage refuses a source region that is not one, and unknown ex keys, without sending', async () => {
    const seen = ec2({}, 'eu-west-1');
    const west = driver({ region: 'eu-west-1' });
    const image = new NodeImage('ami-0a1b2c3d4e5f60099', 'x', {});
    await expect(promised(west.copyImage('us east 1', image, 'copy'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(promised(west.copyImage('us-east-1', image, 'copy', { ex: { encrypt: true } }))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toEqual([]);
  });
});

describe('EC2 errors of these calls', () => {
  type Call = (d: EC2NodeDriver) => unknown;
  const cases: Array<[string, string, Call, new (...args: never[]) => Error, string]> = [
    ['error_volume_not_found.xml', 'DeleteVolume', (d) => d.destroyVolume(volume()), VolumeNotFoundError, 'InvalidVolume.NotFound'],
    ['error_volume_malformed.xml', 'DetachVolume', (d) => d.detachVolume(volume('vol-x')), VolumeNotFoundError, 'InvalidVolume.Malformed'],
    ['error_volume_in_use.xml', 'AttachVolume', (d) => d.attachVolume(node(), volume(), '/dev/sdf'), RequestError, 'VolumeInUse'],
    ['error_volume_in_use.xml', 'DeleteVolume', (d) => d.destroyVolume(volume()), RequestError, 'VolumeInUse'],
    ['error_incorrect_state.xml', 'DetachVolume', (d) => d.detachVolume(volume()), RequestError, 'IncorrectState'],
    ['error_incorrect_instance_state.xml', 'AttachVolume', (d) => d.attachVolume(node(), volume(), '/dev/sdf'), RequestError, 'IncorrectInstanceState'],
    ['error_zone_mismatch.xml', 'AttachVolume', (d) => d.attachVolume(node(), volume(), '/dev/sdf'), RequestError, 'InvalidVolume.ZoneMismatch'],
    ['error_instance_not_found.xml', 'AttachVolume', (d) => d.attachVolume(node(), volume(), '/dev/sdf'), NodeNotFoundError, 'InvalidInstanceID.NotFound'],
    ['error_snapshot_not_found.xml', 'DeleteSnapshot', (d) => d.destroyVolumeSnapshot(snapshot()), VolumeSnapshotNotFoundError, 'InvalidSnapshot.NotFound'],
    ['error_snapshot_not_found.xml', 'CreateVolume', (d) => d.createVolume({ size: 1, name: 'x', location: zone('us-east-1a'), snapshot: snapshot() }), VolumeSnapshotNotFoundError, 'InvalidSnapshot.NotFound'],
    ['error_key_pair_not_found.xml', 'DescribeKeyPairs', (d) => d.getKeyPair('deploy-key'), KeyPairDoesNotExistError, 'InvalidKeyPair.NotFound'],
    ['error_key_pair_duplicate.xml', 'CreateKeyPair', (d) => d.createKeyPair('deploy-key'), KeyPairAlreadyExistsError, 'InvalidKeyPair.Duplicate'],
    ['error_key_pair_duplicate.xml', 'ImportKeyPair', (d) => d.importKeyPairFromString('deploy-key', generateSshKeyPair().publicKey), KeyPairAlreadyExistsError, 'InvalidKeyPair.Duplicate'],
    ['error_key_format.xml', 'ImportKeyPair', (d) => d.importKeyPairFromString('deploy-key', generateSshKeyPair().publicKey), RequestError, 'InvalidKey.Format'],
    ['error_ami_not_found.xml', 'DescribeImages', (d) => d.getImage('ami-0a1b2c3d4e5f60099'), ImageNotFoundError, 'InvalidAMIID.NotFound'],
    ['error_ami_malformed.xml', 'DeregisterImage', (d) => d.deleteImage(new NodeImage('ami-x', 'x', {})), ImageNotFoundError, 'InvalidAMIID.Malformed'],
    ['error_ami_not_found.xml', 'CopyImage', (d) => d.copyImage('eu-west-1', new NodeImage('ami-0a1b2c3d4e5f60099', 'x', {}), 'copy'), ImageNotFoundError, 'InvalidAMIID.NotFound'],
    ['error_ami_name_duplicate.xml', 'CreateImage', (d) => d.createImage(node(), 'web-2026'), RequestError, 'InvalidAMIName.Duplicate'],
    ['error_instance_not_found.xml', 'CreateImage', (d) => d.createImage(node(), 'web-2026'), NodeNotFoundError, 'InvalidInstanceID.NotFound'],
  ];
  test.each(cases)('%s from %s becomes a typed error with the code and request id', async (name, action, call, ErrorClass, code) => {
    ec2({ [action]: file(name, 400), DescribeAvailabilityZones: file('describe_availability_zones.xml') });
    const error = await failure(promised(call(driver({ retry: { maxAttempts: 1 } }))));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status: 400, code, provider: 'ec2', requestId: expect.stringMatching(/-example$/) });
    expect(String(error)).not.toContain(SECRET);
  });
});
