/**
 * Backblaze B2 through its S3-compatible API: `s3.{region}.backblazeb2.com`.
 * @module
 */
import { InvalidArgumentError } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link BackblazeB2S3StorageDriver}: `key` is the application key id, `region` the bucket's (`us-west-004`, `eu-central-003`, ...). */
export type BackblazeB2S3StorageDriverOptions = S3CompatibleOptions;

/**
 * Backblaze B2's S3-compatible API (Libcloud's `BACKBLAZE_B2` is the native B2 API, a different driver).
 * Virtual-hosted, SigV4 for the region, which is part of every B2 endpoint and so has no default. B2 rejects
 * `x-amz-checksum-*` headers: `checksums` stays off.
 * @example
 * ```ts
 * const b2 = new BackblazeB2S3StorageDriver({ key: keyId, secret: applicationKey, region: 'us-west-004' });
 * ```
 */
export class BackblazeB2S3StorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.BACKBLAZE_B2_S3;
  readonly name: string = 'Backblaze B2 (S3-compatible API)';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: BackblazeB2S3StorageDriverOptions) {
    if (options?.region === undefined) {
      throw new InvalidArgumentError('backblaze_b2_s3: give region (the one in your bucket endpoint, e.g. us-west-004)', { provider: 'backblaze_b2_s3', code: 'MissingRegion' });
    }
    const region = hostLabel('backblaze_b2_s3', 'region', options.region);
    super({ ...options, region }, compatibleDefaults('backblaze_b2_s3', options, { host: `s3.${region}.backblazeb2.com`, region, pathStyle: false }));
  }
}
