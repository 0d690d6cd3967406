/**
 * The fake OpenStack's static data (flavors, images, availability zones, networks) and the service catalog
 * Keystone hands out with a token: Nova under `/compute`, Glance under `/image`, both on the fake cloud's port.
 * @module
 */
import { createHash } from 'node:crypto';

/** Where Nova answers: `/compute/v2.1` (devstack's layout), `/compute/<REGION>/v2/<tenant>` for Rackspace's regions. */
export const COMPUTE_PREFIX = '/compute';
/** Where Glance answers: `/image/v2/images`. */
export const IMAGE_PREFIX = '/image';
/** Where Cinder answers: `/volume/v3/<project id>` (devstack's layout). */
export const VOLUME_PREFIX = '/volume';
/** Cinder's volume types: `lvmdriver-1` (devstack's default) and `__DEFAULT__`. */
export const VOLUME_TYPES: readonly string[] = ['lvmdriver-1', '__DEFAULT__'];
/** The region of the OpenStack catalog. */
export const OPENSTACK_REGION = 'RegionOne';
/** Rackspace's regions, in the catalog given to API-key (`RAX-KSKEY`) tokens. */
export const RACKSPACE_REGIONS: readonly string[] = ['DFW', 'ORD', 'IAD', 'LON', 'SYD', 'HKG'];
/** The catalog name of Rackspace's compute service. */
export const RACKSPACE_COMPUTE_NAME = 'cloudServersOpenStack';

/** A stable UUID for a name (tests and fixtures can rely on ids across runs). */
export function stableUuid(kind: string, name: string): string {
  const h = createHash('sha256').update(`${kind}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A flavor. */
export interface Flavor {
  readonly id: string;
  readonly name: string;
  readonly ram: number;
  readonly disk: number;
  readonly vcpus: number;
  readonly ephemeral: number;
}

/** Devstack's default flavors, in Nova's default order (flavor id ascending). */
export const FLAVORS: readonly Flavor[] = [
  { id: '1', name: 'm1.tiny', ram: 512, disk: 1, vcpus: 1, ephemeral: 0 },
  { id: '2', name: 'm1.small', ram: 2048, disk: 20, vcpus: 1, ephemeral: 0 },
  { id: '3', name: 'm1.medium', ram: 4096, disk: 40, vcpus: 2, ephemeral: 0 },
  { id: '4', name: 'm1.large', ram: 8192, disk: 80, vcpus: 4, ephemeral: 0 },
  { id: '5', name: 'm1.xlarge', ram: 16384, disk: 160, vcpus: 8, ephemeral: 0 },
];

/** An image. */
export interface Image {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly size: number;
  readonly minDisk: number;
  readonly minRam: number;
  readonly diskFormat: string;
}

/** The images, newest first (Glance's default order: `created_at` descending). */
export const IMAGES: readonly Image[] = [
  { id: stableUuid('image', 'ubuntu-22.04'), name: 'ubuntu-22.04-server-cloudimg-amd64', createdAt: '2024-03-01T10:00:00Z', size: 688_914_432, minDisk: 10, minRam: 512, diskFormat: 'qcow2' },
  { id: stableUuid('image', 'debian-12'), name: 'debian-12-genericcloud-amd64', createdAt: '2024-02-10T08:30:00Z', size: 342_097_920, minDisk: 5, minRam: 256, diskFormat: 'qcow2' },
  { id: stableUuid('image', 'cirros'), name: 'cirros-0.6.2-x86_64-disk', createdAt: '2024-01-05T12:00:00Z', size: 21_430_272, minDisk: 0, minRam: 0, diskFormat: 'qcow2' },
];

/** Availability zones: `nova` is available, `az-maintenance` is not. */
export const ZONES: ReadonlyArray<{ readonly name: string; readonly available: boolean }> = [
  { name: 'nova', available: true },
  { name: 'az-maintenance', available: false },
];

/** Networks servers can be attached to (by `uuid`); `private` by default. */
export const NETWORKS: ReadonlyArray<{ readonly id: string; readonly label: string }> = [
  { id: stableUuid('network', 'private'), label: 'private' },
  { id: stableUuid('network', 'shared'), label: 'shared' },
];

function endpointId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 32);
}

/**
 * The Keystone v3 `token.catalog`: identity, compute (Nova v2.1), image (Glance) and, for a project, block storage
 * (Cinder v3, `volumev3`, below the project's id), every interface, RegionOne.
 */
export function catalogV3(origin: string, projectId?: string): object[] {
  const service = (type: string, name: string, url: string): object => ({
    type,
    name,
    id: endpointId('service', type),
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: endpointId(type, iface), interface: iface, region: OPENSTACK_REGION, region_id: OPENSTACK_REGION, url })),
  });
  return [
    service('identity', 'keystone', `${origin}/identity`),
    service('compute', 'nova', `${origin}${COMPUTE_PREFIX}/v2.1`),
    service('image', 'glance', `${origin}${IMAGE_PREFIX}`),
    ...(projectId ? [service('volumev3', 'cinderv3', `${origin}${VOLUME_PREFIX}/v3/${projectId}`)] : []),
  ];
}

/**
 * The Keystone v2.0 `access.serviceCatalog`. `openstack`: the v3 catalog's services as `publicURL` / `internalURL`
 * / `adminURL`; `rackspace`: `cloudServersOpenStack` in each Rackspace region (`/compute/<REGION>/v2/<tenant>`,
 * public only, as Rackspace lists it) and `cloudImages`.
 */
export function catalogV2(origin: string, tenantId: string, flavour: 'openstack' | 'rackspace'): object[] {
  if (flavour === 'rackspace') {
    return [
      {
        name: RACKSPACE_COMPUTE_NAME,
        type: 'compute',
        endpoints: RACKSPACE_REGIONS.map((region) => ({
          region,
          tenantId,
          publicURL: `${origin}${COMPUTE_PREFIX}/${region}/v2/${tenantId}`,
          versionInfo: `${origin}${COMPUTE_PREFIX}/${region}/v2`,
          versionList: `${origin}${COMPUTE_PREFIX}/${region}/`,
          versionId: '2',
        })),
      },
      { name: 'cloudImages', type: 'image', endpoints: RACKSPACE_REGIONS.map((region) => ({ region, tenantId, publicURL: `${origin}${IMAGE_PREFIX}` })) },
    ];
  }
  const service = (type: string, name: string, url: string): object => ({
    type,
    name,
    endpoints: [{ id: endpointId(type, 'v2'), region: OPENSTACK_REGION, publicURL: url, internalURL: url, adminURL: url }],
    endpoints_links: [],
  });
  return [
    service('identity', 'keystone', `${origin}/identity/v2.0`),
    service('compute', 'nova', `${origin}${COMPUTE_PREFIX}/v2.1`),
    service('image', 'glance', `${origin}${IMAGE_PREFIX}`),
    service('volumev3', 'cinderv3', `${origin}${VOLUME_PREFIX}/v3/${tenantId}`),
  ];
}
