/**
 * The EC2 emulation of volumes, snapshots, key pairs and region images, on the wire: timed lifecycles,
 * EC2's error codes, ClientToken idempotency, paging and filters, key material and fingerprints.
 * Intermediate states are read right after the call (the boot delay is long enough for that even on a loaded
 * machine); final states are polled for, with a deadline.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { asArray, generateSshKeyPair, parseSshPublicKey } from '@dualcloud/core';
import { createFakeCloudServer, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { ec2, sleep, type TestResponse } from './helpers/http.js';

const BOOT_MS = 400;
let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: BOOT_MS });
  port = await server.listen();
});
afterAll(() => server.close());

const UBUNTU = 'ami-0fa4e0c5a7b3d1001';

/** The root element of a successful response (the test fails on an error). */
function ok(res: TestResponse, action: string): any {
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
  return res.xml()[`${action}Response`];
}

/** The code of an error response with `status`. */
function errorCode(res: TestResponse, status = 400): string {
  expect(res.status).toBe(status);
  return res.xml().Response.Errors.Error.Code;
}

/** Calls `action` until `check` holds (bounded). */
async function until(action: string, params: Record<string, string>, check: (root: any) => boolean, region = 'us-east-1'): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const root = ok(await ec2(port, action, params, region), action);
    if (check(root)) return root;
    if (Date.now() > deadline) throw new Error(`${action} never satisfied the check`);
    await sleep(25);
  }
}

async function runningInstance(region = 'us-east-1', zone = `${region}a`): Promise<string> {
  const run = ok(await ec2(port, 'RunInstances', { ImageId: UBUNTU, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, 'Placement.AvailabilityZone': zone }, region), 'RunInstances');
  const id = asArray(run.instancesSet.item)[0].instanceId as string;
  await until('DescribeInstances', { 'InstanceId.1': id }, (r) => asArray(r.reservationSet.item)[0].instancesSet.item.instanceState.name === 'running', region);
  return id;
}

const volumeOf = (root: any): any => asArray(root.volumeSet?.item)[0];

async function availableVolume(params: Record<string, string | number> = {}, region = 'us-east-1'): Promise<string> {
  const created = ok(await ec2(port, 'CreateVolume', { Size: 2, AvailabilityZone: `${region}a`, ...params }, region), 'CreateVolume');
  await until('DescribeVolumes', { 'VolumeId.1': created.volumeId }, (r) => volumeOf(r).status === 'available', region);
  return created.volumeId;
}

describe('EC2 volumes', () => {
  test('CreateVolume: creating, then available after the boot delay; tags, type and size as asked', async () => {
    const created = ok(
      await ec2(port, 'CreateVolume', { Size: 20, AvailabilityZone: 'us-east-1b', VolumeType: 'gp3', 'TagSpecification.1.ResourceType': 'volume', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'data' }),
      'CreateVolume',
    );
    expect(created).toMatchObject({ size: '20', availabilityZone: 'us-east-1b', status: 'creating', volumeType: 'gp3', iops: '3000', throughput: '125', encrypted: 'false' });
    expect(created.volumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    expect(created.tagSet.item).toEqual({ key: 'Name', value: 'data' });
    const listed = await until('DescribeVolumes', { 'VolumeId.1': created.volumeId }, (r) => volumeOf(r).status === 'available');
    expect(volumeOf(listed).createTime).toBe(created.createTime);
  });

  test('a ClientToken makes CreateVolume idempotent', async () => {
    const params = { Size: 1, AvailabilityZone: 'us-east-1a', ClientToken: 'token-volume-1' };
    const first = ok(await ec2(port, 'CreateVolume', params), 'CreateVolume');
    const again = ok(await ec2(port, 'CreateVolume', params), 'CreateVolume');
    expect(again.volumeId).toBe(first.volumeId);
    const other = ok(await ec2(port, 'CreateVolume', { ...params, ClientToken: 'token-volume-2' }), 'CreateVolume');
    expect(other.volumeId).not.toBe(first.volumeId);
  });

  test.each([
    [{ Size: 1, AvailabilityZone: 'us-east-1z' }, 'InvalidZone.NotFound'],
    [{ Size: 0, AvailabilityZone: 'us-east-1a' }, 'InvalidParameterValue'],
    [{ AvailabilityZone: 'us-east-1a' }, 'MissingParameter'],
    [{ Size: 1 }, 'MissingParameter'],
    [{ Size: 1, AvailabilityZone: 'us-east-1a', VolumeType: 'fast' }, 'InvalidParameterValue'],
    [{ Size: 1, AvailabilityZone: 'us-east-1a', SnapshotId: 'snap-0123456789abcdef0' }, 'InvalidSnapshot.NotFound'],
  ])('CreateVolume %j is refused with %s', async (params, code) => {
    expect(errorCode(await ec2(port, 'CreateVolume', params))).toBe(code);
  });

  test('attach: in-use with an attaching attachment, attached after the delay; detach: detaching, then available', async () => {
    const instance = await runningInstance();
    const volume = await availableVolume();
    const attached = ok(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: '/dev/sdf' }), 'AttachVolume');
    expect(attached).toMatchObject({ volumeId: volume, instanceId: instance, device: '/dev/sdf', status: 'attaching' });
    const inUse = volumeOf(ok(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }), 'DescribeVolumes'));
    expect([inUse.status, inUse.attachmentSet.item.status]).toEqual(['in-use', 'attaching']);
    await until('DescribeVolumes', { 'VolumeId.1': volume }, (r) => volumeOf(r).attachmentSet.item?.status === 'attached');
    const byInstance = ok(await ec2(port, 'DescribeVolumes', { 'Filter.1.Name': 'attachment.instance-id', 'Filter.1.Value.1': instance }), 'DescribeVolumes');
    expect(asArray(byInstance.volumeSet.item).map((v: any) => v.volumeId)).toEqual([volume]);
    expect(errorCode(await ec2(port, 'DeleteVolume', { VolumeId: volume }))).toBe('VolumeInUse');
    const detached = ok(await ec2(port, 'DetachVolume', { VolumeId: volume }), 'DetachVolume');
    expect(detached.status).toBe('detaching');
    expect(errorCode(await ec2(port, 'DetachVolume', { VolumeId: volume }))).toBe('IncorrectState');
    await until('DescribeVolumes', { 'VolumeId.1': volume }, (r) => volumeOf(r).status === 'available' && !volumeOf(r).attachmentSet);
    expect(ok(await ec2(port, 'DeleteVolume', { VolumeId: volume }), 'DeleteVolume').return).toBe('true');
    expect(errorCode(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }))).toBe('InvalidVolume.NotFound');
  });

  test('attach refuses: a creating volume, a stopped or missing instance, another zone, a taken or invalid device', async () => {
    const instance = await runningInstance();
    const creating = ok(await ec2(port, 'CreateVolume', { Size: 1, AvailabilityZone: 'us-east-1a' }), 'CreateVolume').volumeId;
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: creating, InstanceId: instance, Device: '/dev/sdf' }))).toBe('IncorrectState');
    const volume = await availableVolume();
    const elsewhere = await availableVolume({ AvailabilityZone: 'us-east-1c' });
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: elsewhere, InstanceId: instance, Device: '/dev/sdf' }))).toBe('InvalidVolume.ZoneMismatch');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: 'i-0123456789abcdef0', Device: '/dev/sdf' }))).toBe('InvalidInstanceID.NotFound');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: 'sdf' }))).toBe('InvalidParameterValue');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: '/dev/xvda' }))).toBe('InvalidParameterValue');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance }))).toBe('MissingParameter');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: 'vol-x', InstanceId: instance, Device: '/dev/sdf' }))).toBe('InvalidVolume.Malformed');
    const other = await availableVolume();
    ok(await ec2(port, 'AttachVolume', { VolumeId: other, InstanceId: instance, Device: '/dev/sdg' }), 'AttachVolume');
    expect(errorCode(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: '/dev/sdg' }))).toBe('InvalidParameterValue');
    ok(await ec2(port, 'StopInstances', { 'InstanceId.1': instance }), 'StopInstances');
    await until('DescribeInstances', { 'InstanceId.1': instance }, (r) => asArray(r.reservationSet.item)[0].instancesSet.item.instanceState.name === 'stopped');
    const refused = await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: '/dev/sdh' });
    expect(errorCode(refused)).toBe('IncorrectInstanceState');
    expect(volumeOf(ok(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }), 'DescribeVolumes')).status).toBe('available');
  });

  test('terminating an instance detaches its volumes, which stay', async () => {
    const instance = await runningInstance();
    const volume = await availableVolume();
    ok(await ec2(port, 'AttachVolume', { VolumeId: volume, InstanceId: instance, Device: '/dev/sdf' }), 'AttachVolume');
    ok(await ec2(port, 'TerminateInstances', { 'InstanceId.1': instance }), 'TerminateInstances');
    const detaching = volumeOf(ok(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }), 'DescribeVolumes'));
    expect(detaching.attachmentSet.item.status).toBe('detaching');
    await until('DescribeVolumes', { 'VolumeId.1': volume }, (r) => volumeOf(r).status === 'available');
  });

  test('DescribeVolumes pages with MaxResults (5..500) and NextToken, refuses MaxResults with ids, filters by status and tag', async () => {
    const region = 'ap-northeast-1';
    for (let i = 0; i < 7; i++) {
      ok(await ec2(port, 'CreateVolume', { Size: 1, AvailabilityZone: `${region}a`, 'TagSpecification.1.ResourceType': 'volume', 'TagSpecification.1.Tag.1.Key': 'batch', 'TagSpecification.1.Tag.1.Value': i < 3 ? 'x' : 'y' }, region), 'CreateVolume');
    }
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const root = ok(await ec2(port, 'DescribeVolumes', { MaxResults: 5, ...(token ? { NextToken: token } : {}) }, region), 'DescribeVolumes');
      ids.push(...asArray(root.volumeSet.item).map((v: any) => v.volumeId));
      token = root.nextToken;
      pages++;
    } while (token);
    expect([ids.length, new Set(ids).size, pages]).toEqual([7, 7, 2]);
    expect(errorCode(await ec2(port, 'DescribeVolumes', { MaxResults: 4 }, region))).toBe('InvalidParameterValue');
    expect(errorCode(await ec2(port, 'DescribeVolumes', { MaxResults: 5, 'VolumeId.1': ids[0]! }, region))).toBe('InvalidParameterCombination');
    expect(errorCode(await ec2(port, 'DescribeVolumes', { MaxResults: 5, NextToken: 'bm90LWEtdG9rZW4' }, region))).toBe('InvalidPaginationToken');
    const tagged = ok(await ec2(port, 'DescribeVolumes', { 'Filter.1.Name': 'tag:batch', 'Filter.1.Value.1': 'x' }, region), 'DescribeVolumes');
    expect(asArray(tagged.volumeSet.item)).toHaveLength(3);
    expect(errorCode(await ec2(port, 'DescribeVolumes', { 'Filter.1.Name': 'color', 'Filter.1.Value.1': 'x' }, region))).toBe('InvalidParameterValue');
    // Regions are kept apart.
    const east = ok(await ec2(port, 'DescribeVolumes', { 'Filter.1.Name': 'tag:batch', 'Filter.1.Value.1': 'x' }), 'DescribeVolumes');
    expect(asArray(east.volumeSet?.item)).toEqual([]);
  });
});

describe('EC2 snapshots', () => {
  test('CreateSnapshot: pending, then completed; DescribeSnapshots by owner and volume; a volume made from it has its size', async () => {
    const volume = await availableVolume({ Size: 3 });
    const created = ok(await ec2(port, 'CreateSnapshot', { VolumeId: volume, Description: 'nightly', 'TagSpecification.1.ResourceType': 'snapshot', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'n1' }), 'CreateSnapshot');
    expect(created).toMatchObject({ volumeId: volume, status: 'pending', volumeSize: '3', description: 'nightly', ownerId: '123456789012' });
    expect(created.snapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    const done = await until('DescribeSnapshots', { 'Owner.1': 'self', 'Filter.1.Name': 'volume-id', 'Filter.1.Value.1': volume }, (r) => asArray(r.snapshotSet.item)[0]?.status === 'completed');
    expect(asArray(done.snapshotSet.item).map((s: any) => [s.snapshotId, s.progress, s.tagSet.item.value])).toEqual([[created.snapshotId, '100%', 'n1']]);
    expect(asArray(ok(await ec2(port, 'DescribeSnapshots', { 'Owner.1': 'amazon' }), 'DescribeSnapshots').snapshotSet?.item)).toEqual([]);
    const restored = ok(await ec2(port, 'CreateVolume', { AvailabilityZone: 'us-east-1a', SnapshotId: created.snapshotId }), 'CreateVolume');
    expect([restored.size, restored.snapshotId]).toEqual(['3', created.snapshotId]);
    expect(errorCode(await ec2(port, 'CreateVolume', { Size: 1, AvailabilityZone: 'us-east-1a', SnapshotId: created.snapshotId }))).toBe('InvalidParameterValue');
    expect(ok(await ec2(port, 'DeleteSnapshot', { SnapshotId: created.snapshotId }), 'DeleteSnapshot').return).toBe('true');
    expect(errorCode(await ec2(port, 'DeleteSnapshot', { SnapshotId: created.snapshotId }))).toBe('InvalidSnapshot.NotFound');
    expect(errorCode(await ec2(port, 'DescribeSnapshots', { 'SnapshotId.1': 'snap-x' }))).toBe('InvalidSnapshot.Malformed');
    expect(errorCode(await ec2(port, 'CreateSnapshot', { VolumeId: 'vol-0123456789abcdef0' }))).toBe('InvalidVolume.NotFound');
  });

  test('DescribeSnapshots pages with MaxResults (5..1000)', async () => {
    const region = 'sa-east-1';
    const volume = ok(await ec2(port, 'CreateVolume', { Size: 1, AvailabilityZone: `${region}a` }, region), 'CreateVolume').volumeId;
    await until('DescribeVolumes', { 'VolumeId.1': volume }, (r) => volumeOf(r).status === 'available', region);
    for (let i = 0; i < 6; i++) ok(await ec2(port, 'CreateSnapshot', { VolumeId: volume }, region), 'CreateSnapshot');
    const first = ok(await ec2(port, 'DescribeSnapshots', { MaxResults: 5 }, region), 'DescribeSnapshots');
    const second = ok(await ec2(port, 'DescribeSnapshots', { MaxResults: 5, NextToken: first.nextToken }, region), 'DescribeSnapshots');
    expect([asArray(first.snapshotSet.item).length, asArray(second.snapshotSet.item).length, second.nextToken]).toEqual([5, 1, undefined]);
  });
});

describe('EC2 key pairs', () => {
  test('CreateKeyPair: an RSA private key (PEM) once, fingerprinted as EC2 does (SHA-1 of the PKCS#8 key); never listed', async () => {
    const created = ok(await ec2(port, 'CreateKeyPair', { KeyName: 'deploy' }), 'CreateKeyPair');
    expect(created.keyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const key = createPrivateKey(created.keyMaterial);
    expect(key.asymmetricKeyType).toBe('rsa');
    const sha1 = createHash('sha1').update(key.export({ type: 'pkcs8', format: 'der' })).digest('hex').replace(/(..)(?!$)/g, '$1:');
    expect(created.keyFingerprint).toBe(sha1);
    expect(created.keyPairId).toMatch(/^key-[0-9a-f]{17}$/);
    const listed = ok(await ec2(port, 'DescribeKeyPairs', { 'KeyName.1': 'deploy', IncludePublicKey: 'true' }), 'DescribeKeyPairs');
    const item = listed.keySet.item;
    expect([item.keyName, item.keyFingerprint, item.keyType, item.keyMaterial]).toEqual(['deploy', created.keyFingerprint, 'rsa', undefined]);
    // The public key EC2 returns (that it is the created key's is checked by the ImportKeyPair test below).
    expect(parseSshPublicKey(item.publicKey).type).toBe('ssh-rsa');
    expect(item.publicKey.split(' ')[2]).toBe('deploy');
    expect(ok(await ec2(port, 'DescribeKeyPairs', { 'KeyName.1': 'deploy' }), 'DescribeKeyPairs').keySet.item.publicKey).toBeUndefined();
    expect(errorCode(await ec2(port, 'CreateKeyPair', { KeyName: 'deploy' }))).toBe('InvalidKeyPair.Duplicate');
    const ed = ok(await ec2(port, 'CreateKeyPair', { KeyName: 'deploy-ed', KeyType: 'ed25519' }), 'CreateKeyPair');
    expect(ed.keyMaterial).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(ed.keyFingerprint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  test('ImportKeyPair: base64 key material; fingerprints are MD5 of the DER public key (RSA), base64 SHA-256 (Ed25519)', async () => {
    const ed = generateSshKeyPair('me@laptop');
    const imported = ok(await ec2(port, 'ImportKeyPair', { KeyName: 'laptop', PublicKeyMaterial: Buffer.from(ed.publicKey).toString('base64') }), 'ImportKeyPair');
    expect(imported.keyFingerprint).toBe(createHash('sha256').update(parseSshPublicKey(ed.publicKey).blob).digest('base64'));
    const rsa = ok(await ec2(port, 'CreateKeyPair', { KeyName: 'rsa-source' }), 'CreateKeyPair');
    const rsaPublic = ok(await ec2(port, 'DescribeKeyPairs', { 'KeyName.1': 'rsa-source', IncludePublicKey: 'true' }), 'DescribeKeyPairs').keySet.item.publicKey;
    const again = ok(await ec2(port, 'ImportKeyPair', { KeyName: 'rsa-imported', PublicKeyMaterial: Buffer.from(rsaPublic).toString('base64') }), 'ImportKeyPair');
    const der = createPublicKey(createPrivateKey(rsa.keyMaterial)).export({ type: 'spki', format: 'der' });
    expect(again.keyFingerprint).toBe(createHash('md5').update(der).digest('hex').replace(/(..)(?!$)/g, '$1:'));
    expect(errorCode(await ec2(port, 'ImportKeyPair', { KeyName: 'junk', PublicKeyMaterial: Buffer.from('not a key').toString('base64') }))).toBe('InvalidKey.Format');
    expect(errorCode(await ec2(port, 'ImportKeyPair', { KeyName: 'laptop', PublicKeyMaterial: Buffer.from(ed.publicKey).toString('base64') }))).toBe('InvalidKeyPair.Duplicate');
  });

  test('DescribeKeyPairs of a missing name is InvalidKeyPair.NotFound; DeleteKeyPair answers true either way; regions are apart', async () => {
    ok(await ec2(port, 'CreateKeyPair', { KeyName: 'west-only' }, 'us-west-1'), 'CreateKeyPair');
    expect(errorCode(await ec2(port, 'DescribeKeyPairs', { 'KeyName.1': 'west-only' }))).toBe('InvalidKeyPair.NotFound');
    expect(ok(await ec2(port, 'DeleteKeyPair', { KeyName: 'west-only' }, 'us-west-1'), 'DeleteKeyPair').return).toBe('true');
    expect(ok(await ec2(port, 'DeleteKeyPair', { KeyName: 'west-only' }, 'us-west-1'), 'DeleteKeyPair').return).toBe('true');
    expect(asArray(ok(await ec2(port, 'DescribeKeyPairs', {}, 'us-west-1'), 'DescribeKeyPairs').keySet?.item)).toEqual([]);
  });
});

describe('EC2 images of a region', () => {
  test('CreateImage: pending, then available; listed by DescribeImages (Owner=self); instances launch from it; DeregisterImage removes it', async () => {
    const instance = await runningInstance();
    const created = ok(await ec2(port, 'CreateImage', { InstanceId: instance, Name: 'golden-1', Description: 'web tier', NoReboot: 'true' }), 'CreateImage');
    expect(created.imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    const pending = ok(await ec2(port, 'DescribeImages', { 'ImageId.1': created.imageId }), 'DescribeImages').imagesSet.item;
    expect([pending.imageState, pending.name, pending.description, pending.imageOwnerId, pending.isPublic]).toEqual(['pending', 'golden-1', 'web tier', '123456789012', 'false']);
    expect(errorCode(await ec2(port, 'RunInstances', { ImageId: created.imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).toBe('InvalidAMIID.Unavailable');
    await until('DescribeImages', { 'ImageId.1': created.imageId }, (r) => r.imagesSet.item.imageState === 'available');
    const mine = ok(await ec2(port, 'DescribeImages', { 'Owner.1': 'self' }), 'DescribeImages');
    expect(asArray(mine.imagesSet.item).map((i: any) => i.imageId)).toContain(created.imageId);
    ok(await ec2(port, 'RunInstances', { ImageId: created.imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }), 'RunInstances');
    expect(errorCode(await ec2(port, 'CreateImage', { InstanceId: instance, Name: 'golden-1' }))).toBe('InvalidAMIName.Duplicate');
    expect(errorCode(await ec2(port, 'CreateImage', { InstanceId: instance, Name: 'x!' }))).toBe('InvalidAMIName.Malformed');
    expect(errorCode(await ec2(port, 'CreateImage', { InstanceId: 'i-0123456789abcdef0', Name: 'golden-2' }))).toBe('InvalidInstanceID.NotFound');
    expect(ok(await ec2(port, 'DeregisterImage', { ImageId: created.imageId }), 'DeregisterImage').return).toBe('true');
    expect(errorCode(await ec2(port, 'DescribeImages', { 'ImageId.1': created.imageId }))).toBe('InvalidAMIID.NotFound');
    expect(errorCode(await ec2(port, 'DeregisterImage', { ImageId: UBUNTU }))).toBe('OperationNotPermitted');
  });

  test('CopyImage is answered in the destination region, from an available image of the source region, idempotent by ClientToken', async () => {
    const instance = await runningInstance();
    const source = ok(await ec2(port, 'CreateImage', { InstanceId: instance, Name: 'to-copy' }), 'CreateImage').imageId;
    expect(errorCode(await ec2(port, 'CopyImage', { SourceRegion: 'us-east-1', SourceImageId: source, Name: 'too-early' }, 'eu-west-1'))).toBe('IncorrectState');
    await until('DescribeImages', { 'ImageId.1': source }, (r) => r.imagesSet.item.imageState === 'available');
    const params = { SourceRegion: 'us-east-1', SourceImageId: source, Name: 'copied', Description: 'from the east', ClientToken: 'copy-token-1' };
    const copy = ok(await ec2(port, 'CopyImage', params, 'eu-west-1'), 'CopyImage');
    expect(ok(await ec2(port, 'CopyImage', params, 'eu-west-1'), 'CopyImage').imageId).toBe(copy.imageId);
    const inWest = ok(await ec2(port, 'DescribeImages', { 'ImageId.1': copy.imageId }, 'eu-west-1'), 'DescribeImages').imagesSet.item;
    expect([inWest.imageState, inWest.name, inWest.description]).toEqual(['pending', 'copied', 'from the east']);
    expect(errorCode(await ec2(port, 'DescribeImages', { 'ImageId.1': copy.imageId }))).toBe('InvalidAMIID.NotFound');
    expect(errorCode(await ec2(port, 'CopyImage', { SourceRegion: 'moon-1', SourceImageId: source, Name: 'x-1' }, 'eu-west-1'))).toBe('InvalidRequest');
    expect(errorCode(await ec2(port, 'CopyImage', { SourceRegion: 'us-west-2', SourceImageId: source, Name: 'x-2' }, 'eu-west-1'))).toBe('InvalidAMIID.NotFound');
    const catalog = ok(await ec2(port, 'CopyImage', { SourceRegion: 'us-east-1', SourceImageId: UBUNTU, Name: 'ubuntu-copy' }, 'eu-west-1'), 'CopyImage');
    expect(catalog.imageId).not.toBe(UBUNTU);
  });

  test('CreateTags and DeleteTags reach volumes, snapshots and images too', async () => {
    const volume = await availableVolume();
    ok(await ec2(port, 'CreateTags', { 'ResourceId.1': volume, 'Tag.1.Key': 'team', 'Tag.1.Value': 'data' }), 'CreateTags');
    const tagged = volumeOf(ok(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }), 'DescribeVolumes'));
    expect(tagged.tagSet.item).toEqual({ key: 'team', value: 'data' });
    ok(await ec2(port, 'DeleteTags', { 'ResourceId.1': volume, 'Tag.1.Key': 'team' }), 'DeleteTags');
    expect(volumeOf(ok(await ec2(port, 'DescribeVolumes', { 'VolumeId.1': volume }), 'DescribeVolumes')).tagSet).toBeUndefined();
    expect(errorCode(await ec2(port, 'CreateTags', { 'ResourceId.1': 'snap-0123456789abcdef0', 'Tag.1.Key': 'a' }))).toBe('InvalidSnapshot.NotFound');
  });
});
