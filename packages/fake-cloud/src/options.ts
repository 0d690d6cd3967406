/**
 * Options of the fake cloud and their defaults. Everything here is plain data: options cross to the worker thread.
 * @module
 */

/**
 * The providers the fake cloud emulates, named as the drivers name them (`keystone`: OpenStack Identity v3 and
 * v2.0; `nova`: OpenStack Compute v2.1 and the Glance v2 images beside it; `swift`: OpenStack Swift, its v1.0
 * auth and a Rackspace-style identity v2.0; `ecs`: Amazon ECS over the JSON 1.1 protocol; `kubernetes`: the
 * Kubernetes core/v1 API, namespaces and pods).
 */
export type FakeProvider = 'ec2' | 'digitalocean' | 's3' | 'google_storage' | 'keystone' | 'nova' | 'swift' | 'ecs' | 'kubernetes' | 'docker';

/** All emulated providers. */
export const FAKE_PROVIDERS: readonly FakeProvider[] = ['ec2', 'digitalocean', 's3', 'google_storage', 'keystone', 'nova', 'swift', 'ecs', 'kubernetes', 'docker'];

/**
 * Latency added to every request before it is answered: fixed milliseconds, uniform in `[min, max]`,
 * or uniform in `[mean - jitter, mean + jitter]` (clamped at 0).
 */
export type LatencySpec = number | { readonly min: number; readonly max: number } | { readonly mean: number; readonly jitter?: number };

/** The kinds of injected faults. */
export type FaultKind = '500' | '503' | '429' | 'reset' | 'truncated' | 'stall' | 'corrupt-request' | 'corrupt-response';

/** All fault kinds. */
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', '429', 'reset', 'truncated', 'stall', 'corrupt-request', 'corrupt-response'];

/**
 * Fault injection. `500`, `503`, `429` and `reset` strike before the request is handled (it has no effect);
 * `truncated` and `stall` strike the real response, after the request took effect (as when a reply is lost).
 * `corrupt-request` flips one bit of the request body's payload before the handler sees it (signatures and
 * payload hashes are checked on the bytes as sent; Content-MD5 and checksums see the corrupted ones), and
 * `corrupt-response` flips one bit of the response body (same Content-Length); both let the request take effect.
 * A corruption fault that finds no body to corrupt is dropped: the request is served normally and not counted.
 */
export interface FaultOptions {
  /** Probability (0..1) that a request gets a fault. Default 0. */
  readonly rate?: number;
  /** Kinds to draw from (uniformly). Default: all of {@link FAULT_KINDS}. */
  readonly kinds?: readonly FaultKind[];
  /** Seed of the deterministic PRNG that decides faults, so runs repeat. Default 1. */
  readonly seed?: number;
  /** Only requests to these providers get faults. Default: all. */
  readonly providers?: readonly FakeProvider[];
  /**
   * Faults for the next requests, in order, before the random ones: one entry per request,
   * `null` meaning "no fault". Handy for deterministic retry tests.
   */
  readonly sequence?: readonly (FaultKind | null)[];
  /** `Retry-After` seconds sent with 429. Default 1. */
  readonly retryAfterSeconds?: number;
  /** A stalled response is closed after this many ms, so nothing hangs forever. Default 60 000 (capped at 600 000). */
  readonly stallMs?: number;
}

/** Access key id → secret key. */
export type KeyTable = Readonly<Record<string, string>>;

/**
 * A Keystone user's membership in one project. Several entries with the same user and domain give the user
 * several projects (the first entry's password counts).
 */
export interface KeystoneUser {
  readonly username: string;
  readonly password: string;
  readonly project: string;
  /** Domain of the user and the project (by name). `Default` has the id `default`, as in Keystone. */
  readonly domain: string;
  /** Rackspace-style API key, accepted by Keystone v2.0 `RAX-KSKEY:apiKeyCredentials` (Default domain only). */
  readonly apiKey?: string;
}

/** Credentials accepted by the fake cloud. */
export interface FakeCredentials {
  /** AWS access key id → secret (EC2, ECS and S3). */
  readonly aws: KeyTable;
  /** Accepted DigitalOcean bearer tokens. */
  readonly digitalocean: readonly string[];
  /** GCS HMAC access id → secret. */
  readonly gcs: KeyTable;
  /** Keystone users and their projects. */
  readonly keystone: readonly KeystoneUser[];
  /** Accepted Kubernetes bearer tokens (service-account style). */
  readonly kubernetes: readonly string[];
}

/** The default credentials (also printed by `pnpm fake-cloud`). Not secrets: they only open the fake cloud. */
export const FAKE_CREDENTIALS = {
  aws: { accessKeyId: 'AKIAFAKECLOUD0000001', secretAccessKey: 'fake/cloud/aws/secret/key/0000000000000' },
  digitalocean: { token: 'dop_v1_fakecloud0000000000000000000000000000000000000000000000000000' },
  gcs: { accessKeyId: 'GOOGFAKECLOUD000000000000001', secretAccessKey: 'fake/cloud/gcs/hmac/secret/000000000000' },
  keystone: { username: 'demo', password: 'fake-keystone-password-000', project: 'demo', domain: 'Default', apiKey: 'fake-rackspace-api-key-0000000000' },
  kubernetes: { token: 'fake-kubernetes-token.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpkZW1vIn0.0000' },
} as const;

/** Options of {@link startFakeCloud} and {@link createFakeCloudServer}. All optional, all structured-clonable. */
export interface FakeCloudOptions {
  /** Port to listen on (127.0.0.1). Default 0 (any free port). */
  readonly port?: number;
  /** Latency added to each request. Default 0. */
  readonly latency?: LatencySpec;
  /** Seed of the latency PRNG. Default 1. */
  readonly latencySeed?: number;
  /** Fault injection. Default: none. */
  readonly faults?: FaultOptions;
  /** How long a node stays `pending`/`new` (and `stopping`, `shutting-down`) before its next state. Default 200 ms. */
  readonly nodeBootMs?: number;
  /** Smallest size of a non-last multipart part. Default 5 MiB, like S3. */
  readonly minPartSize?: number;
  /** Largest object or part. Default 64 MiB. Larger requests get `EntityTooLarge`. */
  readonly maxObjectBytes?: number;
  /** Largest total of stored objects and parts (per store). Default 512 MiB. */
  readonly maxTotalBytes?: number;
  /** Largest number of nodes per region (EC2), per account (DigitalOcean) or per project and region (Nova). Default 1000. */
  readonly maxNodes?: number;
  /** Largest number of buckets per store. Default 1000. */
  readonly maxBuckets?: number;
  /** Accepted clock skew of signed requests. Default 15 minutes. */
  readonly maxClockSkewMs?: number;
  /** DigitalOcean's requests per hour per token (`ratelimit-limit`). Default 5000. */
  readonly doRateLimit?: number;
  /** Credentials accepted. Default: {@link FAKE_CREDENTIALS} only. Given tables replace the defaults. */
  readonly credentials?: Partial<FakeCredentials>;
  /** Regions listed by EC2 DescribeRegions and DigitalOcean /v2/regions. */
  readonly regions?: readonly string[];
  /**
   * S3/GCS check `Content-MD5` and `x-amz-checksum-*` against the bytes received (400 `BadDigest`). Default true.
   * False behaves like stores that do not verify (s3rver, some appliances): a corrupted upload is stored, with the
   * MD5 of the stored bytes as ETag and the client's checksum as given.
   */
  readonly verifyContentMd5?: boolean;
  /**
   * S3 answers ListObjectsV2 requests (`list-type=2`) in the version 1 shape, as old Ceph and some appliances do:
   * `continuation-token`, `marker` or `start-after` (the first given) is taken as the V1 marker. Default false.
   */
  readonly s3ListV1Only?: boolean;
  /** Lifetime of Keystone tokens issued from now on. Default 3 600 000 ms (one hour). */
  readonly tokenTtlMs?: number;
  /**
   * Also listen on this Unix socket path (as the Docker daemon's `/var/run/docker.sock`); every provider answers
   * there too. A stale socket file at the path is replaced. Default: none.
   */
  readonly dockerSocketPath?: string;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly port: number;
  readonly latency: LatencySpec;
  readonly latencySeed: number;
  readonly faults: Required<Omit<FaultOptions, 'providers'>> & { readonly providers?: readonly FakeProvider[] };
  readonly nodeBootMs: number;
  readonly minPartSize: number;
  readonly maxObjectBytes: number;
  readonly maxTotalBytes: number;
  readonly maxNodes: number;
  readonly maxBuckets: number;
  readonly maxClockSkewMs: number;
  readonly doRateLimit: number;
  readonly credentials: FakeCredentials;
  readonly regions: readonly string[];
  readonly verifyContentMd5: boolean;
  readonly s3ListV1Only: boolean;
  readonly tokenTtlMs: number;
  readonly dockerSocketPath: string | undefined;
}

/** The default EC2 regions. */
export const DEFAULT_REGIONS: readonly string[] = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1'];

const MAX_STALL_MS = 600_000;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`fake-cloud: option ${name} must be a number >= 0`);
  return value;
}

/** Fills in defaults and validates (throws `RangeError` / `TypeError` on bad options). */
export function resolveOptions(options: FakeCloudOptions = {}): ResolvedOptions {
  const f = options.faults ?? {};
  const rate = nonNegative('faults.rate', f.rate, 0);
  if (rate > 1) throw new RangeError('fake-cloud: option faults.rate must be within 0..1');
  const kinds = f.kinds ?? FAULT_KINDS;
  for (const k of [...kinds, ...(f.sequence ?? [])]) {
    if (k !== null && !FAULT_KINDS.includes(k)) throw new TypeError(`fake-cloud: unknown fault kind ${String(k)}`);
  }
  if (kinds.length === 0 && rate > 0) throw new RangeError('fake-cloud: faults.kinds is empty');
  validateLatency(options.latency ?? 0);
  const c = options.credentials ?? {};
  return {
    port: nonNegative('port', options.port, 0),
    latency: options.latency ?? 0,
    latencySeed: options.latencySeed ?? 1,
    faults: {
      rate,
      kinds,
      seed: f.seed ?? 1,
      providers: f.providers,
      sequence: f.sequence ?? [],
      retryAfterSeconds: nonNegative('faults.retryAfterSeconds', f.retryAfterSeconds, 1),
      stallMs: Math.min(nonNegative('faults.stallMs', f.stallMs, 60_000), MAX_STALL_MS),
    },
    nodeBootMs: nonNegative('nodeBootMs', options.nodeBootMs, 200),
    minPartSize: nonNegative('minPartSize', options.minPartSize, 5 * 1024 * 1024),
    maxObjectBytes: nonNegative('maxObjectBytes', options.maxObjectBytes, 64 * 1024 * 1024),
    maxTotalBytes: nonNegative('maxTotalBytes', options.maxTotalBytes, 512 * 1024 * 1024),
    maxNodes: nonNegative('maxNodes', options.maxNodes, 1000),
    maxBuckets: nonNegative('maxBuckets', options.maxBuckets, 1000),
    maxClockSkewMs: nonNegative('maxClockSkewMs', options.maxClockSkewMs, 15 * 60_000),
    doRateLimit: nonNegative('doRateLimit', options.doRateLimit, 5000),
    credentials: {
      aws: c.aws ?? { [FAKE_CREDENTIALS.aws.accessKeyId]: FAKE_CREDENTIALS.aws.secretAccessKey },
      digitalocean: c.digitalocean ?? [FAKE_CREDENTIALS.digitalocean.token],
      gcs: c.gcs ?? { [FAKE_CREDENTIALS.gcs.accessKeyId]: FAKE_CREDENTIALS.gcs.secretAccessKey },
      keystone: c.keystone ?? [FAKE_CREDENTIALS.keystone],
      kubernetes: c.kubernetes ?? [FAKE_CREDENTIALS.kubernetes.token],
    },
    regions: options.regions ?? DEFAULT_REGIONS,
    verifyContentMd5: flag('verifyContentMd5', options.verifyContentMd5, true),
    s3ListV1Only: flag('s3ListV1Only', options.s3ListV1Only, false),
    tokenTtlMs: nonNegative('tokenTtlMs', options.tokenTtlMs, 3_600_000),
    dockerSocketPath: socketPathOption(options.dockerSocketPath),
  };
}

function socketPathOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 100) throw new TypeError('fake-cloud: option dockerSocketPath must be a path (at most 100 characters)');
  return value;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`fake-cloud: option ${name} must be a boolean`);
  return value;
}

function validateLatency(spec: LatencySpec): void {
  const ok =
    typeof spec === 'number'
      ? Number.isFinite(spec) && spec >= 0
      : 'min' in spec
        ? spec.min >= 0 && spec.max >= spec.min
        : 'mean' in spec && spec.mean >= 0 && (spec.jitter ?? 0) >= 0;
  if (!ok) throw new RangeError('fake-cloud: option latency must be ms >= 0, {min, max} or {mean, jitter}');
}
