/**
 * The credential chain drivers use: the options given win; with none, the environment and the providers'
 * standard files are read (see `environment.ts`), and `CredentialsNotFoundError` says what was looked for.
 * Half a pair (a key without its secret) is a mistake, never completed from the environment.
 * @module
 */
import { InvalidArgumentError } from '../errors/index.js';
import {
  awsCredentialsFromEnvironment,
  azureStorageFromEnvironment,
  digitalOceanTokenFromEnvironment,
  type AzureBlobEndpoint,
  type EnvironmentSource,
} from './environment.js';
import type { AwsCredentials } from './sigv4.js';

/**
 * AWS keys as driver options: `key` (access key id) and `secret` (secret access key) together, or neither —
 * then the `AWS_*` variables, the `profile` (default `AWS_PROFILE`, else `default`) and `~/.aws/credentials` +
 * `~/.aws/config` are read.
 */
export interface AwsKeyOptions {
  /** Access key id. */
  key?: string;
  /** Secret access key. */
  secret?: string;
  /** Session token of temporary credentials. */
  token?: string;
  region?: string;
  /** Profile of `~/.aws/credentials` / `~/.aws/config` (default `AWS_PROFILE`, else `default`). */
  profile?: string;
}

/**
 * AWS credentials and region for a driver: keys from its options, else the environment, profiles and files;
 * the region from `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's (the driver's `region` option wins).
 */
export function awsKeysFor(provider: string, options: AwsKeyOptions, source: EnvironmentSource = {}): { credentials: AwsCredentials; region?: string } {
  const { key, secret, token } = options;
  if (key !== undefined || secret !== undefined) {
    if (typeof key !== 'string' || key === '' || typeof secret !== 'string' || secret === '') {
      throw new InvalidArgumentError(`${provider}: give key (access key id) and secret (secret access key) together, or neither to read them from the environment`, { provider });
    }
    const env = source.env ?? process.env;
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    return { credentials: { accessKeyId: key, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) }, ...(region ? { region } : {}) };
  }
  const found = awsCredentialsFromEnvironment({ ...source, ...(options.profile ? { profile: options.profile } : {}) });
  return {
    credentials: { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}) },
    ...(found.region ? { region: found.region } : {}),
  };
}

/** A DigitalOcean token: `key`, else `DIGITALOCEAN_TOKEN` / `DIGITALOCEAN_ACCESS_TOKEN`. */
export function digitalOceanTokenFor(key: string | undefined, source: EnvironmentSource = {}): string {
  if (key !== undefined) {
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('digitalocean: give key (the API token)', { provider: 'digitalocean' });
    return key;
  }
  return digitalOceanTokenFromEnvironment(source).token;
}

/** An Azure storage account: `key` + `secret`, else `AZURE_STORAGE_CONNECTION_STRING` or `AZURE_STORAGE_ACCOUNT` + `AZURE_STORAGE_KEY`. */
export function azureAccountFor(
  key: string | undefined,
  secret: string | undefined,
  source: EnvironmentSource = {},
): { account: string; accountKey: string; endpoint?: AzureBlobEndpoint } {
  if (key !== undefined || secret !== undefined) {
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('azure_blobs: `key` (the account name) is required', { provider: 'azure_blobs' });
    if (typeof secret !== 'string' || secret === '') throw new InvalidArgumentError('azure_blobs: `secret` (the base64 account key) is required', { provider: 'azure_blobs' });
    return { account: key, accountKey: secret };
  }
  const found = azureStorageFromEnvironment(source);
  return { account: found.account, accountKey: found.accountKey, ...(found.blobEndpoint ? { endpoint: found.blobEndpoint } : {}) };
}
