/**
 * Amazon EC2 compute driver (Query API, XML, SigV4).
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  awsRegionalService,
  AWS_REGION_NAME,
  checkOptionalOptions,
  collectPages,
  ImageNotFoundError,
  InvalidArgumentError,
  InvalidCredentialsError,
  KeyPair,
  KeyPairAlreadyExistsError,
  KeyPairDoesNotExistError,
  MalformedResponseError,
  Node,
  NodeDriver,
  NodeImage,
  NodeLocation,
  NodeNotFoundError,
  NodeSize,
  parseSshPublicKey,
  RateLimitError,
  RequestError,
  StorageVolume,
  VolumeNotFoundError,
  VolumeSnapshot,
  VolumeSnapshotNotFoundError,
  type AwsKeyOptions,
  type CopyImageOptions,
  type CreateImageOptions,
  type CreateNodeOptions,
  type CreateVolumeOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type MethodKind,
  type MethodOptionsSpec,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { EC2_DEFAULT_REGION, EC2_INSTANCE_TYPES, EC2_REGION_COUNTRY } from './constants.js';
import {
  currentStateIs,
  imageIdOf,
  items,
  nextToken,
  parseEC2Error,
  responseRoot,
  returned,
  text,
  toImage,
  toKeyPair,
  toKeyPairs,
  toLocations,
  toNodes,
  toRegions,
  toSnapshot,
  toSnapshots,
  toVolume,
  toVolumes,
} from './parse.js';
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
  describeAvailabilityZonesRequest,
  describeImagesRequest,
  describeInstancesRequest,
  describeKeyPairsRequest,
  describeRegionsRequest,
  describeSnapshotsRequest,
  describeVolumesRequest,
  detachVolumeRequest,
  EC2_CREATE_VOLUME_EX_KEYS,
  EC2_DATA_DEVICES,
  importKeyPairRequest,
  instanceActionRequest,
  runInstancesRequest,
  type DescribeSnapshotsArgs,
  type EC2CopyImageExtras,
  type EC2CreateImageExtras,
  type EC2CreateNodeExtras,
  type EC2CreateVolumeExtras,
  type EC2ListImagesOptions,
  type EC2ListVolumesOptions,
} from './requests.js';

/** EC2 error codes with an exact error class (the rest follow the HTTP status). */
export const EC2_ERROR_CODES: ErrorCodeTable = {
  AuthFailure: InvalidCredentialsError,
  InvalidClientTokenId: InvalidCredentialsError,
  SignatureDoesNotMatch: InvalidCredentialsError,
  OptInRequired: InvalidCredentialsError,
  'InvalidInstanceID.NotFound': NodeNotFoundError,
  'InvalidInstanceID.Malformed': NodeNotFoundError,
  'InvalidVolume.NotFound': VolumeNotFoundError,
  'InvalidVolume.Malformed': VolumeNotFoundError,
  'InvalidSnapshot.NotFound': VolumeSnapshotNotFoundError,
  'InvalidSnapshot.Malformed': VolumeSnapshotNotFoundError,
  'InvalidKeyPair.NotFound': KeyPairDoesNotExistError,
  'InvalidKeyPair.Duplicate': KeyPairAlreadyExistsError,
  'InvalidAMIID.NotFound': ImageNotFoundError,
  'InvalidAMIID.Malformed': ImageNotFoundError,
  'InvalidAMIID.Unavailable': ImageNotFoundError,
  RequestLimitExceeded: RateLimitError,
};

/**
 * Options of {@link EC2NodeDriver}: `key` is the access key id, `secret` the secret access key (and `token` a
 * session token); give both, or neither to read `AWS_*` variables and the `profile`'s shared files.
 */
export interface EC2NodeDriverOptions extends DriverOptions, AwsKeyOptions {
  /** Region (default: the environment's or profile's, else `us-east-1`); one driver instance talks to one region. */
  region?: string;
  /** Instances per DescribeInstances page (`MaxResults`, 5 to 1000); by default EC2 decides (as Libcloud). */
  pageSize?: number;
}

/** `createNode` arguments on EC2; `ex` takes {@link EC2CreateNodeExtras}. */
export interface EC2CreateNodeOptions extends CreateNodeOptions {
  ex?: EC2CreateNodeExtras & Record<string, unknown>;
}

/** `createVolume` arguments on EC2; `ex` takes {@link EC2CreateVolumeExtras}. */
export interface EC2CreateVolumeOptions extends CreateVolumeOptions {
  ex?: EC2CreateVolumeExtras & Record<string, unknown>;
}

/** `createImage` options on EC2; `ex` takes {@link EC2CreateImageExtras}. */
export interface EC2CreateImageOptions extends CreateImageOptions {
  ex?: EC2CreateImageExtras & Record<string, unknown>;
}

/** `copyImage` options on EC2; `ex` takes {@link EC2CopyImageExtras}. */
export interface EC2CopyImageOptions extends CopyImageOptions {
  ex?: EC2CopyImageExtras & Record<string, unknown>;
}

/** The `ex` keys of `createImage` and `copyImage`. */
const CREATE_IMAGE_EX_KEYS: readonly string[] = ['reboot', 'tags'];
const COPY_IMAGE_EX_KEYS: readonly string[] = ['clientToken', 'encrypted', 'kmsKeyId'];

/**
 * Amazon EC2 driver, one region per instance (as in Libcloud).
 *
 * @example
 * ```ts
 * const ec2 = new EC2NodeDriver({ key, secret, region: 'eu-west-1' });
 * const nodes = ec2.listNodes();
 * ```
 */
export class EC2NodeDriver extends NodeDriver {
  /** The base compute methods plus the EC2-only `listRegions`, so design packages expose it too. */
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { ...NodeDriver.methodKinds, listRegions: 'call' };
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'token', 'profile', 'pageSize'];
  static override readonly methodOptions: Readonly<Record<string, MethodOptionsSpec>> = {
    ...NodeDriver.methodOptions,
    listImages: { index: 0, keys: ['owners', 'imageIds', 'executableBy', 'filters'] },
    listVolumes: { index: 0, keys: ['node', 'volumeIds', 'filters'] },
  };

  /** Provider name. */
  readonly type = Provider.EC2;
  /** Driver name, as in Libcloud. */
  readonly name = 'Amazon EC2';
  /** The region this driver talks to. */
  readonly region: string;
  /** `MaxResults` of DescribeInstances, when set. */
  readonly pageSize: number | undefined;

  constructor(options: EC2NodeDriverOptions = {}) {
    super(options);
    const { region, host, signer } = awsRegionalService('ec2', 'ec2', options ?? {}, EC2_DEFAULT_REGION);
    this.region = region;
    const pageSize = options.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 5 && pageSize <= 1000)) {
      throw new InvalidArgumentError('ec2: pageSize must be an integer from 5 to 1000', { provider: 'ec2' });
    }
    this.pageSize = pageSize;
    this.connect({
      provider: 'ec2',
      host,
      credentials: signer,
      parseError: parseEC2Error,
      errorCodes: EC2_ERROR_CODES,
    });
  }

  /** Lists images; `ex` narrows by owner, ids, launch permission or filters. */
  override listImages(ex?: EC2ListImagesOptions): NodeImage[] {
    return this.invoke('listImages', [ex]);
  }

  /** Lists volumes; `ex` narrows to a node's volumes, given ids or EC2 filters. */
  override listVolumes(ex?: EC2ListVolumesOptions): StorageVolume[] {
    return this.invoke('listVolumes', [ex]);
  }

  /** Lists the regions enabled for the account (DescribeRegions). */
  listRegions(): string[] {
    return this.invoke('listRegions', []);
  }

  /** Pages of DescribeInstances, following `nextToken`. */
  private nodePages(): PageOperation<Node> {
    const driver = this;
    return function* (token) {
      const root = responseRoot(yield* driver.connection.send(describeInstancesRequest(token, driver.pageSize)), 'DescribeInstances');
      return { items: toNodes(root, driver), next: nextToken(root) };
    };
  }

  /** Every page of DescribeInstances; elastic IPs come from the instances' network interfaces. */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.nodePages());
  }

  *listImagesOp(ex?: EC2ListImagesOptions): Operation<NodeImage[]> {
    const driver = this;
    return yield* collectPages(function* (token): Operation<Page<NodeImage>> {
      const root = responseRoot(yield* driver.connection.send(describeImagesRequest(ex, token)), 'DescribeImages');
      return { items: items(root.imagesSet).map((i) => toImage(i, driver)), next: nextToken(root) };
    });
  }

  /** The static instance type table (no request), as Libcloud. */
  *listSizesOp(): Operation<NodeSize[]> {
    return EC2_INSTANCE_TYPES.map(
      ([id, ram, disk, bandwidth, vcpus, family]) => new NodeSize(id, id, ram, disk, bandwidth, undefined, this, { vcpus, family }),
    );
  }

  *listLocationsOp(): Operation<NodeLocation[]> {
    const root = responseRoot(yield* this.connection.send(describeAvailabilityZonesRequest(this.region)), 'DescribeAvailabilityZones');
    return toLocations(root, EC2_REGION_COUNTRY[this.region] ?? '', this);
  }

  /** DescribeRegions. */
  *listRegionsOp(): Operation<string[]> {
    return toRegions(responseRoot(yield* this.connection.send(describeRegionsRequest()), 'DescribeRegions'));
  }

  /**
   * RunInstances. A ClientToken is generated once per call, so a retried request cannot start a second
   * instance.
   */
  *createNodeOp(options: EC2CreateNodeOptions): Operation<Node> {
    const spec = this.runInstancesSpec(options);
    const root = responseRoot(yield* this.connection.send(spec), 'RunInstances');
    const node = toNodes(root, this)[0];
    if (!node) throw new MalformedResponseError('ec2: RunInstances returned no instance', { provider: 'ec2', code: 'UnexpectedDocument' });
    // The response may omit the tags just applied; the name is known.
    return node.name === node.id ? new Node({ ...node, name: options.name }, this) : node;
  }

  /** The RunInstances request of a `createNode` call (exposed for tests and dry runs). */
  runInstancesSpec(options: EC2CreateNodeOptions): RequestSpec {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('ec2: createNode needs options');
    const location = options.location;
    const zoneRegion = location?.extra.regionName;
    if (location && typeof zoneRegion === 'string' && zoneRegion !== this.region) {
      throw new InvalidArgumentError(`ec2: location ${location.name} is in ${zoneRegion}, this driver is for ${this.region}`, { provider: 'ec2' });
    }
    return runInstancesRequest({
      name: options.name,
      imageId: options.image?.id,
      instanceType: options.size?.id,
      availabilityZone: location?.name || undefined,
      clientToken: options.ex?.clientToken ?? randomUUID(),
      ex: options.ex,
    });
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('RebootInstances', node?.id)), 'RebootInstances');
    return String(root.return) === 'true';
  }

  *destroyNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('TerminateInstances', node?.id)), 'TerminateInstances');
    return currentStateIs(root, ['shutting-down', 'terminated']);
  }

  *startNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('StartInstances', node?.id)), 'StartInstances');
    return currentStateIs(root, ['pending', 'running']);
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(instanceActionRequest('StopInstances', node?.id)), 'StopInstances');
    return currentStateIs(root, ['stopping', 'stopped']);
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  /** Every page of DescribeVolumes (`MaxResults` from `pageSize`, at most 500). */
  override *listVolumesOp(ex: EC2ListVolumesOptions = {}): Operation<StorageVolume[]> {
    const driver = this;
    const maxResults = this.pageSize === undefined ? undefined : Math.min(this.pageSize, 500);
    return yield* collectPages(function* (token): Operation<Page<StorageVolume>> {
      const root = responseRoot(yield* driver.connection.send(describeVolumesRequest(ex ?? {}, token, maxResults)), 'DescribeVolumes');
      return { items: toVolumes(root, driver), next: nextToken(root) };
    });
  }

  /** DescribeVolumes of one id. */
  protected override *refreshVolumeOp(volume: StorageVolume): Operation<StorageVolume | undefined> {
    try {
      return (yield* this.listVolumesOp({ volumeIds: [volume.id] }))[0];
    } catch (error) {
      if (error instanceof VolumeNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * CreateVolume in `location` (an availability zone of this region; the region's first available zone when
   * omitted), named with a `Name` tag. A ClientToken is generated once per call, so a retry cannot create a
   * second volume. The volume is `creating` at first.
   */
  override *createVolumeOp(options: EC2CreateVolumeOptions): Operation<StorageVolume> {
    this.checkVolumeOptions(options, 16_384);
    checkOptionalOptions(`${this.name}: createVolume ex`, options.ex, EC2_CREATE_VOLUME_EX_KEYS);
    let zone = options.location?.name;
    const zoneRegion = options.location?.extra.regionName;
    if (options.location && typeof zoneRegion === 'string' && zoneRegion !== this.region) {
      throw new InvalidArgumentError(`ec2: location ${options.location.name} is in ${zoneRegion}, this driver is for ${this.region}`, { provider: 'ec2' });
    }
    if (!zone) {
      zone = (yield* this.listLocationsOp())[0]?.name;
      if (!zone) throw new MalformedResponseError(`ec2: region ${this.region} lists no available zone`, { provider: 'ec2', code: 'UnexpectedDocument' });
    }
    const spec = createVolumeRequest({
      size: options.size,
      name: options.name,
      availabilityZone: zone,
      ...(options.snapshot ? { snapshotId: options.snapshot.id } : {}),
      clientToken: options.ex?.clientToken ?? randomUUID(),
      ...(options.ex ? { ex: options.ex } : {}),
    });
    return toVolume(responseRoot(yield* this.connection.send(spec), 'CreateVolume'), this, options.name);
  }

  /**
   * AttachVolume at `device`; without one, the first of `/dev/sdf` … `/dev/sdp` that none of the node's volumes
   * uses (one DescribeVolumes). True when EC2 reports the attachment started. Attaching several volumes to one
   * node at once, give each its device: concurrent calls without one may pick the same free device, and all but
   * one then fail with EC2's `InvalidParameterValue`.
   */
  override *attachVolumeOp(node: Node, volume: StorageVolume, device?: string): Operation<boolean> {
    if (!node || typeof node.id !== 'string' || node.id === '') throw new InvalidArgumentError('ec2: attachVolume needs a node with an id', { provider: 'ec2' });
    if (!volume || typeof volume.id !== 'string' || volume.id === '') throw new InvalidArgumentError('ec2: attachVolume needs a volume with an id', { provider: 'ec2' });
    let chosen = device;
    if (chosen === undefined) {
      const used = new Set((yield* this.listVolumesOp({ node })).map((v) => v.extra.device));
      chosen = EC2_DATA_DEVICES.find((d) => !used.has(d));
      if (chosen === undefined) throw new InvalidArgumentError(`ec2: node ${node.id} uses every device from /dev/sdf to /dev/sdp; give a device`, { provider: 'ec2' });
    }
    const root = responseRoot(yield* this.connection.send(attachVolumeRequest(volume.id, node.id, chosen)), 'AttachVolume');
    return ['attaching', 'attached'].includes(text(root.status) ?? '');
  }

  /** DetachVolume; true when EC2 reports the detachment started. */
  override *detachVolumeOp(volume: StorageVolume): Operation<boolean> {
    const root = responseRoot(yield* this.connection.send(detachVolumeRequest(volume?.id)), 'DetachVolume');
    return ['detaching', 'detached'].includes(text(root.status) ?? '');
  }

  /** DeleteVolume (the volume must be `available`). */
  override *destroyVolumeOp(volume: StorageVolume): Operation<boolean> {
    return returned(responseRoot(yield* this.connection.send(deleteVolumeRequest(volume?.id)), 'DeleteVolume'));
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  /** Pages of DescribeSnapshots (`MaxResults` from `pageSize`). */
  private *describeSnapshotsOp(args: DescribeSnapshotsArgs): Operation<VolumeSnapshot[]> {
    const driver = this;
    return yield* collectPages(function* (token): Operation<Page<VolumeSnapshot>> {
      const root = responseRoot(yield* driver.connection.send(describeSnapshotsRequest(args, token, driver.pageSize)), 'DescribeSnapshots');
      return { items: toSnapshots(root, driver), next: nextToken(root) };
    });
  }

  /** The account's snapshots of `volume` (DescribeSnapshots with `Owner=self` and a `volume-id` filter). */
  override *listVolumeSnapshotsOp(volume: StorageVolume): Operation<VolumeSnapshot[]> {
    if (!volume || typeof volume.id !== 'string' || volume.id === '') throw new InvalidArgumentError('ec2: listVolumeSnapshots needs a volume with an id', { provider: 'ec2' });
    return yield* this.describeSnapshotsOp({ owners: ['self'], filters: { 'volume-id': volume.id } });
  }

  /** CreateSnapshot, tagged `Name` (and described, as Libcloud does) with `name`. The snapshot is `creating` at first. */
  override *createVolumeSnapshotOp(volume: StorageVolume, name?: string): Operation<VolumeSnapshot> {
    if (name !== undefined) this.checkName('createVolumeSnapshot', 'a name', name);
    return toSnapshot(responseRoot(yield* this.connection.send(createSnapshotRequest(volume?.id, name)), 'CreateSnapshot'), this, name);
  }

  override *destroyVolumeSnapshotOp(snapshot: VolumeSnapshot): Operation<boolean> {
    return returned(responseRoot(yield* this.connection.send(deleteSnapshotRequest(snapshot?.id)), 'DeleteSnapshot'));
  }

  // ---- key pairs --------------------------------------------------------------------------------------------

  /** DescribeKeyPairs, with public keys. */
  override *listKeyPairsOp(): Operation<KeyPair[]> {
    const driver = this;
    return yield* collectPages(function* (token): Operation<Page<KeyPair>> {
      const root = responseRoot(yield* driver.connection.send(describeKeyPairsRequest([], token)), 'DescribeKeyPairs');
      return { items: toKeyPairs(root, driver), next: nextToken(root) };
    });
  }

  override *getKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('getKeyPair', 'a name', name);
    const found = toKeyPairs(responseRoot(yield* this.connection.send(describeKeyPairsRequest([name])), 'DescribeKeyPairs'), this)[0];
    if (!found) throw new KeyPairDoesNotExistError(`ec2: the key pair '${name}' does not exist`, { provider: 'ec2', code: 'InvalidKeyPair.NotFound' });
    return found;
  }

  /**
   * CreateKeyPair: EC2 generates an RSA key and returns its private key (PEM) once, in the returned model's
   * non-printing `privateKey`. Never retried; a response that cannot be read is reported without its body.
   */
  override *createKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('createKeyPair', 'a name', name);
    const keyPair = toKeyPair(secretRoot(yield* this.connection.send(createKeyPairRequest(name)), 'CreateKeyPair'), this);
    if (keyPair.privateKey === undefined) throw new MalformedResponseError('ec2: the CreateKeyPair response holds no keyMaterial', { provider: 'ec2', code: 'UnexpectedDocument' });
    return keyPair;
  }

  /** ImportKeyPair of an OpenSSH public key line (checked before sending). */
  override *importKeyPairFromStringOp(name: string, publicKey: string): Operation<KeyPair> {
    this.checkName('importKeyPairFromString', 'a name', name);
    parseSshPublicKey(publicKey);
    const line = publicKey.trim();
    return toKeyPair(responseRoot(yield* this.connection.send(importKeyPairRequest(name, line)), 'ImportKeyPair'), this, line);
  }

  /** DeleteKeyPair by name (true even when EC2 had no such key, as EC2 answers). */
  override *deleteKeyPairOp(keyPair: KeyPair): Operation<boolean> {
    return returned(responseRoot(yield* this.connection.send(deleteKeyPairRequest(keyPair?.name)), 'DeleteKeyPair'));
  }

  // ---- images -----------------------------------------------------------------------------------------------

  /** DescribeImages of one id; `ImageNotFoundError` when EC2 lists nothing. */
  override *getImageOp(id: string): Operation<NodeImage> {
    this.checkName('getImage', 'an image id', id);
    const image = (yield* this.listImagesOp({ imageIds: [id] }))[0];
    if (!image) throw new ImageNotFoundError(`ec2: the image id '${id}' does not exist`, { provider: 'ec2', code: 'InvalidAMIID.NotFound' });
    return image;
  }

  /**
   * CreateImage of an EBS-backed instance, without rebooting it unless `ex.reboot`. EC2 answers with the new
   * image id only; the image is `pending` until EC2 has taken it.
   */
  override *createImageOp(node: Node, name: string, options: EC2CreateImageOptions = {}): Operation<NodeImage> {
    this.checkName('createImage', 'a name', name);
    checkOptionalOptions(`${this.name}: createImage ex`, options?.ex, CREATE_IMAGE_EX_KEYS);
    const description = options?.description;
    const root = responseRoot(yield* this.connection.send(createImageRequest(node?.id, name, description, options?.ex)), 'CreateImage');
    return new NodeImage(imageIdOf(root), name, this, { instanceId: node.id, ...(description !== undefined ? { description } : {}) });
  }

  /** DeregisterImage. */
  override *deleteImageOp(image: NodeImage): Operation<boolean> {
    return returned(responseRoot(yield* this.connection.send(deregisterImageRequest(image?.id)), 'DeregisterImage'));
  }

  /**
   * CopyImage from `sourceRegion` into this driver's region (EC2 copies in the destination region), made
   * idempotent by a ClientToken generated once per call. EC2 answers with the new image id; the copy is
   * `pending` until it completes.
   */
  override *copyImageOp(sourceRegion: string, image: NodeImage, name: string, options: EC2CopyImageOptions = {}): Operation<NodeImage> {
    if (typeof sourceRegion !== 'string' || !AWS_REGION_NAME.test(sourceRegion)) throw new InvalidArgumentError(`ec2: copyImage needs a source region such as us-east-1`, { provider: 'ec2' });
    this.checkName('copyImage', 'a name', name);
    checkOptionalOptions(`${this.name}: copyImage ex`, options?.ex, COPY_IMAGE_EX_KEYS);
    const description = options?.description;
    const spec = copyImageRequest({
      sourceRegion,
      sourceImageId: image?.id,
      name,
      ...(description !== undefined ? { description } : {}),
      clientToken: options?.ex?.clientToken ?? randomUUID(),
      ...(options?.ex ? { ex: options.ex } : {}),
    });
    const root = responseRoot(yield* this.connection.send(spec), 'CopyImage');
    return new NodeImage(imageIdOf(root), name, this, { sourceRegion, sourceImageId: image.id, ...(description !== undefined ? { description } : {}) });
  }
}


/**
 * The root of a response that holds a private key: a body that cannot be read is reported without any of it
 * (the usual parse error quotes the start of the body).
 */
function secretRoot(response: HttpResponse, action: string): Record<string, any> {
  try {
    return responseRoot(response, action);
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    throw new MalformedResponseError(`ec2: the ${action} response could not be read (its body is not shown: it may hold a private key)`, {
      provider: 'ec2',
      status: response.status,
      code: error.code ?? 'UnexpectedDocument',
    });
  }
}
