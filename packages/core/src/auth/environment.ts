/**
 * Credentials from the environment and the providers' standard files, found where users of the vendor SDKs
 * and CLIs expect them. Each function reads `env` (default `process.env`) and files under `home` (default
 * `os.homedir()`) synchronously, sends nothing, and throws {@link CredentialsNotFoundError} naming what it
 * looked for when nothing usable is there.
 *
 * The returned objects print without their secrets (`console.log`, `util.inspect`, `JSON.stringify`) while
 * the fields stay readable; see {@link withRedactedPrint}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { CredentialsNotFoundError, InvalidArgumentError } from '../errors/kinds.js';
import { withRedactedPrint } from '../redact-print.js';
import { parseIni, type IniSections } from './ini.js';

/** Where the environment functions look: an explicit environment and home directory, for tests and embedding. */
export interface EnvironmentSource {
  /** Environment variables; default `process.env`. Empty values count as unset. */
  env?: NodeJS.ProcessEnv;
  /** Home directory for `~` paths; default `os.homedir()`. */
  home?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

type Env = NodeJS.ProcessEnv;

/** The variable's value, or undefined when unset or empty. */
function variable(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** `~/x` → `<home>/x`, as the AWS SDKs and openstacksdk expand it. */
function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** A file's text, `missing` when it does not exist, or the error code when it cannot be read. */
type FileRead = { readonly text: string } | { readonly missing: true } | { readonly error: string };

function readText(path: string): FileRead {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' || code === 'ENOTDIR' ? { missing: true } : { error: code };
  }
}

/** Drops undefined fields, so printed and compared objects hold only what was found. */
function defined<T extends object>(fields: T): T {
  for (const key of Object.keys(fields) as (keyof T)[]) if (fields[key] === undefined) delete fields[key];
  return fields;
}

/** `a`, `a and b`, `a, b and c`. */
function listing(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------------
// AWS

/** Options of {@link awsCredentialsFromEnvironment}. */
export interface AwsEnvironmentOptions extends EnvironmentSource {
  /**
   * Profile to read. When given, the `AWS_ACCESS_KEY_ID` pair in the environment is not consulted (as in every
   * AWS SDK when a profile is named in code). Default: `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`.
   */
  profile?: string;
}

/** AWS credentials found by {@link awsCredentialsFromEnvironment}. Prints with the secret fields redacted. */
export interface AwsEnvironmentCredentials {
  readonly accessKeyId: string;
  /** Secret (redacted when printed). */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials (redacted when printed). */
  readonly sessionToken?: string;
  /** `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's `region`. */
  readonly region?: string;
  /** The profile the keys came from, when they came from a file. */
  readonly profile?: string;
  /** Where the keys came from, for logs: variable names or profile and file paths, never values. */
  readonly source: string;
}

/** Profile settings the AWS SDKs resolve that dualcloud does not (roles, SSO, external processes). */
const AWS_UNRESOLVED = ['role_arn', 'sso_session', 'sso_start_url', 'credential_process', 'web_identity_token_file'];

/** Config-file sections by profile name: `[profile x]` → x, `[default]` → default (`[profile default]` wins). */
function awsConfigProfiles(sections: IniSections): IniSections {
  const profiles: IniSections = Object.create(null) as IniSections;
  if (sections['default']) profiles['default'] = sections['default'];
  for (const [name, values] of Object.entries(sections)) {
    const match = /^profile\s+(["']?)(.+?)\1$/.exec(name);
    if (match) profiles[match[2]!.trim()] = values;
  }
  return profiles;
}

/**
 * AWS credentials as the AWS SDKs and CLI find them, without network sources (no IMDS, SSO, roles or
 * `credential_process`):
 *
 * 1. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`), unless `profile` is given.
 *    They win over `AWS_PROFILE`, as in the CLI, boto3 and the Go and Java SDKs (AWS SDK for JavaScript v3
 *    prefers `AWS_PROFILE` and warns that this may change).
 * 2. The profile (`profile`, else `AWS_PROFILE`, else `default`) of the shared credentials file
 *    (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`; sections `[name]`) merged over the same profile
 *    of the config file (`AWS_CONFIG_FILE`, else `~/.aws/config`; sections `[profile name]` and `[default]`):
 *    `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`.
 *
 * The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`, wherever the keys came from.
 *
 * @throws {@link CredentialsNotFoundError} naming the variables, profile and files looked at.
 * @example
 * ```ts
 * const aws = awsCredentialsFromEnvironment({ profile: 'dev' });
 * const s3 = new S3StorageDriver({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: aws.region });
 * ```
 */
export function awsCredentialsFromEnvironment(options: AwsEnvironmentOptions = {}): AwsEnvironmentCredentials {
  const env = options.env ?? process.env;
  const home = options.home ?? variable(env, 'HOME') ?? homedir();
  const profile = options.profile ?? variable(env, 'AWS_PROFILE') ?? variable(env, 'AWS_DEFAULT_PROFILE') ?? 'default';
  const credentialsPath = expandHome(variable(env, 'AWS_SHARED_CREDENTIALS_FILE') ?? join(home, '.aws', 'credentials'), home);
  const configPath = expandHome(variable(env, 'AWS_CONFIG_FILE') ?? join(home, '.aws', 'config'), home);

  const files = [
    { path: credentialsPath, read: readText(credentialsPath), profiles: (s: IniSections) => s },
    { path: configPath, read: readText(configPath), profiles: awsConfigProfiles },
  ].map((file) => ({ ...file, section: 'text' in file.read ? file.profiles(parseIni(file.read.text))[profile] : undefined }));
  /** A setting of the profile: the credentials file wins over the config file. */
  const setting = (key: string): { value: string; path: string } | undefined => {
    for (const file of files) {
      const value = file.section?.[key];
      if (value) return { value, path: file.path };
    }
    return undefined;
  };
  const region = variable(env, 'AWS_REGION') ?? variable(env, 'AWS_DEFAULT_REGION') ?? setting('region')?.value;

  const envKeyId = variable(env, 'AWS_ACCESS_KEY_ID');
  const envSecret = variable(env, 'AWS_SECRET_ACCESS_KEY');
  if (options.profile === undefined && envKeyId && envSecret) {
    const sessionToken = variable(env, 'AWS_SESSION_TOKEN');
    const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', ...(sessionToken ? ['AWS_SESSION_TOKEN'] : [])];
    return awsResult({ accessKeyId: envKeyId, secretAccessKey: envSecret, sessionToken, region, profile: undefined, source: `environment variables ${names.join(', ')}` });
  }

  const keyId = setting('aws_access_key_id');
  const secret = setting('aws_secret_access_key');
  if (keyId && secret) {
    const token = setting('aws_session_token') ?? setting('aws_security_token');
    const paths = [...new Set([keyId.path, secret.path, ...(token ? [token.path] : [])])];
    return awsResult({ accessKeyId: keyId.value, secretAccessKey: secret.value, sessionToken: token?.value, region, profile, source: `profile \`${profile}\` of ${listing(paths)}` });
  }

  const looked: string[] = [];
  if (options.profile === undefined) {
    const half = envKeyId ? ' (AWS_ACCESS_KEY_ID is set, AWS_SECRET_ACCESS_KEY is not)' : envSecret ? ' (AWS_SECRET_ACCESS_KEY is set, AWS_ACCESS_KEY_ID is not)' : '';
    looked.push(`environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY${half}`);
  }
  const fileNotes = files.map((file) => {
    const why =
      'missing' in file.read ? 'file not found'
      : 'error' in file.read ? `unreadable: ${file.read.error}`
      : !file.section ? 'no such profile'
      : 'no aws_access_key_id and aws_secret_access_key';
    return `${file.path} (${why})`;
  });
  looked.push(`profile \`${profile}\` in ${listing(fileNotes)}`);
  const unresolved = AWS_UNRESOLVED.filter((key) => setting(key) !== undefined);
  const also = unresolved.length > 0 ? ` The profile uses ${listing(unresolved)}, which dualcloud does not resolve: export temporary keys instead (e.g. \`aws configure export-credentials --format env\`).` : '';
  throw new CredentialsNotFoundError(`aws: no credentials found. Looked for ${looked.join(', then ')}.${also}`, {
    provider: 'aws',
    searched: [...(options.profile === undefined ? ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] : []), credentialsPath, configPath],
  });
}

function awsResult(fields: { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined; region: string | undefined; profile: string | undefined; source: string }): AwsEnvironmentCredentials {
  return withRedactedPrint(defined({ ...fields }) as AwsEnvironmentCredentials, ['secretAccessKey', 'sessionToken']);
}

// ---------------------------------------------------------------------------------------------------------
// DigitalOcean

/** A DigitalOcean API token found by {@link digitalOceanTokenFromEnvironment}. Prints with the token redacted. */
export interface DigitalOceanEnvironmentToken {
  /** The API token (redacted when printed); pass it as the driver's `key`. */
  readonly token: string;
  /** The variable it came from. */
  readonly source: string;
}

/** Variables holding a DigitalOcean token, in the order tried (Terraform's; doctl reads the second). */
const DIGITALOCEAN_VARIABLES = ['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN'];

/**
 * A DigitalOcean API token from `DIGITALOCEAN_TOKEN`, else `DIGITALOCEAN_ACCESS_TOKEN` (doctl's, also accepted
 * by Terraform). doctl's own config file is not read.
 *
 * @throws {@link CredentialsNotFoundError} naming both variables.
 * @example
 * ```ts
 * const driver = new DigitalOceanNodeDriver({ key: digitalOceanTokenFromEnvironment().token });
 * ```
 */
export function digitalOceanTokenFromEnvironment(options: Pick<EnvironmentSource, 'env'> = {}): DigitalOceanEnvironmentToken {
  const env = options.env ?? process.env;
  for (const name of DIGITALOCEAN_VARIABLES) {
    const token = variable(env, name);
    if (token) return withRedactedPrint({ token, source: `environment variable ${name}` }, ['token']);
  }
  throw new CredentialsNotFoundError(`digitalocean: no API token found. Looked for environment variables ${listing(DIGITALOCEAN_VARIABLES)}.`, {
    provider: 'digitalocean',
    searched: DIGITALOCEAN_VARIABLES,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Azure Storage

/** Where the Blob service of an account answers, when not at `https://<account>.blob.core.windows.net`. */
export interface AzureBlobEndpoint {
  readonly host: string;
  /** Present when the endpoint names a port. */
  readonly port?: number;
  /** HTTPS when true. */
  readonly secure: boolean;
  /** Whether the account name is the first path segment (`http://127.0.0.1:10000/devstoreaccount1`), as Azurite serves. */
  readonly accountInPath: boolean;
}

/** An Azure Storage account and key. Prints with the key redacted. */
export interface AzureStorageCredentials {
  /** Account name; the driver's `key`. */
  readonly account: string;
  /** Base64 account key (redacted when printed); the driver's `secret`. */
  readonly accountKey: string;
  /** Set when the connection string names an endpoint, a suffix or a protocol, or asks for development storage. */
  readonly blobEndpoint?: AzureBlobEndpoint;
  /** Where the credentials came from, for logs. */
  readonly source: string;
}

/** Azurite's well-known development account (public, documented by Microsoft). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Parses an Azure Storage connection string: `DefaultEndpointsProtocol`, `AccountName`, `AccountKey`,
 * `EndpointSuffix`, `BlobEndpoint` (e.g. `http://127.0.0.1:10000/devstoreaccount1`, where the account name may
 * come from the path), and `UseDevelopmentStorage=true` (Azurite's well-known account on 127.0.0.1:10000).
 * Names are case-insensitive; values may contain `=`. `source` is set to `connection string`.
 *
 * @throws {@link InvalidArgumentError} (code `InvalidConnectionString`) when malformed or without an account
 *   key (SAS connection strings are not supported); the message names parts, never values.
 */
export function parseAzureStorageConnectionString(connectionString: string): AzureStorageCredentials {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`azure: invalid storage connection string: ${why}`, { code: 'InvalidConnectionString' });
  };
  const parts = new Map<string, string>();
  const segments = connectionString.split(';').map((s) => s.trim()).filter((s) => s !== '');
  segments.forEach((segment, i) => {
    const eq = segment.indexOf('=');
    if (eq <= 0) fail(`part ${i + 1} is not Name=Value`);
    parts.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  });

  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return azureResult({
      account: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      blobEndpoint: { host: '127.0.0.1', port: 10000, secure: false, accountInPath: true },
      source: 'connection string (UseDevelopmentStorage)',
    });
  }

  const protocol = parts.get('defaultendpointsprotocol')?.toLowerCase();
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') fail('DefaultEndpointsProtocol must be http or https');
  let account = parts.get('accountname') || undefined;
  let blobEndpoint: AzureBlobEndpoint | undefined;
  const endpoint = parts.get('blobendpoint');
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      fail('BlobEndpoint is not a URL');
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fail('BlobEndpoint must be an http or https URL');
    const segmentsOfPath = url.pathname.split('/').filter((s) => s !== '');
    if (segmentsOfPath.length > 1) fail('BlobEndpoint may have at most one path segment, the account name');
    let pathAccount: string | undefined;
    try {
      pathAccount = segmentsOfPath[0] !== undefined ? decodeURIComponent(segmentsOfPath[0]) : undefined;
    } catch {
      fail('the BlobEndpoint path is not valid percent-encoding');
    }
    account ??= pathAccount;
    if (pathAccount !== undefined && pathAccount !== account) fail('the BlobEndpoint path is not the AccountName');
    blobEndpoint = defined({ host: url.hostname, port: url.port ? Number(url.port) : undefined, secure: url.protocol === 'https:', accountInPath: pathAccount !== undefined });
  }
  const accountKey = parts.get('accountkey');
  if (!accountKey) return fail(parts.has('sharedaccesssignature') ? 'SharedAccessSignature is not supported; an AccountKey is needed' : 'AccountKey is missing');
  if (!account) return fail('AccountName is missing');
  if (!blobEndpoint && (protocol !== undefined || parts.has('endpointsuffix'))) {
    const suffix = parts.get('endpointsuffix') || 'core.windows.net';
    blobEndpoint = { host: `${account}.blob.${suffix}`, secure: protocol !== 'http', accountInPath: false };
  }
  return azureResult({ account, accountKey, blobEndpoint, source: 'connection string' });
}

function azureResult(fields: { account: string; accountKey: string; blobEndpoint: AzureBlobEndpoint | undefined; source: string }): AzureStorageCredentials {
  return withRedactedPrint(defined({ ...fields }) as AzureStorageCredentials, ['accountKey']);
}

/**
 * An Azure Storage account and key as the Azure CLI and SDK samples find them: `AZURE_STORAGE_CONNECTION_STRING`
 * (see {@link parseAzureStorageConnectionString}), else `AZURE_STORAGE_ACCOUNT` and `AZURE_STORAGE_KEY`.
 *
 * @throws {@link CredentialsNotFoundError} naming the variables; {@link InvalidArgumentError} when the
 *   connection string is set but unusable.
 * @example
 * ```ts
 * const az = azureStorageFromEnvironment();
 * const driver = new AzureBlobsStorageDriver({ key: az.account, secret: az.accountKey, ...az.blobEndpoint });
 * ```
 */
export function azureStorageFromEnvironment(options: Pick<EnvironmentSource, 'env'> = {}): AzureStorageCredentials {
  const env = options.env ?? process.env;
  const connectionString = variable(env, 'AZURE_STORAGE_CONNECTION_STRING');
  if (connectionString) {
    const parsed = parseAzureStorageConnectionString(connectionString);
    return azureResult({ ...parsed, blobEndpoint: parsed.blobEndpoint, source: parsed.source.replace('connection string', 'environment variable AZURE_STORAGE_CONNECTION_STRING') });
  }
  const account = variable(env, 'AZURE_STORAGE_ACCOUNT');
  const accountKey = variable(env, 'AZURE_STORAGE_KEY');
  if (account && accountKey) return azureResult({ account, accountKey, blobEndpoint: undefined, source: 'environment variables AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY' });
  const half = account ? ' (AZURE_STORAGE_ACCOUNT is set, AZURE_STORAGE_KEY is not)' : accountKey ? ' (AZURE_STORAGE_KEY is set, AZURE_STORAGE_ACCOUNT is not)' : '';
  throw new CredentialsNotFoundError(
    `azure: no storage credentials found. Looked for environment variable AZURE_STORAGE_CONNECTION_STRING, then AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY${half}.`,
    { provider: 'azure', searched: ['AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_ACCOUNT', 'AZURE_STORAGE_KEY'] },
  );
}

// ---------------------------------------------------------------------------------------------------------
// OpenStack

/** Options of {@link openStackFromEnvironment}. */
export interface OpenStackEnvironmentOptions extends EnvironmentSource {
  /** Cloud of `clouds.yaml` to use; default `OS_CLOUD`. Without either, only `OS_*` variables are read. */
  cloud?: string;
  /**
   * Directories searched, in order, for `clouds.yaml` / `clouds.yml` / `clouds.json` and for `secure.yaml` /
   * `secure.yml` / `secure.json` (the first file found of each is read). Default, as openstacksdk: the
   * current directory, `$XDG_CONFIG_HOME/openstack` (else `~/.config/openstack`), `/etc/openstack`.
   * `OS_CLIENT_CONFIG_FILE` and `OS_CLIENT_SECURE_FILE` are tried before them.
   */
  configDirs?: readonly string[];
  /** The current directory of the default search; default `process.cwd()`. */
  cwd?: string;
}

/** Keystone options found by {@link openStackFromEnvironment}. Prints with the secret fields redacted. */
export interface OpenStackEnvironmentCredentials {
  readonly authUrl: string;
  readonly username?: string;
  readonly userId?: string;
  /** Redacted when printed. */
  readonly password?: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly userDomainName?: string;
  readonly userDomainId?: string;
  readonly projectDomainName?: string;
  readonly projectDomainId?: string;
  /** Domain of a domain-scoped token; set only without a project (otherwise it fills the user and project domains). */
  readonly domainName?: string;
  /** Domain id of a domain-scoped token; as {@link OpenStackEnvironmentCredentials.domainName}. */
  readonly domainId?: string;
  readonly applicationCredentialId?: string;
  /** Redacted when printed. */
  readonly applicationCredentialSecret?: string;
  /** An existing token (redacted when printed). */
  readonly token?: string;
  readonly regionName?: string;
  /** Endpoint interface: `public`, `internal` or `admin`. */
  readonly interface?: string;
  /** `3`, `3.0`, `2.0`..., as written. */
  readonly identityApiVersion?: string;
  /** keystoneauth plugin name as written (`password`, `v3applicationcredential`, `token`...); not inferred. */
  readonly authType?: string;
  /** Where the values came from, for logs: cloud and file paths, variable names; never values. */
  readonly source: string;
}

type OpenStackField = Exclude<keyof OpenStackEnvironmentCredentials, 'source'>;

/** Canonical (openstacksdk) setting names → result fields; `auth` marks settings kept under `auth:`. */
const OPENSTACK_FIELDS: readonly { readonly name: string; readonly field: OpenStackField; readonly auth: boolean; readonly variables: readonly string[]; readonly aliases?: readonly string[] }[] = [
  { name: 'auth_url', field: 'authUrl', auth: true, variables: ['OS_AUTH_URL'] },
  { name: 'username', field: 'username', auth: true, variables: ['OS_USERNAME'] },
  { name: 'user_id', field: 'userId', auth: true, variables: ['OS_USER_ID'] },
  { name: 'password', field: 'password', auth: true, variables: ['OS_PASSWORD'] },
  { name: 'project_name', field: 'projectName', auth: true, variables: ['OS_PROJECT_NAME', 'OS_TENANT_NAME'], aliases: ['tenant_name'] },
  { name: 'project_id', field: 'projectId', auth: true, variables: ['OS_PROJECT_ID', 'OS_TENANT_ID'], aliases: ['tenant_id'] },
  { name: 'user_domain_name', field: 'userDomainName', auth: true, variables: ['OS_USER_DOMAIN_NAME'] },
  { name: 'user_domain_id', field: 'userDomainId', auth: true, variables: ['OS_USER_DOMAIN_ID'] },
  { name: 'project_domain_name', field: 'projectDomainName', auth: true, variables: ['OS_PROJECT_DOMAIN_NAME'] },
  { name: 'project_domain_id', field: 'projectDomainId', auth: true, variables: ['OS_PROJECT_DOMAIN_ID'] },
  { name: 'domain_name', field: 'domainName', auth: true, variables: ['OS_DOMAIN_NAME'] },
  { name: 'domain_id', field: 'domainId', auth: true, variables: ['OS_DOMAIN_ID'] },
  { name: 'application_credential_id', field: 'applicationCredentialId', auth: true, variables: ['OS_APPLICATION_CREDENTIAL_ID'] },
  { name: 'application_credential_secret', field: 'applicationCredentialSecret', auth: true, variables: ['OS_APPLICATION_CREDENTIAL_SECRET'] },
  { name: 'token', field: 'token', auth: true, variables: ['OS_TOKEN'] },
  { name: 'region_name', field: 'regionName', auth: false, variables: ['OS_REGION_NAME'] },
  { name: 'interface', field: 'interface', auth: false, variables: ['OS_INTERFACE', 'OS_ENDPOINT_TYPE'], aliases: ['endpoint_type'] },
  { name: 'identity_api_version', field: 'identityApiVersion', auth: false, variables: ['OS_IDENTITY_API_VERSION'] },
  { name: 'auth_type', field: 'authType', auth: false, variables: ['OS_AUTH_TYPE'], aliases: ['auth_plugin'] },
];

const OPENSTACK_SECRETS: readonly OpenStackField[] = ['password', 'token', 'applicationCredentialSecret'];

type YamlObject = { [key: string]: unknown };

function isObject(value: unknown): value is YamlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of `over` onto `base` (mappings merge, anything else replaces), as openstacksdk merges secure.yaml. */
function mergeDeep(base: YamlObject, over: YamlObject): YamlObject {
  const out: YamlObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isObject(prior) && isObject(value) ? mergeDeep(prior, value) : value;
  }
  return out;
}

/**
 * A clouds/secure file as plain data. Scalars keep their text (`password: 0123` stays `'0123'`, `3.0` stays
 * `'3.0'`); YAML merge keys (`<<: *base`) work as in PyYAML. Parse errors report the position only: the lines
 * of these files hold passwords.
 */
function parseCloudsFile(path: string, text: string): YamlObject {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const at = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    throw new InvalidArgumentError(`openstack: cannot parse ${path}: ${error.code}${at}`, { code: 'InvalidConfigFile' });
  }
  visit(doc, {
    Scalar(key, node) {
      if (key !== 'key' && node.value !== null && typeof node.value !== 'string' && node.source !== undefined) node.value = node.source;
    },
  });
  if (doc.contents !== null && !isMap(doc.contents) && !(isScalar(doc.contents) && doc.contents.value === null)) {
    throw new InvalidArgumentError(`openstack: ${path} is not a mapping`, { code: 'InvalidConfigFile' });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return isObject(data) ? data : {};
}

/** The first existing file among `paths`, parsed; or the paths tried when none exists. */
function firstCloudsFile(paths: readonly string[]): { path: string; data: YamlObject } | undefined {
  for (const path of paths) {
    const read = readText(path);
    if ('missing' in read) continue;
    if ('error' in read) throw new InvalidArgumentError(`openstack: cannot read ${path} (${read.error})`, { code: 'InvalidConfigFile' });
    return { path, data: parseCloudsFile(path, read.text) };
  }
  return undefined;
}

/** A setting as a string: text stays, numbers and booleans are not expected after {@link parseCloudsFile}. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Keystone options as openstacksdk and the `openstack` CLI find them:
 *
 * - When a cloud is named (`cloud`, else `OS_CLOUD`), its entry under `clouds:` in the first `clouds.yaml`
 *   found (`OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`, `~/.config/openstack/clouds.yaml`,
 *   `/etc/openstack/clouds.yaml`; `.yml` and `.json` too), with the first `secure.yaml` found merged over it.
 *   Auth settings are read under `auth:` or beside it (`auth_url`, `username`, `user_id`, `password`,
 *   `project_name`/`tenant_name`, `project_id`/`tenant_id`, `user_domain_name`, `user_domain_id`,
 *   `project_domain_name`, `project_domain_id`, `domain_name`, `domain_id`, `application_credential_id`,
 *   `application_credential_secret`, `token`; dashes accepted), and `region_name` (else the first of
 *   `regions`), `interface`, `identity_api_version`, `auth_type`.
 * - `OS_*` variables (`OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`, `OS_PROJECT_NAME`/`OS_TENANT_NAME`, ...,
 *   `OS_REGION_NAME`, `OS_INTERFACE`, `OS_IDENTITY_API_VERSION`, `OS_AUTH_TYPE`) override the cloud's values,
 *   as with the `openstack` CLI.
 * - With a project, `domain_name`/`domain_id` fill the user and project domains that are not set (openstacksdk's
 *   rule); without one they stay, for a domain-scoped token.
 *
 * Vendor profiles (`profile:` with `clouds-public.yaml`) are not known: such clouds need their `auth_url` written out.
 *
 * @throws {@link CredentialsNotFoundError} when no auth URL, or no password, token or application credential
 *   secret is found, naming the variables and files looked at; {@link InvalidArgumentError} (code
 *   `InvalidConfigFile`) when a clouds file cannot be read or parsed.
 * @example
 * ```ts
 * const os = openStackFromEnvironment({ cloud: 'mycloud' });
 * os.authUrl; os.projectName; os.regionName;
 * ```
 */
export function openStackFromEnvironment(options: OpenStackEnvironmentOptions = {}): OpenStackEnvironmentCredentials {
  const env = options.env ?? process.env;
  const home = options.home ?? variable(env, 'HOME') ?? homedir();
  const cloudName = options.cloud ?? variable(env, 'OS_CLOUD');
  const dirs = options.configDirs ?? [options.cwd ?? process.cwd(), join(expandHome(variable(env, 'XDG_CONFIG_HOME') ?? join(home, '.config'), home), 'openstack'), '/etc/openstack'];
  const candidates = (base: string, override: string | undefined): string[] => [
    ...(override ? [expandHome(override, home)] : []),
    ...dirs.flatMap((dir) => ['.yaml', '.yml', '.json'].map((suffix) => join(dir, base + suffix))),
  ];
  const cloudsPaths = candidates('clouds', variable(env, 'OS_CLIENT_CONFIG_FILE'));
  const securePaths = candidates('secure', variable(env, 'OS_CLIENT_SECURE_FILE'));

  const values = new Map<OpenStackField, string>();
  const sources: string[] = [];
  let cloudFiles = '';
  if (cloudName !== undefined) {
    const clouds = firstCloudsFile(cloudsPaths);
    const secure = firstCloudsFile(securePaths);
    const cloudsOf = (file: { data: YamlObject } | undefined): YamlObject => (file && isObject(file.data['clouds']) ? file.data['clouds'] : {});
    const merged = mergeDeep(cloudsOf(clouds), cloudsOf(secure));
    const cloud = Object.hasOwn(merged, cloudName) ? merged[cloudName] : undefined;
    cloudFiles = listing([clouds?.path, secure?.path].filter((p): p is string => p !== undefined));
    if (!isObject(cloud)) {
      const named = `cloud \`${cloudName}\` (named by ${options.cloud !== undefined ? 'the `cloud` option' : 'OS_CLOUD'})`;
      const known = Object.keys(merged).map((n) => `\`${n}\``).join(', ') || 'none';
      const message = clouds || secure
        ? `openstack: ${named} is not defined in ${cloudFiles} (clouds defined: ${known}).`
        : `openstack: ${named} cannot be read: no clouds file found. Looked for ${listing(cloudsPaths)}.`;
      throw new CredentialsNotFoundError(message, {
        provider: 'openstack',
        searched: [...(options.cloud === undefined ? ['OS_CLOUD'] : []), ...cloudsPaths, ...securePaths],
      });
    }
    const auth = isObject(cloud['auth']) ? cloud['auth'] : {};
    for (const { name, field, auth: inAuth, aliases = [] } of OPENSTACK_FIELDS) {
      // Aliases first, so the canonical name wins; beside `auth:` wins over inside it, as in openstacksdk.
      const names = [...aliases, name].flatMap((n) => [n.replace(/_/g, '-'), n]);
      const places = inAuth ? [auth, cloud] : [cloud];
      for (const place of places) for (const n of names) {
        const found = text(place[n]);
        if (found !== undefined) values.set(field, found);
      }
    }
    if (!values.has('regionName') && Array.isArray(cloud['regions'])) {
      const first: unknown = cloud['regions'][0];
      const region = isObject(first) ? text(first['name']) : text(first);
      if (region !== undefined) values.set('regionName', region);
    }
    sources.push(`cloud \`${cloudName}\` of ${cloudFiles}`);
  }

  const used: string[] = [];
  for (const { field, variables } of OPENSTACK_FIELDS) {
    const name = variables.find((v) => variable(env, v) !== undefined);
    if (name !== undefined) {
      values.set(field, variable(env, name)!);
      used.push(name);
    }
  }
  if (used.length > 0) sources.push(`environment variables ${used.join(', ')}`);

  // openstacksdk's _handle_domain_id: one domain for both user and project when project-scoped.
  if (values.has('projectName') || values.has('projectId')) {
    for (const [from, targets] of [['domainName', ['userDomainName', 'projectDomainName']], ['domainId', ['userDomainId', 'projectDomainId']]] as const) {
      const domain = values.get(from);
      if (domain === undefined) continue;
      for (const target of targets) if (!values.has(target)) values.set(target, domain);
      values.delete(from);
    }
  }

  const missing: string[] = [];
  if (!values.has('authUrl')) missing.push('an auth URL (OS_AUTH_URL or auth.auth_url)');
  if (!values.has('password') && !values.has('token') && !values.has('applicationCredentialSecret')) {
    missing.push('a password, token or application credential secret (OS_PASSWORD, OS_TOKEN, OS_APPLICATION_CREDENTIAL_SECRET or their clouds.yaml keys)');
  }
  if (missing.length > 0) {
    const looked = cloudName !== undefined
      ? `cloud \`${cloudName}\` of ${cloudFiles} and the OS_* environment variables`
      : 'the OS_* environment variables (no cloud named: set OS_CLOUD to read clouds.yaml)';
    const profile = cloudName !== undefined && !values.has('authUrl') ? ' A vendor `profile:` is not supported; write auth_url in the cloud.' : '';
    throw new CredentialsNotFoundError(`openstack: no usable credentials: missing ${listing(missing)}. Looked in ${looked}.${profile}`, {
      provider: 'openstack',
      searched: ['OS_CLOUD', 'OS_AUTH_URL', 'OS_PASSWORD', 'OS_TOKEN', 'OS_APPLICATION_CREDENTIAL_SECRET', ...(cloudName !== undefined ? [...cloudsPaths, ...securePaths] : [])],
    });
  }

  const result: Record<string, string> = {};
  for (const { field } of OPENSTACK_FIELDS) {
    const value = values.get(field);
    if (value !== undefined) result[field] = value;
  }
  result['source'] = sources.join(', then ');
  return withRedactedPrint(result as unknown as OpenStackEnvironmentCredentials, OPENSTACK_SECRETS);
}
