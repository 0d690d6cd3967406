/**
 * The Dummy compute driver: in memory, deterministic, no network (Libcloud's `DummyNodeDriver`).
 * @module
 */
import {
  generateSshKeyPair,
  ImageNotFoundError,
  InvalidArgumentError,
  KeyPair,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeNotFoundError,
  NodeSize,
  NodeState,
  parseSshPublicKey,
  RequestError,
  sleep,
  sshFingerprint,
  StorageVolume,
  StorageVolumeState,
  VolumeNotFoundError,
  VolumeSnapshot,
  VolumeSnapshotNotFoundError,
  VolumeSnapshotState,
  type CopyImageOptions,
  type CreateImageOptions,
  type CreateNodeOptions,
  type CreateVolumeOptions,
  type DriverOptions,
  type NodeFields,
  type Operation,
} from '@dualcloud/core';
import { Provider } from './providers.js';

/** Options of {@link DummyNodeDriver}. Credentials are accepted and ignored. */
export interface DummyNodeDriverOptions extends Partial<DriverOptions> {
  /**
   * How many nodes exist at start (default 2: `dummy-1` and `dummy-2`). As in Libcloud, a numeric `key`
   * is read as the node count too.
   */
  nodeCount?: number;
  /** Simulated latency of every call in milliseconds (default 0), so examples can show concurrency. */
  latencyMs?: number;
}

/** What the driver stores per node; `Node` objects are immutable snapshots built from it. */
interface DummyRecord extends NodeFields {
  extra: Record<string, unknown>;
}

/** A stored volume. */
interface DummyVolume {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly location?: string;
  readonly snapshotId?: string;
  state: StorageVolumeState;
  attachment?: { readonly nodeId: string; readonly device: string };
}

/** A stored snapshot. */
interface DummySnapshot {
  readonly id: string;
  readonly name: string;
  readonly volumeId: string;
  readonly size: number;
  readonly createdAt: Date;
}

/** A stored key pair (never its private key). */
interface DummyKeyPair {
  readonly name: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** The images every Dummy driver lists first. */
const CATALOG_IMAGES: ReadonlyArray<readonly [id: string, name: string]> = [
  ['1', 'Ubuntu 9.10'],
  ['2', 'Ubuntu 9.04'],
  ['3', 'Slackware 4'],
];

/**
 * An in-memory compute driver for docs, examples and tests. Nodes created here start `running` with an IP
 * `127.0.0.N`; reboot/start/stop/destroy change the in-memory state. Deterministic: ids count up from 1.
 * Volumes are `available` at once and `inuse` once attached (to a running node only); snapshots, key pairs
 * (created ones are Ed25519, generated here) and images live in memory too.
 *
 * @example
 * ```ts
 * const driver = new DummyNodeDriver({ key: 'any' });
 * driver.listNodes().map((n) => n.name); // ['dummy-1', 'dummy-2']
 * ```
 */
export class DummyNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'nodeCount', 'latencyMs'];
  /** Provider name. */
  readonly type = Provider.DUMMY;
  /** Driver name, as in Libcloud. */
  readonly name = 'Dummy Node Provider';
  /** Simulated latency per call, in milliseconds. */
  readonly latencyMs: number;
  private readonly nodes = new Map<string, DummyRecord>();
  private readonly volumes = new Map<string, DummyVolume>();
  private readonly snapshots = new Map<string, DummySnapshot>();
  private readonly keyPairs = new Map<string, DummyKeyPair>();
  private readonly images = new Map<string, NodeImage>();
  private nextId: number;
  private nextResourceId = 1;

  constructor(options: DummyNodeDriverOptions = {}) {
    super(options);
    const fromKey = options.key !== undefined && /^\d+$/.test(options.key) ? Number(options.key) : undefined;
    const count = options.nodeCount ?? fromKey ?? 2;
    const latency = options.latencyMs ?? 0;
    if (!Number.isInteger(count) || count < 0 || count > 250) throw new InvalidArgumentError('dummy: nodeCount must be an integer from 0 to 250');
    if (!(latency >= 0) || !Number.isFinite(latency)) throw new InvalidArgumentError('dummy: latencyMs must be a finite number >= 0');
    this.latencyMs = latency;
    this.nextId = 1;
    for (let i = 0; i < count; i++) this.addRecord(`dummy-${this.nextId}`, undefined, undefined);
  }

  *listNodesOp(): Operation<Node[]> {
    yield* this.latency();
    return [...this.nodes.values()].map((record) => this.toNode(record));
  }

  /** The three catalog images, then the images created or copied here. */
  *listImagesOp(): Operation<NodeImage[]> {
    yield* this.latency();
    return [...CATALOG_IMAGES.map(([id, name]) => new NodeImage(id, name, this)), ...this.images.values()];
  }

  *listSizesOp(): Operation<NodeSize[]> {
    yield* this.latency();
    return [
      new NodeSize('1', 'Small', 128, 4, 500, 4, this),
      new NodeSize('2', 'Medium', 512, 16, 1500, 8, this),
      new NodeSize('3', 'Big', 4096, 32, 2500, 32, this),
      new NodeSize('4', 'XXL Big', 4096 * 2, 32 * 4, 2500 * 3, 32 * 2, this),
    ];
  }

  *listLocationsOp(): Operation<NodeLocation[]> {
    yield* this.latency();
    return [
      new NodeLocation('1', "Paul's Room", 'US', this),
      new NodeLocation('2', 'London Loft', 'GB', this),
      new NodeLocation('3', 'Island Datacenter', 'FJ', this),
    ];
  }

  *createNodeOp(options: CreateNodeOptions): Operation<Node> {
    if (!options || typeof options.name !== 'string' || options.name === '') {
      throw new InvalidArgumentError('dummy: createNode needs a name', { provider: this.type });
    }
    yield* this.latency();
    if (this.nextId > 254) throw new InvalidArgumentError('dummy: no more addresses in 127.0.0.0/24', { provider: this.type });
    return this.toNode(this.addRecord(options.name, options.size, options.image));
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    const record = this.find(node);
    // A dummy reboot is instantaneous: the node is running again when the call returns.
    record.state = NodeState.RUNNING;
    record.extra = { ...record.extra, reboots: Number(record.extra.reboots ?? 0) + 1 };
    return true;
  }

  /** Destroys the node; volumes attached to it are detached (they stay, `available`). */
  *destroyNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node);
    this.nodes.delete(node.id);
    for (const volume of this.volumes.values()) {
      if (volume.attachment?.nodeId === node.id) {
        volume.attachment = undefined;
        volume.state = StorageVolumeState.AVAILABLE;
      }
    }
    return true;
  }

  *startNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node).state = NodeState.RUNNING;
    return true;
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    yield* this.latency();
    this.find(node).state = NodeState.STOPPED;
    return true;
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  override *listVolumesOp(): Operation<StorageVolume[]> {
    yield* this.latency();
    return [...this.volumes.values()].map((v) => this.toVolume(v));
  }

  /** A volume, `available` at once; from a snapshot, at least the snapshot's size. */
  override *createVolumeOp(options: CreateVolumeOptions): Operation<StorageVolume> {
    this.checkVolumeOptions(options, 16_384);
    yield* this.latency();
    let snapshotId: string | undefined;
    if (options.snapshot !== undefined) {
      const snapshot = this.findSnapshot(options.snapshot);
      if (options.size < snapshot.size) throw new InvalidArgumentError(`dummy: createVolume from snapshot ${snapshot.id} needs at least ${snapshot.size} GiB`, { provider: this.type });
      snapshotId = snapshot.id;
    }
    const volume: DummyVolume = {
      id: `vol-${this.nextResourceId++}`,
      name: options.name,
      size: options.size,
      ...(options.location ? { location: options.location.id } : {}),
      ...(snapshotId ? { snapshotId } : {}),
      state: StorageVolumeState.AVAILABLE,
    };
    this.volumes.set(volume.id, volume);
    return this.toVolume(volume);
  }

  /** Attaches to a running node only; the device defaults to the next free `/dev/sdX` from `/dev/sdb`. */
  override *attachVolumeOp(node: Node, volume: StorageVolume, device?: string): Operation<boolean> {
    yield* this.latency();
    const record = this.find(node);
    const stored = this.findVolume(volume);
    if (record.state !== NodeState.RUNNING) {
      throw new RequestError(`dummy: node ${record.id} is ${record.state}; volumes attach to running nodes`, { provider: this.type, code: 'IncorrectInstanceState', status: 400 });
    }
    if (stored.state !== StorageVolumeState.AVAILABLE) {
      throw new RequestError(`dummy: volume ${stored.id} is ${stored.state}, not available`, { provider: this.type, code: 'VolumeInUse', status: 400 });
    }
    const used = new Set([...this.volumes.values()].filter((v) => v.attachment?.nodeId === record.id).map((v) => v.attachment!.device));
    if (device !== undefined && (typeof device !== 'string' || !/^\/dev\/[a-z0-9]+$/.test(device))) {
      throw new InvalidArgumentError('dummy: attachVolume device must look like /dev/sdb', { provider: this.type });
    }
    if (device !== undefined && used.has(device)) throw new RequestError(`dummy: ${device} is already in use on node ${record.id}`, { provider: this.type, code: 'DeviceInUse', status: 400 });
    const chosen = device ?? [...'bcdefghijklmnopqrstuvwxyz'].map((c) => `/dev/sd${c}`).find((d) => !used.has(d));
    if (chosen === undefined) throw new RequestError(`dummy: node ${record.id} has no free device`, { provider: this.type, code: 'DeviceInUse', status: 400 });
    stored.attachment = { nodeId: record.id, device: chosen };
    stored.state = StorageVolumeState.INUSE;
    return true;
  }

  override *detachVolumeOp(volume: StorageVolume): Operation<boolean> {
    yield* this.latency();
    const stored = this.findVolume(volume);
    if (!stored.attachment) throw new RequestError(`dummy: volume ${stored.id} is not attached`, { provider: this.type, code: 'IncorrectState', status: 400 });
    stored.attachment = undefined;
    stored.state = StorageVolumeState.AVAILABLE;
    return true;
  }

  override *destroyVolumeOp(volume: StorageVolume): Operation<boolean> {
    yield* this.latency();
    const stored = this.findVolume(volume);
    if (stored.attachment) throw new RequestError(`dummy: volume ${stored.id} is attached; detach it first`, { provider: this.type, code: 'VolumeInUse', status: 400 });
    this.volumes.delete(stored.id);
    return true;
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  override *listVolumeSnapshotsOp(volume: StorageVolume): Operation<VolumeSnapshot[]> {
    yield* this.latency();
    const stored = this.findVolume(volume);
    return [...this.snapshots.values()].filter((s) => s.volumeId === stored.id).map((s) => this.toSnapshot(s));
  }

  /** A snapshot, `available` at once; named after its id when no name is given. */
  override *createVolumeSnapshotOp(volume: StorageVolume, name?: string): Operation<VolumeSnapshot> {
    if (name !== undefined) this.checkName('createVolumeSnapshot', 'a name', name);
    yield* this.latency();
    const stored = this.findVolume(volume);
    const id = `snap-${this.nextResourceId++}`;
    const snapshot: DummySnapshot = { id, name: name ?? id, volumeId: stored.id, size: stored.size, createdAt: new Date() };
    this.snapshots.set(id, snapshot);
    return this.toSnapshot(snapshot);
  }

  override *destroyVolumeSnapshotOp(snapshot: VolumeSnapshot): Operation<boolean> {
    yield* this.latency();
    this.snapshots.delete(this.findSnapshot(snapshot).id);
    return true;
  }

  // ---- key pairs --------------------------------------------------------------------------------------------

  override *listKeyPairsOp(): Operation<KeyPair[]> {
    yield* this.latency();
    return [...this.keyPairs.values()].map((k) => this.toKeyPair(k));
  }

  override *getKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('getKeyPair', 'a name', name);
    yield* this.latency();
    const stored = this.keyPairs.get(name);
    if (!stored) throw new KeyPairDoesNotExistError(`dummy: no key pair named "${name}"`, { provider: this.type, code: 'KeyPairNotFound', status: 404 });
    return this.toKeyPair(stored);
  }

  /** Generates an Ed25519 pair; the returned key pair holds the private key, which is not kept. */
  override *createKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('createKeyPair', 'a name', name);
    yield* this.latency();
    this.checkNewKeyPair(name);
    const generated = generateSshKeyPair(name);
    const stored: DummyKeyPair = { name, publicKey: generated.publicKey, fingerprint: generated.fingerprint };
    this.keyPairs.set(name, stored);
    return this.toKeyPair(stored, generated.privateKey);
  }

  override *importKeyPairFromStringOp(name: string, publicKey: string): Operation<KeyPair> {
    this.checkName('importKeyPairFromString', 'a name', name);
    const parsed = parseSshPublicKey(publicKey);
    yield* this.latency();
    this.checkNewKeyPair(name);
    const stored: DummyKeyPair = { name, publicKey: publicKey.trim(), fingerprint: sshFingerprint(parsed) };
    this.keyPairs.set(name, stored);
    return this.toKeyPair(stored);
  }

  override *deleteKeyPairOp(keyPair: KeyPair): Operation<boolean> {
    yield* this.latency();
    if (!keyPair || !this.keyPairs.delete(keyPair.name)) {
      throw new KeyPairDoesNotExistError(`dummy: no key pair named "${String(keyPair?.name)}"`, { provider: this.type, code: 'KeyPairNotFound', status: 404 });
    }
    return true;
  }

  // ---- images -----------------------------------------------------------------------------------------------

  override *getImageOp(id: string): Operation<NodeImage> {
    this.checkName('getImage', 'an image id', id);
    const image = (yield* this.listImagesOp()).find((i) => i.id === id);
    if (!image) throw new ImageNotFoundError(`dummy: no image with id "${id}"`, { provider: this.type, code: 'ImageNotFound', status: 404 });
    return image;
  }

  /** An image of a node's disk, listed by `listImages` from now on. */
  override *createImageOp(node: Node, name: string, options: CreateImageOptions = {}): Operation<NodeImage> {
    this.checkName('createImage', 'a name', name);
    yield* this.latency();
    const record = this.find(node);
    return this.addImage(name, { nodeId: record.id, ...(options.description !== undefined ? { description: options.description } : {}) });
  }

  /** Deletes an image created or copied here (the catalog images cannot be deleted). */
  override *deleteImageOp(image: NodeImage): Operation<boolean> {
    yield* this.latency();
    if (!image || !this.images.delete(image.id)) {
      const catalog = CATALOG_IMAGES.some(([id]) => id === image?.id);
      if (catalog) throw new RequestError(`dummy: image ${image.id} is a catalog image and cannot be deleted`, { provider: this.type, code: 'OperationNotPermitted', status: 400 });
      throw new ImageNotFoundError(`dummy: no image with id "${String(image?.id)}"`, { provider: this.type, code: 'ImageNotFound', status: 404 });
    }
    return true;
  }

  /** A copy of an image as a new image (the Dummy driver has no regions: `sourceRegion` is only recorded). */
  override *copyImageOp(sourceRegion: string, image: NodeImage, name: string, options: CopyImageOptions = {}): Operation<NodeImage> {
    this.checkName('copyImage', 'a source region', sourceRegion);
    this.checkName('copyImage', 'a name', name);
    const source = yield* this.getImageOp(image?.id);
    return this.addImage(name, { sourceRegion, sourceImageId: source.id, ...(options.description !== undefined ? { description: options.description } : {}) });
  }

  private addImage(name: string, extra: Record<string, unknown>): NodeImage {
    const image = new NodeImage(`img-${this.nextResourceId++}`, name, this, extra);
    this.images.set(image.id, image);
    return image;
  }

  private checkNewKeyPair(name: string): void {
    if (this.keyPairs.has(name)) throw new KeyPairAlreadyExistsError(`dummy: a key pair named "${name}" already exists`, { provider: this.type, code: 'KeyPairExists', status: 409 });
  }

  private findVolume(volume: StorageVolume): DummyVolume {
    const stored = volume && this.volumes.get(volume.id);
    if (!stored) throw new VolumeNotFoundError(`dummy: no volume with id "${String(volume?.id)}"`, { provider: this.type, code: 'VolumeNotFound', status: 404 });
    return stored;
  }

  private findSnapshot(snapshot: VolumeSnapshot): DummySnapshot {
    const stored = snapshot && this.snapshots.get(snapshot.id);
    if (!stored) throw new VolumeSnapshotNotFoundError(`dummy: no snapshot with id "${String(snapshot?.id)}"`, { provider: this.type, code: 'SnapshotNotFound', status: 404 });
    return stored;
  }

  private toVolume(v: DummyVolume): StorageVolume {
    const extra: Record<string, unknown> = {};
    if (v.location !== undefined) extra.location = v.location;
    if (v.snapshotId !== undefined) extra.snapshotId = v.snapshotId;
    if (v.attachment) Object.assign(extra, { nodeId: v.attachment.nodeId, device: v.attachment.device });
    return new StorageVolume({ id: v.id, name: v.name, size: v.size, state: v.state, extra }, this);
  }

  private toSnapshot(s: DummySnapshot): VolumeSnapshot {
    return new VolumeSnapshot({ id: s.id, name: s.name, size: s.size, state: VolumeSnapshotState.AVAILABLE, createdAt: s.createdAt, extra: { volumeId: s.volumeId } }, this);
  }

  private toKeyPair(k: DummyKeyPair, privateKey?: string): KeyPair {
    return new KeyPair({ name: k.name, fingerprint: k.fingerprint, publicKey: k.publicKey, ...(privateKey !== undefined ? { privateKey } : {}) }, this);
  }

  private *latency(): Operation<void> {
    if (this.latencyMs > 0) yield* sleep(this.latencyMs);
  }

  private addRecord(name: string, size: NodeSize | string | undefined, image: NodeImage | string | undefined): DummyRecord {
    const id = this.nextId++;
    const record: DummyRecord = {
      id: String(id),
      name,
      state: NodeState.RUNNING,
      publicIps: [`127.0.0.${id}`],
      privateIps: [],
      extra: { foo: 'bar' },
    };
    if (size !== undefined) record.size = size;
    if (image !== undefined) record.image = image;
    this.nodes.set(record.id, record);
    return record;
  }

  private find(node: Node): DummyRecord {
    const record = node && this.nodes.get(node.id);
    if (!record) throw new NodeNotFoundError(`dummy: no node with id "${node?.id}"`, { provider: this.type, code: 'NodeNotFound', status: 404 });
    return record;
  }

  private toNode(record: DummyRecord): Node {
    return new Node({ ...record, publicIps: [...record.publicIps], privateIps: [...record.privateIps], extra: { ...record.extra } }, this);
  }
}
