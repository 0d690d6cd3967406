/**
 * EC2 constants: API version, state map, region countries and the instance type table.
 * @module
 */
import { NodeState, StorageVolumeState, VolumeSnapshotState } from '@dualcloud/core';

/** The EC2 Query API version every request names. */
export const EC2_API_VERSION = '2016-11-15';

/** Region used when none is given (as Libcloud). */
export const EC2_DEFAULT_REGION = 'us-east-1';

/**
 * EC2 instance states to node states: exactly Libcloud's `EC2NodeDriver.NODE_STATE_MAP` (Libcloud 3.4).
 * Any other state (`stopping`) is `unknown` there too; the raw state is kept in `extra.status`.
 */
export const EC2_NODE_STATE_MAP: Readonly<Record<string, NodeState>> = {
  pending: NodeState.PENDING,
  running: NodeState.RUNNING,
  'shutting-down': NodeState.UNKNOWN,
  terminated: NodeState.TERMINATED,
  stopped: NodeState.STOPPED,
};

/** EC2 volume states to volume states: Libcloud's `EC2NodeDriver.VOLUME_STATE_MAP`. */
export const EC2_VOLUME_STATE_MAP: Readonly<Record<string, StorageVolumeState>> = {
  available: StorageVolumeState.AVAILABLE,
  'in-use': StorageVolumeState.INUSE,
  error: StorageVolumeState.ERROR,
  creating: StorageVolumeState.CREATING,
  deleting: StorageVolumeState.DELETING,
  deleted: StorageVolumeState.DELETED,
  error_deleting: StorageVolumeState.ERROR,
};

/** EC2 snapshot states to snapshot states: Libcloud's `EC2NodeDriver.SNAPSHOT_STATE_MAP`. */
export const EC2_SNAPSHOT_STATE_MAP: Readonly<Record<string, VolumeSnapshotState>> = {
  pending: VolumeSnapshotState.CREATING,
  completed: VolumeSnapshotState.AVAILABLE,
  error: VolumeSnapshotState.ERROR,
};

/** Country of each region, as Libcloud's `REGION_DETAILS` gives it (used for `NodeLocation.country`). */
export const EC2_REGION_COUNTRY: Readonly<Record<string, string>> = {
  'ap-northeast-1': 'Japan',
  'ap-northeast-2': 'South Korea',
  'ap-northeast-3': 'Japan',
  'ap-south-1': 'India',
  'ap-southeast-1': 'Singapore',
  'ap-southeast-2': 'Australia',
  'ca-central-1': 'Canada',
  'cn-north-1': 'China',
  'cn-northwest-1': 'China',
  'eu-central-1': 'Frankfurt',
  'eu-north-1': 'Stockholm',
  'eu-west-1': 'Ireland',
  'eu-west-2': 'United Kingdom',
  'eu-west-3': 'France',
  'sa-east-1': 'Brazil',
  'us-east-1': 'USA',
  'us-east-2': 'USA',
  'us-gov-west-1': 'US',
  'us-west-1': 'USA',
  'us-west-2': 'US',
};

/** One row of {@link EC2_INSTANCE_TYPES}: id, RAM (MiB), local disk (GiB), bandwidth (Gbit/s), vCPUs, family. */
export type EC2InstanceTypeRow = readonly [id: string, ram: number, disk: number, bandwidth: number | undefined, vcpus: number, family: string];

/** A selection of instance types with the figures of Libcloud's `INSTANCE_TYPES`. */
export const EC2_INSTANCE_TYPES: readonly EC2InstanceTypeRow[] = [
  ['t2.nano', 512, 0, undefined, 1, 'General purpose'],
  ['t2.micro', 1024, 0, undefined, 1, 'General purpose'],
  ['t2.small', 2048, 0, undefined, 1, 'General purpose'],
  ['t2.medium', 4096, 0, undefined, 2, 'General purpose'],
  ['t2.large', 8192, 0, undefined, 2, 'General purpose'],
  ['t3.nano', 512, 0, 5, 2, 'General purpose'],
  ['t3.micro', 1024, 0, 5, 2, 'General purpose'],
  ['t3.small', 2048, 0, 5, 2, 'General purpose'],
  ['t3.medium', 4096, 0, 5, 2, 'General purpose'],
  ['t3.large', 8192, 0, 5, 2, 'General purpose'],
  ['t3.xlarge', 16384, 0, 5, 4, 'General purpose'],
  ['t3a.micro', 1024, 0, 5, 2, 'General purpose'],
  ['t3a.small', 2048, 0, 5, 2, 'General purpose'],
  ['t3a.medium', 4096, 0, 5, 2, 'General purpose'],
  ['m5.large', 8192, 0, 10, 2, 'General purpose'],
  ['m5.xlarge', 16384, 0, 10, 4, 'General purpose'],
  ['m5.2xlarge', 32768, 0, 10, 8, 'General purpose'],
  ['m5.4xlarge', 65536, 0, 10, 16, 'General purpose'],
  ['m5d.large', 8192, 75, 10, 2, 'General purpose'],
  ['m6g.medium', 4096, 0, 10, 1, 'General purpose'],
  ['m6g.large', 8192, 0, 10, 2, 'General purpose'],
  ['c5.large', 4096, 0, 10, 2, 'Compute optimized'],
  ['c5.xlarge', 8192, 0, 10, 4, 'Compute optimized'],
  ['c5.2xlarge', 16384, 0, 10, 8, 'Compute optimized'],
  ['c6g.large', 4096, 0, 10, 2, 'Compute optimized'],
  ['r5.large', 16384, 0, 10, 2, 'Memory optimized'],
  ['r5.xlarge', 32768, 0, 10, 4, 'Memory optimized'],
  ['i3.large', 15616, 475, 10, 2, 'Storage optimized'],
  ['a1.medium', 2048, 0, 10, 1, 'General purpose'],
  ['g4dn.xlarge', 16384, 125, 25, 4, 'GPU instance'],
];
