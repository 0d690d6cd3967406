/**
 * Refusing options that are not understood, with a suggestion of what was meant.
 *
 * A misspelt option (`timeout` for `timeoutMs`, Libcloud's `ex_keyname`, boto's `region_name`) is otherwise
 * ignored without a word, and the user finds out much later, in production. These checks run before anything
 * is sent. Messages name keys, never values: options carry secrets.
 * @module
 */
import { InvalidArgumentError } from './errors/index.js';

/**
 * An entry of the ecosystem table: `show` is offered when `key` is allowed where the check runs. An entry
 * with only a `note` says why dualcloud has no such option; it is the last resort before listing the keys.
 */
type Spelling = { readonly key: string; readonly show: string; readonly note?: string } | { readonly key?: undefined; readonly note: string };

const retry = (field: string, note?: string): Spelling => ({ key: 'retry', show: `retry: { ${field} }`, ...(note ? { note } : {}) });
const MAX_ATTEMPTS = retry('maxAttempts', 'It counts the first try');
const SECRET: Spelling = { key: 'secret', show: 'secret' };
const KEY: Spelling = { key: 'key', show: 'key' };
const REGION: Spelling = { key: 'region', show: 'region' };
const HOST: Spelling = { key: 'host', show: 'host', note: 'Set `port` and `secure` too' };

/**
 * Spellings users bring from Apache Libcloud, boto3, the AWS, Azure and DigitalOcean SDKs, and OpenStack,
 * mapped to dualcloud's. An entry is offered only when its target key is allowed where the check runs.
 */
const ECOSYSTEM: ReadonlyMap<string, Spelling> = new Map<string, Spelling>([
  ['timeout', { key: 'timeoutMs', show: 'timeoutMs' }],
  ['timeout_ms', { key: 'timeoutMs', show: 'timeoutMs' }],
  ['request_timeout', { key: 'timeoutMs', show: 'timeoutMs', note: 'In milliseconds' }],
  ['requestTimeout', { key: 'timeoutMs', show: 'timeoutMs', note: 'In milliseconds' }],
  ['retry_delay', retry('baseDelayMs')],
  ['retryDelay', retry('baseDelayMs')],
  ['backoff', retry('maxDelayMs')],
  ['max_retries', MAX_ATTEMPTS],
  ['maxRetries', MAX_ATTEMPTS],
  ['retries', MAX_ATTEMPTS],
  ['max_attempts', retry('maxAttempts')],
  ['maxAttempts', retry('maxAttempts')],
  ['retry_mode', { key: 'retry', show: 'retry', note: 'It takes a policy object, not a mode name' }],
  ['secret_key', SECRET],
  ['secretKey', SECRET],
  ['secret_access_key', SECRET],
  ['secretAccessKey', SECRET],
  ['aws_secret_access_key', SECRET],
  ['account_key', SECRET],
  ['accountKey', SECRET],
  ['access_key', KEY],
  ['accessKey', KEY],
  ['access_key_id', KEY],
  ['accessKeyId', KEY],
  ['aws_access_key_id', KEY],
  ['key_id', KEY],
  ['keyId', KEY],
  ['api_key', KEY],
  ['apiKey', KEY],
  ['token', KEY],
  ['access_token', KEY],
  ['accessToken', KEY],
  ['account_name', KEY],
  ['accountName', KEY],
  ['region_name', REGION],
  ['regionName', REGION],
  ['endpoint', HOST],
  ['endpoint_url', HOST],
  ['endpointUrl', HOST],
  ['base_url', HOST],
  ['baseUrl', HOST],
  ['url', HOST],
  ['ex_force_base_url', HOST],
  ['use_ssl', { key: 'secure', show: 'secure' }],
  ['useSsl', { key: 'secure', show: 'secure' }],
  ['https', { key: 'secure', show: 'secure' }],
  ['tls', { key: 'secure', show: 'secure' }],
  ['max_pool_connections', { key: 'transport', show: 'transport: { maxSockets }' }],
  ['maxSockets', { key: 'transport', show: 'transport: { maxSockets }' }],
  ['adapter', { key: 'transport', show: 'transport: { adapter }' }],
  // S3 addressing (AWS SDK v2 and boto3 names; the AWS SDK v3's `forcePathStyle` is accepted as an alias).
  ['s3ForcePathStyle', { key: 'pathStyle', show: 'pathStyle' }],
  ['force_path_style', { key: 'pathStyle', show: 'pathStyle' }],
  ['addressing_style', { key: 'pathStyle', show: 'pathStyle', note: "A boolean: true for 'path', false for 'virtual'" }],
  ['use_path_style', { key: 'pathStyle', show: 'pathStyle' }],
  // Bulk transfers (boto3's TransferConfig, concurrent.futures).
  ['max_concurrency', { key: 'concurrency', show: 'concurrency' }],
  ['maxConcurrency', { key: 'concurrency', show: 'concurrency' }],
  ['max_workers', { key: 'concurrency', show: 'concurrency' }],
  ['workers', { key: 'concurrency', show: 'concurrency' }],
  ['proxy_url', { note: 'dualcloud has no proxy option' }],
  ['proxyUrl', { note: 'dualcloud has no proxy option' }],
  ['proxy', { note: 'dualcloud has no proxy option' }],
  ['api_version', { note: 'each driver speaks one API version of its provider' }],
  ['apiVersion', { note: 'each driver speaks one API version of its provider' }],
  ['ex_force_auth_url', { key: 'authUrl', show: 'authUrl' }],
  ['ex_force_auth_version', { key: 'identityApiVersion', show: 'identityApiVersion' }],
  ['ex_force_service_region', { key: 'regionName', show: 'regionName' }],
  ['ex_tenant_name', { key: 'projectName', show: 'projectName' }],
  ['ex_domain_name', { key: 'userDomainName', show: 'userDomainName' }],
  ['tenant_name', { key: 'projectName', show: 'projectName' }],
  ['tenantName', { key: 'projectName', show: 'projectName' }],
  ['tenant_id', { key: 'projectId', show: 'projectId' }],
  ['tenantId', { key: 'projectId', show: 'projectId' }],
  // Libcloud method arguments: wait_until_running, download_object_range_as_stream.
  ['wait_period', { key: 'pollInterval', show: 'pollInterval', note: "In milliseconds (Libcloud's is in seconds)" }],
  ['start_bytes', { key: 'start', show: 'start' }],
  ['end_bytes', { key: 'end', show: 'end', note: "It is inclusive (Libcloud's end_bytes is exclusive)" }],
  // Libcloud's get_object_cdn_url (S3, Azure).
  ['ex_expiry', { key: 'expiresIn', show: 'expiresIn', note: "In seconds (Libcloud's ex_expiry is in hours)" }],
  ['ex_method', { key: 'method', show: 'method' }],
]);

/**
 * Libcloud's `ex_*` arguments whose words are glued together, or renamed, with their key inside dualcloud's
 * `ex`. Well-formed snake_case names (`ex_security_group_ids`) need no entry: they are camelCased.
 */
const EX_NAMES: ReadonlyMap<string, string> = new Map([
  ['keyname', 'keyName'],
  ['userdata', 'userData'],
  ['clienttoken', 'clientToken'],
  ['executableby', 'executableBy'],
  ['blockdevicemappings', 'blockDeviceMappings'],
  ['iamprofile', 'iamProfile'],
  ['mincount', 'minCount'],
  ['maxcount', 'maxCount'],
  ['securitygroup', 'securityGroups'],
  ['security_group', 'securityGroups'],
  ['subnet', 'subnetId'],
  ['owner', 'owners'],
  ['metadata', 'tags'],
  ['ssh_key_ids', 'sshKeys'],
  ['ssh_keys', 'sshKeys'],
  ['vpc_uuid', 'vpcUuid'],
]);

/** `some_snake_key` → `someSnakeKey`; undefined when `key` is not well-formed lower snake_case. */
function snakeToCamel(key: string): string | undefined {
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(key)) return undefined;
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Lower case without `_` and `-`: `verify_hash`, `VerifyHash` and `verify-hash` compare equal. */
function loose(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Damerau-Levenshtein distance (optimal string alignment: insertions, deletions, substitutions and
 * transpositions of adjacent characters each cost 1).
 */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The allowed key nearest `key`, if near enough: distance ≤ 2 or ≤ a third of the length, and not a rewrite. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = Math.min(editDistance(key, candidate), editDistance(key.toLowerCase(), candidate.toLowerCase()));
    // A distance as long as either word is a rewrite, not a typo (`ab` is 2 edits from `ex`).
    if (distance > limit || distance >= Math.min(key.length, candidate.length)) continue;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A key as shown in a message: in backticks, escaped when odd, cut when long. */
function showKey(key: string): string {
  const cut = key.length > 64 ? `${key.slice(0, 61)}...` : key;
  return /^[\w$.-]+$/.test(cut) ? `\`${cut}\`` : JSON.stringify(cut);
}

/** What to say after `unknown option \`key\``, without the parentheses. */
function suggestion(key: string, allowed: readonly string[], allowedSet: ReadonlySet<string>, hints: Readonly<Record<string, string>> | undefined): string {
  const didYouMean = (show: string, note?: string): string => `did you mean \`${show}\`?${note ? ` ${note}` : ''}`;

  // 0. The caller's own mappings.
  if (hints && Object.hasOwn(hints, key) && typeof hints[key] === 'string') return didYouMean(hints[key]);

  // 1. Spellings from Libcloud and the vendor SDKs.
  const known = ECOSYSTEM.get(key);
  if (known?.key !== undefined && allowedSet.has(known.key)) return didYouMean(known.show, known.note);
  // Libcloud's `ex_*` spelling of what is a plain option here (`ex_description` → `description`).
  const plain = key.startsWith('ex_') ? snakeToCamel(key.slice(3)) : undefined;
  if (plain !== undefined && plain !== 'ex' && allowedSet.has(plain)) return didYouMean(plain);
  if (key.startsWith('ex_') && allowedSet.has('ex')) {
    const rest = key.slice(3);
    if (rest === 'create_attr' || rest === 'create_attributes') return 'put its fields directly in `ex`, camelCased';
    const inside = EX_NAMES.get(rest) ?? snakeToCamel(rest);
    return inside ? didYouMean(`ex: { ${inside} }`) : 'pass provider extras in `ex`, camelCased';
  }
  // Where the options object holds the extras itself (EC2 `listImages`: `ex_owner` → `owners`).
  if (key.startsWith('ex_')) {
    const inside = EX_NAMES.get(key.slice(3)) ?? snakeToCamel(key.slice(3));
    if (inside !== undefined && allowedSet.has(inside)) return didYouMean(inside);
  }

  // 2. The same words, another case convention (`verify_hash`, `VerifyHash` → `verifyHash`).
  const camel = snakeToCamel(key);
  if (camel !== undefined && allowedSet.has(camel)) return didYouMean(camel);
  const sameWords = allowed.find((candidate) => loose(candidate) === loose(key));
  if (sameWords !== undefined) return didYouMean(sameWords);

  // 3. A typo.
  const near = nearest(key, allowed);
  if (near !== undefined) return didYouMean(near);
  if (known?.key === undefined && known?.note) return known.note;
  if (allowed.length === 0) return 'no options are accepted here';
  return `allowed: ${allowed.map(showKey).join(', ')}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Throws unless `value` is an options object whose own keys are all in `allowed`.
 *
 * For each unknown key the message suggests what was meant, trying in order: the caller's `hints`; spellings
 * from Libcloud and the vendor SDKs (`timeout` → `timeoutMs`, `max_retries` → `retry: { maxAttempts }`,
 * `region_name` → `region`, `ex_keyname` → `ex: { keyName }`), offered only when their target is allowed;
 * the camelCase form of a snake_case key (`verify_hash` → `verifyHash`); the nearest allowed key within a
 * Damerau-Levenshtein distance of 2 (or a third of the key's length); else the list of allowed keys.
 *
 * Only own enumerable string keys are checked (symbols, such as the async-mode marker, are ignored), one
 * level deep. Messages name keys, never values.
 *
 * @param where - Prefix of the message, usually the provider or `provider.method` (`digitalocean`).
 * @param value - The options the caller passed.
 * @param allowed - The option names understood.
 * @param hints - Extra mappings `{ misspelling: 'what to use' }`, tried first.
 * @throws {@link InvalidArgumentError} with code `UnknownOption` naming every unknown key, or with code
 *   `InvalidOptions` when `value` is not a plain object (null, an array, a string...).
 *
 * @example
 * ```ts
 * checkOptions('digitalocean', { key, timeout: 5000 }, ['key', 'timeoutMs', 'retry']);
 * // InvalidArgumentError: digitalocean: unknown option `timeout` (did you mean `timeoutMs`?)
 * ```
 */
export function checkOptions(where: string, value: unknown, allowed: readonly string[], hints?: Readonly<Record<string, string>>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${where}: options must be an object (got ${describeType(value)})`, { code: 'InvalidOptions' });
  }
  const allowedSet = new Set(allowed);
  const unknown = Object.keys(value).filter((key) => !allowedSet.has(key));
  if (unknown.length === 0) return;
  const parts = unknown.map((key) => `${showKey(key)} (${suggestion(key, allowed, allowedSet, hints)})`);
  const message = parts.length === 1 ? `${where}: unknown option ${parts[0]}` : `${where}: unknown options ${parts.join(', ')}`;
  throw new InvalidArgumentError(message, { code: 'UnknownOption' });
}

/**
 * {@link checkOptions} for options the caller may omit: `undefined` and `null` pass; anything else is checked.
 *
 * @example
 * ```ts
 * function listObjects(container: string, options?: ListObjectsOptions) {
 *   checkOptionalOptions('s3.listObjects', options, ['prefix', 'delimiter']);
 * }
 * ```
 */
export function checkOptionalOptions(where: string, value: unknown, allowed: readonly string[], hints?: Readonly<Record<string, string>>): void {
  if (value === undefined || value === null) return;
  checkOptions(where, value, allowed, hints);
}
