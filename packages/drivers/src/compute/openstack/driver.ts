/**
 * OpenStack compute driver: Nova API v2.1 (with a microversion header) for servers, flavors and availability
 * zones, Glance v2 for images, Keystone for identity (see `../../openstack/identity.ts`). The endpoints come
 * from the token's service catalog.
 * @module
 */
import {
  CloudError,
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
  NotFoundError,
  parseSshPublicKey,
  RateLimitError,
  RequestError,
  StorageVolume,
  VolumeNotFoundError,
  VolumeSnapshot,
  VolumeSnapshotNotFoundError,
  type CopyImageOptions,
  type CreateImageOptions,
  type CreateNodeOptions,
  type CreateVolumeOptions,
  type DriverConnection,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type MethodKind,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
} from '@dualcloud/core';
import { OPENSTACK_AUTH_OPTION_KEYS, openStackIdentity, openStackRecipe, type OpenStackAuthOptions, type OpenStackIdentity } from '../../openstack/identity.js';
import { Provider } from '../providers.js';
import { glanceNextMarker, imageIdFromLocation, jsonObject, listOf, novaNextMarker, toImage, toKeyPair, toLocation, toNode, toSize, toVolume, toVolumeSnapshot } from './parse.js';
import {
  attachVolumeRequest,
  checkMicroversion,
  createKeyPairRequest,
  createServerImageRequest,
  createSnapshotRequest,
  createVolumeRequest,
  deleteComputeImageRequest,
  deleteGlanceImageRequest,
  deleteKeyPairRequest,
  deleteSnapshotRequest,
  deleteVolumeRequest,
  detachVolumeRequest,
  getComputeImageRequest,
  getGlanceImageRequest,
  getKeyPairRequest,
  getVolumeRequest,
  listKeyPairsRequest,
  listSnapshotsRequest,
  listVolumesRequest,
  createServerRequest,
  deleteServerRequest,
  getServerRequest,
  listAvailabilityZonesRequest,
  listComputeImagesRequest,
  listFlavorsRequest,
  listGlanceImagesRequest,
  listServersRequest,
  NOVA_DEFAULT_MICROVERSION,
  NOVA_MAX_PAGE_SIZE,
  rebootServerRequest,
  serverActionRequest,
  type OpenStackCreateNodeExtras,
} from './requests.js';

/**
 * Nova error names (the key of its error document, `{"itemNotFound": {"code": 404, "message": …}}`) with an
 * exact error class. `itemNotFound` is a node error: servers are the only resources this driver addresses by id.
 */
export const OPENSTACK_ERROR_CODES: ErrorCodeTable = {
  itemNotFound: NodeNotFoundError,
  overLimit: RateLimitError,
  unauthorized: InvalidCredentialsError,
  Unauthorized: InvalidCredentialsError,
};

/** Cinder's volume calls: its `itemNotFound` is a missing volume (a missing snapshot when creating from one). */
const VOLUME_CODES: ErrorCodeTable = { itemNotFound: VolumeNotFoundError };
const SNAPSHOT_CODES: ErrorCodeTable = { itemNotFound: VolumeSnapshotNotFoundError };
/** Calls whose `itemNotFound` may name either resource: told apart by the message. */
const EITHER_CODES: ErrorCodeTable = { itemNotFound: NotFoundError };
/** Nova's key pair calls: `itemNotFound` is a missing key pair, `conflictingRequest` a name already taken. */
const KEY_CODES: ErrorCodeTable = { itemNotFound: KeyPairDoesNotExistError, conflictingRequest: KeyPairAlreadyExistsError };
/** Glance and the image proxy: a missing image. */
const IMAGE_CODES: ErrorCodeTable = { itemNotFound: ImageNotFoundError, NotFound: ImageNotFoundError };

/** `error` as `cls` (same message and response facts) when it is a bare `NotFoundError` (Glance's HTML 404). */
function narrowNotFound(error: unknown, cls: new (message: string, options?: object) => CloudError): unknown {
  if (!(error instanceof NotFoundError) || error.constructor !== NotFoundError) return error;
  return new cls(error.message, { status: error.status, code: error.code ?? 'NotFound', requestId: error.requestId, provider: error.provider });
}

/**
 * Options of {@link OpenStackNodeDriver}: the identity options (`authUrl`, `username`, `password`, `projectName`,
 * `userDomainName`, `regionName`…; default `OS_*` / `clouds.yaml`), plus paging and the compute microversion.
 * As in Libcloud, `key` and `secret` stand for `username` and `password` when those are not given, and
 * `region` for `regionName`.
 */
export interface OpenStackNodeDriverOptions extends DriverOptions, OpenStackAuthOptions {
  /** Items per page of list calls (`limit`, 1 to 1000); by default the services decide (as Libcloud). */
  pageSize?: number;
  /** Compute microversion asked for (default `2.1`, the documents Libcloud parses). */
  microversion?: string;
}

/** `createNode` arguments on OpenStack; `ex` takes {@link OpenStackCreateNodeExtras}. */
export interface OpenStackCreateNodeOptions extends CreateNodeOptions {
  ex?: OpenStackCreateNodeExtras & Record<string, unknown>;
}

/** Where a driver of the OpenStack family lists images and finds its compute endpoint. */
export interface OpenStackFlavour {
  /** Provider name in errors. */
  readonly provider: string;
  /** The resolved identity options. */
  readonly auth: OpenStackAuthOptions;
  /** The catalog's compute service name, when several compute services may be listed. */
  readonly computeServiceName?: string;
  /** `glance`: the image service's `/v2/images`; `compute`: the compute API's `/images/detail` (active only). */
  readonly images: 'glance' | 'compute';
}

/**
 * OpenStack Nova servers, as Libcloud's `OpenStack_2_NodeDriver`.
 *
 * @example
 * ```ts
 * const os = new OpenStackNodeDriver({ authUrl: 'https://keystone.example.com/v3', username: 'demo',
 *   password: process.env.OS_PASSWORD, projectName: 'demo', userDomainName: 'Default', regionName: 'RegionOne' });
 * const nodes = os.listNodes();
 * ```
 */
export class OpenStackNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, ...OPENSTACK_AUTH_OPTION_KEYS, 'pageSize', 'microversion'];
  /** The base compute methods plus Libcloud's `ex_soft_reboot_node` / `ex_hard_reboot_node`. */
  static override readonly methodKinds: Readonly<Record<string, MethodKind>> = { ...NodeDriver.methodKinds, exSoftRebootNode: 'call', exHardRebootNode: 'call' };

  /** Provider name. */
  readonly type: string = Provider.OPENSTACK;
  /** Driver name, as in Libcloud. */
  readonly name: string = 'OpenStack';
  /** `limit` of list calls, when set. */
  readonly pageSize: number | undefined;
  /** The compute microversion asked for. */
  readonly microversion: string;
  /** The region asked for, if any. */
  readonly regionName: string | undefined;
  readonly #images: 'glance' | 'compute';
  readonly #identity: OpenStackIdentity;

  constructor(options: OpenStackNodeDriverOptions = {}) {
    super(options);
    const flavour = this.flavour(options ?? {});
    const misplaced = (['host', 'port', 'secure'] as const).filter((k) => options?.[k] !== undefined);
    if (misplaced.length > 0) {
      throw new InvalidArgumentError(
        `${flavour.provider}: ${misplaced.join(', ')} ${misplaced.length > 1 ? 'are' : 'is'} not used: the endpoints come from the service catalog. Point the driver at a cloud with authUrl (the identity service), or at a compute API with endpointOverride`,
        { provider: flavour.provider },
      );
    }
    const pageSize = options?.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= NOVA_MAX_PAGE_SIZE)) {
      throw new InvalidArgumentError(`${flavour.provider}: pageSize must be an integer from 1 to ${NOVA_MAX_PAGE_SIZE}`, { provider: flavour.provider });
    }
    this.pageSize = pageSize;
    this.microversion = checkMicroversion(options?.microversion ?? NOVA_DEFAULT_MICROVERSION);
    this.#images = flavour.images;
    this.#identity = openStackIdentity(flavour.auth, options ?? {});
    this.regionName = this.#identity.regionName;
    this.connect({
      ...openStackRecipe(flavour.provider, 'compute', this.#identity, { errorCodes: OPENSTACK_ERROR_CODES }),
      endpoint: this.#identity.endpoint('compute', flavour.computeServiceName),
    });
  }

  /**
   * The identity options and catalog choices of this driver (subclasses such as Rackspace override it). Called
   * by the constructor before any field is set: it must use only `options`.
   */
  protected flavour(options: OpenStackNodeDriverOptions): OpenStackFlavour {
    const secretGiven = [options.password, options.apiKey, options.applicationCredentialSecret, options.token].some((v) => v !== undefined);
    return { provider: 'openstack', auth: authOptions(options, { username: options.key, ...(secretGiven ? {} : { password: options.secret }) }), images: 'glance' };
  }

  /** Reboots a node softly (`reboot` with `type: SOFT`: the guest is asked to restart). */
  exSoftRebootNode(node: Node): boolean {
    return this.invoke('exSoftRebootNode', [node]);
  }

  /** Reboots a node hard (`reboot` with `type: HARD`: power cycle), which is what `rebootNode` does (as Libcloud). */
  exHardRebootNode(node: Node): boolean {
    return this.invoke('exHardRebootNode', [node]);
  }

  /** The image service connection: same token and settings, requests below the catalog's `image` endpoint. */
  private imageConnection(): DriverConnection {
    return this.connection.forEndpoint('image', this.#identity.endpoint('image'));
  }

  /** Pages of a Nova collection, following `<collection>_links` by marker only (never the link's host). */
  private novaPages<T>(collection: 'servers' | 'flavors' | 'images', request: (marker: string | undefined) => RequestSpec, parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection } = this;
    return function* (marker): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(request(marker)));
      return { items: listOf(doc, collection).map(parse), next: novaNextMarker(doc, collection) };
    };
  }

  /** Every page of `GET /servers/detail`. */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.novaPages('servers', (m) => listServersRequest(m, this.pageSize, this.microversion), (s) => toNode(s, this)));
  }

  /** Every page of Glance's `GET /v2/images` (all statuses, as Libcloud); Rackspace: the compute image proxy. */
  *listImagesOp(): Operation<NodeImage[]> {
    if (this.#images === 'compute') {
      const images = yield* collectPages(this.novaPages('images', (m) => listComputeImagesRequest(m, this.pageSize, this.microversion), (i) => i));
      // Libcloud's v1.1 driver lists active images only (`ex_only_active=True`).
      return images.filter((i) => i.status === 'ACTIVE').map((i) => toImage(i, this));
    }
    const connection = this.imageConnection();
    const { pageSize } = this;
    const driver = this;
    return yield* collectPages(function* (marker): Operation<Page<NodeImage>> {
      const doc = jsonObject(yield* connection.send(listGlanceImagesRequest(marker, pageSize)));
      return { items: listOf(doc, 'images').map((i) => toImage(i, driver)), next: glanceNextMarker(doc) };
    });
  }

  /** Every page of `GET /flavors/detail`. */
  *listSizesOp(): Operation<NodeSize[]> {
    return yield* collectPages(this.novaPages('flavors', (m) => listFlavorsRequest(m, this.pageSize, this.microversion), (f) => toSize(f, this)));
  }

  /** The available availability zones (`GET /os-availability-zone`). Libcloud returns one placeholder location. */
  *listLocationsOp(): Operation<NodeLocation[]> {
    const doc = jsonObject(yield* this.connection.send(listAvailabilityZonesRequest(this.microversion)));
    return listOf(doc, 'availabilityZoneInfo')
      .filter((z) => z.zoneState?.available === true)
      .map((z) => toLocation(z, this));
  }

  /**
   * Creates a server (`POST /servers`, 202), then reads it back (`GET /servers/{id}`) as Libcloud does; the admin
   * password Nova generated is kept in `extra.password` (printed redacted). Not retried: Nova has no client token.
   */
  *createNodeOp(options: OpenStackCreateNodeOptions): Operation<Node> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError(`${this.type}: createNode needs options`);
    const spec = createServerRequest(
      {
        name: options.name,
        flavorRef: options.size?.id,
        imageRef: options.image?.id,
        ...(options.location ? { availabilityZone: options.location.id } : {}),
        ...(options.ex !== undefined ? { ex: options.ex } : {}),
      },
      this.microversion,
    );
    const created = jsonObject(yield* this.connection.send(spec)).server;
    if (!created || typeof created !== 'object' || typeof created.id !== 'string') throw new MalformedResponseError(`${this.type}: the create response has no server id`, { provider: this.type, code: 'UnexpectedDocument' });
    const server = jsonObject(yield* this.connection.send(getServerRequest(created.id, this.microversion))).server;
    if (!server || typeof server !== 'object') throw new MalformedResponseError(`${this.type}: the server document is missing`, { provider: this.type, code: 'UnexpectedDocument' });
    return toNode({ ...server, adminPass: created.adminPass }, this);
  }

  /** A hard reboot, as Libcloud's `reboot_node`; true on 202. */
  *rebootNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(rebootServerRequest(node?.id, 'HARD', this.microversion)));
  }

  *exSoftRebootNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(rebootServerRequest(node?.id, 'SOFT', this.microversion)));
  }

  *exHardRebootNodeOp(node: Node): Operation<boolean> {
    return yield* this.rebootNodeOp(node);
  }

  /** `os-start`; true on 202. */
  *startNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(serverActionRequest(node?.id, 'os-start', null, this.microversion)));
  }

  /** `os-stop`; true on 202. */
  *stopNodeOp(node: Node): Operation<boolean> {
    return accepted(yield* this.connection.send(serverActionRequest(node?.id, 'os-stop', null, this.microversion)));
  }

  /** `DELETE /servers/{id}`; true on 204 or 202 (Libcloud accepts either). */
  *destroyNodeOp(node: Node): Operation<boolean> {
    const response = yield* this.connection.send(deleteServerRequest(node?.id, this.microversion));
    return response.status === 204 || response.status === 202;
  }

  /**
   * The block storage connection: the catalog's `volumev3` endpoint, else `block-storage` (the current name of
   * the same service), as Libcloud's `_get_volume_connection` prefers v3.
   */
  private volumeConnection(): DriverConnection {
    const v3 = this.#identity.endpoint('volumev3');
    const blockStorage = this.#identity.endpoint('block-storage');
    return this.connection.forEndpoint('volume', function* () {
      try {
        return yield* v3();
      } catch (error) {
        if (error instanceof NotFoundError && error.code === 'EndpointNotFound') return yield* blockStorage();
        throw error;
      }
    });
  }

  /** Pages of a Cinder collection (`volumes`, `snapshots`), following `<collection>_links` by marker. */
  private cinderPages<T>(collection: 'volumes' | 'snapshots', request: (marker: string | undefined) => RequestSpec, parse: (item: Record<string, any>) => T): PageOperation<T> {
    const connection = this.volumeConnection();
    return function* (marker): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(request(marker)));
      return { items: listOf(doc, collection).map(parse), next: novaNextMarker(doc, collection) };
    };
  }

  // ---- volumes (Cinder v3) ----------------------------------------------------------------------------------

  /** Every page of Cinder's `GET /volumes/detail`. */
  override *listVolumesOp(): Operation<StorageVolume[]> {
    return yield* collectPages(this.cinderPages('volumes', (m) => listVolumesRequest(m, this.pageSize), (v) => toVolume(v, this)));
  }

  /** `GET /volumes/{id}` (Libcloud's `ex_get_volume`); `VolumeNotFoundError` when there is none. */
  private *getVolumeOp(id: string): Operation<StorageVolume> {
    return toVolume(jsonObject(yield* this.volumeConnection().send({ ...getVolumeRequest(id), errorCodes: VOLUME_CODES })), this);
  }

  protected override *refreshVolumeOp(volume: StorageVolume): Operation<StorageVolume | undefined> {
    try {
      return yield* this.getVolumeOp(volume?.id);
    } catch (error) {
      if (error instanceof VolumeNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * `POST /volumes` (202): `size` GiB named `name` (also its description, as Libcloud), in the availability zone
   * `location`, from `snapshot`, of `ex.volumeType`; bootable from `ex.imageRef`. The volume is `creating` first.
   */
  override *createVolumeOp(options: CreateVolumeOptions): Operation<StorageVolume> {
    this.checkVolumeOptions(options, 16_384);
    const ex = options.ex ?? {};
    if (typeof ex !== 'object' || Array.isArray(ex)) throw new InvalidArgumentError(`${this.type}: createVolume ex must be an object`, { provider: this.type });
    const unknown = Object.keys(ex).filter((k) => k !== 'volumeType' && k !== 'imageRef');
    if (unknown.length > 0) throw new InvalidArgumentError(`${this.type}: createVolume does not take ex.${unknown.join(', ex.')} (known: volumeType, imageRef)`, { provider: this.type });
    for (const key of ['volumeType', 'imageRef'] as const) {
      if (ex[key] !== undefined && (typeof ex[key] !== 'string' || ex[key] === '')) throw new InvalidArgumentError(`${this.type}: createVolume ex.${key} must be a non-empty string`, { provider: this.type });
    }
    const spec = createVolumeRequest({
      size: options.size,
      name: options.name,
      ...(options.location ? { availabilityZone: options.location.id } : {}),
      ...(options.snapshot ? { snapshotId: options.snapshot.id } : {}),
      ...(ex.volumeType ? { volumeType: ex.volumeType as string } : {}),
      ...(ex.imageRef ? { imageRef: ex.imageRef as string } : {}),
    });
    const response = yield* this.volumeConnection().send({ ...spec, ...(options.snapshot ? { errorCodes: SNAPSHOT_CODES } : {}) });
    return toVolume(jsonObject(response), this);
  }

  /**
   * Nova's `POST /servers/{id}/os-volume_attachments`; `device` (`/dev/vdb`) or Nova's choice when omitted or
   * `auto`. A missing server is `NodeNotFoundError`, a missing volume `VolumeNotFoundError`.
   */
  override *attachVolumeOp(node: Node, volume: StorageVolume, device?: string): Operation<boolean> {
    if (device !== undefined && (typeof device !== 'string' || device === '')) throw new InvalidArgumentError(`${this.type}: attachVolume device must be a path such as /dev/vdb`, { provider: this.type });
    const spec = attachVolumeRequest(node?.id, volume?.id, device === 'auto' ? undefined : device, this.microversion);
    try {
      return (yield* this.connection.send({ ...spec, errorCodes: EITHER_CODES })).status === 200;
    } catch (error) {
      throw this.whichMissing(error, node.id, volume.id);
    }
  }

  /** Nova says `Instance … could not be found` or `Volume … could not be found` under one `itemNotFound`. */
  private whichMissing(error: unknown, nodeId: string, volumeId: string): unknown {
    if (!(error instanceof NotFoundError) || error.constructor !== NotFoundError) return error;
    const options = { status: error.status, code: error.code, requestId: error.requestId, provider: error.provider };
    if (/\bvolume\b/i.test(error.message) && !/\binstance\b/i.test(error.message)) return new VolumeNotFoundError(`${this.type}: volume ${volumeId} does not exist (${error.message})`, options);
    return new NodeNotFoundError(`${this.type}: server ${nodeId} does not exist (${error.message})`, options);
  }

  /**
   * Detaches the volume from every server it is attached to (`DELETE /servers/{id}/os-volume_attachments/{vol}`),
   * as Libcloud's `detach_volume`, reading the volume's attachments afresh first. A volume attached nowhere is a
   * `RequestError`.
   */
  override *detachVolumeOp(volume: StorageVolume): Operation<boolean> {
    const fresh = yield* this.getVolumeOp(volume?.id);
    const attachments = fresh.extra.attachments as Array<Record<string, unknown>>;
    if (attachments.length === 0) throw new RequestError(`${this.type}: volume ${fresh.id} is not attached to any server`, { provider: this.type, code: 'VolumeNotAttached', status: 400 });
    for (const attachment of attachments) {
      const serverId = String(attachment.serverId ?? attachment.server_id ?? '');
      const attachmentId = String(attachment.id ?? attachment.volume_id ?? fresh.id);
      try {
        yield* this.connection.send({ ...detachVolumeRequest(serverId, attachmentId, this.microversion), errorCodes: EITHER_CODES });
      } catch (error) {
        throw this.whichMissing(error, serverId, fresh.id);
      }
    }
    return true;
  }

  /** Cinder's `DELETE /volumes/{id}`; true on 202 (or 204). */
  override *destroyVolumeOp(volume: StorageVolume): Operation<boolean> {
    const response = yield* this.volumeConnection().send({ ...deleteVolumeRequest(volume?.id), errorCodes: VOLUME_CODES });
    return response.status === 202 || response.status === 204;
  }

  // ---- snapshots (Cinder v3) --------------------------------------------------------------------------------

  /** Every page of `GET /snapshots/detail` (Libcloud's `ex_list_snapshots`). */
  private *allSnapshotsOp(): Operation<VolumeSnapshot[]> {
    return yield* collectPages(this.cinderPages('snapshots', (m) => listSnapshotsRequest(m, this.pageSize), (s) => toVolumeSnapshot(s, this)));
  }

  /** The snapshots whose `volume_id` is the volume's, as Libcloud filters them. */
  override *listVolumeSnapshotsOp(volume: StorageVolume): Operation<VolumeSnapshot[]> {
    if (!volume || typeof volume.id !== 'string' || volume.id === '') throw new InvalidArgumentError(`${this.type}: listVolumeSnapshots needs a volume`, { provider: this.type });
    return (yield* this.allSnapshotsOp()).filter((s) => s.extra.volume_id === volume.id);
  }

  /** `POST /snapshots` with `force: true` (as Libcloud: an attached volume can be snapshotted). */
  override *createVolumeSnapshotOp(volume: StorageVolume, name?: string): Operation<VolumeSnapshot> {
    if (name !== undefined) this.checkName('createVolumeSnapshot', 'name', name);
    const response = yield* this.volumeConnection().send({ ...createSnapshotRequest(volume?.id, name), errorCodes: VOLUME_CODES });
    return toVolumeSnapshot(jsonObject(response), this);
  }

  /** `DELETE /snapshots/{id}`; true on 202 or 204. */
  override *destroyVolumeSnapshotOp(snapshot: VolumeSnapshot): Operation<boolean> {
    const response = yield* this.volumeConnection().send({ ...deleteSnapshotRequest(snapshot?.id), errorCodes: SNAPSHOT_CODES });
    return response.status === 202 || response.status === 204;
  }

  // ---- key pairs (Nova os-keypairs) -------------------------------------------------------------------------

  /** `GET /os-keypairs` (`{ keypairs: [{ keypair: {...} }] }`). */
  override *listKeyPairsOp(): Operation<KeyPair[]> {
    const doc = jsonObject(yield* this.connection.send(listKeyPairsRequest(this.microversion)));
    return listOf(doc, 'keypairs').map((k) => toKeyPair(k.keypair && typeof k.keypair === 'object' ? k.keypair : k, this));
  }

  /** `GET /os-keypairs/{name}`; `KeyPairDoesNotExistError` when there is none. */
  override *getKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('getKeyPair', 'a name', name);
    return toKeyPair(this.keyPairOf(jsonObject(yield* this.connection.send({ ...getKeyPairRequest(name, this.microversion), errorCodes: KEY_CODES }))), this);
  }

  /** `POST /os-keypairs` with a name only: Nova generates the pair and returns the private key, once. */
  override *createKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('createKeyPair', 'a name', name);
    const keyPair = toKeyPair(this.keyPairOf(jsonObject(yield* this.connection.send({ ...createKeyPairRequest(name, undefined, this.microversion), errorCodes: KEY_CODES }))), this);
    if (keyPair.privateKey === undefined) {
      throw new MalformedResponseError(`${this.type}: the compute service created key pair ${name} without a private key (microversion 2.92 and later only import keys)`, { provider: this.type, code: 'UnexpectedDocument' });
    }
    return keyPair;
  }

  /** `POST /os-keypairs` with an OpenSSH public key (checked before sending). */
  override *importKeyPairFromStringOp(name: string, publicKey: string): Operation<KeyPair> {
    this.checkName('importKeyPairFromString', 'a name', name);
    parseSshPublicKey(publicKey);
    return toKeyPair(this.keyPairOf(jsonObject(yield* this.connection.send({ ...createKeyPairRequest(name, publicKey.trim(), this.microversion), errorCodes: KEY_CODES }))), this);
  }

  /** `DELETE /os-keypairs/{name}`; true on 202 (2.1) or 204. */
  override *deleteKeyPairOp(keyPair: KeyPair): Operation<boolean> {
    const response = yield* this.connection.send({ ...deleteKeyPairRequest(keyPair?.name, this.microversion), errorCodes: KEY_CODES });
    return response.status === 202 || response.status === 204;
  }

  private keyPairOf(doc: Record<string, any>): Record<string, any> {
    const keyPair = doc.keypair;
    if (!keyPair || typeof keyPair !== 'object' || Array.isArray(keyPair)) throw new MalformedResponseError(`${this.type}: the response has no keypair document`, { provider: this.type, code: 'UnexpectedDocument' });
    return keyPair;
  }

  // ---- images ---------------------------------------------------------------------------------------------

  /** Glance's `GET /v2/images/{id}` (Rackspace: the compute image proxy); `ImageNotFoundError` when there is none. */
  override *getImageOp(id: string): Operation<NodeImage> {
    this.checkName('getImage', 'an image id', id);
    try {
      if (this.#images === 'compute') {
        const doc = jsonObject(yield* this.connection.send({ ...getComputeImageRequest(id, this.microversion), errorCodes: IMAGE_CODES }));
        if (!doc.image || typeof doc.image !== 'object') throw new MalformedResponseError(`${this.type}: the response has no image document`, { provider: this.type, code: 'UnexpectedDocument' });
        return toImage(doc.image, this);
      }
      return toImage(jsonObject(yield* this.imageConnection().send({ ...getGlanceImageRequest(id), errorCodes: IMAGE_CODES })), this);
    } catch (error) {
      throw narrowNotFound(error, ImageNotFoundError);
    }
  }

  /**
   * The `createImage` server action (202; the new image's URL in `Location`, or `image_id` from microversion
   * 2.45), then the image as Glance shows it. `description` goes into the image's metadata (properties), with
   * any `ex.metadata`.
   */
  override *createImageOp(node: Node, name: string, options: CreateImageOptions = {}): Operation<NodeImage> {
    const ex = options?.ex ?? {};
    if (typeof ex !== 'object' || Array.isArray(ex)) throw new InvalidArgumentError(`${this.type}: createImage ex must be an object`, { provider: this.type });
    const unknown = Object.keys(ex).filter((k) => k !== 'metadata');
    if (unknown.length > 0) throw new InvalidArgumentError(`${this.type}: createImage does not take ex.${unknown.join(', ex.')} (known: metadata)`, { provider: this.type });
    const given = (ex.metadata ?? {}) as Record<string, unknown>;
    if (typeof given !== 'object' || Array.isArray(given) || Object.values(given).some((v) => typeof v !== 'string')) throw new InvalidArgumentError(`${this.type}: createImage ex.metadata must map strings to strings`, { provider: this.type });
    const description = options?.description;
    if (description !== undefined && typeof description !== 'string') throw new InvalidArgumentError(`${this.type}: createImage description must be a string`, { provider: this.type });
    const metadata = { ...(given as Record<string, string>), ...(description !== undefined ? { description } : {}) };
    const response = yield* this.connection.send(createServerImageRequest(node?.id, name, metadata, this.microversion));
    let id = imageIdFromLocation(response.header('location'));
    if (id === undefined && response.body.byteLength > 0) {
      const doc = jsonObject(response);
      if (typeof doc.image_id === 'string') id = doc.image_id;
    }
    if (id === undefined) throw new MalformedResponseError(`${this.type}: createImage answered without the new image's id (no Location header)`, { provider: this.type, code: 'UnexpectedDocument' });
    return yield* this.getImageOp(id);
  }

  /** Glance's `DELETE /v2/images/{id}` (Rackspace: the image proxy's); true on 204. */
  override *deleteImageOp(image: NodeImage): Operation<boolean> {
    try {
      const spec = this.#images === 'compute' ? deleteComputeImageRequest(image?.id, this.microversion) : deleteGlanceImageRequest(image?.id);
      const connection = this.#images === 'compute' ? this.connection : this.imageConnection();
      return (yield* connection.send({ ...spec, errorCodes: IMAGE_CODES })).status === 204;
    } catch (error) {
      throw narrowNotFound(error, ImageNotFoundError);
    }
  }

  /** OpenStack has no image copy between regions (Libcloud's driver does not implement it either). */
  override *copyImageOp(_sourceRegion: string, _image: NodeImage, _name: string, _options?: CopyImageOptions): Operation<NodeImage> {
    throw this.notImplemented('copyImage');
  }
}

function accepted(response: HttpResponse): boolean {
  return response.status === 202;
}

/**
 * The identity options of `options` (only the identity keys, so nothing else reaches the token source), with
 * Libcloud-style fallbacks: `key`/`secret` for the user and secret, `region` for `regionName`.
 */
export function authOptions(options: OpenStackNodeDriverOptions, fallbacks: Partial<OpenStackAuthOptions> = {}): OpenStackAuthOptions {
  const auth: Record<string, unknown> = {};
  for (const key of OPENSTACK_AUTH_OPTION_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) auth[key] = value;
  }
  for (const [key, value] of Object.entries(fallbacks)) if (auth[key] === undefined && value !== undefined) auth[key] = value;
  if (auth.regionName === undefined && options.region !== undefined) auth.regionName = options.region;
  return auth as OpenStackAuthOptions;
}
