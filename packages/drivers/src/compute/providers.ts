/**
 * Compute provider names, spelled as Apache Libcloud spells them.
 * @module
 */

/**
 * Compute providers (Libcloud's `libcloud.compute.types.Provider`).
 * @example
 * ```ts
 * const EC2 = getDriver(Provider.EC2);
 * ```
 */
export const Provider = {
  /** In-memory driver for docs, examples and tests. */
  DUMMY: 'dummy',
  /** Amazon EC2 (Query API). */
  EC2: 'ec2',
  /** DigitalOcean API v2. */
  DIGITAL_OCEAN: 'digitalocean',
  /** OpenStack Nova API v2.1 (Keystone identity, Glance images). */
  OPENSTACK: 'openstack',
  /** Rackspace Cloud Servers (next generation, OpenStack-based). */
  RACKSPACE: 'rackspace',
} as const;

/** One of {@link Provider}'s values. */
export type Provider = (typeof Provider)[keyof typeof Provider];
