/**
 * Scaleway Object Storage (Libcloud's `ScalewayStorageDriver`): `s3.{region}.scw.cloud`.
 * @module
 */
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link ScalewayStorageDriver}: `region` is `fr-par` (default), `nl-ams` or `pl-waw`. */
export type ScalewayStorageDriverOptions = S3CompatibleOptions;

/**
 * Scaleway Object Storage: virtual-hosted, SigV4 for the region. Multipart parts may number 1,000 at most
 * (S3 allows 10,000): large uploads get larger parts.
 * @example
 * ```ts
 * const scw = new ScalewayStorageDriver({ key, secret, region: 'nl-ams' });
 * ```
 */
export class ScalewayStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.SCALEWAY;
  readonly name: string = 'Scaleway Object Storage';
  protected readonly metaPrefix = 'x-amz-meta-';
  protected override readonly maxParts = 1000;

  constructor(options: ScalewayStorageDriverOptions) {
    const region = hostLabel('scaleway', 'region', options?.region ?? 'fr-par');
    super({ ...options, region }, compatibleDefaults('scaleway', options, { host: `s3.${region}.scw.cloud`, region, pathStyle: false }));
  }
}
