/**
 * DigitalOcean v2 response parsers: small pure functions over the JSON documents (Libcloud's `_to_node` ...).
 * @module
 */
import {
  KeyPair,
  MalformedResponseError,
  Node,
  NodeImage,
  NodeLocation,
  NodeSize,
  NodeState,
  StorageVolume,
  StorageVolumeState,
  VolumeSnapshot,
  VolumeSnapshotState,
  type HttpResponse,
  type KeyPairOps,
  type NodeLifecycle,
  type ProviderErrorInfo,
  type VolumeOps,
  type VolumeSnapshotOps,
} from '@dualcloud/core';

type Json = Record<string, any>;

/** Droplet statuses to node states, as Libcloud's `DigitalOcean_v2_NodeDriver.NODE_STATE_MAP`. */
export const DO_NODE_STATE_MAP: Readonly<Record<string, NodeState>> = {
  new: NodeState.PENDING,
  off: NodeState.STOPPED,
  active: NodeState.RUNNING,
  archive: NodeState.TERMINATED,
};

function malformed(message: string, status?: number): MalformedResponseError {
  return new MalformedResponseError(`digitalocean: ${message}`, { provider: 'digitalocean', code: 'UnexpectedDocument', ...(status ? { status } : {}) });
}

/** The JSON object of a response; `MalformedResponseError` when it is not an object. */
export function jsonObject(response: HttpResponse): Json {
  const doc = response.json<unknown>();
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('expected a JSON object', response.status);
  return doc as Json;
}

/** The array under `key` of a list document. */
export function listOf(doc: Json, key: string): Json[] {
  const list = doc[key];
  if (!Array.isArray(list)) throw malformed(`expected "${key}" to be an array`);
  return list.filter((x): x is Json => x !== null && typeof x === 'object');
}

/**
 * The next page number, from `links.pages.next`: only its `page` query parameter is used, never its host,
 * so a response cannot redirect the driver elsewhere.
 */
export function nextPage(doc: Json): string | undefined {
  const next = doc.links?.pages?.next;
  if (next === undefined || next === null || next === '') return undefined;
  let page: string | null = null;
  try {
    page = new URL(String(next), 'https://api.digitalocean.com').searchParams.get('page');
  } catch {
    page = null;
  }
  if (page === null || !/^\d+$/.test(page)) throw malformed(`links.pages.next has no page number: ${String(next).slice(0, 80)}`);
  return page;
}

/** Parses a DigitalOcean error document `{ id, message, request_id }`. */
export function parseDOError(response: HttpResponse): ProviderErrorInfo | undefined {
  const doc = response.json<unknown>();
  if (doc === null || typeof doc !== 'object') return undefined;
  const { id, message, request_id: requestId } = doc as Json;
  const info: { code?: string; message?: string; requestId?: string } = {};
  if (typeof id === 'string') info.code = id;
  if (typeof message === 'string') info.message = message;
  if (typeof requestId === 'string') info.requestId = requestId;
  return info;
}

function idOf(data: Json, what: string): string {
  const id = data.id;
  if ((typeof id !== 'number' && typeof id !== 'string') || id === '') throw malformed(`${what} has no id`);
  return String(id);
}

/** An image document. */
export function toImage(data: Json, driver: object): NodeImage {
  return new NodeImage(idOf(data, 'an image'), String(data.name ?? ''), driver, {
    distribution: data.distribution,
    public: data.public,
    slug: data.slug,
    regions: data.regions,
    min_disk_size: data.min_disk_size,
    created_at: data.created_at,
  });
}

/** A size document; id and name are the slug, RAM in MiB, disk in GiB, price per hour. */
export function toSize(data: Json, driver: object): NodeSize {
  if (typeof data.slug !== 'string') throw malformed('a size has no slug');
  return new NodeSize(data.slug, data.slug, Number(data.memory), Number(data.disk), data.transfer, data.price_hourly, driver, {
    vcpus: data.vcpus,
    regions: data.regions,
    price_monthly: data.price_monthly,
  });
}

/** A region document; DigitalOcean gives no country. */
export function toLocation(data: Json, driver: object): NodeLocation {
  if (typeof data.slug !== 'string') throw malformed('a region has no slug');
  return new NodeLocation(data.slug, String(data.name ?? data.slug), '', driver, {
    features: data.features,
    available: data.available,
    sizes: data.sizes,
  });
}

const NODE_EXTRA_KEYS = ['memory', 'vcpus', 'disk', 'image', 'size', 'size_slug', 'locked', 'created_at', 'networks', 'kernel', 'backup_ids', 'snapshot_ids', 'features', 'tags'];

/** A droplet document as a node. As Libcloud, the last public and the last private IPv4 are kept. */
export function toNode(data: Json, driver: NodeLifecycle): Node {
  const id = idOf(data, 'a droplet');
  const privateIps: string[] = [];
  const publicIps: string[] = [];
  const v4 = data.networks?.v4;
  for (const net of Array.isArray(v4) ? v4 : []) {
    if (net?.type === 'private' && typeof net.ip_address === 'string') privateIps.splice(0, 1, net.ip_address);
    if (net?.type === 'public' && typeof net.ip_address === 'string') publicIps.splice(0, 1, net.ip_address);
  }
  const extra: Record<string, unknown> = {};
  for (const key of NODE_EXTRA_KEYS) if (key in data) extra[key] = data[key];
  extra.region = data.region?.name;
  extra.status = data.status;
  const createdAt = typeof data.created_at === 'string' ? new Date(data.created_at) : undefined;
  return new Node(
    {
      id,
      name: String(data.name ?? ''),
      state: DO_NODE_STATE_MAP[data.status] ?? NodeState.UNKNOWN,
      publicIps,
      privateIps,
      ...(data.image && typeof data.image === 'object' && data.image.id != null ? { image: toImage(data.image, driver) } : {}),
      ...(data.size && typeof data.size === 'object' && typeof data.size.slug === 'string' ? { size: toSize(data.size, driver) } : {}),
      ...(createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
      extra,
    },
    driver,
  );
}

/** The object under `key` of a document (`{ volume: {...} }`); `MalformedResponseError` when absent. */
export function objectOf(doc: Json, key: string): Json {
  const value = doc[key];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(`the response has no "${key}" object`);
  return value as Json;
}

function sizeOf(data: Json, what: string): number {
  const size = data.size_gigabytes;
  if (typeof size !== 'number' || !Number.isFinite(size)) throw malformed(`${what} has no size_gigabytes`);
  return size;
}

/**
 * A volume document. DigitalOcean gives volumes no status: a volume is `inuse` while `droplet_ids` lists a
 * droplet and `available` otherwise (Libcloud leaves the state unset). `extra` keeps Libcloud's keys.
 */
export function toVolume(data: Json, driver: VolumeOps): StorageVolume {
  const id = idOf(data, 'a volume');
  const dropletIds = Array.isArray(data.droplet_ids) ? data.droplet_ids : [];
  return new StorageVolume(
    {
      id,
      name: String(data.name ?? ''),
      size: sizeOf(data, `volume ${id}`),
      state: dropletIds.length > 0 ? StorageVolumeState.INUSE : StorageVolumeState.AVAILABLE,
      extra: {
        created_at: data.created_at,
        droplet_ids: dropletIds,
        region: data.region,
        region_slug: data.region?.slug,
        description: data.description,
        filesystem_type: data.filesystem_type,
        filesystem_label: data.filesystem_label,
        tags: data.tags,
      },
    },
    driver,
  );
}

/**
 * A volume snapshot document. DigitalOcean creates snapshots synchronously and gives them no status, so a
 * listed snapshot is `available` (Libcloud leaves the state unset).
 */
export function toVolumeSnapshot(data: Json, driver: VolumeSnapshotOps): VolumeSnapshot {
  const id = idOf(data, 'a snapshot');
  const createdAt = typeof data.created_at === 'string' ? new Date(data.created_at) : undefined;
  return new VolumeSnapshot(
    {
      id,
      name: String(data.name ?? ''),
      size: sizeOf(data, `snapshot ${id}`),
      state: VolumeSnapshotState.AVAILABLE,
      ...(createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
      extra: {
        created_at: data.created_at,
        resource_id: data.resource_id,
        resource_type: data.resource_type,
        regions: data.regions,
        min_disk_size: data.min_disk_size,
        tags: data.tags,
      },
    },
    driver,
  );
}

/** An SSH key document (`extra.id` is what deleting it needs, as in Libcloud). */
export function toKeyPair(data: Json, driver: KeyPairOps, privateKey?: string): KeyPair {
  const id = idOf(data, 'an SSH key');
  if (typeof data.fingerprint !== 'string') throw malformed(`SSH key ${id} has no fingerprint`);
  return new KeyPair(
    {
      name: String(data.name ?? ''),
      fingerprint: data.fingerprint,
      ...(typeof data.public_key === 'string' ? { publicKey: data.public_key } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      extra: { id },
    },
    driver,
  );
}

/** An action's id and status (`in-progress`, `completed`, `errored`) from `{ action: {...} }`. */
export function actionOf(doc: Json): { id: string; status: string } {
  const action = objectOf(doc, 'action');
  const status = action.status;
  if (typeof status !== 'string') throw malformed('an action has no status');
  return { id: idOf(action, 'an action'), status };
}
