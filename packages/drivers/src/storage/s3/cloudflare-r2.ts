/**
 * Cloudflare R2: `{account}.r2.cloudflarestorage.com` (or `{account}.{jurisdiction}.r2...`), region `auto`.
 * @module
 */
import { InvalidArgumentError } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link CloudflareR2StorageDriver}. */
export interface CloudflareR2StorageDriverOptions extends S3CompatibleOptions {
  /** The Cloudflare account id (required unless `host` is given). Not a secret. */
  accountId?: string;
  /** Buckets created in a jurisdiction are reached through its endpoint: `eu` or `fedramp`. */
  jurisdiction?: 'eu' | 'fedramp';
}

/**
 * Cloudflare R2: path-style (as rclone addresses it), SigV4 for region `auto` (R2 also takes `us-east-1` as an
 * alias). R2 answers DeleteObjects, multipart uploads and ListObjectsV2 like S3.
 * @example
 * ```ts
 * const r2 = new CloudflareR2StorageDriver({ key, secret, accountId: '0123456789abcdef0123456789abcdef' });
 * ```
 */
export class CloudflareR2StorageDriver extends S3CompatibleStorageDriver {
  static override readonly optionKeys: readonly string[] = [...S3CompatibleStorageDriver.optionKeys, 'accountId', 'jurisdiction'];
  readonly type = Provider.CLOUDFLARE_R2;
  readonly name: string = 'Cloudflare R2';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: CloudflareR2StorageDriverOptions) {
    const region = options?.region ?? 'auto';
    const { accountId, jurisdiction, ...rest } = options ?? {};
    if (jurisdiction !== undefined && jurisdiction !== 'eu' && jurisdiction !== 'fedramp') {
      throw new InvalidArgumentError('cloudflare_r2: jurisdiction must be "eu" or "fedramp"', { provider: 'cloudflare_r2', code: 'InvalidOption' });
    }
    if (accountId === undefined && options?.host === undefined) {
      throw new InvalidArgumentError('cloudflare_r2: give accountId (the Cloudflare account id) or host', { provider: 'cloudflare_r2', code: 'MissingAccountId' });
    }
    const host = accountId !== undefined ? `${hostLabel('cloudflare_r2', 'accountId', accountId)}.${jurisdiction ? `${jurisdiction}.` : ''}r2.cloudflarestorage.com` : options.host!;
    super({ ...rest, region }, compatibleDefaults('cloudflare_r2', options, { host, region, pathStyle: true }));
  }
}
