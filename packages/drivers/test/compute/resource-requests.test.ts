/**
 * The request builders of volumes, snapshots, key pairs and images: plain data, compared with toEqual, no
 * network. Which requests may be retried is part of the descriptor, so it is pinned here too.
 */
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError } from '@dualcloud/core';
import {
  actionStatusRequest,
  createKeyRequest,
  createVolumeRequest as doCreateVolume,
  createVolumeSnapshotRequest,
  deleteKeyRequest,
  deleteSnapshotRequest as doDeleteSnapshot,
  deleteVolumeRequest as doDeleteVolume,
  dropletSnapshotRequest,
  dropletSnapshotsRequest,
  getImageRequest,
  getVolumeRequest,
  pageRequest,
  transferImageRequest,
  updateImageRequest,
  volumeActionRequest,
  volumeSnapshotsRequest,
} from '../../src/compute/digitalocean/requests.js';
import {
  attachVolumeRequest,
  copyImageRequest,
  createImageRequest,
  createKeyPairRequest,
  createSnapshotRequest,
  createVolumeRequest,
  deleteKeyPairRequest,
  deleteSnapshotRequest,
  deleteVolumeRequest,
  deregisterImageRequest,
  describeKeyPairsRequest,
  describeSnapshotsRequest,
  describeVolumesRequest,
  detachVolumeRequest,
  importKeyPairRequest,
  tagSpecification,
} from '../../src/compute/ec2/requests.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const JSON_BODY = { 'content-type': 'application/json' };

/** An EC2 descriptor with `body` as its parameters. */
function ec2(action: string, body: string, idempotent: boolean) {
  return { method: 'POST', path: '/', headers: FORM, body, idempotent, action };
}

describe('EC2 builders', () => {
  test('DescribeVolumes: ids, filters (the node as attachment.instance-id), MaxResults only without ids', () => {
    expect(describeVolumesRequest({ filters: { 'tag:team': 'data' }, node: { id: 'i-1' } }, 'next/1', 50)).toEqual(
      ec2('DescribeVolumes', 'Action=DescribeVolumes&Filter.1.Name=tag%3Ateam&Filter.1.Value.1=data&Filter.2.Name=attachment.instance-id&Filter.2.Value.1=i-1&MaxResults=50&NextToken=next%2F1&Version=2016-11-15', true),
    );
    expect(describeVolumesRequest({ volumeIds: ['vol-1', 'vol-2'] }, undefined, 50).body).toBe('Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-1&VolumeId.2=vol-2');
    expect(() => describeVolumesRequest({ node: { id: '' } })).toThrow(InvalidArgumentError);
  });

  test('CreateVolume is idempotent through its ClientToken and names the volume with a TagSpecification', () => {
    expect(createVolumeRequest({ size: 8, name: 'data', availabilityZone: 'us-east-1b', clientToken: 't-1', ex: { throughput: 250, encrypted: false } })).toEqual(
      ec2(
        'CreateVolume',
        'Action=CreateVolume&AvailabilityZone=us-east-1b&ClientToken=t-1&Encrypted=false&Size=8&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=data&Throughput=250&Version=2016-11-15',
        true,
      ),
    );
    expect(() => createVolumeRequest({ size: 8, name: 'data', availabilityZone: '', clientToken: 't' })).toThrow(InvalidArgumentError);
  });

  test('AttachVolume and DetachVolume are not retried; a device must be a device name', () => {
    expect(attachVolumeRequest('vol-1', 'i-1', '/dev/sdf')).toEqual(ec2('AttachVolume', 'Action=AttachVolume&Device=%2Fdev%2Fsdf&InstanceId=i-1&Version=2016-11-15&VolumeId=vol-1', false));
    expect(attachVolumeRequest('vol-1', 'i-1', 'xvdg').body).toContain('Device=xvdg');
    for (const bad of ['sdf', '/dev/', '/dev/sdf;reboot', '/etc/passwd', '']) expect(() => attachVolumeRequest('vol-1', 'i-1', bad)).toThrow(InvalidArgumentError);
    expect(() => attachVolumeRequest('', 'i-1', '/dev/sdf')).toThrow(InvalidArgumentError);
    expect(detachVolumeRequest('vol-1')).toEqual(ec2('DetachVolume', 'Action=DetachVolume&Version=2016-11-15&VolumeId=vol-1', false));
    expect(deleteVolumeRequest('vol-1')).toEqual(ec2('DeleteVolume', 'Action=DeleteVolume&Version=2016-11-15&VolumeId=vol-1', true));
  });

  test('snapshots: DescribeSnapshots filters, CreateSnapshot not retried, DeleteSnapshot retried', () => {
    expect(describeSnapshotsRequest({ owners: ['self'], filters: { 'volume-id': 'vol-1' } }, undefined, 5).body).toBe(
      'Action=DescribeSnapshots&Filter.1.Name=volume-id&Filter.1.Value.1=vol-1&MaxResults=5&Owner.1=self&Version=2016-11-15',
    );
    expect(describeSnapshotsRequest({ snapshotIds: ['snap-1'] }, undefined, 5).body).toBe('Action=DescribeSnapshots&SnapshotId.1=snap-1&Version=2016-11-15');
    expect(createSnapshotRequest('vol-1', 'nightly')).toEqual(
      ec2('CreateSnapshot', 'Action=CreateSnapshot&Description=nightly&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=nightly&Version=2016-11-15&VolumeId=vol-1', false),
    );
    expect(createSnapshotRequest('vol-1').body).toBe('Action=CreateSnapshot&Version=2016-11-15&VolumeId=vol-1');
    expect(deleteSnapshotRequest('snap-1')).toEqual(ec2('DeleteSnapshot', 'Action=DeleteSnapshot&SnapshotId=snap-1&Version=2016-11-15', true));
  });

  test('key pairs: DescribeKeyPairs asks for public keys; Create/Import are not retried; the public key is sent base64-encoded', () => {
    expect(describeKeyPairsRequest(['a b'])).toEqual(ec2('DescribeKeyPairs', 'Action=DescribeKeyPairs&IncludePublicKey=true&KeyName.1=a%20b&Version=2016-11-15', true));
    expect(createKeyPairRequest('deploy')).toEqual(ec2('CreateKeyPair', 'Action=CreateKeyPair&KeyName=deploy&Version=2016-11-15', false));
    const line = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3sA2fm5V/0uMcIt2q7ukFgO8k0mQ7W4oVK3qHD4h5 me';
    expect(importKeyPairRequest('laptop', line)).toEqual(
      ec2('ImportKeyPair', `Action=ImportKeyPair&KeyName=laptop&PublicKeyMaterial=${encodeURIComponent(Buffer.from(line).toString('base64'))}&Version=2016-11-15`, false),
    );
    expect(deleteKeyPairRequest('deploy')).toEqual(ec2('DeleteKeyPair', 'Action=DeleteKeyPair&KeyName=deploy&Version=2016-11-15', true));
    expect(() => createKeyPairRequest('')).toThrow(InvalidArgumentError);
  });

  test('images: CreateImage (NoReboot unless asked) not retried; CopyImage idempotent through its ClientToken', () => {
    expect(createImageRequest('i-1', 'web', 'desc')).toEqual(ec2('CreateImage', 'Action=CreateImage&Description=desc&InstanceId=i-1&Name=web&NoReboot=true&Version=2016-11-15', false));
    expect(createImageRequest('i-1', 'web', undefined, { reboot: true }).body).toBe('Action=CreateImage&InstanceId=i-1&Name=web&NoReboot=false&Version=2016-11-15');
    expect(deregisterImageRequest('ami-1')).toEqual(ec2('DeregisterImage', 'Action=DeregisterImage&ImageId=ami-1&Version=2016-11-15', true));
    expect(copyImageRequest({ sourceRegion: 'us-east-1', sourceImageId: 'ami-1', name: 'copy', clientToken: 't-2', ex: { encrypted: true, kmsKeyId: 'k' } })).toEqual(
      ec2('CopyImage', 'Action=CopyImage&ClientToken=t-2&Encrypted=true&KmsKeyId=k&Name=copy&SourceImageId=ami-1&SourceRegion=us-east-1&Version=2016-11-15', true),
    );
    expect(() => copyImageRequest({ sourceRegion: '', sourceImageId: 'ami-1', name: 'copy', clientToken: 't' })).toThrow(InvalidArgumentError);
  });

  test('tagSpecification numbers the tags of one resource type, and is empty without tags', () => {
    expect(tagSpecification('volume', { a: '1', b: '' })).toEqual({
      'TagSpecification.1.ResourceType': 'volume',
      'TagSpecification.1.Tag.1.Key': 'a',
      'TagSpecification.1.Tag.1.Value': '1',
      'TagSpecification.1.Tag.2.Key': 'b',
      'TagSpecification.1.Tag.2.Value': '',
    });
    expect(tagSpecification('image', {})).toEqual({});
  });
});

describe('DigitalOcean builders', () => {
  test('volumes: list pages, create with the documented body, get/delete by id, actions by type', () => {
    expect(pageRequest('/v2/volumes', '3', 20)).toEqual({ method: 'GET', path: '/v2/volumes', query: { page: '3', per_page: 20 }, action: 'list volumes' });
    expect(doCreateVolume({ size: 10, name: 'data-1', region: 'nyc1', snapshotId: 's-1', ex: { filesystemType: 'xfs' } })).toEqual({
      method: 'POST',
      path: '/v2/volumes',
      headers: JSON_BODY,
      body: JSON.stringify({ size_gigabytes: 10, name: 'data-1', region: 'nyc1', snapshot_id: 's-1', filesystem_type: 'xfs' }),
      action: 'create volume',
    });
    expect(getVolumeRequest('506f78a4-e098-11e5-ad9f-000f53306ae1')).toEqual({ method: 'GET', path: '/v2/volumes/506f78a4-e098-11e5-ad9f-000f53306ae1', action: 'get volume' });
    expect(doDeleteVolume('v-1')).toEqual({ method: 'DELETE', path: '/v2/volumes/v-1', action: 'delete volume' });
    expect(volumeActionRequest('v-1', 'detach', '42', 'ams3')).toEqual({
      method: 'POST',
      path: '/v2/volumes/v-1/actions',
      headers: JSON_BODY,
      body: JSON.stringify({ type: 'detach', droplet_id: 42, region: 'ams3' }),
      action: 'detach volume',
    });
    expect(() => volumeActionRequest('v-1', 'attach', 'i-1', 'nyc1')).toThrow(InvalidArgumentError);
    expect(() => getVolumeRequest('../droplets/1')).toThrow(InvalidArgumentError);
    expect(() => doCreateVolume({ size: 1, name: 'Data', region: 'nyc1' })).toThrow(InvalidArgumentError);
  });

  test('actions are polled below their resource, or at /v2/actions', () => {
    expect(actionStatusRequest({ kind: 'volume', id: 'v-1' }, '7')).toEqual({ method: 'GET', path: '/v2/volumes/v-1/actions/7', action: 'get action' });
    expect(actionStatusRequest({ kind: 'image', id: '12' }, '7').path).toBe('/v2/images/12/actions/7');
    expect(actionStatusRequest({ kind: 'any' }, '7').path).toBe('/v2/actions/7');
  });

  test('snapshots, keys and images', () => {
    expect(volumeSnapshotsRequest('v-1', undefined, 50)).toEqual({ method: 'GET', path: '/v2/volumes/v-1/snapshots', query: { page: '1', per_page: 50 }, action: 'list volume snapshots' });
    expect(createVolumeSnapshotRequest('v-1', 'nightly')).toEqual({ method: 'POST', path: '/v2/volumes/v-1/snapshots', headers: JSON_BODY, body: '{"name":"nightly"}', action: 'create volume snapshot' });
    expect(doDeleteSnapshot('s-1')).toEqual({ method: 'DELETE', path: '/v2/snapshots/s-1', action: 'delete snapshot' });
    expect(createKeyRequest('k', 'ssh-ed25519 AAAA')).toEqual({ method: 'POST', path: '/v2/account/keys', headers: JSON_BODY, body: '{"name":"k","public_key":"ssh-ed25519 AAAA"}', action: 'create ssh key' });
    expect(deleteKeyRequest('3b:16:bf:e4').path).toBe('/v2/account/keys/3b:16:bf:e4');
    expect(getImageRequest('ubuntu-22-04-x64').path).toBe('/v2/images/ubuntu-22-04-x64');
    expect(updateImageRequest('12', 'web')).toEqual({ method: 'PUT', path: '/v2/images/12', headers: JSON_BODY, body: '{"description":"web"}', action: 'update image' });
    expect(transferImageRequest('12', 'ams3')).toEqual({ method: 'POST', path: '/v2/images/12/actions', headers: JSON_BODY, body: '{"type":"transfer","region":"ams3"}', action: 'transfer image' });
    expect(dropletSnapshotRequest('42', 'web')).toEqual({ method: 'POST', path: '/v2/droplets/42/actions', headers: JSON_BODY, body: '{"type":"snapshot","name":"web"}', action: 'droplet snapshot' });
    expect(dropletSnapshotsRequest('42', '2', 10).query).toEqual({ page: '2', per_page: 10 });
    expect(() => transferImageRequest('12', 'ams 3')).toThrow(InvalidArgumentError);
    expect(() => dropletSnapshotRequest('abc', 'web')).toThrow(InvalidArgumentError);
  });
});
