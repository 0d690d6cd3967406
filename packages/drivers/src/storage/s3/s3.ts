/**
 * Amazon S3 and S3-compatible stores (MinIO, R2, s3rver, the fake cloud).
 * @module
 */
import { awsKeysFor, sigV4Signer, type AwsKeyOptions } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/**
 * Options of {@link S3StorageDriver}: `key`/`secret` are the access key id and secret access key (`token` a
 * session token); give both, or neither to read `AWS_*` variables and the `profile`'s shared files.
 */
export interface S3StorageDriverOptions extends S3CompatibleOptions, AwsKeyOptions {}

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
  readonly type = Provider.S3;
  readonly name: string = 'Amazon S3';
  protected readonly metaPrefix = 'x-amz-meta-';

  static override readonly optionKeys: readonly string[] = [...S3CompatibleStorageDriver.optionKeys, 'token', 'profile'];

  constructor(options: S3StorageDriverOptions = {}) {
    const { credentials, region: profileRegion } = awsKeysFor('s3', options ?? {});
    const region = options?.region ?? profileRegion ?? 'us-east-1';
    super({ ...options, region }, {
      provider: 's3',
      host: `s3.${region}.amazonaws.com`,
      region,
      pathStyle: false,
      checksums: true,
      credentials: (r) => sigV4Signer(credentials, r, 's3'),
    });
  }
}
