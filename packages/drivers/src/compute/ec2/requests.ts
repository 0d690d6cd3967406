/**
 * EC2 Query API request builders: pure functions from arguments to request descriptors (plain data).
 * Every request is a form-encoded POST to `/`, so the parameters are part of the signed body.
 * @module
 */
import { encodeQuery, InvalidArgumentError, type RequestSpec } from '@dualcloud/core';
import { EC2_API_VERSION } from './constants.js';

/** Query API parameters (`Action` and `Version` are added by {@link ec2Request}). */
export type EC2Params = Readonly<Record<string, string | number | undefined>>;

/** Content type of every EC2 request body. */
export const EC2_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/**
 * A Query API request. Most EC2 actions used here are safe to repeat (Describe*, Reboot/Start/Stop/Terminate
 * and Delete* of a given id, RunInstances, CreateVolume and CopyImage with a ClientToken), so they are marked
 * idempotent and may be retried; the others pass `{ idempotent: false }` (a repeated CreateKeyPair would lose
 * the private key of the first, a repeated AttachVolume would fail on the first's attachment).
 */
export function ec2Request(action: string, params: EC2Params = {}, options: { readonly idempotent?: boolean } = {}): RequestSpec {
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': EC2_FORM_CONTENT_TYPE },
    body: encodeQuery({ ...params, Action: action, Version: EC2_API_VERSION }),
    idempotent: options.idempotent ?? true,
    action,
  };
}

/** `TagSpecification.1.*` parameters tagging the created resource (`instance`, `volume`, `snapshot`, `image`). */
export function tagSpecification(resourceType: string, tags: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length === 0) return {};
  const out: Record<string, string> = { 'TagSpecification.1.ResourceType': resourceType };
  entries.forEach(([key, value], i) => {
    out[`TagSpecification.1.Tag.${i + 1}.Key`] = key;
    out[`TagSpecification.1.Tag.${i + 1}.Value`] = value;
  });
  return out;
}

/** Checks that an id argument is a non-empty string. */
function idArg(value: unknown, what: string, action: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`ec2: ${action} needs ${what}`, { provider: 'ec2' });
  return value;
}

/** `Name.1=a&Name.2=b` list parameters. */
export function indexed(name: string, values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  (values ?? []).forEach((v, i) => (out[`${name}.${i + 1}`] = v));
  return out;
}

/** `Filter.N.Name` / `Filter.N.Value.M` parameters. */
export function filterParams(filters: Readonly<Record<string, string | readonly string[]>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  Object.entries(filters ?? {}).forEach(([name, value], i) => {
    out[`Filter.${i + 1}.Name`] = name;
    Object.assign(out, indexed(`Filter.${i + 1}.Value`, typeof value === 'string' ? [value] : value));
  });
  return out;
}

/** DescribeInstances, one page; `maxResults` (5..1000) asks EC2 to page, else it decides. */
export function describeInstancesRequest(nextToken?: string, maxResults?: number): RequestSpec {
  return ec2Request('DescribeInstances', { MaxResults: maxResults, NextToken: nextToken });
}

/** Filters of `listImages` (Libcloud's `ex_owner`, `ex_image_ids`, `ex_executableby`, `ex_filters`). */
export interface EC2ListImagesOptions {
  /** Owners: `amazon`, `aws-marketplace`, `self` or account ids. */
  owners?: readonly string[];
  /** Only these image ids. */
  imageIds?: readonly string[];
  /** Images executable by these accounts (`self`, `all` or account ids). */
  executableBy?: readonly string[];
  /** EC2 filters, e.g. `{ architecture: 'x86_64', 'name': 'ubuntu/*' }`. */
  filters?: Readonly<Record<string, string | readonly string[]>>;
}

/** DescribeImages, one page. */
export function describeImagesRequest(options: EC2ListImagesOptions = {}, nextToken?: string): RequestSpec {
  return ec2Request('DescribeImages', {
    ...indexed('Owner', options.owners),
    ...indexed('ImageId', options.imageIds),
    ...indexed('ExecutableBy', options.executableBy),
    ...filterParams(options.filters),
    NextToken: nextToken,
  });
}

/** DescribeAvailabilityZones of one region, available zones only (as Libcloud asks). */
export function describeAvailabilityZonesRequest(region: string): RequestSpec {
  return ec2Request('DescribeAvailabilityZones', filterParams({ 'region-name': region, state: 'available' }));
}

/** DescribeRegions. */
export function describeRegionsRequest(): RequestSpec {
  return ec2Request('DescribeRegions');
}

/** Provider-specific arguments of `createNode` on EC2 (Libcloud's `ex_*`). */
export interface EC2CreateNodeExtras {
  /** Key pair name. */
  keyName?: string;
  /** Security group names. */
  securityGroups?: readonly string[];
  /** Security group ids (VPC). */
  securityGroupIds?: readonly string[];
  /** Subnet id (VPC). */
  subnetId?: string;
  /** User data as plain text; sent base64-encoded. */
  userData?: string;
  /** Idempotency token; one is generated per call when omitted. */
  clientToken?: string;
  /** Extra tags besides `Name`. */
  tags?: Readonly<Record<string, string>>;
}

/** What {@link runInstancesRequest} needs. */
export interface RunInstancesArgs {
  name: string;
  imageId: string;
  instanceType: string;
  availabilityZone?: string;
  clientToken: string;
  ex?: EC2CreateNodeExtras;
}

/** RunInstances of one instance, named through a TagSpecification, made idempotent by its ClientToken. */
export function runInstancesRequest(args: RunInstancesArgs): RequestSpec {
  if (!args.name) throw new InvalidArgumentError('ec2: createNode needs a name');
  if (!args.imageId || !args.instanceType) throw new InvalidArgumentError('ec2: createNode needs an image and a size');
  const ex = args.ex ?? {};
  const tagParams = tagSpecification('instance', { ...ex.tags, Name: args.name });
  return ec2Request('RunInstances', {
    ImageId: args.imageId,
    InstanceType: args.instanceType,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: args.clientToken,
    'Placement.AvailabilityZone': args.availabilityZone,
    KeyName: ex.keyName,
    SubnetId: ex.subnetId,
    UserData: ex.userData === undefined ? undefined : Buffer.from(ex.userData, 'utf8').toString('base64'),
    ...indexed('SecurityGroup', ex.securityGroups),
    ...indexed('SecurityGroupId', ex.securityGroupIds),
    ...tagParams,
  });
}

/** Reboot/Start/Stop/TerminateInstances of one instance. */
export function instanceActionRequest(
  action: 'RebootInstances' | 'StartInstances' | 'StopInstances' | 'TerminateInstances',
  instanceId: string,
): RequestSpec {
  if (typeof instanceId !== 'string' || instanceId === '') throw new InvalidArgumentError(`ec2: ${action} needs a node with an id`);
  return ec2Request(action, indexed('InstanceId', [instanceId]));
}

// ---- volumes -------------------------------------------------------------------------------------------------

/** Filters of `listVolumes` on EC2 (Libcloud's `list_volumes(node, ex_filters)`). */
export interface EC2ListVolumesOptions {
  /** Only the volumes attached to this node (the `attachment.instance-id` filter). */
  node?: { readonly id: string };
  /** Only these volume ids. */
  volumeIds?: readonly string[];
  /** EC2 filters, e.g. `{ status: 'available', 'tag:team': 'data' }`. */
  filters?: Readonly<Record<string, string | readonly string[]>>;
}

/** DescribeVolumes, one page; `maxResults` (5..500) asks EC2 to page (not allowed with volume ids). */
export function describeVolumesRequest(options: EC2ListVolumesOptions = {}, nextToken?: string, maxResults?: number): RequestSpec {
  const filters: Record<string, string | readonly string[]> = { ...options.filters };
  if (options.node !== undefined) filters['attachment.instance-id'] = idArg(options.node?.id, 'a node with an id', 'DescribeVolumes');
  const ids = options.volumeIds ?? [];
  return ec2Request('DescribeVolumes', {
    ...indexed('VolumeId', ids),
    ...filterParams(filters),
    MaxResults: ids.length > 0 ? undefined : maxResults,
    NextToken: nextToken,
  });
}

/** Provider-specific arguments of `createVolume` on EC2 (Libcloud's `ex_volume_type`, `ex_iops`, ...). */
export interface EC2CreateVolumeExtras {
  /** `gp3`, `gp2`, `io1`, `io2`, `st1`, `sc1` or `standard` (EC2's default when omitted). */
  volumeType?: string;
  /** Provisioned IOPS (io1, io2, gp3). */
  iops?: number;
  /** Throughput in MiB/s (gp3). */
  throughput?: number;
  encrypted?: boolean;
  /** KMS key for an encrypted volume. */
  kmsKeyId?: string;
  /** Extra tags besides `Name`. */
  tags?: Readonly<Record<string, string>>;
  /** Idempotency token; one is generated per call when omitted. */
  clientToken?: string;
}

/** The `ex` keys {@link EC2CreateVolumeExtras} accepts. */
export const EC2_CREATE_VOLUME_EX_KEYS: readonly string[] = ['volumeType', 'iops', 'throughput', 'encrypted', 'kmsKeyId', 'tags', 'clientToken'];

/** What {@link createVolumeRequest} needs. */
export interface CreateVolumeArgs {
  size: number;
  name: string;
  availabilityZone: string;
  snapshotId?: string;
  clientToken: string;
  ex?: EC2CreateVolumeExtras;
}

/** CreateVolume in a zone, named through a TagSpecification, made idempotent by its ClientToken. */
export function createVolumeRequest(args: CreateVolumeArgs): RequestSpec {
  const ex = args.ex ?? {};
  return ec2Request('CreateVolume', {
    Size: args.size,
    AvailabilityZone: idArg(args.availabilityZone, 'an availability zone', 'CreateVolume'),
    SnapshotId: args.snapshotId,
    VolumeType: ex.volumeType,
    Iops: ex.iops,
    Throughput: ex.throughput,
    Encrypted: ex.encrypted === undefined ? undefined : String(ex.encrypted),
    KmsKeyId: ex.kmsKeyId,
    ClientToken: args.clientToken,
    ...tagSpecification('volume', { ...ex.tags, Name: args.name }),
  });
}

/** Device names EC2 recommends for data volumes on Linux, tried in order when `attachVolume` is given none. */
export const EC2_DATA_DEVICES: readonly string[] = [...'fghijklmnop'].map((c) => `/dev/sd${c}`);

/** A device name EC2 takes: `/dev/sdf`, `/dev/xvdg`, `/dev/sdf1`, or `xvdf` for Windows. */
export const EC2_DEVICE_NAME = /^(?:\/dev\/(?:sd|xvd|hd)[a-z]{1,2}\d{0,2}|xvd[a-z]{1,2})$/;

/** AttachVolume. Not retried: a repeat would fail on the attachment the first one made. */
export function attachVolumeRequest(volumeId: string, instanceId: string, device: string): RequestSpec {
  if (typeof device !== 'string' || !EC2_DEVICE_NAME.test(device)) {
    throw new InvalidArgumentError(`ec2: attachVolume device must be a device name such as /dev/sdf or xvdf (got ${JSON.stringify(String(device).slice(0, 40))})`, { provider: 'ec2' });
  }
  return ec2Request(
    'AttachVolume',
    { VolumeId: idArg(volumeId, 'a volume with an id', 'AttachVolume'), InstanceId: idArg(instanceId, 'a node with an id', 'AttachVolume'), Device: device },
    { idempotent: false },
  );
}

/** DetachVolume. Not retried: a repeat would fail on a volume already detaching. */
export function detachVolumeRequest(volumeId: string): RequestSpec {
  return ec2Request('DetachVolume', { VolumeId: idArg(volumeId, 'a volume with an id', 'DetachVolume') }, { idempotent: false });
}

/** DeleteVolume. */
export function deleteVolumeRequest(volumeId: string): RequestSpec {
  return ec2Request('DeleteVolume', { VolumeId: idArg(volumeId, 'a volume with an id', 'DeleteVolume') });
}

// ---- snapshots -----------------------------------------------------------------------------------------------

/** Filters of DescribeSnapshots. */
export interface DescribeSnapshotsArgs {
  snapshotIds?: readonly string[];
  /** `self`, `amazon` or account ids. */
  owners?: readonly string[];
  filters?: Readonly<Record<string, string | readonly string[]>>;
}

/** DescribeSnapshots, one page; `maxResults` (5..1000) asks EC2 to page (not allowed with snapshot ids). */
export function describeSnapshotsRequest(args: DescribeSnapshotsArgs = {}, nextToken?: string, maxResults?: number): RequestSpec {
  const ids = args.snapshotIds ?? [];
  return ec2Request('DescribeSnapshots', {
    ...indexed('SnapshotId', ids),
    ...indexed('Owner', args.owners),
    ...filterParams(args.filters),
    MaxResults: ids.length > 0 ? undefined : maxResults,
    NextToken: nextToken,
  });
}

/** CreateSnapshot; the name goes to the `Name` tag and, as Libcloud does, the description. Not retried (no ClientToken). */
export function createSnapshotRequest(volumeId: string, name?: string): RequestSpec {
  return ec2Request(
    'CreateSnapshot',
    { VolumeId: idArg(volumeId, 'a volume with an id', 'CreateSnapshot'), Description: name, ...tagSpecification('snapshot', name === undefined ? {} : { Name: name }) },
    { idempotent: false },
  );
}

/** DeleteSnapshot. */
export function deleteSnapshotRequest(snapshotId: string): RequestSpec {
  return ec2Request('DeleteSnapshot', { SnapshotId: idArg(snapshotId, 'a snapshot with an id', 'DeleteSnapshot') });
}

// ---- key pairs -----------------------------------------------------------------------------------------------

/** DescribeKeyPairs with the public keys (`IncludePublicKey`); `names` narrows to those key names. */
export function describeKeyPairsRequest(names: readonly string[] = [], nextToken?: string): RequestSpec {
  return ec2Request('DescribeKeyPairs', { ...indexed('KeyName', names), IncludePublicKey: 'true', NextToken: nextToken });
}

/** CreateKeyPair (RSA, PEM). Never retried: a repeat after a lost reply would fail and the private key would be lost. */
export function createKeyPairRequest(name: string): RequestSpec {
  return ec2Request('CreateKeyPair', { KeyName: idArg(name, 'a key name', 'CreateKeyPair') }, { idempotent: false });
}

/** ImportKeyPair; the public key line is sent base64-encoded, as EC2 asks. Not retried (a repeat fails as a duplicate). */
export function importKeyPairRequest(name: string, publicKey: string): RequestSpec {
  return ec2Request(
    'ImportKeyPair',
    { KeyName: idArg(name, 'a key name', 'ImportKeyPair'), PublicKeyMaterial: Buffer.from(idArg(publicKey, 'a public key', 'ImportKeyPair'), 'utf8').toString('base64') },
    { idempotent: false },
  );
}

/** DeleteKeyPair by name (EC2 answers true even when there is no such key). */
export function deleteKeyPairRequest(name: string): RequestSpec {
  return ec2Request('DeleteKeyPair', { KeyName: idArg(name, 'a key pair with a name', 'DeleteKeyPair') });
}

// ---- images --------------------------------------------------------------------------------------------------

/** Provider-specific arguments of `createImage` on EC2. */
export interface EC2CreateImageExtras {
  /** Reboot the instance for a consistent image (default false: EC2's `NoReboot=true`, as Libcloud sends). */
  reboot?: boolean;
  /** Tags of the image. */
  tags?: Readonly<Record<string, string>>;
}

/** CreateImage of an instance. Not retried (no ClientToken; a repeat fails on the image name). */
export function createImageRequest(instanceId: string, name: string, description?: string, ex: EC2CreateImageExtras = {}): RequestSpec {
  return ec2Request(
    'CreateImage',
    {
      InstanceId: idArg(instanceId, 'a node with an id', 'CreateImage'),
      Name: idArg(name, 'a name', 'CreateImage'),
      Description: description,
      NoReboot: String(ex.reboot !== true),
      ...tagSpecification('image', ex.tags ?? {}),
    },
    { idempotent: false },
  );
}

/** DeregisterImage. */
export function deregisterImageRequest(imageId: string): RequestSpec {
  return ec2Request('DeregisterImage', { ImageId: idArg(imageId, 'an image with an id', 'DeregisterImage') });
}

/** Provider-specific arguments of `copyImage` on EC2. */
export interface EC2CopyImageExtras {
  /** Idempotency token; one is generated per call when omitted. */
  clientToken?: string;
  encrypted?: boolean;
  kmsKeyId?: string;
}

/** What {@link copyImageRequest} needs. */
export interface CopyImageArgs {
  sourceRegion: string;
  sourceImageId: string;
  name: string;
  description?: string;
  clientToken: string;
  ex?: EC2CopyImageExtras;
}

/** CopyImage, sent to the destination region, made idempotent by its ClientToken. */
export function copyImageRequest(args: CopyImageArgs): RequestSpec {
  const ex = args.ex ?? {};
  return ec2Request('CopyImage', {
    SourceRegion: idArg(args.sourceRegion, 'a source region', 'CopyImage'),
    SourceImageId: idArg(args.sourceImageId, 'an image with an id', 'CopyImage'),
    Name: idArg(args.name, 'a name', 'CopyImage'),
    Description: args.description,
    Encrypted: ex.encrypted === undefined ? undefined : String(ex.encrypted),
    KmsKeyId: ex.kmsKeyId,
    ClientToken: args.clientToken,
  });
}
