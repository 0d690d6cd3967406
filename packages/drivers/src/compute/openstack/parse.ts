/**
 * Nova v2.1 and Glance v2 response parsers: small pure functions over the JSON documents, following Libcloud's
 * `OpenStack_2_NodeDriver` (`_to_node`, `_to_size`, `_to_image`).
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
  withRedactedPrint,
  type HttpResponse,
  type KeyPairOps,
  type NodeLifecycle,
  type VolumeOps,
  type VolumeSnapshotOps,
} from '@dualcloud/core';

type Json = Record<string, any>;

/** Nova server statuses to node states, exactly as Libcloud's `OpenStackNodeDriver.NODE_STATE_MAP`. */
export const OPENSTACK_NODE_STATE_MAP: Readonly<Record<string, NodeState>> = {
  BUILD: NodeState.PENDING,
  REBUILD: NodeState.PENDING,
  ACTIVE: NodeState.RUNNING,
  SUSPENDED: NodeState.SUSPENDED,
  SHUTOFF: NodeState.STOPPED,
  DELETED: NodeState.TERMINATED,
  QUEUE_RESIZE: NodeState.PENDING,
  PREP_RESIZE: NodeState.PENDING,
  VERIFY_RESIZE: NodeState.RUNNING,
  PASSWORD: NodeState.PENDING,
  RESCUE: NodeState.PENDING,
  REBOOT: NodeState.REBOOTING,
  RESIZE: NodeState.RECONFIGURING,
  HARD_REBOOT: NodeState.REBOOTING,
  SHARE_IP: NodeState.PENDING,
  SHARE_IP_NO_CONFIG: NodeState.PENDING,
  DELETE_IP: NodeState.PENDING,
  ERROR: NodeState.ERROR,
  UNKNOWN: NodeState.UNKNOWN,
};

function malformed(provider: string, message: string, status?: number): MalformedResponseError {
  return new MalformedResponseError(`${provider}: ${message}`, { provider, code: 'UnexpectedDocument', ...(status ? { status } : {}) });
}

/** The JSON object of a response; `MalformedResponseError` when it is not one. */
export function jsonObject(response: HttpResponse, provider = 'openstack'): Json {
  let doc: unknown;
  try {
    doc = response.json<unknown>();
  } catch (e) {
    if (e instanceof MalformedResponseError) throw malformed(provider, 'the response is not JSON', response.status);
    throw e;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw malformed(provider, 'expected a JSON object', response.status);
  return doc as Json;
}

/** The array under `key` of a list document (objects only). */
export function listOf(doc: Json, key: string, provider = 'openstack'): Json[] {
  const list = doc[key];
  if (!Array.isArray(list)) throw malformed(provider, `expected "${key}" to be an array`);
  return list.filter((x): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** The `marker` query parameter of a next link (absolute or relative); only it is used, never the link's host. */
function markerOf(href: unknown, provider: string, where: string): string {
  let marker: string | null = null;
  try {
    marker = new URL(String(href), 'http://openstack.invalid/').searchParams.get('marker');
  } catch {
    marker = null;
  }
  if (marker === null || marker === '') throw malformed(provider, `${where} has no marker: ${String(href).slice(0, 80)}`);
  return marker;
}

/** The marker of the next page of a Nova collection, from `<collection>_links` (`rel: next`). */
export function novaNextMarker(doc: Json, collection: string): string | undefined {
  const links = doc[`${collection}_links`];
  if (links === undefined || links === null) return undefined;
  if (!Array.isArray(links)) throw malformed('openstack', `${collection}_links is not an array`);
  const next = links.find((l) => l && typeof l === 'object' && l.rel === 'next');
  return next ? markerOf(next.href, 'openstack', `${collection}_links next`) : undefined;
}

/** The marker of Glance's next page, from `next` (`/v2/images?marker=…`). */
export function glanceNextMarker(doc: Json): string | undefined {
  const next = doc.next;
  if (next === undefined || next === null || next === '') return undefined;
  return markerOf(next, 'openstack', 'the image list\'s next link');
}

const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = [
  [0x0a000000, 0xff000000], // 10.0.0.0/8
  [0xac100000, 0xfff00000], // 172.16.0.0/12
  [0xc0a80000, 0xffff0000], // 192.168.0.0/16
];

/**
 * Libcloud's `is_public_subnet` for an IPv4 address (`inet_aton` rules: 1 to 4 dot-separated parts), or
 * undefined when the address is not IPv4 (Libcloud's `inet_aton` raises, and it looks at the labels instead).
 */
export function isPublicIPv4(ip: string): boolean | undefined {
  const parts = ip.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(part)) n = parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9]\d*$/.test(part)) n = parseInt(part, 10);
    else return undefined;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  let value = last;
  numbers.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return !PRIVATE_V4.some(([net, mask]) => ((value & mask) >>> 0) === net);
}

/** The labels Libcloud treats as public networks for addresses that are not IPv4. */
const PUBLIC_NETWORK_LABELS = new Set(['public', 'internet']);

/**
 * Splits a server's `addresses` into public and private IPs as Libcloud does: an IPv4 address is public unless
 * RFC 1918; any other address is public on a network labelled `public` or `internet`, or when
 * `OS-EXT-IPS:type` is `floating`.
 */
export function splitAddresses(addresses: unknown): { publicIps: string[]; privateIps: string[] } {
  const publicIps: string[] = [];
  const privateIps: string[] = [];
  if (!addresses || typeof addresses !== 'object') return { publicIps, privateIps };
  for (const [label, values] of Object.entries(addresses as Json)) {
    for (const value of Array.isArray(values) ? values : []) {
      const ip = value?.addr;
      if (typeof ip !== 'string' || ip === '') continue;
      let isPublic = isPublicIPv4(ip);
      if (isPublic === undefined) isPublic = PUBLIC_NETWORK_LABELS.has(label) || value['OS-EXT-IPS:type'] === 'floating';
      (isPublic ? publicIps : privateIps).push(ip);
    }
  }
  return { publicIps, privateIps };
}

function idOf(data: Json, what: string): string {
  const id = data.id;
  if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw malformed('openstack', `${what} has no id`);
  return String(id);
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The flavor id of a server: `flavor.id` (before microversion 2.47), else the embedded flavor's `original_name`. */
function flavorIdOf(flavor: unknown): string | undefined {
  if (!flavor || typeof flavor !== 'object') return undefined;
  const f = flavor as Json;
  if (typeof f.id === 'string' || typeof f.id === 'number') return String(f.id);
  return typeof f.original_name === 'string' ? f.original_name : undefined;
}

/**
 * A server document as a node, with Libcloud's extras (`addresses`, `hostId`, `access_ip`, `tenantId`, `imageId`,
 * `flavorId`, `uri`, `metadata`, `password`, `key_name`, `availability_zone`, `task_state`, `vm_state`,
 * `power_state`, `progress`, `fault`…). `image` and `size` are the image and flavor ids. The admin password of a
 * new server (`extra.password`) is readable but prints as `[REDACTED]`.
 */
export function toNode(data: Json, driver: NodeLifecycle): Node {
  const id = idOf(data, 'a server');
  const { publicIps, privateIps } = splitAddresses(data.addresses);
  const image = data.image && typeof data.image === 'object' && data.image.id != null ? String(data.image.id) : undefined;
  const flavorId = flavorIdOf(data.flavor);
  const links = Array.isArray(data.links) ? data.links : [];
  const self = links.find((l: Json) => l && l.rel === 'self');
  const extra: Record<string, unknown> = {
    addresses: data.addresses ?? {},
    hostId: data.hostId,
    access_ip: data.accessIPv4,
    access_ipv6: data.accessIPv6,
    tenantId: data.tenant_id ?? data.tenantId,
    userId: data.user_id,
    imageId: image,
    flavorId,
    uri: self?.href,
    metadata: data.metadata ?? {},
    password: data.adminPass,
    created: data.created,
    updated: data.updated,
    key_name: data.key_name,
    disk_config: data['OS-DCF:diskConfig'],
    config_drive: data.config_drive ?? false,
    availability_zone: data['OS-EXT-AZ:availability_zone'],
    volumes_attached: data['os-extended-volumes:volumes_attached'],
    task_state: data['OS-EXT-STS:task_state'],
    vm_state: data['OS-EXT-STS:vm_state'],
    power_state: data['OS-EXT-STS:power_state'],
    progress: data.progress,
    fault: data.fault,
    status: data.status,
  };
  const createdAt = dateOf(data.created);
  return new Node(
    {
      id,
      name: String(data.name ?? ''),
      state: OPENSTACK_NODE_STATE_MAP[String(data.status)] ?? NodeState.UNKNOWN,
      publicIps,
      privateIps,
      ...(image !== undefined ? { image } : {}),
      ...(flavorId !== undefined ? { size: flavorId } : {}),
      ...(createdAt ? { createdAt } : {}),
      extra: withRedactedPrint(extra, ['password']),
    },
    driver,
  );
}

/**
 * A flavor as a size (Libcloud's `OpenStackNodeSize`): RAM in MiB, disk in GiB; `vcpus`, `ephemeral_disk`,
 * `swap` and `disabled` (and any `extra_specs`) in `extra`. No price: OpenStack clouds publish none (Libcloud
 * reports 0.0 from its empty price table).
 */
export function toSize(data: Json, driver: object): NodeSize {
  const id = idOf(data, 'a flavor');
  const ram = Number(data.ram);
  const disk = Number(data.disk);
  if (!Number.isFinite(ram) || !Number.isFinite(disk)) throw malformed('openstack', `flavor ${id} has no ram or disk`);
  const specs = data['OS-FLV-WITH-EXT-SPECS:extra_specs'] ?? data.extra_specs;
  return new NodeSize(id, String(data.name ?? id), ram, disk, undefined, undefined, driver, {
    ...(specs && typeof specs === 'object' ? specs : {}),
    vcpus: data.vcpus,
    ephemeral_disk: data['OS-FLV-EXT-DATA:ephemeral'],
    swap: data.swap,
    disabled: data['OS-FLV-DISABLED:disabled'],
    is_public: data['os-flavor-access:is_public'],
    rxtx_factor: data.rxtx_factor,
  });
}

/**
 * An image of Glance v2 (`/v2/images`) or of the compute API's image proxy (`/images/detail`), with Libcloud's
 * extras (`visibility`, `updated`, `created`, `status`, `progress`, `metadata`, `os_type`, `serverId`, `minDisk`,
 * `minRam`).
 */
export function toImage(data: Json, driver: object): NodeImage {
  const id = idOf(data, 'an image');
  const minRam = data.min_ram ?? data.minRam;
  const minDisk = data.min_disk ?? data.minDisk;
  return new NodeImage(id, String(data.name ?? ''), driver, {
    visibility: data.visibility,
    updated: data.updated_at ?? data.updated,
    created: data.created_at ?? data.created,
    status: data.status,
    progress: data.progress,
    metadata: data.metadata,
    os_type: data.os_type,
    serverId: data.server && typeof data.server === 'object' ? data.server.id : undefined,
    minDisk,
    minRam,
    size: data.size ?? data['OS-EXT-IMG-SIZE:size'],
    disk_format: data.disk_format,
    container_format: data.container_format,
    owner: data.owner,
    tags: data.tags,
  });
}

/** An availability zone (`availabilityZoneInfo` entry) as a location; OpenStack gives no country. */
export function toLocation(data: Json, driver: object): NodeLocation {
  const name = data.zoneName;
  if (typeof name !== 'string' || name === '') throw malformed('openstack', 'an availability zone has no zoneName');
  return new NodeLocation(name, name, '', driver, { available: data.zoneState?.available === true, hosts: data.hosts ?? null });
}

/** Cinder volume statuses to volume states, exactly as Libcloud's `OpenStackNodeDriver.VOLUME_STATE_MAP`. */
export const OPENSTACK_VOLUME_STATE_MAP: Readonly<Record<string, StorageVolumeState>> = {
  creating: StorageVolumeState.CREATING,
  available: StorageVolumeState.AVAILABLE,
  attaching: StorageVolumeState.ATTACHING,
  'in-use': StorageVolumeState.INUSE,
  deleting: StorageVolumeState.DELETING,
  error: StorageVolumeState.ERROR,
  error_deleting: StorageVolumeState.ERROR,
  'backing-up': StorageVolumeState.BACKUP,
  'restoring-backup': StorageVolumeState.BACKUP,
  error_restoring: StorageVolumeState.ERROR,
  error_extending: StorageVolumeState.ERROR,
};

/** Cinder snapshot statuses to snapshot states, exactly as Libcloud's `SNAPSHOT_STATE_MAP`. */
export const OPENSTACK_SNAPSHOT_STATE_MAP: Readonly<Record<string, VolumeSnapshotState>> = {
  creating: VolumeSnapshotState.CREATING,
  available: VolumeSnapshotState.AVAILABLE,
  deleting: VolumeSnapshotState.DELETING,
  error: VolumeSnapshotState.ERROR,
  restoring: VolumeSnapshotState.RESTORING,
  error_restoring: VolumeSnapshotState.ERROR,
};

/** The first of `keys` that `data` has (Libcloud's nested `dict.get(a, dict.get(b))`). */
function firstOf(data: Json, ...keys: string[]): unknown {
  for (const key of keys) if (data[key] !== undefined) return data[key];
  return undefined;
}

/** A whole number of GiB, or `MalformedResponseError`. */
function sizeOf(value: unknown, what: string): number {
  const size = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) throw malformed('openstack', `${what} has no size`);
  return size;
}

/**
 * A Cinder volume (`{ volume: {...} }` or the bare document) as Libcloud's `_to_volume`: name from
 * `displayName` / `name`, extras `description`, `attachments` (the non-empty ones), `state` (the raw status),
 * `snapshot_id`, `location` (the availability zone), `volume_type`, `metadata`, `created_at`.
 */
export function toVolume(doc: Json, driver: VolumeOps): StorageVolume {
  const data: Json = doc.volume && typeof doc.volume === 'object' ? doc.volume : doc;
  const id = idOf(data, 'a volume');
  const status = data.status;
  const attachments = Array.isArray(data.attachments) ? data.attachments.filter((a: unknown) => a && typeof a === 'object' && Object.keys(a).length > 0) : [];
  const name = firstOf(data, 'displayName', 'name');
  return new StorageVolume(
    {
      id,
      name: name === undefined || name === null ? '' : String(name),
      size: sizeOf(data.size, `volume ${id}`),
      state: OPENSTACK_VOLUME_STATE_MAP[String(status)] ?? StorageVolumeState.UNKNOWN,
      extra: {
        description: firstOf(data, 'displayDescription', 'description'),
        attachments,
        state: status ?? null,
        snapshot_id: firstOf(data, 'snapshot_id', 'snapshotId'),
        location: firstOf(data, 'availability_zone', 'availabilityZone'),
        volume_type: firstOf(data, 'volume_type', 'volumeType'),
        metadata: data.metadata ?? null,
        created_at: firstOf(data, 'created_at', 'createdAt'),
      },
    },
    driver,
  );
}

/**
 * A Cinder snapshot as Libcloud's `_to_snapshot`: name from `name` / `display_name` / `displayName`, extras
 * `volume_id`, `name`, `created`, `description`, `status`; `createdAt` parsed from `created_at`.
 */
export function toVolumeSnapshot(doc: Json, driver: VolumeSnapshotOps): VolumeSnapshot {
  const data: Json = doc.snapshot && typeof doc.snapshot === 'object' ? doc.snapshot : doc;
  const id = idOf(data, 'a snapshot');
  const name = firstOf(data, 'name', 'display_name', 'displayName');
  const created = firstOf(data, 'created_at', 'createdAt');
  const status = data.status;
  const createdAt = typeof created === 'string' ? dateOf(/[zZ]|[+-]\d\d:?\d\d$/.test(created) ? created : `${created}Z`) : undefined;
  return new VolumeSnapshot(
    {
      id,
      ...(name !== undefined && name !== null ? { name: String(name) } : {}),
      size: sizeOf(data.size, `snapshot ${id}`),
      state: OPENSTACK_SNAPSHOT_STATE_MAP[String(status)] ?? VolumeSnapshotState.UNKNOWN,
      ...(createdAt ? { createdAt } : {}),
      extra: {
        volume_id: firstOf(data, 'volume_id', 'volumeId') ?? null,
        name: name ?? null,
        created: created ?? null,
        description: firstOf(data, 'description', 'display_description', 'displayDescription') ?? null,
        status: status ?? null,
      },
    },
    driver,
  );
}

/**
 * A Nova key pair (`os-keypairs` item, `keypair` document) as Libcloud's `_to_key_pair`: `name`, `fingerprint`,
 * `public_key` and, only in the answer to a create without a public key, `private_key` (never printed).
 */
export function toKeyPair(data: Json, driver: KeyPairOps): KeyPair {
  const name = data.name;
  if (typeof name !== 'string' || name === '') throw malformed('openstack', 'a key pair has no name');
  if (typeof data.fingerprint !== 'string') throw malformed('openstack', `key pair ${name} has no fingerprint`);
  return new KeyPair(
    {
      name,
      fingerprint: data.fingerprint,
      ...(typeof data.public_key === 'string' ? { publicKey: data.public_key } : {}),
      ...(typeof data.private_key === 'string' && data.private_key !== '' ? { privateKey: data.private_key } : {}),
    },
    driver,
  );
}

/** The image id at the end of `createImage`'s `Location` header (Libcloud's `_extract_image_id_from_url`). */
export function imageIdFromLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  let path: string;
  try {
    path = new URL(location, 'http://openstack.invalid/').pathname;
  } catch {
    return undefined;
  }
  const id = path.split('/').pop();
  return id ? decodeURIComponent(id) : undefined;
}
