/**
 * EC2's in-memory state: instances per region, their lifecycle, and the static image / type catalogs.
 * @module
 */
import { ApiError } from './wire.js';

/** EC2 instance state names and codes. */
export const INSTANCE_STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;
/** An EC2 instance state name. */
export type InstanceStateName = keyof typeof INSTANCE_STATE_CODES;

/** The fake account's id. */
export const ACCOUNT_ID = '123456789012';

/** An instance. */
export interface Instance {
  readonly id: string;
  readonly reservationId: string;
  readonly region: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly launchTime: Date;
  readonly seq: number;
  readonly privateIp: string;
  readonly keyName?: string;
  readonly clientToken?: string;
  readonly tags: Map<string, string>;
  state: InstanceStateName;
  /** When the current transitional state ends (ms), if it is transitional. */
  transitionAt?: number;
  publicIp?: string;
}

/** A catalog image. */
export interface Image {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly ownerId: string;
  readonly ownerAlias?: string;
  readonly platform?: string;
  readonly architecture: string;
  readonly creationDate: string;
}

/** The images every region offers. */
export const IMAGES: readonly Image[] = [
  { id: 'ami-0fa4e0c5a7b3d1001', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240110', description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image', ownerId: '099720109477', architecture: 'x86_64', creationDate: '2024-01-10T10:00:00.000Z' },
  { id: 'ami-0fa4e0c5a7b3d1002', name: 'al2023-ami-2023.3.20240108.0-kernel-6.1-x86_64', description: 'Amazon Linux 2023 AMI', ownerId: '137112412989', ownerAlias: 'amazon', architecture: 'x86_64', creationDate: '2024-01-08T10:00:00.000Z' },
  { id: 'ami-0fa4e0c5a7b3d1003', name: 'debian-12-amd64-20240102-1614', description: 'Debian 12 (20240102-1614)', ownerId: '136693071363', architecture: 'x86_64', creationDate: '2024-01-02T16:14:00.000Z' },
  { id: 'ami-0fa4e0c5a7b3d1004', name: 'Windows_Server-2022-English-Full-Base-2024.01.10', description: 'Microsoft Windows Server 2022 Full Locale English AMI', ownerId: '801119661308', ownerAlias: 'amazon', platform: 'windows', architecture: 'x86_64', creationDate: '2024-01-10T08:00:00.000Z' },
  { id: 'ami-0fa4e0c5a7b3d1005', name: 'fake-cloud-app-server-v1', description: 'An image owned by the fake account', ownerId: ACCOUNT_ID, architecture: 'arm64', creationDate: '2024-02-01T12:00:00.000Z' },
];

/** An instance type. */
export interface InstanceType {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** The instance types every region offers (the ones the EC2 driver's size table lists). */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  { name: 'a1.medium', vcpus: 1, memoryMiB: 2048 },
  { name: 'c5.large', vcpus: 2, memoryMiB: 4096 },
  { name: 'c5.xlarge', vcpus: 4, memoryMiB: 8192 },
  { name: 'c5.2xlarge', vcpus: 8, memoryMiB: 16384 },
  { name: 'c6g.large', vcpus: 2, memoryMiB: 4096 },
  { name: 'g4dn.xlarge', vcpus: 4, memoryMiB: 16384 },
  { name: 'i3.large', vcpus: 2, memoryMiB: 15616 },
  { name: 'm5.large', vcpus: 2, memoryMiB: 8192 },
  { name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384 },
  { name: 'm5.2xlarge', vcpus: 8, memoryMiB: 32768 },
  { name: 'm5.4xlarge', vcpus: 16, memoryMiB: 65536 },
  { name: 'm5d.large', vcpus: 2, memoryMiB: 8192 },
  { name: 'm6g.medium', vcpus: 1, memoryMiB: 4096 },
  { name: 'm6g.large', vcpus: 2, memoryMiB: 8192 },
  { name: 'r5.large', vcpus: 2, memoryMiB: 16384 },
  { name: 'r5.xlarge', vcpus: 4, memoryMiB: 32768 },
  { name: 't2.nano', vcpus: 1, memoryMiB: 512 },
  { name: 't2.micro', vcpus: 1, memoryMiB: 1024 },
  { name: 't2.small', vcpus: 1, memoryMiB: 2048 },
  { name: 't2.medium', vcpus: 2, memoryMiB: 4096 },
  { name: 't2.large', vcpus: 2, memoryMiB: 8192 },
  { name: 't3.nano', vcpus: 2, memoryMiB: 512 },
  { name: 't3.micro', vcpus: 2, memoryMiB: 1024 },
  { name: 't3.small', vcpus: 2, memoryMiB: 2048 },
  { name: 't3.medium', vcpus: 2, memoryMiB: 4096 },
  { name: 't3.large', vcpus: 2, memoryMiB: 8192 },
  { name: 't3.xlarge', vcpus: 4, memoryMiB: 16384 },
  { name: 't3a.micro', vcpus: 2, memoryMiB: 1024 },
  { name: 't3a.small', vcpus: 2, memoryMiB: 2048 },
  { name: 't3a.medium', vcpus: 2, memoryMiB: 4096 },
];

/** The availability zones of a region. */
export function zonesOf(region: string): string[] {
  return ['a', 'b', 'c'].map((z) => `${region}${z}`);
}

/** An EBS volume's attachment. */
export interface VolumeAttachment {
  readonly instanceId: string;
  readonly device: string;
  readonly attachTime: Date;
  state: 'attaching' | 'attached' | 'detaching';
  /** When `attaching` or `detaching` ends (ms). */
  transitionAt?: number;
}

/** An EBS volume. */
export interface Volume {
  readonly id: string;
  readonly seq: number;
  readonly size: number;
  readonly zone: string;
  readonly snapshotId?: string;
  readonly volumeType: string;
  readonly iops?: number;
  readonly throughput?: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly createTime: Date;
  readonly tags: Map<string, string>;
  /** `creating` until then (ms). */
  availableAt?: number;
  attachment?: VolumeAttachment;
}

/** An EBS snapshot. */
export interface Snapshot {
  readonly id: string;
  readonly seq: number;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly description: string;
  readonly startTime: Date;
  readonly encrypted: boolean;
  readonly tags: Map<string, string>;
  /** `pending` until then (ms). */
  readonly completesAt: number;
}

/** A key pair (its private key is never kept). */
export interface KeyPairRecord {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly publicKey: string;
  readonly keyType: 'rsa' | 'ed25519';
  readonly createTime: Date;
  readonly tags: Map<string, string>;
}

/** An image registered in a region (CreateImage, CopyImage). */
export interface UserImage extends Image {
  readonly seq: number;
  readonly tags: Map<string, string>;
  readonly sourceInstanceId?: string;
  readonly sourceRegion?: string;
  readonly sourceImageId?: string;
  /** `pending` until then (ms). */
  availableAt?: number;
}

/** Instances, volumes, snapshots, key pairs and images of one region. */
export class Ec2Region {
  readonly instances = new Map<string, Instance>();
  readonly tokens = new Map<string, string>();
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly keyPairs = new Map<string, KeyPairRecord>();
  readonly images = new Map<string, UserImage>();
  /** ClientToken → the volume or image it created. */
  readonly resourceTokens = new Map<string, string>();

  constructor(readonly name: string) {}

  /** Remembers a ClientToken (bounded: the oldest are forgotten, as AWS keeps them for a limited time). */
  rememberToken(token: string, id: string): void {
    this.resourceTokens.set(token, id);
    if (this.resourceTokens.size > 10_000) this.resourceTokens.delete(this.resourceTokens.keys().next().value!);
  }
}

/** All EC2 state: regions, id counters and the IP allocator. */
export class Ec2State {
  private readonly regions = new Map<string, Ec2Region>();
  private counter = 0;
  private ipCounter = 0;

  constructor(
    private readonly bootMs: () => number,
    private readonly maxNodes: () => number,
  ) {}

  /** The region's state (created on first use). */
  region(name: string): Ec2Region {
    let r = this.regions.get(name);
    if (!r) this.regions.set(name, (r = new Ec2Region(name)));
    return r;
  }

  /** A fresh id with the EC2 shape (`i-` + 17 hex digits). */
  nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-0${(0x5eed0000000 + this.counter).toString(16).padStart(16, '0')}`;
  }

  /** A fresh sequence number (orders listings and pages). */
  nextSeq(): number {
    this.counter += 1;
    return this.counter;
  }

  /** The delay of every timed transition (ms). */
  get transitionMs(): number {
    return this.bootMs();
  }

  /** Every region with state. */
  allRegions(): Ec2Region[] {
    return [...this.regions.values()];
  }

  /** A fresh public IP in the benchmarking range 198.18.0.0/15 (never a real host). */
  nextPublicIp(): string {
    this.ipCounter = (this.ipCounter + 1) % 131070;
    const n = this.ipCounter + 1;
    return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** Adds instances, enforcing the per-region limit. */
  launch(region: Ec2Region, count: number, make: (seq: number) => Omit<Instance, 'seq' | 'privateIp' | 'state' | 'transitionAt'>, now: number): Instance[] {
    this.prune(region);
    const live = [...region.instances.values()].filter((i) => this.stateOf(i, now) !== 'terminated').length;
    if (live + count > this.maxNodes()) {
      throw new ApiError(400, 'InstanceLimitExceeded', `You have requested more instances (${live + count}) than your current instance limit of ${this.maxNodes()} allows.`);
    }
    const made: Instance[] = [];
    for (let k = 0; k < count; k += 1) {
      this.counter += 1;
      const seq = this.counter;
      const instance: Instance = {
        ...make(seq),
        seq,
        privateIp: `10.0.${(seq >> 8) & 255}.${seq & 255 || 1}`,
        state: 'pending',
        transitionAt: now + this.bootMs(),
      };
      region.instances.set(instance.id, instance);
      made.push(instance);
    }
    return made;
  }

  /** The instance's state at `now`, advancing timed transitions. */
  stateOf(i: Instance, now: number): InstanceStateName {
    if (i.transitionAt !== undefined && now >= i.transitionAt) {
      i.transitionAt = undefined;
      if (i.state === 'pending') {
        i.state = 'running';
        i.publicIp = this.nextPublicIp();
      } else if (i.state === 'stopping') i.state = 'stopped';
      else if (i.state === 'shutting-down') i.state = 'terminated';
    }
    return i.state;
  }

  /** Moves an instance to a transitional state that ends after the boot delay. */
  transition(i: Instance, state: InstanceStateName, now: number): void {
    i.state = state;
    i.transitionAt = now + this.bootMs();
    if (state === 'stopping' || state === 'shutting-down') i.publicIp = undefined;
  }

  /** Drops the oldest terminated instances beyond 1000, so memory stays bounded. */
  private prune(region: Ec2Region): void {
    const dead = [...region.instances.values()].filter((i) => i.state === 'terminated');
    for (const i of dead.slice(0, Math.max(0, dead.length - 1000))) region.instances.delete(i.id);
  }
}
