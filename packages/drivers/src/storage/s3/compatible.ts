/**
 * What the S3-compatible stores built on the S3 base share: explicit access keys (never the `AWS_*`
 * environment, which holds another provider's keys), SigV4 for the store's region, no `x-amz-checksum-*`
 * headers unless asked (several of these stores reject them), no LocationConstraint (the endpoint fixes the
 * region), and no reliance on `If-Match` on DELETE. Each store is then a small file: its endpoint rule.
 * @module
 */
import { InvalidArgumentError, sigV4Signer } from '@dualcloud/core';
import type { S3CompatibleOptions, S3Defaults } from './driver.js';

/** The key pair of an S3-compatible store, both halves required. */
export function explicitKeys(provider: string, options: S3CompatibleOptions | undefined): { accessKeyId: string; secretAccessKey: string } {
  if (!options || typeof options.key !== 'string' || options.key === '' || typeof options.secret !== 'string' || options.secret === '') {
    throw new InvalidArgumentError(`${provider}: give key (the access key id) and secret (the secret access key)`, { provider, code: 'MissingCredentials' });
  }
  return { accessKeyId: options.key, secretAccessKey: options.secret };
}

/** A region or account label that is safe to put in a host name. */
export function hostLabel(provider: string, what: string, value: string): string {
  if (typeof value !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(value)) {
    throw new InvalidArgumentError(`${provider}: ${what} ${JSON.stringify(String(value).slice(0, 64))} is not a valid host label`, { provider, code: 'InvalidOption' });
  }
  return value.toLowerCase();
}

/** The defaults of an S3-compatible store: `host` for `region`, SigV4 with the explicit keys. */
export function compatibleDefaults(
  provider: string,
  options: S3CompatibleOptions | undefined,
  store: { host: string; region: string; pathStyle: boolean; checksums?: boolean },
): S3Defaults {
  const keys = explicitKeys(provider, options);
  return {
    provider,
    host: store.host,
    region: store.region,
    pathStyle: store.pathStyle,
    checksums: store.checksums ?? false,
    locationConstraint: false,
    conditionalDelete: false,
    credentials: (region) => sigV4Signer(keys, region, 's3'),
  };
}
