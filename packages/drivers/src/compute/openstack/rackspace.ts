/**
 * Rackspace Cloud Servers (next generation): the OpenStack compute driver with Rackspace's identity (Keystone
 * v2.0 with a username and an API key) and its regional `cloudServersOpenStack` endpoints, as Libcloud's
 * `RackspaceNodeDriver`.
 * @module
 */
import { InvalidArgumentError } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { authOptions, OpenStackNodeDriver, type OpenStackFlavour, type OpenStackNodeDriverOptions } from './driver.js';

/** Rackspace's identity service (Keystone v2.0). */
export const RACKSPACE_AUTH_URL = 'https://identity.api.rackspacecloud.com/v2.0';

/** The catalog name of Rackspace's next-generation compute service. */
export const RACKSPACE_COMPUTE_SERVICE = 'cloudServersOpenStack';

/** Rackspace's compute regions (Libcloud's `ENDPOINT_ARGS_MAP`), as the catalog names them. */
export const RACKSPACE_REGIONS: readonly string[] = ['DFW', 'ORD', 'IAD', 'LON', 'SYD', 'HKG'];

/**
 * Options of {@link RackspaceNodeDriver}: `username` and `apiKey` (or Libcloud's `key` and `secret`), and the
 * region (`regionName` or `region`: `DFW` — the default, as in Libcloud —, `ORD`, `IAD`, `LON`, `SYD`, `HKG`).
 * `authUrl` points elsewhere than Rackspace's identity service (a test cloud).
 */
export type RackspaceNodeDriverOptions = OpenStackNodeDriverOptions;

/**
 * Rackspace Cloud Servers, one region per instance.
 *
 * @example
 * ```ts
 * const rs = new RackspaceNodeDriver({ username: 'me', apiKey: process.env.RACKSPACE_API_KEY, regionName: 'ORD' });
 * const sizes = rs.listSizes();
 * ```
 */
export class RackspaceNodeDriver extends OpenStackNodeDriver {
  /** Provider name. */
  override readonly type: string = Provider.RACKSPACE;
  /** Driver name, as in Libcloud. */
  override readonly name: string = 'Rackspace Cloud (Next Gen)';

  protected override flavour(options: RackspaceNodeDriverOptions): OpenStackFlavour {
    const region = String(options.regionName ?? options.region ?? 'DFW').toUpperCase();
    if (!RACKSPACE_REGIONS.includes(region)) {
      throw new InvalidArgumentError(`rackspace: unknown region ${region.slice(0, 12)} (${RACKSPACE_REGIONS.join(', ')})`, { provider: 'rackspace' });
    }
    const secretGiven = [options.password, options.apiKey, options.token].some((v) => v !== undefined);
    const auth = authOptions(
      { ...options, regionName: region },
      { authUrl: RACKSPACE_AUTH_URL, identityApiVersion: '2.0', username: options.key, ...(secretGiven ? {} : { apiKey: options.secret }) },
    );
    if (!auth.username || !(auth.apiKey || auth.password || auth.token)) {
      throw new InvalidArgumentError('rackspace: give username and apiKey (or key and secret, as in Libcloud)', { provider: 'rackspace' });
    }
    // Rackspace's compute API is reached through the catalog; its images through the compute API, as Libcloud does.
    return { provider: 'rackspace', auth, computeServiceName: RACKSPACE_COMPUTE_SERVICE, images: 'compute' };
  }
}
