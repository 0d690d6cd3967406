/**
 * DigitalOcean block storage volumes (and their actions and snapshots), SSH keys, and the account's own images
 * (droplet snapshots, image actions). Volumes are created at once (201, no status); attaching and detaching
 * are volume actions that are `in-progress` for the boot delay and change `droplet_ids` when they complete.
 * A droplet `snapshot` action makes a private image when it completes; an image `transfer` adds a region.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { parseSshPublicKey, sshFingerprint } from '@dualcloud/core';
import { DO_IMAGES, DO_REGIONS, DO_SIZES, imageJson, regionJson } from './digitalocean-catalog.js';
import { ApiError, type FakeRequest, type FakeResponse } from './wire.js';

/** What the resources need of the droplet emulator. */
export interface DoContext {
  /** A droplet (advanced to `now`), or a 404. */
  droplet(id: string | number, now: number): DoDropletView;
  /** Whether the droplet exists. */
  hasDroplet(id: number): boolean;
  /** Starts an action that completes after the boot delay. */
  startAction(resourceType: 'droplet' | 'volume' | 'image', resourceId: number | string, regionSlug: string, type: string, now: number): DoAction;
  /** An action as JSON. */
  actionJson(action: DoAction, now: number): Record<string, unknown>;
  /** The actions started so far. */
  actions(): Iterable<DoAction>;
  /** One page of a collection, with `links.pages` and `meta.total`. */
  page(req: FakeRequest, key: string, items: unknown[]): FakeResponse;
  /** The time actions take (ms). */
  bootMs(): number;
}

/** What the resources read of a droplet (and may lock with a pending event). */
export interface DoDropletView {
  readonly id: number;
  readonly name: string;
  readonly regionSlug: string;
  readonly sizeSlug: string;
  readonly imageId: number;
  status: string;
  pending?: { readonly status: 'new' | 'active' | 'off'; readonly at: number };
}

/** An action, on any resource. */
export interface DoAction {
  readonly id: number;
  readonly type: string;
  readonly resourceType: 'droplet' | 'volume' | 'image';
  readonly resourceId: number | string;
  readonly regionSlug: string;
  readonly startedAt: number;
  readonly completesAt: number;
}

interface Volume {
  readonly id: string;
  readonly name: string;
  readonly regionSlug: string;
  readonly size: number;
  readonly description: string;
  readonly createdAt: string;
  readonly filesystemType: string;
  readonly filesystemLabel: string;
  readonly tags: string[];
  dropletIds: number[];
  /** The action in progress on it, if any. */
  busyUntil?: number;
}

interface Snapshot {
  readonly id: string;
  readonly name: string;
  readonly volumeId: string;
  readonly regionSlug: string;
  readonly minDiskSize: number;
  readonly createdAt: string;
  readonly tags: string[];
}

interface SshKey {
  readonly id: number;
  name: string;
  readonly fingerprint: string;
  readonly publicKey: string;
}

interface UserImage {
  readonly id: number;
  name: string;
  description: string;
  readonly distribution: string;
  readonly regions: string[];
  readonly createdAt: string;
  readonly minDiskSize: number;
  readonly sizeGigabytes: number;
  readonly dropletId: number;
  readonly tags: string[];
}

/** A completion that changes state when an action ends. */
interface Completion {
  readonly at: number;
  readonly apply: () => void;
}

/** Volume names: lower-case letters, digits and `-`, starting with a letter, at most 64 characters. */
const VOLUME_NAME = /^[a-z][a-z0-9-]{0,63}$/;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function json(status: number, value: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'The resource you were accessing could not be found.');
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'unprocessable_entity', message);
}

/** DigitalOcean volumes, snapshots, SSH keys and private images. */
export class DoResources {
  private readonly volumes = new Map<string, Volume>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly keys = new Map<number, SshKey>();
  private readonly images = new Map<number, UserImage>();
  private completions: Completion[] = [];
  private nextKeyId = 41_000_001;
  private nextImageId = 170_000_001;

  constructor(private readonly ctx: DoContext) {}

  /** Applies the effects of every action that has completed by `now`. */
  settle(now: number): void {
    if (this.completions.length === 0) return;
    const due = this.completions.filter((c) => c.at <= now).sort((a, b) => a.at - b.at);
    if (due.length === 0) return;
    this.completions = this.completions.filter((c) => c.at > now);
    for (const c of due) c.apply();
  }

  /** Handles the request when it is one of these resources' routes; undefined otherwise. */
  route(req: FakeRequest, path: string, body: () => Record<string, unknown>): FakeResponse | undefined {
    const method = req.method;
    const now = req.now;
    if (path === '/v2/volumes') {
      if (method === 'GET') return this.listVolumes(req);
      if (method === 'POST') return this.createVolume(body(), now);
    }
    let m = /^\/v2\/volumes\/([\w-]+)$/.exec(path);
    if (m) {
      if (method === 'GET') return json(200, { volume: this.volumeJson(this.volume(m[1]!)) });
      if (method === 'DELETE') return this.deleteVolume(m[1]!, now);
    }
    m = /^\/v2\/volumes\/([\w-]+)\/actions$/.exec(path);
    if (m) {
      if (method === 'POST') return this.volumeAction(m[1]!, body(), now);
      if (method === 'GET') {
        const volume = this.volume(m[1]!);
        return this.ctx.page(req, 'actions', this.actionsOf('volume', volume.id).map((a) => this.ctx.actionJson(a, now)));
      }
    }
    m = /^\/v2\/(volumes|images)\/([\w-]+)\/actions\/(\d+)$/.exec(path);
    if (m && method === 'GET') {
      const kind = m[1] === 'volumes' ? 'volume' : 'image';
      const owner = kind === 'volume' ? this.volume(m[2]!).id : this.ownImage(m[2]!).id;
      const action = this.actionsOf(kind, owner).find((a) => String(a.id) === m![3]);
      if (!action) throw notFound();
      return json(200, { action: this.ctx.actionJson(action, now) });
    }
    m = /^\/v2\/volumes\/([\w-]+)\/snapshots$/.exec(path);
    if (m) {
      const volume = this.volume(m[1]!);
      if (method === 'GET') return this.ctx.page(req, 'snapshots', [...this.snapshots.values()].filter((s) => s.volumeId === volume.id).map((s) => this.snapshotJson(s)));
      if (method === 'POST') return this.createSnapshot(volume, body(), now);
    }
    if (path === '/v2/snapshots' && method === 'GET') {
      const type = req.query.get('resource_type');
      const volumes = type === 'droplet' ? [] : [...this.snapshots.values()].map((s) => this.snapshotJson(s));
      const droplets = type === 'volume' ? [] : [...this.images.values()].map((i) => this.dropletSnapshotJson(i));
      return this.ctx.page(req, 'snapshots', [...droplets, ...volumes]);
    }
    m = /^\/v2\/snapshots\/([\w-]+)$/.exec(path);
    if (m) {
      const volumeSnapshot = this.snapshots.get(m[1]!);
      const image = /^\d+$/.test(m[1]!) ? this.images.get(Number(m[1])) : undefined;
      if (!volumeSnapshot && !image) throw notFound();
      if (method === 'GET') return json(200, { snapshot: volumeSnapshot ? this.snapshotJson(volumeSnapshot) : this.dropletSnapshotJson(image!) });
      if (method === 'DELETE') {
        if (volumeSnapshot) this.snapshots.delete(volumeSnapshot.id);
        else this.images.delete(image!.id);
        return { status: 204, headers: {} };
      }
    }
    if (path === '/v2/account/keys') {
      if (method === 'GET') return this.ctx.page(req, 'ssh_keys', [...this.keys.values()].map((k) => this.keyJson(k)));
      if (method === 'POST') return this.createKey(body());
    }
    m = /^\/v2\/account\/keys\/([\w:]+)$/.exec(path);
    if (m) {
      const key = this.key(m[1]!);
      if (method === 'GET') return json(200, { ssh_key: this.keyJson(key) });
      if (method === 'PUT') {
        const name = body().name;
        if (typeof name !== 'string' || name.trim() === '') throw unprocessable("Name can't be blank");
        key.name = name;
        return json(200, { ssh_key: this.keyJson(key) });
      }
      if (method === 'DELETE') {
        this.keys.delete(key.id);
        return { status: 204, headers: {} };
      }
    }
    m = /^\/v2\/droplets\/(\d+)\/snapshots$/.exec(path);
    if (m && method === 'GET') {
      const droplet = this.ctx.droplet(m[1]!, now);
      return this.ctx.page(req, 'snapshots', [...this.images.values()].filter((i) => i.dropletId === droplet.id).map((i) => this.dropletSnapshotJson(i)));
    }
    m = /^\/v2\/images\/(\d+)$/.exec(path);
    if (m && (method === 'PUT' || method === 'DELETE')) {
      const image = this.ownImage(m[1]!);
      if (method === 'DELETE') {
        this.images.delete(image.id);
        return { status: 204, headers: {} };
      }
      const update = body();
      if (update.name !== undefined) {
        if (typeof update.name !== 'string' || update.name.trim() === '') throw unprocessable("Name can't be blank");
        image.name = update.name;
      }
      if (update.description !== undefined) {
        if (typeof update.description !== 'string' || update.description.length > 1024) throw unprocessable('Description must be a string of at most 1024 characters');
        image.description = update.description;
      }
      return json(200, { image: this.userImageJson(image) });
    }
    m = /^\/v2\/images\/(\d+)\/actions$/.exec(path);
    if (m) {
      if (method === 'POST') return this.imageAction(m[1]!, body(), now);
      if (method === 'GET') {
        const image = this.ownImage(m[1]!);
        return this.ctx.page(req, 'actions', this.actionsOf('image', image.id).map((a) => this.ctx.actionJson(a, now)));
      }
    }
    return undefined;
  }

  // ---- what the droplet emulator asks ------------------------------------------------------------------------

  /** The account's images for `GET /v2/images` (after the public ones). */
  privateImages(): Array<Record<string, unknown>> {
    return [...this.images.values()].map((i) => this.userImageJson(i));
  }

  /** A private image by id, as JSON, if there is one. */
  privateImage(id: string): Record<string, unknown> | undefined {
    const image = /^\d+$/.test(id) ? this.images.get(Number(id)) : undefined;
    return image ? this.userImageJson(image) : undefined;
  }

  /** A private image a droplet can be created from (in `region`), by id. */
  launchable(id: unknown, region: string): { id: number; distribution: string } | undefined {
    const image = typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)) ? this.images.get(Number(id)) : undefined;
    if (!image) return undefined;
    if (!image.regions.includes(region)) throw unprocessable(`The image is not available in ${region}; transfer it there first.`);
    return image;
  }

  /** The ids of the volumes attached to a droplet. */
  volumeIdsOf(dropletId: number): string[] {
    return [...this.volumes.values()].filter((v) => v.dropletIds.includes(dropletId)).map((v) => v.id);
  }

  /** A destroyed droplet's volumes are detached (they stay). */
  onDropletDeleted(dropletId: number): void {
    for (const v of this.volumes.values()) v.dropletIds = v.dropletIds.filter((id) => id !== dropletId);
  }

  /** The image JSON of a droplet's image: public, or private (a minimal record if it was deleted since). */
  imageJsonFor(id: number): Record<string, unknown> {
    const publicImage = DO_IMAGES.find((i) => i.id === id);
    if (publicImage) return imageJson(publicImage);
    const own = this.images.get(id);
    return own ? this.userImageJson(own) : { id, name: 'deleted image', distribution: 'Unknown', slug: null, public: false, regions: [], type: 'snapshot', status: 'deleted' };
  }

  /**
   * A droplet `snapshot` action: the droplet is locked (a pending event) until the action completes, and a
   * private image appears then.
   */
  snapshotDroplet(droplet: DoDropletView, body: Record<string, unknown>, now: number): Record<string, unknown> {
    const name = body.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw unprocessable('You must specify a name for the snapshot.');
    const action = this.ctx.startAction('droplet', droplet.id, droplet.regionSlug, 'snapshot', now);
    droplet.pending = { status: droplet.status as 'new' | 'active' | 'off', at: action.completesAt };
    const size = DO_SIZES.find((s) => s.slug === droplet.sizeSlug);
    const source = this.imageJsonFor(droplet.imageId);
    this.completions.push({
      at: action.completesAt,
      apply: () => {
        const id = this.nextImageId++;
        this.images.set(id, {
          id,
          name,
          description: '',
          distribution: String(source.distribution ?? 'Unknown'),
          regions: [droplet.regionSlug],
          createdAt: stamp(action.completesAt),
          minDiskSize: size?.disk ?? 25,
          sizeGigabytes: 2.36,
          dropletId: droplet.id,
          tags: [],
        });
      },
    });
    return this.ctx.actionJson(action, now);
  }

  // ---- volumes ----------------------------------------------------------------------------------------------

  private volume(id: string): Volume {
    const v = this.volumes.get(id);
    if (!v) throw notFound();
    return v;
  }

  private volumeJson(v: Volume): Record<string, unknown> {
    return {
      id: v.id,
      region: regionJson(DO_REGIONS.find((r) => r.slug === v.regionSlug)!),
      droplet_ids: [...v.dropletIds],
      name: v.name,
      description: v.description,
      size_gigabytes: v.size,
      created_at: v.createdAt,
      filesystem_type: v.filesystemType,
      filesystem_label: v.filesystemLabel,
      tags: [...v.tags],
    };
  }

  private listVolumes(req: FakeRequest): FakeResponse {
    const region = req.query.get('region');
    const name = req.query.get('name');
    const list = [...this.volumes.values()].filter((v) => (!region || v.regionSlug === region) && (!name || v.name === name));
    return this.ctx.page(req, 'volumes', list.map((v) => this.volumeJson(v)));
  }

  private createVolume(body: Record<string, unknown>, now: number): FakeResponse {
    const name = body.name;
    if (typeof name !== 'string' || !VOLUME_NAME.test(name)) throw unprocessable('Name must be lowercase letters, numbers and hyphens, start with a letter, and be at most 64 characters.');
    let snapshot: Snapshot | undefined;
    if (body.snapshot_id !== undefined) {
      snapshot = typeof body.snapshot_id === 'string' ? this.snapshots.get(body.snapshot_id) : undefined;
      if (!snapshot) throw new ApiError(404, 'not_found', 'The snapshot you specified could not be found.');
    }
    const regionSlug = body.region ?? snapshot?.regionSlug;
    if (typeof regionSlug !== 'string' || !DO_REGIONS.some((r) => r.slug === regionSlug)) throw unprocessable('Region is not available or not supported for block storage.');
    if (snapshot && snapshot.regionSlug !== regionSlug) throw unprocessable('The snapshot is not in that region.');
    const size = body.size_gigabytes;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 16_384) throw unprocessable('size_gigabytes must be an integer from 1 to 16384.');
    if (snapshot && size < snapshot.minDiskSize) throw unprocessable(`The volume must be at least ${snapshot.minDiskSize} GiB, the size of the snapshot's volume.`);
    if ([...this.volumes.values()].some((v) => v.name === name && v.regionSlug === regionSlug)) throw new ApiError(409, 'conflict', `a volume named ${name} already exists in ${regionSlug}`);
    const fsType = body.filesystem_type;
    if (fsType !== undefined && fsType !== 'ext4' && fsType !== 'xfs') throw unprocessable('filesystem_type must be ext4 or xfs.');
    const volume: Volume = {
      id: randomUUID(),
      name,
      regionSlug,
      size,
      description: typeof body.description === 'string' ? body.description : '',
      createdAt: stamp(now),
      filesystemType: typeof fsType === 'string' ? fsType : '',
      filesystemLabel: typeof body.filesystem_label === 'string' ? body.filesystem_label : '',
      tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [],
      dropletIds: [],
    };
    this.volumes.set(volume.id, volume);
    return json(201, { volume: this.volumeJson(volume) });
  }

  private deleteVolume(id: string, now: number): FakeResponse {
    const volume = this.volume(id);
    if (volume.dropletIds.length > 0 || (volume.busyUntil ?? 0) > now) throw new ApiError(409, 'conflict', 'The volume is attached to a droplet (or has a pending event); detach it first.');
    this.volumes.delete(id);
    return { status: 204, headers: {} };
  }

  /**
   * Attach / detach. An attach needs a droplet that exists (404), is `active` with no pending event (this
   * emulator refuses a powered-off droplet), in the volume's region; a volume attached to none.
   */
  private volumeAction(id: string, body: Record<string, unknown>, now: number): FakeResponse {
    const volume = this.volume(id);
    const type = body.type;
    if (type !== 'attach' && type !== 'detach') throw unprocessable(`Invalid action type: ${String(type)}`);
    const dropletId = typeof body.droplet_id === 'number' ? body.droplet_id : Number(body.droplet_id);
    if (!Number.isInteger(dropletId)) throw unprocessable('droplet_id is required.');
    if (body.region !== undefined && body.region !== volume.regionSlug) throw unprocessable(`The volume is in ${volume.regionSlug}, not ${String(body.region)}.`);
    if ((volume.busyUntil ?? 0) > now) throw unprocessable('Volume already has a pending event.');
    if (type === 'attach') {
      const droplet = this.ctx.droplet(dropletId, now);
      if (droplet.regionSlug !== volume.regionSlug) throw unprocessable('Volume and droplet must be in the same region.');
      if (droplet.pending) throw unprocessable('Droplet already has a pending event.');
      if (droplet.status !== 'active') throw unprocessable(`Droplet must be powered on to attach a volume (it is ${droplet.status}).`);
      if (volume.dropletIds.length > 0) throw unprocessable('Volume is already attached to a droplet.');
    } else if (!volume.dropletIds.includes(dropletId)) {
      throw unprocessable('Attachment not found');
    }
    const action = this.ctx.startAction('volume', volume.id, volume.regionSlug, type === 'attach' ? 'attach_volume' : 'detach_volume', now);
    volume.busyUntil = action.completesAt;
    this.completions.push({
      at: action.completesAt,
      apply: () => {
        volume.busyUntil = undefined;
        if (type === 'detach') volume.dropletIds = volume.dropletIds.filter((d) => d !== dropletId);
        else if (this.ctx.hasDroplet(dropletId) && !volume.dropletIds.includes(dropletId)) volume.dropletIds.push(dropletId);
      },
    });
    return json(202, { action: this.ctx.actionJson(action, now) });
  }

  private actionsOf(kind: 'volume' | 'image', id: string | number): DoAction[] {
    return [...this.ctx.actions()].filter((a) => a.resourceType === kind && String(a.resourceId) === String(id));
  }

  // ---- volume snapshots -------------------------------------------------------------------------------------

  private snapshotJson(s: Snapshot): Record<string, unknown> {
    return {
      id: s.id,
      name: s.name,
      regions: [s.regionSlug],
      created_at: s.createdAt,
      resource_id: s.volumeId,
      resource_type: 'volume',
      min_disk_size: s.minDiskSize,
      // What the snapshot holds: nothing is ever written to an emulated volume.
      size_gigabytes: 0,
      tags: [...s.tags],
    };
  }

  private createSnapshot(volume: Volume, body: Record<string, unknown>, now: number): FakeResponse {
    const name = body.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw unprocessable("Name can't be blank");
    const snapshot: Snapshot = {
      id: randomUUID(),
      name,
      volumeId: volume.id,
      regionSlug: volume.regionSlug,
      minDiskSize: volume.size,
      createdAt: stamp(now),
      tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [],
    };
    this.snapshots.set(snapshot.id, snapshot);
    return json(201, { snapshot: this.snapshotJson(snapshot) });
  }

  // ---- SSH keys ---------------------------------------------------------------------------------------------

  private key(idOrFingerprint: string): SshKey {
    const key = /^\d+$/.test(idOrFingerprint) ? this.keys.get(Number(idOrFingerprint)) : [...this.keys.values()].find((k) => k.fingerprint === idOrFingerprint);
    if (!key) throw notFound();
    return key;
  }

  private keyJson(k: SshKey): Record<string, unknown> {
    return { id: k.id, fingerprint: k.fingerprint, public_key: k.publicKey, name: k.name };
  }

  private createKey(body: Record<string, unknown>): FakeResponse {
    const name = body.name;
    if (typeof name !== 'string' || name.trim() === '') throw unprocessable("Name can't be blank");
    const publicKey = typeof body.public_key === 'string' ? body.public_key.trim() : '';
    let fingerprint: string;
    try {
      fingerprint = sshFingerprint(parseSshPublicKey(publicKey));
    } catch {
      throw unprocessable('Key invalid, key should be of the format `type key [comment]`');
    }
    if ([...this.keys.values()].some((k) => k.fingerprint === fingerprint)) throw unprocessable('SSH Key is already in use on your account');
    const key: SshKey = { id: this.nextKeyId++, name, fingerprint, publicKey };
    this.keys.set(key.id, key);
    return json(201, { ssh_key: this.keyJson(key) });
  }

  // ---- private images ---------------------------------------------------------------------------------------

  /** A private image (PUT, DELETE and actions are for those); public images are 404 here, as not the account's. */
  private ownImage(id: string): UserImage {
    const image = /^\d+$/.test(id) ? this.images.get(Number(id)) : undefined;
    if (!image) {
      if (DO_IMAGES.some((i) => String(i.id) === id || i.slug === id)) throw new ApiError(403, 'forbidden', 'You do not own this image.');
      throw notFound();
    }
    return image;
  }

  private userImageJson(i: UserImage): Record<string, unknown> {
    return {
      id: i.id,
      name: i.name,
      distribution: i.distribution,
      slug: null,
      public: false,
      regions: [...i.regions],
      created_at: i.createdAt,
      min_disk_size: i.minDiskSize,
      type: 'snapshot',
      size_gigabytes: i.sizeGigabytes,
      description: i.description,
      tags: [...i.tags],
      status: 'available',
      error_message: '',
    };
  }

  /** A droplet snapshot as `/v2/snapshots` and `/v2/droplets/{id}/snapshots` list it. */
  private dropletSnapshotJson(i: UserImage): Record<string, unknown> {
    return {
      id: String(i.id),
      name: i.name,
      regions: [...i.regions],
      created_at: i.createdAt,
      resource_id: String(i.dropletId),
      resource_type: 'droplet',
      min_disk_size: i.minDiskSize,
      size_gigabytes: i.sizeGigabytes,
      tags: [...i.tags],
    };
  }

  /** An image `transfer` to another region: the region is added when the action completes. */
  private imageAction(id: string, body: Record<string, unknown>, now: number): FakeResponse {
    const image = this.ownImage(id);
    if (body.type !== 'transfer') throw unprocessable(`Invalid action type: ${String(body.type)}`);
    const region = body.region;
    if (typeof region !== 'string' || !DO_REGIONS.some((r) => r.slug === region)) throw unprocessable('Region is not available.');
    if (image.regions.includes(region)) throw unprocessable(`The image is already available in ${region}.`);
    if (this.actionsOf('image', image.id).some((a) => a.completesAt > now)) throw unprocessable('Image already has a pending event.');
    const action = this.ctx.startAction('image', image.id, region, 'transfer', now);
    this.completions.push({
      at: action.completesAt,
      apply: () => {
        if (!image.regions.includes(region)) image.regions.push(region);
      },
    });
    return json(201, { action: this.ctx.actionJson(action, now) });
  }
}
