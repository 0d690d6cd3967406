/**
 * Linode (Akamai) Object Storage: `{region}.linodeobjects.com`.
 * @module
 */
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link LinodeStorageDriver}: `region` is the cluster or region id (`us-east-1` default, `eu-central-1`, `us-iad-1`, `fr-par-1`, ...). */
export type LinodeStorageDriverOptions = S3CompatibleOptions;

/**
 * Linode / Akamai Object Storage: virtual-hosted, SigV4 for the region id.
 * @example
 * ```ts
 * const linode = new LinodeStorageDriver({ key, secret, region: 'eu-central-1' });
 * ```
 */
export class LinodeStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.LINODE;
  readonly name: string = 'Linode Object Storage';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: LinodeStorageDriverOptions) {
    const region = hostLabel('linode', 'region', options?.region ?? 'us-east-1');
    super({ ...options, region }, compatibleDefaults('linode', options, { host: `${region}.linodeobjects.com`, region, pathStyle: false }));
  }
}
