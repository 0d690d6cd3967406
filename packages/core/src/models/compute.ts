/**
 * Compute models, named as in Apache Libcloud.
 * @module
 */
import { inspect } from 'node:util';
import { REDACTED } from '../redact.js';

/** Node states, with Libcloud's string values. */
export const NodeState = {
  RUNNING: 'running',
  STARTING: 'starting',
  REBOOTING: 'rebooting',
  TERMINATED: 'terminated',
  PENDING: 'pending',
  UNKNOWN: 'unknown',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
  SUSPENDED: 'suspended',
  ERROR: 'error',
  PAUSED: 'paused',
  RECONFIGURING: 'reconfiguring',
  MIGRATING: 'migrating',
  NORMAL: 'normal',
  UPDATING: 'updating',
} as const;
/** One of {@link NodeState}'s values. */
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** What a model needs from its driver: the node lifecycle methods (sync or async per the driver's mode). */
export interface NodeLifecycle {
  rebootNode(node: Node): unknown;
  destroyNode(node: Node): unknown;
  startNode(node: Node): unknown;
  stopNode(node: Node): unknown;
}

/** An image nodes boot from. */
export class NodeImage {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** An instance size (type, plan). RAM in MiB, disk in GiB, price per hour when known. */
export class NodeSize {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly ram: number,
    readonly disk: number,
    readonly bandwidth: number | undefined,
    readonly price: number | undefined,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** A location (availability zone, region). */
export class NodeLocation {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly country: string,
    readonly driver: object,
    readonly extra: Record<string, unknown> = {},
  ) {}
}

/** Fields of a {@link Node}. */
export interface NodeFields {
  id: string;
  name: string;
  state: NodeState;
  publicIps: string[];
  privateIps: string[];
  size?: NodeSize | string;
  image?: NodeImage | string;
  createdAt?: Date;
  extra?: Record<string, unknown>;
}

/** A compute node. Its methods call the driver, so they block or return Promises as the driver does. */
export class Node<D extends NodeLifecycle = NodeLifecycle> {
  readonly id: string;
  readonly name: string;
  readonly state: NodeState;
  readonly publicIps: string[];
  readonly privateIps: string[];
  readonly size?: NodeSize | string;
  readonly image?: NodeImage | string;
  readonly createdAt?: Date;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: NodeFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.state = fields.state;
    this.publicIps = fields.publicIps;
    this.privateIps = fields.privateIps;
    if (fields.size !== undefined) this.size = fields.size;
    if (fields.image !== undefined) this.image = fields.image;
    if (fields.createdAt !== undefined) this.createdAt = fields.createdAt;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Reboots this node. */
  reboot(): ReturnType<D['rebootNode']> {
    return this.driver.rebootNode(this) as ReturnType<D['rebootNode']>;
  }
  /** Destroys this node. */
  destroy(): ReturnType<D['destroyNode']> {
    return this.driver.destroyNode(this) as ReturnType<D['destroyNode']>;
  }
  /** Starts this node. */
  start(): ReturnType<D['startNode']> {
    return this.driver.startNode(this) as ReturnType<D['startNode']>;
  }
  /** Stops this node. */
  stop(): ReturnType<D['stopNode']> {
    return this.driver.stopNode(this) as ReturnType<D['stopNode']>;
  }
}

/** Storage volume states, with Libcloud's string values (`StorageVolumeState`). */
export const StorageVolumeState = {
  AVAILABLE: 'available',
  ERROR: 'error',
  INUSE: 'inuse',
  CREATING: 'creating',
  DELETING: 'deleting',
  DELETED: 'deleted',
  BACKUP: 'backup',
  ATTACHING: 'attaching',
  UNKNOWN: 'unknown',
  MIGRATING: 'migrating',
  UPDATING: 'updating',
} as const;
/** One of {@link StorageVolumeState}'s values. */
export type StorageVolumeState = (typeof StorageVolumeState)[keyof typeof StorageVolumeState];

/** Volume snapshot states, with Libcloud's string values (`VolumeSnapshotState`). */
export const VolumeSnapshotState = {
  AVAILABLE: 'available',
  ERROR: 'error',
  CREATING: 'creating',
  DELETING: 'deleting',
  RESTORING: 'restoring',
  UNKNOWN: 'unknown',
  UPDATING: 'updating',
} as const;
/** One of {@link VolumeSnapshotState}'s values. */
export type VolumeSnapshotState = (typeof VolumeSnapshotState)[keyof typeof VolumeSnapshotState];

/**
 * What a {@link StorageVolume} needs from its driver, typed as the sync-style driver answers. A model bound to
 * an async driver or view is typed `StorageVolume<VolumeOps & View>`, whose methods return what the view's do
 * (Promises): see `Bound`.
 */
export interface VolumeOps {
  attachVolume(node: Node<any>, volume: StorageVolume<any>, device?: string): boolean;
  detachVolume(volume: StorageVolume<any>): boolean;
  destroyVolume(volume: StorageVolume<any>): boolean;
  createVolumeSnapshot(volume: StorageVolume<any>, name?: string): VolumeSnapshot;
  listVolumeSnapshots(volume: StorageVolume<any>): VolumeSnapshot[];
}

/** What a {@link VolumeSnapshot} needs from its driver (typed as the sync-style driver answers). */
export interface VolumeSnapshotOps {
  destroyVolumeSnapshot(snapshot: VolumeSnapshot<any>): boolean;
}

/** What a {@link KeyPair} needs from its driver (typed as the sync-style driver answers). */
export interface KeyPairOps {
  deleteKeyPair(keyPair: KeyPair<any>): boolean;
}

/** Fields of a {@link StorageVolume}. */
export interface StorageVolumeFields {
  id: string;
  name: string;
  /** Size in GiB. */
  size: number;
  state: StorageVolumeState;
  extra?: Record<string, unknown>;
}

/**
 * A block storage volume (EBS volume, DigitalOcean volume). Its methods call the driver, so they block or
 * return Promises as the driver does.
 */
export class StorageVolume<D extends VolumeOps = VolumeOps> {
  readonly id: string;
  readonly name: string;
  /** Size in GiB. */
  readonly size: number;
  /** The state when the volume was read (a Libcloud `StorageVolumeState` string). */
  readonly state: StorageVolumeState;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: StorageVolumeFields, driver: D) {
    this.id = fields.id;
    this.name = fields.name;
    this.size = fields.size;
    this.state = fields.state;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Attaches this volume to `node` (at `device`, where the provider takes one). */
  attach(node: Node<any>, device?: string): ReturnType<D['attachVolume']> {
    return this.driver.attachVolume(node, this, device) as ReturnType<D['attachVolume']>;
  }
  /** Detaches this volume from the node it is attached to. */
  detach(): ReturnType<D['detachVolume']> {
    return this.driver.detachVolume(this) as ReturnType<D['detachVolume']>;
  }
  /** Takes a snapshot of this volume. */
  snapshot(name?: string): ReturnType<D['createVolumeSnapshot']> {
    return this.driver.createVolumeSnapshot(this, name) as ReturnType<D['createVolumeSnapshot']>;
  }
  /** Lists this volume's snapshots. */
  listSnapshots(): ReturnType<D['listVolumeSnapshots']> {
    return this.driver.listVolumeSnapshots(this) as ReturnType<D['listVolumeSnapshots']>;
  }
  /** Destroys this volume. */
  destroy(): ReturnType<D['destroyVolume']> {
    return this.driver.destroyVolume(this) as ReturnType<D['destroyVolume']>;
  }
}

/** Fields of a {@link VolumeSnapshot}. */
export interface VolumeSnapshotFields {
  id: string;
  name?: string;
  /** Size in GiB (of the volume it was taken from), when known. */
  size?: number;
  state: VolumeSnapshotState;
  createdAt?: Date;
  extra?: Record<string, unknown>;
}

/** A snapshot of a storage volume. */
export class VolumeSnapshot<D extends VolumeSnapshotOps = VolumeSnapshotOps> {
  readonly id: string;
  readonly name?: string;
  /** Size in GiB, when known. */
  readonly size?: number;
  /** The state when the snapshot was read (a Libcloud `VolumeSnapshotState` string). */
  readonly state: VolumeSnapshotState;
  readonly createdAt?: Date;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: VolumeSnapshotFields, driver: D) {
    this.id = fields.id;
    if (fields.name !== undefined) this.name = fields.name;
    if (fields.size !== undefined) this.size = fields.size;
    this.state = fields.state;
    if (fields.createdAt !== undefined) this.createdAt = fields.createdAt;
    this.extra = fields.extra ?? {};
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Destroys this snapshot. */
  destroy(): ReturnType<D['destroyVolumeSnapshot']> {
    return this.driver.destroyVolumeSnapshot(this) as ReturnType<D['destroyVolumeSnapshot']>;
  }
}

/** Fields of a {@link KeyPair}. */
export interface KeyPairFields {
  name: string;
  /** The provider's fingerprint of the key. */
  fingerprint: string;
  /** Public key in OpenSSH format, when the provider gives it. */
  publicKey?: string;
  /** Private key (PEM or OpenSSH format), only on the key pair `createKeyPair` returns. */
  privateKey?: string;
  extra?: Record<string, unknown>;
}

/**
 * An SSH key pair. `privateKey` is set only on the object `createKeyPair` returns (the provider gives it once)
 * and is a readable but non-enumerable property: `util.inspect`, `console.log`, `JSON.stringify` and `String`
 * show it as `[REDACTED]`, and spreads and `Object.entries` leave it out.
 */
export class KeyPair<D extends KeyPairOps = KeyPairOps> {
  readonly name: string;
  readonly fingerprint: string;
  readonly publicKey?: string;
  /** The private key, only when just created. Never printed: see the class description. */
  declare readonly privateKey?: string;
  readonly extra: Record<string, unknown>;
  declare readonly driver: D;

  constructor(fields: KeyPairFields, driver: D) {
    this.name = fields.name;
    this.fingerprint = fields.fingerprint;
    if (fields.publicKey !== undefined) this.publicKey = fields.publicKey;
    this.extra = fields.extra ?? {};
    if (fields.privateKey !== undefined) Object.defineProperty(this, 'privateKey', { value: fields.privateKey, enumerable: false });
    Object.defineProperty(this, 'driver', { value: driver, enumerable: false });
  }

  /** Deletes this key pair at the provider. */
  delete(): ReturnType<D['deleteKeyPair']> {
    return this.driver.deleteKeyPair(this) as ReturnType<D['deleteKeyPair']>;
  }

  /** What every printout shows: the public fields, and `privateKey` as `[REDACTED]` when there is one. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, fingerprint: this.fingerprint };
    if (this.publicKey !== undefined) out.publicKey = this.publicKey;
    if (this.privateKey !== undefined) out.privateKey = REDACTED;
    out.extra = this.extra;
    return out;
  }

  /** `KeyPair {"name":…,"privateKey":"[REDACTED]",…}`. */
  toString(): string {
    return `KeyPair ${JSON.stringify(this.toJSON())}`;
  }

  /** `util.inspect` / `console.log`: as {@link KeyPair.toJSON}. */
  [inspect.custom](depth: number, options: object, show: typeof inspect = inspect): string {
    return `KeyPair ${show(this.toJSON(), { ...options, depth: Math.max(0, depth - 1) } as object)}`;
  }
}
