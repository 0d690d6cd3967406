/**
 * OpenStack Compute (Nova API v2.1) and Image (Glance v2) request builders: pure functions returning request
 * descriptors (plain data), relative to the service endpoint found in the catalog.
 * @module
 */
import { InvalidArgumentError, type RequestSpec } from '@dualcloud/core';

/** The compute microversion asked for by default: the v2.1 base, whose documents Libcloud parses. */
export const NOVA_DEFAULT_MICROVERSION = '2.1';

/** Nova's `max_limit` default: the largest page size worth asking for. */
export const NOVA_MAX_PAGE_SIZE = 1000;

/** `2.1` … `2.99`, or `latest`. */
const MICROVERSION = /^(2\.(\d|[1-9]\d)|latest)$/;

/** Checks a microversion option (`2.1`, `2.79`, `latest`). */
export function checkMicroversion(value: string): string {
  if (typeof value !== 'string' || !MICROVERSION.test(value)) throw new InvalidArgumentError(`openstack: microversion must look like 2.1 or 2.79 (or be "latest"), got ${String(value).slice(0, 20)}`);
  return value;
}

/** The headers asking for a compute microversion, in the current and the pre-2.27 spelling. */
export function microversionHeaders(microversion: string): Record<string, string> {
  return { 'openstack-api-version': `compute ${microversion}`, 'x-openstack-nova-api-version': microversion };
}

/** A JSON request body with its content type. */
function jsonBody(value: unknown): Pick<RequestSpec, 'body'> & { headers: Record<string, string> } {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** Paging query: `limit` when a page size is set, `marker` after the first page. */
function pageQuery(marker: string | undefined, limit: number | undefined): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  if (limit !== undefined) query.limit = limit;
  if (marker !== undefined) query.marker = marker;
  return query;
}

/** A GET of a compute collection. */
function computeGet(path: string, microversion: string, action: string, query?: Record<string, string | number>): RequestSpec {
  return { method: 'GET', path, ...(query && Object.keys(query).length > 0 ? { query } : {}), headers: microversionHeaders(microversion), action };
}

/** `GET /servers/detail`: one page of servers, after `marker`. */
export function listServersRequest(marker: string | undefined, limit: number | undefined, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet('/servers/detail', microversion, 'ListServers', pageQuery(marker, limit));
}

/** `GET /flavors/detail`: one page of flavors, after `marker`. */
export function listFlavorsRequest(marker: string | undefined, limit: number | undefined, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet('/flavors/detail', microversion, 'ListFlavors', pageQuery(marker, limit));
}

/** `GET /os-availability-zone`: the availability zones. */
export function listAvailabilityZonesRequest(microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet('/os-availability-zone', microversion, 'ListAvailabilityZones');
}

/** `GET /images/detail` on the compute API (the image proxy Rackspace and Libcloud's v1.1 driver use). */
export function listComputeImagesRequest(marker: string | undefined, limit: number | undefined, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet('/images/detail', microversion, 'ListImages', pageQuery(marker, limit));
}

/** `GET /v2/images` on the image service (Glance v2), after `marker`. */
export function listGlanceImagesRequest(marker: string | undefined, limit: number | undefined): RequestSpec {
  const query = pageQuery(marker, limit);
  return { method: 'GET', path: '/v2/images', ...(Object.keys(query).length > 0 ? { query } : {}), action: 'ListImages' };
}

/** A server id as a path segment: ids are UUIDs (or numbers on old clouds); anything else is refused unsent. */
export function serverPath(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) throw new InvalidArgumentError(`openstack: "${String(id).slice(0, 40)}" is not a server id`);
  return `/servers/${id}`;
}

/** `GET /servers/{id}`. */
export function getServerRequest(id: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet(serverPath(id), microversion, 'ShowServer');
}

/** A network to attach at boot: a network UUID, or `{ id }` / `{ uuid }` (Libcloud's `OpenStackNetwork`), or a port. */
export type NetworkRef = string | { readonly id?: string; readonly uuid?: string; readonly port?: string; readonly fixedIp?: string };

/** A security group by name, or `{ name }` (Libcloud's `OpenStackSecurityGroup`). */
export type SecurityGroupRef = string | { readonly name: string };

/** Provider-specific arguments of `createNode` on OpenStack (Libcloud's `ex_*` arguments of `create_node`). */
export interface OpenStackCreateNodeExtras {
  /** Key pair name (`ex_keyname`). */
  keyName?: string;
  /** Security groups (`ex_security_groups`). */
  securityGroups?: readonly SecurityGroupRef[];
  /** Networks (`networks`). */
  networks?: readonly NetworkRef[];
  /** Cloud-init user data as text; the driver base64-encodes it (`ex_userdata`). */
  userData?: string;
  /** Server metadata (`ex_metadata`): string keys and values. */
  metadata?: Readonly<Record<string, string>>;
  /** Availability zone (`ex_availability_zone`); `location` sets it too. */
  availabilityZone?: string;
  /** `ex_config_drive`. */
  configDrive?: boolean;
  /** `ex_disk_config`: `AUTO` or `MANUAL`. */
  diskConfig?: 'AUTO' | 'MANUAL';
  /** `ex_admin_pass`: the root password to set. */
  adminPass?: string;
  /** `ex_blockdevicemappings`: Nova's `block_device_mapping_v2`, as given. */
  blockDeviceMappings?: ReadonlyArray<Record<string, unknown>>;
}

/** What {@link createServerRequest} needs. */
export interface CreateServerArgs {
  name: string;
  /** Flavor id. */
  flavorRef: string;
  /** Image id. */
  imageRef: string;
  /** Availability zone (from `location`). */
  availabilityZone?: string;
  ex?: OpenStackCreateNodeExtras;
}

const EX_KEYS = new Set(['keyName', 'securityGroups', 'networks', 'userData', 'metadata', 'availabilityZone', 'configDrive', 'diskConfig', 'adminPass', 'blockDeviceMappings']);

function networkOf(ref: NetworkRef): Record<string, string> {
  if (typeof ref === 'string' && ref !== '') return { uuid: ref };
  if (ref && typeof ref === 'object') {
    const uuid = ref.uuid ?? ref.id;
    if (typeof ref.port === 'string' && ref.port !== '') return { port: ref.port };
    if (typeof uuid === 'string' && uuid !== '') return { uuid, ...(typeof ref.fixedIp === 'string' ? { fixed_ip: ref.fixedIp } : {}) };
  }
  throw new InvalidArgumentError('openstack: ex.networks takes network ids or { id } / { uuid } / { port } objects');
}

function securityGroupOf(ref: SecurityGroupRef): { name: string } {
  const name = typeof ref === 'string' ? ref : ref && typeof ref === 'object' ? ref.name : undefined;
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('openstack: ex.securityGroups takes names or { name } objects');
  return { name };
}

/**
 * `POST /servers` with `{ server: {...} }`, as Libcloud's `_create_args_to_params` builds it (user data
 * base64-encoded). Not idempotent (Nova has no client token), so never retried.
 */
export function createServerRequest(args: CreateServerArgs, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  if (typeof args.name !== 'string' || args.name.trim() === '' || args.name.length > 255) throw new InvalidArgumentError('openstack: createNode needs a name (1 to 255 characters)');
  if (typeof args.flavorRef !== 'string' || args.flavorRef === '') throw new InvalidArgumentError('openstack: createNode needs a size (a flavor)');
  if (typeof args.imageRef !== 'string' || args.imageRef === '') throw new InvalidArgumentError('openstack: createNode needs an image');
  const ex = args.ex ?? {};
  if (typeof ex !== 'object' || Array.isArray(ex)) throw new InvalidArgumentError('openstack: createNode ex must be an object');
  const unknown = Object.keys(ex).filter((k) => !EX_KEYS.has(k));
  if (unknown.length > 0) throw new InvalidArgumentError(`openstack: createNode does not take ex.${unknown.join(', ex.')} (known: ${[...EX_KEYS].join(', ')})`);
  const metadata = ex.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new InvalidArgumentError('openstack: ex.metadata must map strings to strings');
  }
  const server: Record<string, unknown> = { name: args.name, imageRef: args.imageRef, flavorRef: args.flavorRef, metadata: { ...metadata } };
  const zone = ex.availabilityZone ?? args.availabilityZone;
  if (zone !== undefined && zone !== '') server.availability_zone = zone;
  if (ex.keyName !== undefined && ex.keyName !== '') server.key_name = ex.keyName;
  if (ex.userData !== undefined && ex.userData !== '') {
    if (typeof ex.userData !== 'string') throw new InvalidArgumentError('openstack: ex.userData must be text (the driver base64-encodes it)');
    server.user_data = Buffer.from(ex.userData, 'utf8').toString('base64');
  }
  if (ex.diskConfig !== undefined) {
    if (ex.diskConfig !== 'AUTO' && ex.diskConfig !== 'MANUAL') throw new InvalidArgumentError('openstack: ex.diskConfig must be AUTO or MANUAL');
    server['OS-DCF:diskConfig'] = ex.diskConfig;
  }
  if (ex.configDrive) server.config_drive = true;
  if (ex.adminPass !== undefined && ex.adminPass !== '') server.adminPass = ex.adminPass;
  if (ex.networks !== undefined) {
    if (!Array.isArray(ex.networks)) throw new InvalidArgumentError('openstack: ex.networks must be an array');
    if (ex.networks.length > 0) server.networks = ex.networks.map(networkOf);
  }
  if (ex.securityGroups !== undefined) {
    if (!Array.isArray(ex.securityGroups)) throw new InvalidArgumentError('openstack: ex.securityGroups must be an array');
    if (ex.securityGroups.length > 0) server.security_groups = ex.securityGroups.map(securityGroupOf);
  }
  if (ex.blockDeviceMappings !== undefined) {
    if (!Array.isArray(ex.blockDeviceMappings)) throw new InvalidArgumentError('openstack: ex.blockDeviceMappings must be an array');
    server.block_device_mapping_v2 = ex.blockDeviceMappings;
  }
  const body = jsonBody({ server });
  return { method: 'POST', path: '/servers', headers: { ...microversionHeaders(microversion), ...body.headers }, body: body.body, action: 'CreateServer' };
}

/** A server action (`reboot`, `os-start`, `os-stop`…): `POST /servers/{id}/action` with `{ action: params }`. */
export function serverActionRequest(id: string, action: string, params: Record<string, unknown> | null = null, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  const body = jsonBody({ [action]: params });
  return { method: 'POST', path: `${serverPath(id)}/action`, headers: { ...microversionHeaders(microversion), ...body.headers }, body: body.body, action: `ServerAction ${action}` };
}

/** `reboot` with `{ type: SOFT | HARD }`. */
export function rebootServerRequest(id: string, type: 'SOFT' | 'HARD', microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return serverActionRequest(id, 'reboot', { type }, microversion);
}

/** `DELETE /servers/{id}`. */
export function deleteServerRequest(id: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return { method: 'DELETE', path: serverPath(id), headers: microversionHeaders(microversion), action: 'DeleteServer' };
}

// ---- Cinder v3 (block storage), relative to the catalog's `volumev3` / `block-storage` endpoint ---------------

/** A Cinder or Glance id as a path segment: UUID-like ids only; anything else is refused unsent. */
export function idSegment(id: unknown, what: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id)) throw new InvalidArgumentError(`openstack: "${String(id).slice(0, 40)}" is not ${what}`);
  return id;
}

/** `GET /volumes/detail`: one page of volumes, after `marker`. */
export function listVolumesRequest(marker: string | undefined, limit: number | undefined): RequestSpec {
  const query = pageQuery(marker, limit);
  return { method: 'GET', path: '/volumes/detail', ...(Object.keys(query).length > 0 ? { query } : {}), action: 'ListVolumes' };
}

/** `GET /volumes/{id}`. */
export function getVolumeRequest(id: string): RequestSpec {
  return { method: 'GET', path: `/volumes/${idSegment(id, 'a volume id')}`, action: 'ShowVolume' };
}

/** What {@link createVolumeRequest} needs (Libcloud's `create_volume` arguments). */
export interface CreateVolumeArgs {
  size: number;
  name: string;
  /** Availability zone. */
  availabilityZone?: string;
  snapshotId?: string;
  volumeType?: string;
  imageRef?: string;
}

/**
 * `POST /volumes` with `{ volume: { name, description, size, metadata: { contents } … } }`, as Libcloud builds it
 * (the name doubles as the description and the `contents` metadata). Not retried: Cinder has no client token.
 */
export function createVolumeRequest(args: CreateVolumeArgs): RequestSpec {
  const volume: Record<string, unknown> = { name: args.name, description: args.name, size: args.size, metadata: { contents: args.name } };
  if (args.volumeType) volume.volume_type = args.volumeType;
  if (args.imageRef) volume.imageRef = args.imageRef;
  if (args.availabilityZone) volume.availability_zone = args.availabilityZone;
  if (args.snapshotId) volume.snapshot_id = args.snapshotId;
  const body = jsonBody({ volume });
  return { method: 'POST', path: '/volumes', headers: body.headers, body: body.body, action: 'CreateVolume' };
}

/** `DELETE /volumes/{id}` (202). */
export function deleteVolumeRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/volumes/${idSegment(id, 'a volume id')}`, action: 'DeleteVolume' };
}

/** `GET /snapshots/detail`: one page of snapshots, after `marker`. */
export function listSnapshotsRequest(marker: string | undefined, limit: number | undefined): RequestSpec {
  const query = pageQuery(marker, limit);
  return { method: 'GET', path: '/snapshots/detail', ...(Object.keys(query).length > 0 ? { query } : {}), action: 'ListSnapshots' };
}

/** `POST /snapshots` with `{ snapshot: { volume_id, force, name?, description? } }` (Libcloud: `force` true). */
export function createSnapshotRequest(volumeId: string, name: string | undefined, description?: string, force = true): RequestSpec {
  const snapshot: Record<string, unknown> = { volume_id: idSegment(volumeId, 'a volume id'), force };
  if (name !== undefined) snapshot.name = name;
  if (description !== undefined) snapshot.description = description;
  const body = jsonBody({ snapshot });
  return { method: 'POST', path: '/snapshots', headers: body.headers, body: body.body, action: 'CreateSnapshot' };
}

/** `DELETE /snapshots/{id}` (202). */
export function deleteSnapshotRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/snapshots/${idSegment(id, 'a snapshot id')}`, action: 'DeleteSnapshot' };
}

// ---- Nova volume attachments, key pairs and server images ----------------------------------------------------

/** `POST /servers/{id}/os-volume_attachments` with `{ volumeAttachment: { volumeId, device } }` (`device` null: Nova picks). */
export function attachVolumeRequest(serverId: string, volumeId: string, device: string | undefined, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  const body = jsonBody({ volumeAttachment: { volumeId: idSegment(volumeId, 'a volume id'), device: device ?? null } });
  return { method: 'POST', path: `${serverPath(serverId)}/os-volume_attachments`, headers: { ...microversionHeaders(microversion), ...body.headers }, body: body.body, action: 'AttachVolume' };
}

/** `DELETE /servers/{id}/os-volume_attachments/{volumeId}` (202). */
export function detachVolumeRequest(serverId: string, attachmentId: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return { method: 'DELETE', path: `${serverPath(serverId)}/os-volume_attachments/${idSegment(attachmentId, 'a volume attachment id')}`, headers: microversionHeaders(microversion), action: 'DetachVolume' };
}

/** A key pair name as a path segment (Nova: 1 to 255 printable characters), percent-encoded. */
export function keyPairSegment(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255 || /[\x00-\x1f\x7f]/.test(name)) {
    throw new InvalidArgumentError('openstack: a key pair name must be 1 to 255 printable characters');
  }
  return encodeURIComponent(name);
}

/** `GET /os-keypairs`. */
export function listKeyPairsRequest(microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet('/os-keypairs', microversion, 'ListKeypairs');
}

/** `GET /os-keypairs/{name}`. */
export function getKeyPairRequest(name: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet(`/os-keypairs/${keyPairSegment(name)}`, microversion, 'ShowKeypair');
}

/** `POST /os-keypairs` with `{ keypair: { name, public_key? } }`: Nova generates the pair when no key is given. */
export function createKeyPairRequest(name: string, publicKey?: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  keyPairSegment(name);
  const body = jsonBody({ keypair: { name, ...(publicKey !== undefined ? { public_key: publicKey } : {}) } });
  return { method: 'POST', path: '/os-keypairs', headers: { ...microversionHeaders(microversion), ...body.headers }, body: body.body, action: publicKey === undefined ? 'CreateKeypair' : 'ImportKeypair' };
}

/** `DELETE /os-keypairs/{name}` (202 at 2.1, 204 from 2.2). */
export function deleteKeyPairRequest(name: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return { method: 'DELETE', path: `/os-keypairs/${keyPairSegment(name)}`, headers: microversionHeaders(microversion), action: 'DeleteKeypair' };
}

/** The `createImage` server action, `{ createImage: { name, metadata? } }` (202, the image's URL in `Location`). */
export function createServerImageRequest(serverId: string, name: string, metadata: Record<string, string> | undefined, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255) throw new InvalidArgumentError('openstack: createImage needs a name (1 to 255 characters)');
  return serverActionRequest(serverId, 'createImage', { name, ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}) }, microversion);
}

/** Glance's `GET /v2/images/{id}`. */
export function getGlanceImageRequest(id: string): RequestSpec {
  return { method: 'GET', path: `/v2/images/${idSegment(id, 'an image id')}`, action: 'ShowImage' };
}

/** Glance's `DELETE /v2/images/{id}` (204). */
export function deleteGlanceImageRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/v2/images/${idSegment(id, 'an image id')}`, action: 'DeleteImage' };
}

/** The compute image proxy's `GET /images/{id}` (Rackspace). */
export function getComputeImageRequest(id: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return computeGet(`/images/${idSegment(id, 'an image id')}`, microversion, 'ShowImage');
}

/** The compute image proxy's `DELETE /images/{id}` (204; Rackspace, and Libcloud's `delete_image`). */
export function deleteComputeImageRequest(id: string, microversion = NOVA_DEFAULT_MICROVERSION): RequestSpec {
  return { method: 'DELETE', path: `/images/${idSegment(id, 'an image id')}`, headers: microversionHeaders(microversion), action: 'DeleteImage' };
}
