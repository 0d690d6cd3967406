/**
 * The base compute driver (Libcloud's `NodeDriver`), mode-agnostic.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { InvalidArgumentError, ProviderError, TimeoutError, VolumeNotFoundError } from '../errors/index.js';
import {
  KeyPair,
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
} from '../models/compute.js';
import { sleep, type Operation } from '../runtime/effects.js';
import { parseSshPublicKey } from '../ssh-keys.js';
import { BaseDriver, type MethodKind, type MethodOptionsSpec } from './base.js';

/** Arguments of `createNode`. */
export interface CreateNodeOptions {
  name: string;
  size: NodeSize;
  image: NodeImage;
  location?: NodeLocation;
  /** Provider-specific extras (Libcloud's `ex_*` arguments), e.g. `{ keyName, securityGroups }`. */
  ex?: Record<string, unknown>;
}

/** Options of `waitUntilRunning`. */
export interface WaitUntilRunningOptions {
  /** Give up after this many milliseconds (default 600 000). */
  timeout?: number;
  /** Poll every this many milliseconds (default 3 000). */
  pollInterval?: number;
}

/** Arguments of `createVolume` (Libcloud's `create_volume(size, name, location, snapshot)`). */
export interface CreateVolumeOptions {
  /** Size in GiB (a positive integer). */
  size: number;
  name: string;
  /** Where to create it: an availability zone (EC2), a region (DigitalOcean). EC2 picks the region's first zone when omitted. */
  location?: NodeLocation;
  /** Create the volume from this snapshot. */
  snapshot?: VolumeSnapshot<any>;
  /** Provider-specific extras (Libcloud's `ex_*` arguments), e.g. `{ volumeType: 'gp3', iops: 3000 }` on EC2. */
  ex?: Record<string, unknown>;
}

/** Options of `createImage`. */
export interface CreateImageOptions {
  description?: string;
  /** Provider-specific extras, e.g. `{ reboot: true }` on EC2. */
  ex?: Record<string, unknown>;
}

/** Options of `copyImage`. */
export interface CopyImageOptions {
  description?: string;
  /** Provider-specific extras, e.g. `{ region: 'ams3' }` (the destination) on DigitalOcean. */
  ex?: Record<string, unknown>;
}

/** Options of `waitUntilVolumeState`. */
export interface WaitUntilVolumeStateOptions {
  /** Give up after this many milliseconds (default 600 000). */
  timeout?: number;
  /** Poll every this many milliseconds (default 3 000). */
  pollInterval?: number;
}

/** Largest public key file `importKeyPairFromFile` reads. */
const MAX_PUBLIC_KEY_FILE = 64 * 1024;

/** A node paired with its IPs, as Libcloud's `wait_until_running` returns. */
export interface RunningNode {
  node: Node;
  ips: string[];
}

/**
 * Base of compute drivers. Subclasses implement the `*Op` operation builders; the public methods
 * below run them in the driver's mode.
 */
export abstract class NodeDriver extends BaseDriver {
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = {
    listNodes: 'call',
    listImages: 'call',
    listSizes: 'call',
    listLocations: 'call',
    createNode: 'call',
    rebootNode: 'call',
    destroyNode: 'call',
    startNode: 'call',
    stopNode: 'call',
    waitUntilRunning: 'call',
    listVolumes: 'call',
    createVolume: 'call',
    attachVolume: 'call',
    detachVolume: 'call',
    destroyVolume: 'call',
    waitUntilVolumeState: 'call',
    listVolumeSnapshots: 'call',
    createVolumeSnapshot: 'call',
    destroyVolumeSnapshot: 'call',
    listKeyPairs: 'call',
    getKeyPair: 'call',
    createKeyPair: 'call',
    importKeyPairFromString: 'call',
    importKeyPairFromFile: 'call',
    deleteKeyPair: 'call',
    getImage: 'call',
    createImage: 'call',
    deleteImage: 'call',
    copyImage: 'call',
  };

  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    createNode: { index: 0, keys: ['name', 'size', 'image', 'location', 'ex'] },
    waitUntilRunning: { index: 1, keys: ['timeout', 'pollInterval'] },
    createVolume: { index: 0, keys: ['size', 'name', 'location', 'snapshot', 'ex'] },
    waitUntilVolumeState: { index: 2, keys: ['timeout', 'pollInterval'] },
    createImage: { index: 2, keys: ['description', 'ex'] },
    copyImage: { index: 3, keys: ['description', 'ex'] },
  };

  abstract listNodesOp(): Operation<Node[]>;
  abstract listImagesOp(): Operation<NodeImage[]>;
  abstract listSizesOp(): Operation<NodeSize[]>;
  abstract listLocationsOp(): Operation<NodeLocation[]>;
  abstract createNodeOp(options: CreateNodeOptions): Operation<Node>;
  abstract rebootNodeOp(node: Node): Operation<boolean>;
  abstract destroyNodeOp(node: Node): Operation<boolean>;
  abstract startNodeOp(node: Node): Operation<boolean>;
  abstract stopNodeOp(node: Node): Operation<boolean>;

  /** Lists nodes. */
  listNodes(): Node[] {
    return this.invoke('listNodes', []);
  }
  /** Lists images. */
  listImages(): NodeImage[] {
    return this.invoke('listImages', []);
  }
  /** Lists sizes. */
  listSizes(): NodeSize[] {
    return this.invoke('listSizes', []);
  }
  /** Lists locations. */
  listLocations(): NodeLocation[] {
    return this.invoke('listLocations', []);
  }
  /** Creates a node. */
  createNode(options: CreateNodeOptions): Node {
    return this.invoke('createNode', [options]);
  }
  /** Reboots a node. */
  rebootNode(node: Node): boolean {
    return this.invoke('rebootNode', [node]);
  }
  /** Destroys a node. */
  destroyNode(node: Node): boolean {
    return this.invoke('destroyNode', [node]);
  }
  /** Starts a stopped node. */
  startNode(node: Node): boolean {
    return this.invoke('startNode', [node]);
  }
  /** Stops a running node. */
  stopNode(node: Node): boolean {
    return this.invoke('stopNode', [node]);
  }
  /**
   * Waits until every node is running and has an IP; blocks in sync mode, awaits timers in async mode.
   * Fails with `TimeoutError` naming the nodes still not running.
   */
  waitUntilRunning(nodes: Node[], options?: WaitUntilRunningOptions): RunningNode[] {
    return this.invoke('waitUntilRunning', [nodes, options]);
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  /** Lists storage volumes. */
  listVolumes(): StorageVolume[] {
    return this.invoke('listVolumes', []);
  }
  /** Creates a volume of `size` GiB (`state` is `creating` or `available`, as the provider reports). */
  createVolume(options: CreateVolumeOptions): StorageVolume {
    return this.invoke('createVolume', [options]);
  }
  /** Attaches `volume` to `node`, at `device` where the provider takes one (EC2 picks a free one when omitted). */
  attachVolume(node: Node, volume: StorageVolume, device?: string): boolean {
    return this.invoke('attachVolume', [node, volume, device]);
  }
  /** Detaches `volume` from the node it is attached to. */
  detachVolume(volume: StorageVolume): boolean {
    return this.invoke('detachVolume', [volume]);
  }
  /** Destroys `volume` (it must not be attached). */
  destroyVolume(volume: StorageVolume): boolean {
    return this.invoke('destroyVolume', [volume]);
  }
  /**
   * Waits until `volume` is in `state` (`available` after creating or detaching, `inuse` after attaching) and
   * returns it as then listed. Fails with `TimeoutError`, with `VolumeNotFoundError` when it disappears, and
   * with `ProviderError` when it goes to `error`.
   */
  waitUntilVolumeState(volume: StorageVolume, state: StorageVolumeState, options?: WaitUntilVolumeStateOptions): StorageVolume {
    return this.invoke('waitUntilVolumeState', [volume, state, options]);
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  /** Lists the snapshots of `volume`. */
  listVolumeSnapshots(volume: StorageVolume): VolumeSnapshot[] {
    return this.invoke('listVolumeSnapshots', [volume]);
  }
  /** Takes a snapshot of `volume`. */
  createVolumeSnapshot(volume: StorageVolume, name?: string): VolumeSnapshot {
    return this.invoke('createVolumeSnapshot', [volume, name]);
  }
  /** Destroys a snapshot. */
  destroyVolumeSnapshot(snapshot: VolumeSnapshot): boolean {
    return this.invoke('destroyVolumeSnapshot', [snapshot]);
  }

  // ---- key pairs --------------------------------------------------------------------------------------------

  /** Lists SSH key pairs (without private keys). */
  listKeyPairs(): KeyPair[] {
    return this.invoke('listKeyPairs', []);
  }
  /** The key pair named `name`; `KeyPairDoesNotExistError` when there is none. */
  getKeyPair(name: string): KeyPair {
    return this.invoke('getKeyPair', [name]);
  }
  /**
   * Creates a key pair. The returned `KeyPair` holds the private key, once: keep it, the provider does not give
   * it again. It never prints (`[REDACTED]`). Where the provider only imports public keys (DigitalOcean), an
   * Ed25519 pair is generated here and its public key imported.
   */
  createKeyPair(name: string): KeyPair {
    return this.invoke('createKeyPair', [name]);
  }
  /** Imports a public key (an OpenSSH line such as `ssh-ed25519 AAAA… me@host`) as key pair `name`. */
  importKeyPairFromString(name: string, publicKey: string): KeyPair {
    return this.invoke('importKeyPairFromString', [name, publicKey]);
  }
  /** Imports the public key in the file at `path` (`~` is your home directory) as key pair `name`. */
  importKeyPairFromFile(name: string, path: string): KeyPair {
    return this.invoke('importKeyPairFromFile', [name, path]);
  }
  /** Deletes a key pair. */
  deleteKeyPair(keyPair: KeyPair): boolean {
    return this.invoke('deleteKeyPair', [keyPair]);
  }

  // ---- images -----------------------------------------------------------------------------------------------

  /** The image with id `id`; `ImageNotFoundError` when there is none. */
  getImage(id: string): NodeImage {
    return this.invoke('getImage', [id]);
  }
  /** Creates an image of `node`'s disk. */
  createImage(node: Node, name: string, options?: CreateImageOptions): NodeImage {
    return this.invoke('createImage', [node, name, options]);
  }
  /** Deletes (deregisters) an image. */
  deleteImage(image: NodeImage): boolean {
    return this.invoke('deleteImage', [image]);
  }
  /**
   * Copies `image` from `sourceRegion` to this driver's region (EC2: call it on a driver for the destination
   * region). DigitalOcean transfers the image itself to the region given as `ex.region`.
   */
  copyImage(sourceRegion: string, image: NodeImage, name: string, options?: CopyImageOptions): NodeImage {
    return this.invoke('copyImage', [sourceRegion, image, name, options]);
  }

  // ---- operations a driver implements (the defaults say it does not) ---------------------------------------

  /**
   * Checks `createVolume`'s arguments before anything is sent: an options object, a non-empty `name` and a
   * whole `size` from 1 to `maxGiB`. Throws `InvalidArgumentError`.
   */
  protected checkVolumeOptions(options: CreateVolumeOptions, maxGiB: number): void {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${this.name}: createVolume needs options { size, name, location? }`, { provider: this.type });
    this.checkName('createVolume', 'name', options.name);
    const size = options.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxGiB) {
      throw new InvalidArgumentError(`${this.name}: createVolume size must be a whole number of GiB from 1 to ${maxGiB}`, { provider: this.type });
    }
  }

  *listVolumesOp(): Operation<StorageVolume[]> {
    throw this.notImplemented('listVolumes');
  }
  *createVolumeOp(_options: CreateVolumeOptions): Operation<StorageVolume> {
    throw this.notImplemented('createVolume');
  }
  *attachVolumeOp(_node: Node, _volume: StorageVolume, _device?: string): Operation<boolean> {
    throw this.notImplemented('attachVolume');
  }
  *detachVolumeOp(_volume: StorageVolume): Operation<boolean> {
    throw this.notImplemented('detachVolume');
  }
  *destroyVolumeOp(_volume: StorageVolume): Operation<boolean> {
    throw this.notImplemented('destroyVolume');
  }
  *listVolumeSnapshotsOp(_volume: StorageVolume): Operation<VolumeSnapshot[]> {
    throw this.notImplemented('listVolumeSnapshots');
  }
  *createVolumeSnapshotOp(_volume: StorageVolume, _name?: string): Operation<VolumeSnapshot> {
    throw this.notImplemented('createVolumeSnapshot');
  }
  *destroyVolumeSnapshotOp(_snapshot: VolumeSnapshot): Operation<boolean> {
    throw this.notImplemented('destroyVolumeSnapshot');
  }
  *listKeyPairsOp(): Operation<KeyPair[]> {
    throw this.notImplemented('listKeyPairs');
  }
  *getKeyPairOp(_name: string): Operation<KeyPair> {
    throw this.notImplemented('getKeyPair');
  }
  *createKeyPairOp(_name: string): Operation<KeyPair> {
    throw this.notImplemented('createKeyPair');
  }
  *importKeyPairFromStringOp(_name: string, _publicKey: string): Operation<KeyPair> {
    throw this.notImplemented('importKeyPairFromString');
  }
  *deleteKeyPairOp(_keyPair: KeyPair): Operation<boolean> {
    throw this.notImplemented('deleteKeyPair');
  }
  *getImageOp(_id: string): Operation<NodeImage> {
    throw this.notImplemented('getImage');
  }
  *createImageOp(_node: Node, _name: string, _options?: CreateImageOptions): Operation<NodeImage> {
    throw this.notImplemented('createImage');
  }
  *deleteImageOp(_image: NodeImage): Operation<boolean> {
    throw this.notImplemented('deleteImage');
  }
  *copyImageOp(_sourceRegion: string, _image: NodeImage, _name: string, _options?: CopyImageOptions): Operation<NodeImage> {
    throw this.notImplemented('copyImage');
  }

  /**
   * Reads the public key file (at most 64 KiB, checked to be one OpenSSH public key line) and imports it with
   * `importKeyPairFromStringOp`, as Libcloud's base driver does.
   */
  *importKeyPairFromFileOp(name: string, path: string): Operation<KeyPair> {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`${this.name}: importKeyPairFromFile needs a file path`, { provider: this.type });
    const file = path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
    let text: string;
    try {
      if (statSync(file).size > MAX_PUBLIC_KEY_FILE) throw new InvalidArgumentError(`${this.name}: ${path} is larger than a public key file (64 KiB)`, { provider: this.type, code: 'InvalidPublicKey' });
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new InvalidArgumentError(`${this.name}: cannot read public key file ${path} (${code})`, { provider: this.type, code });
    }
    parseSshPublicKey(text); // a typed error before anything is sent (never echoing the file)
    return yield* this.importKeyPairFromStringOp(name, text.trim());
  }

  /**
   * The volume as listed now, or undefined when it is gone. Drivers with a cheaper lookup than listing every
   * volume override it.
   */
  protected *refreshVolumeOp(volume: StorageVolume): Operation<StorageVolume | undefined> {
    return (yield* this.listVolumesOp()).find((v) => v.id === volume.id);
  }

  /** The polling operation behind {@link NodeDriver.waitUntilVolumeState}. */
  *waitUntilVolumeStateOp(volume: StorageVolume, state: StorageVolumeState, options: WaitUntilVolumeStateOptions = {}): Operation<StorageVolume> {
    const timeout = options.timeout ?? 600_000;
    const pollInterval = options.pollInterval ?? 3_000;
    if (!volume || typeof volume.id !== 'string' || volume.id === '') throw new InvalidArgumentError('waitUntilVolumeState: give a volume', { provider: this.type });
    if (!(Object.values(StorageVolumeState) as string[]).includes(state)) {
      throw new InvalidArgumentError(`waitUntilVolumeState: "${String(state)}" is not a StorageVolumeState (${Object.values(StorageVolumeState).join(', ')})`, { provider: this.type });
    }
    if (!(timeout > 0) || !(pollInterval > 0)) throw new InvalidArgumentError('waitUntilVolumeState: timeout and pollInterval must be positive', { provider: this.type });
    const deadline = Date.now() + timeout;
    let last: string = volume.state;
    for (;;) {
      const current = yield* this.refreshVolumeOp(volume);
      if (current === undefined) throw new VolumeNotFoundError(`waitUntilVolumeState: volume ${volume.id} no longer exists`, { provider: this.type, code: 'VolumeNotFound' });
      if (current.state === state) return current;
      if (current.state === StorageVolumeState.ERROR) {
        throw new ProviderError(`waitUntilVolumeState: volume ${volume.id} went to state error while waiting for ${state}`, { provider: this.type, code: 'VolumeError' });
      }
      last = current.state;
      const left = deadline - Date.now();
      if (left <= 0) break;
      yield* sleep(Math.min(pollInterval, left));
    }
    throw new TimeoutError(`waitUntilVolumeState: timed out after ${timeout} ms; volume ${volume.id} is ${last}, not ${state}`, { code: 'WaitTimeout', provider: this.type });
  }

  /** The polling operation behind {@link NodeDriver.waitUntilRunning}. */
  *waitUntilRunningOp(nodes: Node[], options: WaitUntilRunningOptions = {}): Operation<RunningNode[]> {
    const timeout = options.timeout ?? 600_000;
    const pollInterval = options.pollInterval ?? 3_000;
    if (!Array.isArray(nodes) || nodes.length === 0) throw new InvalidArgumentError('waitUntilRunning: give at least one node');
    if (!(timeout > 0) || !(pollInterval > 0)) throw new InvalidArgumentError('waitUntilRunning: timeout and pollInterval must be positive');
    const wanted = new Set(nodes.map((n) => n.id));
    const deadline = Date.now() + timeout;
    let waiting: string[] = [...wanted];
    for (;;) {
      const current = (yield* this.listNodesOp()).filter((n) => wanted.has(n.id));
      const ready = current.filter((n) => n.state === NodeState.RUNNING && n.publicIps.length + n.privateIps.length > 0);
      if (ready.length === wanted.size) return ready.map((node) => ({ node, ips: [...node.publicIps, ...node.privateIps] }));
      const readyIds = new Set(ready.map((n) => n.id));
      waiting = [...wanted].filter((id) => !readyIds.has(id));
      const left = deadline - Date.now();
      if (left <= 0) break;
      yield* sleep(Math.min(pollInterval, left));
    }
    throw new TimeoutError(`waitUntilRunning: timed out after ${timeout} ms; still not running: ${waiting.join(', ')}`, {
      code: 'WaitTimeout',
      provider: this.type,
    });
  }
}
