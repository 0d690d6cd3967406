/**
 * OVHcloud Object Storage (Libcloud's `OvhStorageDriver`): `s3.{region}.io.cloud.ovh.net`.
 * @module
 */
import { InvalidArgumentError } from '@dualcloud/core';
import { Provider } from '../providers.js';
import { compatibleDefaults, hostLabel } from './compatible.js';
import { S3CompatibleStorageDriver, type S3CompatibleOptions } from './driver.js';

/** Options of {@link OvhStorageDriver}: `region` is an OVHcloud region in lower case (`gra` default, `sbg`, `bhs`, `de`, `uk`, `waw`, ...). */
export interface OvhStorageDriverOptions extends S3CompatibleOptions {
  /** `standard` (default: `s3.{region}.io.cloud.ovh.net`) or `performance` (`s3.{region}.perf.cloud.ovh.net`, as Libcloud's driver). */
  tier?: 'standard' | 'performance';
}

/**
 * OVHcloud Object Storage's S3 API: virtual-hosted, SigV4 for the region.
 * @example
 * ```ts
 * const ovh = new OvhStorageDriver({ key, secret, region: 'sbg' });
 * ```
 */
export class OvhStorageDriver extends S3CompatibleStorageDriver {
  static override readonly optionKeys: readonly string[] = [...S3CompatibleStorageDriver.optionKeys, 'tier'];
  readonly type = Provider.OVH;
  readonly name: string = 'OVHcloud Object Storage';
  protected readonly metaPrefix = 'x-amz-meta-';

  constructor(options: OvhStorageDriverOptions) {
    const region = hostLabel('ovh', 'region', options?.region ?? 'gra');
    const { tier = 'standard', ...rest } = options ?? {};
    if (tier !== 'standard' && tier !== 'performance') throw new InvalidArgumentError('ovh: tier must be "standard" or "performance"', { provider: 'ovh', code: 'InvalidOption' });
    const zone = tier === 'performance' ? 'perf' : 'io';
    super({ ...rest, region }, compatibleDefaults('ovh', options, { host: `s3.${region}.${zone}.cloud.ovh.net`, region, pathStyle: false }));
  }
}
