/**
 * MinIO (Libcloud's `MinIOStorageDriver`): a self-hosted S3 server, so `host` is required; path-style.
 * @module
 */
import { InvalidArgumentError } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { compatibleDefaults } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link MinIOStorageDriver}: `host` (and `port`, `secure`) of the server, `key`/`secret`. */
export type MinIOStorageDriverOptions = S3CompatibleOptions;

/**
 * MinIO. Signs for `region` (default `us-east-1`, MinIO's default); `checksums: true` turns on full-object CRC32
 * checksums where the server supports them.
 * @example
 * ```ts
 * const minio = new MinIOStorageDriver({ key, secret, host: 'minio.internal', port: 9000, secure: false });
 * ```
 */
export class MinIOStorageDriver extends S3CompatibleStorageDriver {
  readonly type = Provider.MINIO;
  readonly name: string = 'MinIO';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: MinIOStorageDriverOptions) {
    if (typeof options?.host !== 'string' || options.host === '') throw new InvalidArgumentError('minio: give host (the MinIO server)', { provider: 'minio', code: 'MissingHost' });
    const region = options.region ?? 'us-east-1';
    super({ ...options, region }, compatibleDefaults('minio', options, { host: options.host, region, pathStyle: true }));
  }
}
