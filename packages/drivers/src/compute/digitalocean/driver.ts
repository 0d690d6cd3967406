/**
 * DigitalOcean API v2 compute driver (JSON, bearer token).
 * @module
 */
import {
  checkOptionalOptions,
  collectPages,
  generateSshKeyPair,
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
  ProviderError,
  RateLimitError,
  bearerSigner,
  digitalOceanTokenFor,
  sleep,
  sshFingerprint,
  StorageVolume,
  TimeoutError,
  VolumeNotFoundError,
  VolumeSnapshot,
  VolumeSnapshotNotFoundError,
  type CopyImageOptions,
  type CreateImageOptions,
  type CreateNodeOptions,
  type CreateVolumeOptions,
  type DriverOptions,
  type ErrorCodeTable,
  type HttpResponse,
  type Operation,
  type Page,
  type PageOperation,
  type RequestSpec,
} from '@dualcloud/core';
import { Provider } from '../providers.js';
import { actionOf, jsonObject, listOf, nextPage, objectOf, parseDOError, toImage, toKeyPair, toLocation, toNode, toSize, toVolume, toVolumeSnapshot } from './parse.js';
import {
  actionStatusRequest,
  createDropletRequest,
  createKeyRequest,
  createVolumeRequest,
  createVolumeSnapshotRequest,
  DO_CREATE_VOLUME_EX_KEYS,
  DO_PER_PAGE,
  deleteDropletRequest,
  deleteImageRequest,
  deleteKeyRequest,
  deleteSnapshotRequest,
  deleteVolumeRequest,
  dropletActionRequest,
  dropletSnapshotRequest,
  dropletSnapshotsRequest,
  getImageRequest,
  getVolumeRequest,
  listRequest,
  pageRequest,
  transferImageRequest,
  updateImageRequest,
  volumeActionRequest,
  volumeSnapshotsRequest,
  type ActionTarget,
  type DigitalOceanCreateNodeExtras,
  type DigitalOceanCreateVolumeExtras,
} from './requests.js';

/**
 * DigitalOcean error ids with an exact error class. `not_found` is a node error here; the requests that address a
 * volume, snapshot, SSH key or image say which error their `not_found` is (a spec's own `errorCodes`).
 */
export const DO_ERROR_CODES: ErrorCodeTable = {
  unauthorized: InvalidCredentialsError,
  not_found: NodeNotFoundError,
  too_many_requests: RateLimitError,
};

/** Per-request error classes for `not_found` on the resources other than droplets. */
const VOLUME_CODES: ErrorCodeTable = { not_found: VolumeNotFoundError };
const SNAPSHOT_CODES: ErrorCodeTable = { not_found: VolumeSnapshotNotFoundError };
const KEY_CODES: ErrorCodeTable = { not_found: KeyPairDoesNotExistError };
const IMAGE_CODES: ErrorCodeTable = { not_found: ImageNotFoundError };
/** An attach names a volume and a droplet: which one is missing is found out afterwards. */
const EITHER_CODES: ErrorCodeTable = { not_found: NotFoundError };

/** Options of {@link DigitalOceanNodeDriver}: `key` is the API token (default: `DIGITALOCEAN_TOKEN`). */
export interface DigitalOceanNodeDriverOptions extends DriverOptions {
  /** Items per page of list calls (`per_page`, 1 to 200; default 200). */
  pageSize?: number;
  /**
   * How long to wait for an action (volume attach / detach, droplet snapshot, image transfer) to complete, in
   * milliseconds (default 600 000). The action is polled, from every 100 ms up to every 2 s.
   */
  actionTimeoutMs?: number;
}

/** `createVolume` arguments on DigitalOcean: `location` is the region; `ex` takes {@link DigitalOceanCreateVolumeExtras}. */
export interface DigitalOceanCreateVolumeOptions extends CreateVolumeOptions {
  ex?: DigitalOceanCreateVolumeExtras & Record<string, unknown>;
}

/** `copyImage` options on DigitalOcean: `ex.region` is the region the image is transferred to. */
export interface DigitalOceanCopyImageOptions extends CopyImageOptions {
  ex?: { region: string } & Record<string, unknown>;
}

/** `createNode` arguments on DigitalOcean; `ex` takes {@link DigitalOceanCreateNodeExtras}. */
export interface DigitalOceanCreateNodeOptions extends CreateNodeOptions {
  ex?: DigitalOceanCreateNodeExtras & Record<string, unknown>;
}

/**
 * DigitalOcean droplets through API v2.
 *
 * @example
 * ```ts
 * const d = new DigitalOceanNodeDriver({ key: process.env.DIGITALOCEAN_TOKEN! });
 * const droplets = d.listNodes();
 * ```
 */
export class DigitalOceanNodeDriver extends NodeDriver {
  static override readonly optionKeys: readonly string[] = [...NodeDriver.optionKeys, 'pageSize', 'actionTimeoutMs'];
  /** Provider name. */
  readonly type = Provider.DIGITAL_OCEAN;
  /** Driver name, as in Libcloud. */
  readonly name = 'DigitalOcean';
  /** `per_page` of list calls. */
  readonly pageSize: number;
  /** How long an action may take, in milliseconds. */
  readonly actionTimeoutMs: number;

  constructor(options: DigitalOceanNodeDriverOptions = {}) {
    super(options);
    const token = digitalOceanTokenFor(options?.key);
    const pageSize = options?.pageSize ?? DO_PER_PAGE;
    if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 200)) {
      throw new InvalidArgumentError('digitalocean: pageSize must be an integer from 1 to 200', { provider: 'digitalocean' });
    }
    this.pageSize = pageSize;
    const actionTimeoutMs = options?.actionTimeoutMs ?? 600_000;
    if (!(typeof actionTimeoutMs === 'number' && actionTimeoutMs > 0 && Number.isFinite(actionTimeoutMs))) {
      throw new InvalidArgumentError('digitalocean: actionTimeoutMs must be a positive number of milliseconds', { provider: 'digitalocean' });
    }
    this.actionTimeoutMs = actionTimeoutMs;
    this.connect({
      provider: 'digitalocean',
      host: 'api.digitalocean.com',
      credentials: bearerSigner(token),
      defaultHeaders: { accept: 'application/json' },
      parseError: parseDOError,
      errorCodes: DO_ERROR_CODES,
    });
  }

  /** Pages of a collection, following `links.pages.next`. */
  private pages<T>(collection: 'droplets' | 'images' | 'sizes' | 'regions', parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection, pageSize } = this;
    return function* (token): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(listRequest(collection, token, pageSize)));
      return { items: listOf(doc, collection).map(parse), next: nextPage(doc) };
    };
  }

  /** Pages of any collection below `/v2`: `key` holds the items (`volumes`, `ssh_keys`, `snapshots`). */
  private pagesOf<T>(request: (page: string | undefined) => RequestSpec, key: string, parse: (item: Record<string, any>) => T): PageOperation<T> {
    const { connection } = this;
    return function* (token): Operation<Page<T>> {
      const doc = jsonObject(yield* connection.send(request(token)));
      return { items: listOf(doc, key).map(parse), next: nextPage(doc) };
    };
  }

  /** Every page of droplets (`GET /v2/droplets`). */
  *listNodesOp(): Operation<Node[]> {
    return yield* collectPages(this.pages('droplets', (d) => toNode(d, this)));
  }

  *listImagesOp(): Operation<NodeImage[]> {
    return yield* collectPages(this.pages('images', (i) => toImage(i, this)));
  }

  *listSizesOp(): Operation<NodeSize[]> {
    return yield* collectPages(this.pages('sizes', (s) => toSize(s, this)));
  }

  /** Available regions (Libcloud's `ex_available=True` default). */
  *listLocationsOp(): Operation<NodeLocation[]> {
    const regions = yield* collectPages(this.pages('regions', (r) => r));
    return regions.filter((r) => r.available).map((r) => toLocation(r, this));
  }

  /** Creates a droplet (POST /v2/droplets, 202). Not retried: the API has no idempotency token. */
  *createNodeOp(options: DigitalOceanCreateNodeOptions): Operation<Node> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('digitalocean: createNode needs options');
    const spec = createDropletRequest({
      name: options.name,
      size: options.size?.id,
      image: options.image?.id,
      ...(options.location ? { region: options.location.id } : {}),
      ex: options.ex,
    });
    const doc = jsonObject(yield* this.connection.send(spec));
    if (!doc.droplet || typeof doc.droplet !== 'object') throw new MalformedResponseError('digitalocean: the create response has no droplet', { provider: 'digitalocean', code: 'UnexpectedDocument' });
    return toNode(doc.droplet, this);
  }

  *rebootNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'reboot')));
  }

  *startNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'power_on')));
  }

  *stopNodeOp(node: Node): Operation<boolean> {
    return actionStarted(yield* this.connection.send(dropletActionRequest(node?.id, 'power_off')));
  }

  /** DELETE /v2/droplets/{id}; true on 204 No Content (as Libcloud). */
  *destroyNodeOp(node: Node): Operation<boolean> {
    const response = yield* this.connection.send(deleteDropletRequest(node?.id));
    return response.status === 204;
  }

  // ---- actions ----------------------------------------------------------------------------------------------

  /**
   * Polls an action until it is `completed` (from every 100 ms up to every 2 s, within `actionTimeoutMs`);
   * `errored` is a `ProviderError`.
   */
  private *waitForActionOp(target: ActionTarget, actionId: string, what: string): Operation<void> {
    const deadline = Date.now() + this.actionTimeoutMs;
    let delay = 100;
    for (;;) {
      const { status } = actionOf(jsonObject(yield* this.connection.send(actionStatusRequest(target, actionId))));
      if (status === 'completed') return;
      if (status === 'errored') throw new ProviderError(`digitalocean: ${what} failed (action ${actionId} errored)`, { provider: 'digitalocean', code: 'ActionErrored' });
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`digitalocean: ${what} did not complete within ${this.actionTimeoutMs} ms (action ${actionId} is ${status})`, { provider: 'digitalocean', code: 'ActionTimeout' });
      yield* sleep(Math.min(delay, left));
      delay = Math.min(delay * 1.5, 2_000);
    }
  }

  /** The action a response started (201 / 202 with `{ action }`). */
  private startedAction(response: HttpResponse): string {
    return actionOf(jsonObject(response)).id;
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  /** Every page of `GET /v2/volumes`. */
  override *listVolumesOp(): Operation<StorageVolume[]> {
    return yield* collectPages(this.pagesOf((page) => pageRequest('/v2/volumes', page, this.pageSize), 'volumes', (v) => toVolume(v, this)));
  }

  /** `GET /v2/volumes/{id}`, undefined once it is gone. */
  protected override *refreshVolumeOp(volume: StorageVolume): Operation<StorageVolume | undefined> {
    try {
      return yield* this.getVolumeOp(volume?.id);
    } catch (error) {
      if (error instanceof VolumeNotFoundError) return undefined;
      throw error;
    }
  }

  private *getVolumeOp(id: string): Operation<StorageVolume> {
    return toVolume(objectOf(jsonObject(yield* this.connection.send({ ...getVolumeRequest(id), errorCodes: VOLUME_CODES })), 'volume'), this);
  }

  /**
   * POST /v2/volumes in the region `location` names (its id, the region slug), or where `snapshot` is. The
   * volume is `available` at once (DigitalOcean creates volumes synchronously). Not retried.
   */
  override *createVolumeOp(options: DigitalOceanCreateVolumeOptions): Operation<StorageVolume> {
    this.checkVolumeOptions(options, 16_384);
    checkOptionalOptions(`${this.name}: createVolume ex`, options.ex, DO_CREATE_VOLUME_EX_KEYS);
    const spec = createVolumeRequest({
      size: options.size,
      name: options.name,
      ...(options.location ? { region: options.location.id } : {}),
      ...(options.snapshot ? { snapshotId: options.snapshot.id } : {}),
      ...(options.ex ? { ex: options.ex } : {}),
    });
    const errorCodes = options.snapshot ? SNAPSHOT_CODES : {};
    return toVolume(objectOf(jsonObject(yield* this.connection.send({ ...spec, errorCodes })), 'volume'), this);
  }

  /**
   * Attaches with a volume action and waits until the action completes. DigitalOcean chooses the device, so
   * `device` must be omitted. A missing droplet is `NodeNotFoundError`, a missing volume `VolumeNotFoundError`.
   */
  override *attachVolumeOp(node: Node, volume: StorageVolume, device?: string): Operation<boolean> {
    if (device !== undefined) throw new InvalidArgumentError('digitalocean: attachVolume takes no device (DigitalOcean chooses it)', { provider: 'digitalocean' });
    if (!node || typeof node.id !== 'string') throw new InvalidArgumentError('digitalocean: attachVolume needs a node', { provider: 'digitalocean' });
    const region = yield* this.volumeRegionOp(volume);
    let response: HttpResponse;
    try {
      response = yield* this.connection.send({ ...volumeActionRequest(volume.id, 'attach', node.id, region), errorCodes: EITHER_CODES });
    } catch (error) {
      if (error instanceof NotFoundError && !(error instanceof VolumeNotFoundError)) {
        yield* this.getVolumeOp(volume.id); // VolumeNotFoundError when the volume is the missing one
        throw new NodeNotFoundError(`digitalocean: droplet ${node.id} does not exist (attach volume ${volume.id})`, { provider: 'digitalocean', status: error.status ?? 404, code: error.code ?? 'not_found' });
      }
      throw error;
    }
    yield* this.waitForActionOp({ kind: 'volume', id: volume.id }, this.startedAction(response), `attaching volume ${volume.id} to droplet ${node.id}`);
    return true;
  }

  /** The region slug of a volume: from the model, else read from the API. */
  private *volumeRegionOp(volume: StorageVolume): Operation<string> {
    if (!volume || typeof volume.id !== 'string') throw new InvalidArgumentError('digitalocean: give a volume', { provider: 'digitalocean' });
    const slug = volume.extra.region_slug;
    if (typeof slug === 'string' && slug !== '') return slug;
    const fresh = (yield* this.getVolumeOp(volume.id)).extra.region_slug;
    if (typeof fresh !== 'string') throw new MalformedResponseError(`digitalocean: volume ${volume.id} names no region`, { provider: 'digitalocean', code: 'UnexpectedDocument' });
    return fresh;
  }

  /**
   * Detaches the volume from every droplet it is attached to now (read fresh: the model may predate the
   * attachment), one volume action each, waiting for each to complete. False when it was attached to none.
   */
  override *detachVolumeOp(volume: StorageVolume): Operation<boolean> {
    if (!volume || typeof volume.id !== 'string') throw new InvalidArgumentError('digitalocean: detachVolume needs a volume', { provider: 'digitalocean' });
    const fresh = yield* this.getVolumeOp(volume.id);
    const dropletIds = (fresh.extra.droplet_ids as unknown[]).map(String);
    const region = String(fresh.extra.region_slug);
    for (const dropletId of dropletIds) {
      const response = yield* this.connection.send({ ...volumeActionRequest(volume.id, 'detach', dropletId, region), errorCodes: VOLUME_CODES });
      yield* this.waitForActionOp({ kind: 'volume', id: volume.id }, this.startedAction(response), `detaching volume ${volume.id} from droplet ${dropletId}`);
    }
    return dropletIds.length > 0;
  }

  /** DELETE /v2/volumes/{id}; true on 204. */
  override *destroyVolumeOp(volume: StorageVolume): Operation<boolean> {
    return (yield* this.connection.send({ ...deleteVolumeRequest(volume?.id), errorCodes: VOLUME_CODES })).status === 204;
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  override *listVolumeSnapshotsOp(volume: StorageVolume): Operation<VolumeSnapshot[]> {
    const id = volume?.id;
    return yield* collectPages(
      this.pagesOf((page) => ({ ...volumeSnapshotsRequest(id, page, this.pageSize), errorCodes: VOLUME_CODES }), 'snapshots', (s) => toVolumeSnapshot(s, this)),
    );
  }

  /**
   * POST /v2/volumes/{id}/snapshots. DigitalOcean needs a name: without one, the volume's name and the time
   * (`data-20261121-101500`). The snapshot is `available` at once. Not retried.
   */
  override *createVolumeSnapshotOp(volume: StorageVolume, name?: string): Operation<VolumeSnapshot> {
    if (name !== undefined) this.checkName('createVolumeSnapshot', 'a name', name);
    const given = name ?? `${volume?.name || 'volume'}-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    const response = yield* this.connection.send({ ...createVolumeSnapshotRequest(volume?.id, given), errorCodes: VOLUME_CODES });
    return toVolumeSnapshot(objectOf(jsonObject(response), 'snapshot'), this);
  }

  /** DELETE /v2/snapshots/{id}; true on 204. */
  override *destroyVolumeSnapshotOp(snapshot: VolumeSnapshot): Operation<boolean> {
    return (yield* this.connection.send({ ...deleteSnapshotRequest(snapshot?.id), errorCodes: SNAPSHOT_CODES })).status === 204;
  }

  // ---- SSH keys ---------------------------------------------------------------------------------------------

  /** Every page of `GET /v2/account/keys`. */
  override *listKeyPairsOp(): Operation<KeyPair[]> {
    return yield* collectPages(this.pagesOf((page) => pageRequest('/v2/account/keys', page, this.pageSize, 'list ssh keys'), 'ssh_keys', (k) => toKeyPair(k, this)));
  }

  /** The key named `name` (DigitalOcean looks keys up by id or fingerprint only, so the list is read). */
  override *getKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('getKeyPair', 'a name', name);
    const found = (yield* this.listKeyPairsOp()).find((k) => k.name === name);
    if (!found) throw new KeyPairDoesNotExistError(`digitalocean: no SSH key named "${name}"`, { provider: 'digitalocean', code: 'not_found', status: 404 });
    return found;
  }

  /**
   * DigitalOcean only imports public keys: an Ed25519 pair is generated here, its public key imported, and the
   * returned key pair holds the private key (OpenSSH format), once.
   */
  override *createKeyPairOp(name: string): Operation<KeyPair> {
    this.checkName('createKeyPair', 'a name', name);
    const generated = generateSshKeyPair(name);
    const imported = yield* this.importKeyOp(name, generated.publicKey);
    return new KeyPair({ name: imported.name, fingerprint: imported.fingerprint, publicKey: generated.publicKey, privateKey: generated.privateKey, extra: imported.extra }, this);
  }

  /** POST /v2/account/keys of an OpenSSH public key line (checked before sending). */
  override *importKeyPairFromStringOp(name: string, publicKey: string): Operation<KeyPair> {
    this.checkName('importKeyPairFromString', 'a name', name);
    return yield* this.importKeyOp(name, publicKey);
  }

  /**
   * Imports a key after checking that no key has that name or that public key: DigitalOcean accepts two keys
   * with one name (and `getKeyPair` could not tell them apart) and refuses a key already there with a 422.
   */
  private *importKeyOp(name: string, publicKey: string): Operation<KeyPair> {
    const parsed = parseSshPublicKey(publicKey);
    const fingerprint = sshFingerprint(parsed);
    const clash = (yield* this.listKeyPairsOp()).find((k) => k.name === name || k.fingerprint === fingerprint);
    if (clash) {
      const why = clash.name === name ? `an SSH key named "${name}" already exists` : `that public key is already imported as "${clash.name}"`;
      throw new KeyPairAlreadyExistsError(`digitalocean: ${why}`, { provider: 'digitalocean', code: 'KeyPairExists' });
    }
    const response = yield* this.connection.send(createKeyRequest(name, publicKey.trim()));
    return toKeyPair(objectOf(jsonObject(response), 'ssh_key'), this);
  }

  /** DELETE /v2/account/keys/{id} (the fingerprint when the model has no id); true on 204. */
  override *deleteKeyPairOp(keyPair: KeyPair): Operation<boolean> {
    const id = keyPair?.extra.id ?? keyPair?.fingerprint;
    return (yield* this.connection.send({ ...deleteKeyRequest(String(id)), errorCodes: KEY_CODES })).status === 204;
  }

  // ---- images -----------------------------------------------------------------------------------------------

  /** GET /v2/images/{id} (an id or a public image's slug). */
  override *getImageOp(id: string): Operation<NodeImage> {
    this.checkName('getImage', 'an image id', id);
    return toImage(objectOf(jsonObject(yield* this.connection.send({ ...getImageRequest(id), errorCodes: IMAGE_CODES })), 'image'), this);
  }

  /**
   * A droplet `snapshot` action, waited for; the image is then found among the droplet's snapshots by name
   * (the newest of that name), and given `description` with a PUT when one is asked for.
   */
  override *createImageOp(node: Node, name: string, options: CreateImageOptions = {}): Operation<NodeImage> {
    this.checkName('createImage', 'a name', name);
    checkOptionalOptions(`${this.name}: createImage ex`, options?.ex, []);
    const response = yield* this.connection.send(dropletSnapshotRequest(node?.id, name));
    yield* this.waitForActionOp({ kind: 'any' }, this.startedAction(response), `snapshotting droplet ${node.id}`);
    const snapshots = yield* collectPages(this.pagesOf((page) => dropletSnapshotsRequest(node.id, page, this.pageSize), 'snapshots', (i) => i));
    const mine = snapshots.filter((i) => i.name === name).sort((a, b) => Number(b.id) - Number(a.id))[0];
    if (!mine) throw new MalformedResponseError(`digitalocean: the snapshot "${name}" of droplet ${node.id} completed but is not listed`, { provider: 'digitalocean', code: 'UnexpectedDocument' });
    const image = toImage(mine, this);
    const description = options?.description;
    if (description === undefined) return image;
    return toImage(objectOf(jsonObject(yield* this.connection.send({ ...updateImageRequest(image.id, description), errorCodes: IMAGE_CODES })), 'image'), this);
  }

  /** DELETE /v2/images/{id}; true on 204. */
  override *deleteImageOp(image: NodeImage): Operation<boolean> {
    return (yield* this.connection.send({ ...deleteImageRequest(image?.id), errorCodes: IMAGE_CODES })).status === 204;
  }

  /**
   * Transfers the image to the region `ex.region` and waits until the transfer completes. DigitalOcean copies
   * the image itself (same id, one more region), so `name` must be the image's name and a description cannot
   * be given; `sourceRegion` must be one of the image's regions. An image already in the region is returned
   * as it is.
   */
  override *copyImageOp(sourceRegion: string, image: NodeImage, name: string, options: DigitalOceanCopyImageOptions = {} as DigitalOceanCopyImageOptions): Operation<NodeImage> {
    checkOptionalOptions(`${this.name}: copyImage ex`, options?.ex, ['region']);
    const region = options?.ex?.region;
    if (typeof region !== 'string' || region === '') throw new InvalidArgumentError('digitalocean: copyImage needs the destination region as ex.region (e.g. { ex: { region: "ams3" } })', { provider: 'digitalocean' });
    if (options?.description !== undefined) throw new InvalidArgumentError('digitalocean: copyImage takes no description (the transferred image is the same image)', { provider: 'digitalocean' });
    const current = yield* this.getImageOp(image?.id);
    if (name !== current.name) throw new InvalidArgumentError(`digitalocean: a transferred image keeps its name: pass "${current.name}" as name`, { provider: 'digitalocean' });
    const regions = Array.isArray(current.extra.regions) ? (current.extra.regions as unknown[]).map(String) : [];
    if (!regions.includes(sourceRegion)) throw new InvalidArgumentError(`digitalocean: image ${current.id} is not in ${sourceRegion} (it is in ${regions.join(', ') || 'no region'})`, { provider: 'digitalocean' });
    if (regions.includes(region)) return current;
    const response = yield* this.connection.send({ ...transferImageRequest(current.id, region), errorCodes: IMAGE_CODES });
    yield* this.waitForActionOp({ kind: 'image', id: current.id }, this.startedAction(response), `transferring image ${current.id} to ${region}`);
    return yield* this.getImageOp(current.id);
  }
}

/** An action request succeeded when DigitalOcean answers 201 with an action document (as Libcloud checks). */
function actionStarted(response: HttpResponse): boolean {
  if (response.status !== 201) return false;
  const doc = jsonObject(response);
  return typeof doc.action === 'object' && doc.action !== null;
}
