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
 * A Query API request. EC2 actions used here are safe to repeat (Describe*, Reboot/Start/Stop/Terminate of a
 * given id, RunInstances with a ClientToken), so they are marked idempotent and may be retried.
 */
export function ec2Request(action: string, params: EC2Params = {}): RequestSpec {
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': EC2_FORM_CONTENT_TYPE },
    body: encodeQuery({ ...params, Action: action, Version: EC2_API_VERSION }),
    idempotent: true,
    action,
  };
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
  const tags: Record<string, string> = { ...ex.tags, Name: args.name };
  const tagParams: Record<string, string> = { 'TagSpecification.1.ResourceType': 'instance' };
  Object.entries(tags).forEach(([key, value], i) => {
    tagParams[`TagSpecification.1.Tag.${i + 1}.Key`] = key;
    tagParams[`TagSpecification.1.Tag.${i + 1}.Value`] = value;
  });
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
