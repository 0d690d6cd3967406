/**
 * DigitalOcean's static catalogs: regions, sizes and distribution images.
 * @module
 */

/** A DigitalOcean region. */
export interface DoRegion {
  readonly slug: string;
  readonly name: string;
}

/** Regions offered. */
export const DO_REGIONS: readonly DoRegion[] = [
  { slug: 'nyc1', name: 'New York 1' },
  { slug: 'nyc3', name: 'New York 3' },
  { slug: 'sfo3', name: 'San Francisco 3' },
  { slug: 'ams3', name: 'Amsterdam 3' },
  { slug: 'lon1', name: 'London 1' },
  { slug: 'fra1', name: 'Frankfurt 1' },
  { slug: 'sgp1', name: 'Singapore 1' },
];

/** A droplet size. */
export interface DoSize {
  readonly slug: string;
  readonly memory: number;
  readonly vcpus: number;
  readonly disk: number;
  readonly transfer: number;
  readonly priceMonthly: number;
}

/** Sizes offered (in every region). */
export const DO_SIZES: readonly DoSize[] = [
  { slug: 's-1vcpu-512mb-10gb', memory: 512, vcpus: 1, disk: 10, transfer: 0.5, priceMonthly: 4 },
  { slug: 's-1vcpu-1gb', memory: 1024, vcpus: 1, disk: 25, transfer: 1, priceMonthly: 6 },
  { slug: 's-1vcpu-2gb', memory: 2048, vcpus: 1, disk: 50, transfer: 2, priceMonthly: 12 },
  { slug: 's-2vcpu-2gb', memory: 2048, vcpus: 2, disk: 60, transfer: 3, priceMonthly: 18 },
  { slug: 's-2vcpu-4gb', memory: 4096, vcpus: 2, disk: 80, transfer: 4, priceMonthly: 24 },
  { slug: 's-4vcpu-8gb', memory: 8192, vcpus: 4, disk: 160, transfer: 5, priceMonthly: 48 },
];

/** A distribution image. */
export interface DoImage {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly distribution: string;
  readonly minDiskSize: number;
  readonly sizeGigabytes: number;
  readonly createdAt: string;
}

/** Images offered. */
export const DO_IMAGES: readonly DoImage[] = [
  { id: 129211873, slug: 'ubuntu-22-04-x64', name: '22.04 (LTS) x64', distribution: 'Ubuntu', minDiskSize: 7, sizeGigabytes: 2.36, createdAt: '2023-03-22T15:34:15Z' },
  { id: 155133621, slug: 'ubuntu-24-04-x64', name: '24.04 (LTS) x64', distribution: 'Ubuntu', minDiskSize: 7, sizeGigabytes: 2.54, createdAt: '2024-04-24T14:45:12Z' },
  { id: 145619053, slug: 'debian-12-x64', name: '12 x64', distribution: 'Debian', minDiskSize: 7, sizeGigabytes: 1.19, createdAt: '2023-11-03T20:02:32Z' },
  { id: 147437282, slug: 'fedora-39-x64', name: '39 x64', distribution: 'Fedora', minDiskSize: 7, sizeGigabytes: 1.6, createdAt: '2023-11-07T16:29:09Z' },
  { id: 138451223, slug: 'centos-stream-9-x64', name: 'Stream 9 x64', distribution: 'CentOS', minDiskSize: 10, sizeGigabytes: 1.57, createdAt: '2023-08-01T11:11:57Z' },
];

/** A region as JSON. */
export function regionJson(r: DoRegion): Record<string, unknown> {
  return { slug: r.slug, name: r.name, sizes: DO_SIZES.map((s) => s.slug), features: ['backups', 'ipv6', 'metadata', 'install_agent', 'image_transfer'], available: true };
}

/** A size as JSON. */
export function sizeJson(s: DoSize): Record<string, unknown> {
  return {
    slug: s.slug,
    memory: s.memory,
    vcpus: s.vcpus,
    disk: s.disk,
    transfer: s.transfer,
    price_monthly: s.priceMonthly,
    price_hourly: Math.round((s.priceMonthly / 672) * 100000) / 100000,
    regions: DO_REGIONS.map((r) => r.slug),
    available: true,
    description: 'Basic',
  };
}

/** An image as JSON. */
export function imageJson(i: DoImage): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    distribution: i.distribution,
    slug: i.slug,
    public: true,
    regions: DO_REGIONS.map((r) => r.slug),
    created_at: i.createdAt,
    min_disk_size: i.minDiskSize,
    type: 'base',
    size_gigabytes: i.sizeGigabytes,
    description: `${i.distribution} ${i.name}`,
    tags: [],
    status: 'available',
  };
}
