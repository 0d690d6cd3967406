/**
 * Wasabi: `s3.{region}.wasabisys.com`.
 * @module
 */
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link WasabiStorageDriver}: `region` is a Wasabi region (`us-east-1`, `eu-central-1`, `ap-northeast-1`, ...). */
export type WasabiStorageDriverOptions = S3CompatibleOptions;

/**
 * Wasabi Hot Cloud Storage: virtual-hosted, SigV4 for the region (default `us-east-1`).
 * @example
 * ```ts
 * const wasabi = new WasabiStorageDriver({ key, secret, region: 'eu-central-1' });
 * ```
 */
export class WasabiStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.WASABI;
  readonly name: string = 'Wasabi';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: WasabiStorageDriverOptions) {
    const region = hostLabel('wasabi', 'region', options?.region ?? 'us-east-1');
    super({ ...options, region }, compatibleDefaults('wasabi', options, { host: `s3.${region}.wasabisys.com`, region, pathStyle: false }));
  }
}
