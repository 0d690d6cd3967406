/**
 * What every regional AWS driver (EC2's Query API, ECS's JSON protocol) sets up the same way: credentials from
 * the options or the chain, the region (option, else environment or profile, else a default) checked by name,
 * the service's regional host and its SigV4 signer.
 * @module
 */
import { InvalidArgumentError } from '../errors/index.js';
import { awsKeysFor, type AwsKeyOptions } from './chain.js';
import { sigV4Signer, type Signer } from './signers.js';

/** An AWS region name, e.g. `us-east-1`, `cn-north-1`, `us-gov-west-1`. */
export const AWS_REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** A regional AWS service as a driver connects to it. */
export interface AwsRegionalService {
  readonly region: string;
  /** `<service>.<region>.amazonaws.com` (`.com.cn` in China). */
  readonly host: string;
  /** SigV4 for the region and service; prints without its secrets. */
  readonly signer: Signer;
}

/**
 * Resolves a driver's AWS credentials and region and gives the regional host and signer of `service`.
 * Throws `InvalidArgumentError` (naming `provider`) for half a key pair or a region that is not a region name,
 * and `CredentialsNotFoundError` when neither the options nor the environment hold keys.
 */
export function awsRegionalService(provider: string, service: string, options: AwsKeyOptions, defaultRegion: string): AwsRegionalService {
  const { credentials, region: envRegion } = awsKeysFor(provider, options ?? {});
  const region = options?.region ?? envRegion ?? defaultRegion;
  if (typeof region !== 'string' || !AWS_REGION_NAME.test(region)) throw new InvalidArgumentError(`${provider}: invalid region "${String(region)}"`, { provider });
  return {
    region,
    host: `${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`,
    signer: sigV4Signer(credentials, region, service),
  };
}
