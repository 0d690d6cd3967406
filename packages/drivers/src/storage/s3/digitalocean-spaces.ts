/**
 * DigitalOcean Spaces (Libcloud's `DigitalOceanSpacesStorageDriver`): `{region}.digitaloceanspaces.com`.
 * @module
 */
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link DigitalOceanSpacesStorageDriver}: `region` is the Spaces region slug (`nyc3`, `ams3`, `fra1`, ...). */
export type DigitalOceanSpacesStorageDriverOptions = S3CompatibleOptions;

/** Spaces' region when none is given (Libcloud's default too). */
export const DO_SPACES_DEFAULT_REGION = 'nyc3';

/**
 * DigitalOcean Spaces: virtual-hosted (`bucket.nyc3.digitaloceanspaces.com`), SigV4 for the region slug.
 * @example
 * ```ts
 * const spaces = new DigitalOceanSpacesStorageDriver({ key, secret, region: 'ams3' });
 * ```
 */
export class DigitalOceanSpacesStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.DIGITALOCEAN_SPACES;
  readonly name: string = 'DigitalOcean Spaces';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: DigitalOceanSpacesStorageDriverOptions) {
    const region = hostLabel('digitalocean_spaces', 'region', options?.region ?? DO_SPACES_DEFAULT_REGION);
    super({ ...options, region }, compatibleDefaults('digitalocean_spaces', options, { host: `${region}.digitaloceanspaces.com`, region, pathStyle: false }));
  }
}
