/**
 * Amazon S3 and S3-compatible stores (MinIO, R2, s3rver, the fake cloud).
 * @module
 */
import { sigV4Signer } from '@dualcloud/core';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link S3StorageDriver}: `key`/`secret` are the access key id and secret access key. */
export type S3StorageDriverOptions = S3CompatibleOptions;

/**
 * Amazon S3 (Libcloud's `S3StorageDriver`), signed with SigV4.
 *
 * @example
 * ```ts
 * const s3 = new S3StorageDriver({ key, secret, region: 'eu-west-1' });
 * const minio = new S3StorageDriver({ key, secret, host: '127.0.0.1', port: 9000, secure: false }); // path-style
 * ```
 */
export class S3StorageDriver extends S3CompatibleStorageDriver {
  readonly type: string = 's3';
  readonly name: string = 'Amazon S3';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: S3StorageDriverOptions) {
    const region = options?.region ?? 'us-east-1';
    super(options, {
      provider: 's3',
      host: `s3.${region}.amazonaws.com`,
      region,
      pathStyle: false,
      checksums: true,
      credentials: (r) => sigV4Signer({ accessKeyId: options.key, secretAccessKey: options.secret ?? '' }, r, 's3'),
    });
  }
}
