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
