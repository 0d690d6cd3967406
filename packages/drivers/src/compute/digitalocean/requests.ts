/**
 * DigitalOcean API v2 request builders: pure functions returning request descriptors (plain data).
 * @module
 */
import { InvalidArgumentError, type RequestSpec } from '@dualcloud/core';

/** Page size asked for by default (Libcloud's `ex_per_page` default, and DigitalOcean's maximum). */
export const DO_PER_PAGE = 200;

/** A JSON request body with its content type. */
function jsonBody(value: unknown): Pick<RequestSpec, 'headers' | 'body'> {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** One page of a collection (`/v2/droplets`, `/v2/images`, `/v2/sizes`, `/v2/regions`). */
export function listRequest(collection: 'droplets' | 'images' | 'sizes' | 'regions', page: string | undefined, perPage = DO_PER_PAGE): RequestSpec {
  return { method: 'GET', path: `/v2/${collection}`, query: { page: page ?? '1', per_page: perPage }, action: `list ${collection}` };
}

/** Provider-specific arguments of `createNode` on DigitalOcean (Libcloud's `ex_create_attr`). */
export interface DigitalOceanCreateNodeExtras {
  backups?: boolean;
  ipv6?: boolean;
  monitoring?: boolean;
  /** SSH key ids or fingerprints. */
  sshKeys?: ReadonlyArray<number | string>;
  tags?: readonly string[];
  /** Cloud-init user data. */
  userData?: string;
  /** VPC to place the droplet in. */
  vpcUuid?: string;
}

/** What {@link createDropletRequest} needs. */
export interface CreateDropletArgs {
  name: string;
  /** Size slug. */
  size: string;
  /** Image id or slug. */
  image: string;
  /** Region slug. */
  region?: string;
  ex?: DigitalOceanCreateNodeExtras;
}

/** POST /v2/droplets. Not idempotent (the API has no client token), so never retried. */
export function createDropletRequest(args: CreateDropletArgs): RequestSpec {
  if (!args.name) throw new InvalidArgumentError('digitalocean: createNode needs a name');
  if (!args.size || !args.image) throw new InvalidArgumentError('digitalocean: createNode needs a size and an image');
  const ex = args.ex ?? {};
  const body: Record<string, unknown> = {
    name: args.name,
    size: args.size,
    // Numeric ids are sent as numbers; slugs ("ubuntu-22-04-x64") as strings, as the API accepts both.
    image: /^\d+$/.test(args.image) ? Number(args.image) : args.image,
  };
  if (args.region !== undefined) body.region = args.region;
  if (ex.backups !== undefined) body.backups = ex.backups;
  if (ex.ipv6 !== undefined) body.ipv6 = ex.ipv6;
  if (ex.monitoring !== undefined) body.monitoring = ex.monitoring;
  if (ex.sshKeys !== undefined) body.ssh_keys = ex.sshKeys;
  if (ex.tags !== undefined) body.tags = ex.tags;
  if (ex.userData !== undefined) body.user_data = ex.userData;
  if (ex.vpcUuid !== undefined) body.vpc_uuid = ex.vpcUuid;
  return { method: 'POST', path: '/v2/droplets', ...jsonBody(body), action: 'create droplet' };
}

function dropletPath(id: string): string {
  if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new InvalidArgumentError(`digitalocean: "${String(id)}" is not a droplet id`);
  return `/v2/droplets/${id}`;
}

/** POST /v2/droplets/{id}/actions with `{ type }` (reboot, power_on, power_off). */
export function dropletActionRequest(id: string, type: 'reboot' | 'power_on' | 'power_off'): RequestSpec {
  return { method: 'POST', path: `${dropletPath(id)}/actions`, ...jsonBody({ type }), action: `droplet ${type}` };
}

/** DELETE /v2/droplets/{id}. */
export function deleteDropletRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: dropletPath(id), action: 'delete droplet' };
}

/**
 * A path segment from an id: letters, digits and `._:-` only (UUIDs, numbers, slugs, fingerprints), all of
 * which RFC 3986 allows in a path as they are.
 */
function segment(value: unknown, what: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(text)) {
    throw new InvalidArgumentError(`digitalocean: "${String(value).slice(0, 40)}" is not ${what}`, { provider: 'digitalocean' });
  }
  return text;
}

/** One page of any paginated collection below `/v2` (`/v2/volumes`, `/v2/account/keys`, ...). */
export function pageRequest(path: string, page: string | undefined, perPage = DO_PER_PAGE, action = `list ${path.slice(4)}`): RequestSpec {
  return { method: 'GET', path, query: { page: page ?? '1', per_page: perPage }, action };
}

/** Where an action is polled. */
export type ActionTarget = { readonly kind: 'volume' | 'image'; readonly id: string } | { readonly kind: 'any' };

/** GET the action: `/v2/actions/{id}`, or below the volume or image it acts on. */
export function actionStatusRequest(target: ActionTarget, actionId: string): RequestSpec {
  const id = segment(actionId, 'an action id');
  const path = target.kind === 'any' ? `/v2/actions/${id}` : `/v2/${target.kind}s/${segment(target.id, `a ${target.kind} id`)}/actions/${id}`;
  return { method: 'GET', path, action: 'get action' };
}

// ---- volumes -------------------------------------------------------------------------------------------------

/** Provider-specific arguments of `createVolume` on DigitalOcean. */
export interface DigitalOceanCreateVolumeExtras {
  description?: string;
  /** `ext4` or `xfs`: the volume is formatted (and mounted by droplets that support it). */
  filesystemType?: string;
  filesystemLabel?: string;
  tags?: readonly string[];
}

/** The `ex` keys {@link DigitalOceanCreateVolumeExtras} accepts. */
export const DO_CREATE_VOLUME_EX_KEYS: readonly string[] = ['description', 'filesystemType', 'filesystemLabel', 'tags'];

/** What {@link createVolumeRequest} needs. */
export interface CreateDoVolumeArgs {
  size: number;
  name: string;
  /** Region slug; may be omitted with a snapshot (the volume is made where the snapshot is). */
  region?: string;
  snapshotId?: string;
  ex?: DigitalOceanCreateVolumeExtras;
}

/** Volume names DigitalOcean takes: lower-case letters, digits and `-`, starting with a letter, at most 64. */
export const DO_VOLUME_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** POST /v2/volumes (201). Not retried: the API has no idempotency token. */
export function createVolumeRequest(args: CreateDoVolumeArgs): RequestSpec {
  if (typeof args.name !== 'string' || !DO_VOLUME_NAME.test(args.name)) {
    throw new InvalidArgumentError('digitalocean: a volume name is lower-case letters, digits and "-", starts with a letter, and has at most 64 characters', { provider: 'digitalocean' });
  }
  if (args.region === undefined && args.snapshotId === undefined) throw new InvalidArgumentError('digitalocean: createVolume needs a location (the region) unless it is made from a snapshot', { provider: 'digitalocean' });
  const ex = args.ex ?? {};
  const body: Record<string, unknown> = { size_gigabytes: args.size, name: args.name };
  if (args.region !== undefined) body.region = args.region;
  if (args.snapshotId !== undefined) body.snapshot_id = args.snapshotId;
  if (ex.description !== undefined) body.description = ex.description;
  if (ex.filesystemType !== undefined) body.filesystem_type = ex.filesystemType;
  if (ex.filesystemLabel !== undefined) body.filesystem_label = ex.filesystemLabel;
  if (ex.tags !== undefined) body.tags = ex.tags;
  return { method: 'POST', path: '/v2/volumes', ...jsonBody(body), action: 'create volume' };
}

/** GET /v2/volumes/{id}. */
export function getVolumeRequest(id: string): RequestSpec {
  return { method: 'GET', path: `/v2/volumes/${segment(id, 'a volume id')}`, action: 'get volume' };
}

/** DELETE /v2/volumes/{id} (204). */
export function deleteVolumeRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/v2/volumes/${segment(id, 'a volume id')}`, action: 'delete volume' };
}

/** POST /v2/volumes/{id}/actions `{ type, droplet_id, region }` (202 with an action). Not retried. */
export function volumeActionRequest(volumeId: string, type: 'attach' | 'detach', dropletId: string, region: string): RequestSpec {
  if (typeof dropletId !== 'string' || !/^\d+$/.test(dropletId)) throw new InvalidArgumentError(`digitalocean: "${String(dropletId).slice(0, 40)}" is not a droplet id`, { provider: 'digitalocean' });
  return {
    method: 'POST',
    path: `/v2/volumes/${segment(volumeId, 'a volume id')}/actions`,
    ...jsonBody({ type, droplet_id: Number(dropletId), region: segment(region, 'a region slug') }),
    action: `${type} volume`,
  };
}

// ---- snapshots -----------------------------------------------------------------------------------------------

/** One page of a volume's snapshots (GET /v2/volumes/{id}/snapshots). */
export function volumeSnapshotsRequest(volumeId: string, page: string | undefined, perPage = DO_PER_PAGE): RequestSpec {
  return pageRequest(`/v2/volumes/${segment(volumeId, 'a volume id')}/snapshots`, page, perPage, 'list volume snapshots');
}

/** POST /v2/volumes/{id}/snapshots `{ name }` (201). Not retried. */
export function createVolumeSnapshotRequest(volumeId: string, name: string): RequestSpec {
  return { method: 'POST', path: `/v2/volumes/${segment(volumeId, 'a volume id')}/snapshots`, ...jsonBody({ name }), action: 'create volume snapshot' };
}

/** DELETE /v2/snapshots/{id} (204). */
export function deleteSnapshotRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/v2/snapshots/${segment(id, 'a snapshot id')}`, action: 'delete snapshot' };
}

// ---- SSH keys ------------------------------------------------------------------------------------------------

/** POST /v2/account/keys `{ name, public_key }` (201). Not retried (a repeat fails: the key is in use). */
export function createKeyRequest(name: string, publicKey: string): RequestSpec {
  return { method: 'POST', path: '/v2/account/keys', ...jsonBody({ name, public_key: publicKey }), action: 'create ssh key' };
}

/** DELETE /v2/account/keys/{id or fingerprint} (204). */
export function deleteKeyRequest(idOrFingerprint: string): RequestSpec {
  return { method: 'DELETE', path: `/v2/account/keys/${segment(idOrFingerprint, 'an SSH key id or fingerprint')}`, action: 'delete ssh key' };
}

// ---- images --------------------------------------------------------------------------------------------------

/** GET /v2/images/{id or slug}. */
export function getImageRequest(id: string): RequestSpec {
  return { method: 'GET', path: `/v2/images/${segment(id, 'an image id')}`, action: 'get image' };
}

/** DELETE /v2/images/{id} (204). */
export function deleteImageRequest(id: string): RequestSpec {
  return { method: 'DELETE', path: `/v2/images/${segment(id, 'an image id')}`, action: 'delete image' };
}

/** PUT /v2/images/{id} `{ description }`. */
export function updateImageRequest(id: string, description: string): RequestSpec {
  return { method: 'PUT', path: `/v2/images/${segment(id, 'an image id')}`, ...jsonBody({ description }), action: 'update image' };
}

/** POST /v2/images/{id}/actions `{ type: 'transfer', region }` (201 with an action). Not retried. */
export function transferImageRequest(id: string, region: string): RequestSpec {
  return { method: 'POST', path: `/v2/images/${segment(id, 'an image id')}/actions`, ...jsonBody({ type: 'transfer', region: segment(region, 'a region slug') }), action: 'transfer image' };
}

/** POST /v2/droplets/{id}/actions `{ type: 'snapshot', name }` (201 with an action). Not retried. */
export function dropletSnapshotRequest(id: string, name: string): RequestSpec {
  return { method: 'POST', path: `${dropletPath(id)}/actions`, ...jsonBody({ type: 'snapshot', name }), action: 'droplet snapshot' };
}

/** One page of a droplet's snapshots (GET /v2/droplets/{id}/snapshots). */
export function dropletSnapshotsRequest(id: string, page: string | undefined, perPage = DO_PER_PAGE): RequestSpec {
  return pageRequest(`${dropletPath(id)}/snapshots`, page, perPage, 'list droplet snapshots');
}
