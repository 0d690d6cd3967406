import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { format, inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  awsCredentialsFromEnvironment,
  azureStorageFromEnvironment,
  CloudError,
  CredentialsNotFoundError,
  digitalOceanTokenFromEnvironment,
  InvalidArgumentError,
  InvalidCredentialsError,
  openStackFromEnvironment,
  parseAzureStorageConnectionString,
  parseIni,
  REDACTED,
  withRedactedPrint,
} from '@dualcloud/core';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'dualcloud-env-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Writes `text` at `home/relative`, creating directories. Returns the absolute path. */
function put(relative: string, text: string): string {
  const path = join(home, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Every way an object or error gets printed. */
function renderings(value: unknown): string[] {
  return [
    inspect(value),
    inspect(value, { depth: 10, showHidden: true }),
    inspect({ nested: { deeper: value } }, { depth: 10 }),
    JSON.stringify(value),
    JSON.stringify({ nested: [value] }),
    format('%s %o %O %j', value, value, value, value),
    String(value),
    ...(value instanceof Error ? [value.message, value.stack ?? ''] : []),
  ];
}

function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  for (const text of renderings(value)) for (const secret of secrets) expect(text).not.toContain(secret);
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

// Values that look like secrets and must never be printed.
const AKID = 'AKIAENVKEY0000000001';
const SECRET = 'envSecret/abc+DEF0123456789ghijKLMNOPQRS';
const TOKEN = 'IQoJb3JpZ2luX2VjEnvSessionToken0123456789';
const FILE_AKID = 'AKIAFILEKEY000000002';
const FILE_SECRET = 'fileSecret/xyz+0123456789abcdefghijklmn';
const CONFIG_AKID = 'AKIACONFIGKEY0000003';
const CONFIG_SECRET = 'configSecret/0123456789abcdefghijklmnop';

describe('withRedactedPrint', () => {
  test('fields stay readable; printing shows secrets as [REDACTED]', () => {
    const creds = withRedactedPrint({ id: 'visible', secret: SECRET, empty: '', absent: undefined as string | undefined }, ['secret', 'empty', 'absent']);
    expect(creds.secret).toBe(SECRET);
    expect(Object.keys(creds)).toEqual(['id', 'secret', 'empty', 'absent']);
    expect({ ...creds }).toEqual({ id: 'visible', secret: SECRET, empty: '', absent: undefined });
    expect(JSON.parse(JSON.stringify(creds))).toEqual({ id: 'visible', secret: REDACTED, empty: '' });
    expect(inspect(creds)).toContain(`secret: '${REDACTED}'`);
    expect(inspect(creds)).toContain("id: 'visible'");
    expectNoSecrets(creds, [SECRET]);
  });

  test('printing reflects later changes', () => {
    const creds = withRedactedPrint({ token: 'a-first-token-value' } as { token: string; extra?: string }, ['token']);
    creds.token = 'a-second-token-value';
    creds.extra = 'x';
    expect(JSON.parse(JSON.stringify(creds))).toEqual({ token: REDACTED, extra: 'x' });
  });
});

describe('parseIni', () => {
  test('sections, comments, whitespace, CRLF, BOM, case of keys, repeats', () => {
    const text = [
      '\uFEFF# a comment',
      'orphan = before any section',
      '; another comment',
      '[default]   ; trailing comment',
      '  aws_access_key_id   =   KEY1   # inline comment',
      'AWS_Secret_Access_Key=secret=with=equals',
      'no equals sign here',
      '= no key',
      'empty =',
      '',
      '[ profile  dev ]',
      'region = eu-west-1\r',
      '[default]',
      'region = us-east-2',
      'aws_access_key_id = KEY2',
    ].join('\n');
    const sections = parseIni(text);
    expect(Object.keys(sections)).toEqual(['default', 'profile  dev']);
    expect({ ...sections['default'] }).toEqual({ aws_access_key_id: 'KEY2', aws_secret_access_key: 'secret=with=equals', region: 'us-east-2' });
    expect({ ...sections['profile  dev'] }).toEqual({ region: 'eu-west-1' });
  });

  test('nested sub-sections under `key =` are skipped; the next unindented key ends them', () => {
    const sections = parseIni(['[default]', 's3 =', '  max_concurrent_requests = 20', '  aws_access_key_id = NESTED', 'aws_access_key_id = REAL', '  region = indented-but-top-level'].join('\n'));
    expect({ ...sections['default'] }).toEqual({ aws_access_key_id: 'REAL', region: 'indented-but-top-level' });
  });

  test('a `#` inside a value stays when not after whitespace', () => {
    expect(parseIni('[a]\nk = abc#def ;x\n')['a']).toEqual(expect.objectContaining({ k: 'abc#def' }));
  });
});

describe('awsCredentialsFromEnvironment', () => {
  const credentialsFile = `[default]\naws_access_key_id = ${FILE_AKID}\naws_secret_access_key = ${FILE_SECRET}\n\n[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = devsecret-0123456789\naws_session_token = devtoken-0123456789\n`;
  const configFile = `[default]\nregion = us-west-2\n\n[profile dev]\nregion = eu-central-1\noutput = json\n\n[dev]\nregion = ignored-without-profile-prefix\n\n[profile onlyconfig]\naws_access_key_id = ${CONFIG_AKID}\naws_secret_access_key = ${CONFIG_SECRET}\nregion = ap-south-1\n`;

  test('the environment pair comes first, with the session token; region from AWS_REGION', () => {
    put('.aws/credentials', credentialsFile);
    put('.aws/config', configFile);
    const env = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'sa-east-1' };
    const creds = awsCredentialsFromEnvironment({ env, home });
    expect({ ...creds }).toEqual({
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      region: 'eu-north-1',
      source: 'environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN',
    });
    expectNoSecrets(creds, [SECRET, TOKEN]);
    expect(JSON.parse(JSON.stringify(creds))).toEqual(expect.objectContaining({ accessKeyId: AKID, secretAccessKey: REDACTED, sessionToken: REDACTED }));
  });

  test.each<[string, Record<string, string>, string | undefined]>([
    ['AWS_REGION', { AWS_REGION: 'r-env', AWS_DEFAULT_REGION: 'r-default' }, 'r-env'],
    ['AWS_DEFAULT_REGION', { AWS_DEFAULT_REGION: 'r-default' }, 'r-default'],
    ["the profile's region in the config file", {}, 'us-west-2'],
    ["AWS_PROFILE's region", { AWS_PROFILE: 'dev' }, 'eu-central-1'],
  ])('with keys in the environment, the region comes from %s', (_, extra, region) => {
    put('.aws/config', configFile);
    const creds = awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, ...extra }, home });
    expect(creds.accessKeyId).toBe(AKID);
    expect(creds.region).toBe(region);
  });

  test('no region anywhere: none', () => {
    const creds = awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET }, home });
    expect(creds.region).toBeUndefined();
    expect('region' in creds).toBe(false);
  });

  test('the environment pair wins over AWS_PROFILE (CLI, boto3, Go, Java)', () => {
    put('.aws/credentials', credentialsFile);
    const creds = awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_PROFILE: 'dev' }, home });
    expect(creds.accessKeyId).toBe(AKID);
  });

  test('a profile named in code skips the environment pair', () => {
    put('.aws/credentials', credentialsFile);
    put('.aws/config', configFile);
    const creds = awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_PROFILE: 'default' }, home, profile: 'dev' });
    expect({ ...creds }).toEqual({
      accessKeyId: 'DEVKEY',
      secretAccessKey: 'devsecret-0123456789',
      sessionToken: 'devtoken-0123456789',
      region: 'eu-central-1',
      profile: 'dev',
      source: `profile \`dev\` of ${join(home, '.aws', 'credentials')}`,
    });
  });

  test('half a pair in the environment falls through to the files', () => {
    put('.aws/credentials', credentialsFile);
    expect(awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID }, home }).accessKeyId).toBe(FILE_AKID);
    expect(awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: SECRET }, home }).accessKeyId).toBe(FILE_AKID);
  });

  test('the default profile of ~/.aws/credentials, with the region of ~/.aws/config', () => {
    put('.aws/credentials', credentialsFile);
    put('.aws/config', configFile);
    const creds = awsCredentialsFromEnvironment({ env: {}, home });
    expect({ ...creds }).toEqual({
      accessKeyId: FILE_AKID,
      secretAccessKey: FILE_SECRET,
      region: 'us-west-2',
      profile: 'default',
      source: `profile \`default\` of ${join(home, '.aws', 'credentials')}`,
    });
    expectNoSecrets(creds, [FILE_SECRET]);
  });

  test('AWS_PROFILE, then AWS_DEFAULT_PROFILE, picks the profile', () => {
    put('.aws/credentials', credentialsFile);
    put('.aws/config', configFile);
    expect(awsCredentialsFromEnvironment({ env: { AWS_PROFILE: 'dev', AWS_DEFAULT_PROFILE: 'default' }, home }).accessKeyId).toBe('DEVKEY');
    expect(awsCredentialsFromEnvironment({ env: { AWS_DEFAULT_PROFILE: 'dev' }, home }).accessKeyId).toBe('DEVKEY');
  });

  test('keys only in the config file ([profile name] sections)', () => {
    put('.aws/config', configFile);
    const creds = awsCredentialsFromEnvironment({ env: { AWS_PROFILE: 'onlyconfig' }, home });
    expect({ ...creds }).toEqual({
      accessKeyId: CONFIG_AKID,
      secretAccessKey: CONFIG_SECRET,
      region: 'ap-south-1',
      profile: 'onlyconfig',
      source: `profile \`onlyconfig\` of ${join(home, '.aws', 'config')}`,
    });
  });

  test('the credentials file wins over the config file, key by key', () => {
    put('.aws/credentials', `[mixed]\naws_access_key_id = CREDFILEKEY\n`);
    put('.aws/config', `[profile mixed]\naws_access_key_id = CONFIGFILEKEY\naws_secret_access_key = ${CONFIG_SECRET}\nregion = ca-central-1\n`);
    const creds = awsCredentialsFromEnvironment({ env: {}, home, profile: 'mixed' });
    expect(creds.accessKeyId).toBe('CREDFILEKEY');
    expect(creds.secretAccessKey).toBe(CONFIG_SECRET);
    expect(creds.region).toBe('ca-central-1');
    expect(creds.source).toBe(`profile \`mixed\` of ${join(home, '.aws', 'credentials')} and ${join(home, '.aws', 'config')}`);
  });

  test('[profile default] wins over [default] in the config file; [profile x] of the credentials file is not profile x', () => {
    put('.aws/config', `[profile default]\nregion = from-profile-default\n[default]\nregion = from-default\n`);
    put('.aws/credentials', `[profile dev]\naws_access_key_id = NOTDEV\naws_secret_access_key = notdev-0123456789\n[default]\naws_access_key_id = ${FILE_AKID}\naws_secret_access_key = ${FILE_SECRET}\n`);
    expect(awsCredentialsFromEnvironment({ env: {}, home }).region).toBe('from-profile-default');
    expect(() => awsCredentialsFromEnvironment({ env: {}, home, profile: 'dev' })).toThrow(CredentialsNotFoundError);
  });

  test('AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, with ~ expanded', () => {
    put('elsewhere/creds.ini', credentialsFile);
    put('elsewhere/config.ini', configFile);
    put('.aws/credentials', '[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong-0123456789\n');
    const creds = awsCredentialsFromEnvironment({ env: { AWS_SHARED_CREDENTIALS_FILE: '~/elsewhere/creds.ini', AWS_CONFIG_FILE: join(home, 'elsewhere/config.ini') }, home });
    expect(creds.accessKeyId).toBe(FILE_AKID);
    expect(creds.region).toBe('us-west-2');
    expect(creds.source).toBe(`profile \`default\` of ${join(home, 'elsewhere', 'creds.ini')}`);
  });

  test('the legacy aws_security_token is a session token', () => {
    put('.aws/credentials', '[default]\naws_access_key_id = K\naws_secret_access_key = secret-0123456789\naws_security_token = legacy-token-0123\n');
    expect(awsCredentialsFromEnvironment({ env: {}, home }).sessionToken).toBe('legacy-token-0123');
  });

  test('nothing found: the message names the variables, the profile and both files, never a value', () => {
    put('.aws/config', `[profile other]\nregion = eu-west-3\n`);
    const error = caught(() => awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_REGION: 'secret-region-name' }, home }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(CloudError.is(error)).toBe(true);
    const e = error as CredentialsNotFoundError;
    expect(e.code).toBe('CredentialsNotFound');
    expect(e.provider).toBe('aws');
    expect(e.status).toBeUndefined();
    const credentialsPath = join(home, '.aws', 'credentials');
    const configPath = join(home, '.aws', 'config');
    expect(e.message).toBe(
      'aws: no credentials found. Looked for environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
        '(AWS_ACCESS_KEY_ID is set, AWS_SECRET_ACCESS_KEY is not), then profile `default` in ' +
        `${credentialsPath} (file not found) and ${configPath} (no such profile).`,
    );
    expect(e.searched).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', credentialsPath, configPath]);
    expectNoSecrets(e, [AKID, 'secret-region-name']);
  });

  test('a profile with keys missing, or resolved by roles or SSO, is explained', () => {
    put('.aws/credentials', `[dev]\naws_access_key_id = ${FILE_AKID}\n`);
    put('.aws/config', `[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/secret-role\nsource_profile = default\n`);
    const error = caught(() => awsCredentialsFromEnvironment({ env: { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET }, home, profile: 'dev' }));
    expect(error.message).toBe(
      `aws: no credentials found. Looked for profile \`dev\` in ${join(home, '.aws', 'credentials')} (no aws_access_key_id and aws_secret_access_key) ` +
        `and ${join(home, '.aws', 'config')} (no aws_access_key_id and aws_secret_access_key). ` +
        'The profile uses role_arn, which dualcloud does not resolve: export temporary keys instead (e.g. `aws configure export-credentials --format env`).',
    );
    expect((error as CredentialsNotFoundError).searched).toEqual([join(home, '.aws', 'credentials'), join(home, '.aws', 'config')]);
    expectNoSecrets(error, [FILE_AKID, AKID, SECRET, 'secret-role']);
  });

  test('an unreadable file is reported', () => {
    mkdirSync(join(home, '.aws', 'credentials'), { recursive: true });
    const error = caught(() => awsCredentialsFromEnvironment({ env: {}, home }));
    expect(error.message).toContain(`${join(home, '.aws', 'credentials')} (unreadable: EISDIR)`);
  });
});

describe('digitalOceanTokenFromEnvironment', () => {
  test.each<[string, Record<string, string>, string, string]>([
    ['DIGITALOCEAN_TOKEN', { DIGITALOCEAN_TOKEN: 'dop_v1_first000000', DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_second00000' }, 'dop_v1_first000000', 'DIGITALOCEAN_TOKEN'],
    ['DIGITALOCEAN_ACCESS_TOKEN', { DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_second00000' }, 'dop_v1_second00000', 'DIGITALOCEAN_ACCESS_TOKEN'],
    ['an empty DIGITALOCEAN_TOKEN is unset', { DIGITALOCEAN_TOKEN: '', DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_second00000' }, 'dop_v1_second00000', 'DIGITALOCEAN_ACCESS_TOKEN'],
  ])('%s', (_, env, token, variable) => {
    const found = digitalOceanTokenFromEnvironment({ env });
    expect({ ...found }).toEqual({ token, source: `environment variable ${variable}` });
    expectNoSecrets(found, [token]);
  });

  test('nothing found', () => {
    const error = caught(() => digitalOceanTokenFromEnvironment({ env: { DIGITALOCEAN_API_TOKEN: 'dop_v1_wrongname000' } }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(error.message).toBe('digitalocean: no API token found. Looked for environment variables DIGITALOCEAN_TOKEN and DIGITALOCEAN_ACCESS_TOKEN.');
    expect((error as CredentialsNotFoundError).searched).toEqual(['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN']);
  });
});

describe('Azure Storage', () => {
  const KEY = 'c2VjcmV0LWFjY291bnQta2V5LWJ5dGVzLTAxMjM0NTY3ODk=';
  const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

  test.each<[string, string, object]>([
    [
      'the portal form',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
      { account: 'acct', accountKey: KEY, blobEndpoint: { host: 'acct.blob.core.windows.net', secure: true, accountInPath: false } },
    ],
    [
      'another cloud, plain HTTP',
      `DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`,
      { account: 'acct', accountKey: KEY, blobEndpoint: { host: 'acct.blob.core.chinacloudapi.cn', secure: false, accountInPath: false } },
    ],
    ['account and key only', `AccountName=acct;AccountKey=${KEY}`, { account: 'acct', accountKey: KEY }],
    [
      'an Azurite BlobEndpoint',
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;`,
      { account: 'devstoreaccount1', accountKey: KEY, blobEndpoint: { host: '127.0.0.1', port: 10000, secure: false, accountInPath: true } },
    ],
    [
      'the account from the BlobEndpoint path',
      `AccountKey=${KEY};BlobEndpoint=http://localhost:10000/myaccount/`,
      { account: 'myaccount', accountKey: KEY, blobEndpoint: { host: 'localhost', port: 10000, secure: false, accountInPath: true } },
    ],
    [
      'a custom domain',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=https://blobs.example.com;EndpointSuffix=core.windows.net`,
      { account: 'acct', accountKey: KEY, blobEndpoint: { host: 'blobs.example.com', secure: true, accountInPath: false } },
    ],
    [
      'names in any case, spaces, empty parts',
      ` accountname = acct ; ACCOUNTKEY=${KEY} ;; defaultendpointsprotocol=HTTPS;`,
      { account: 'acct', accountKey: KEY, blobEndpoint: { host: 'acct.blob.core.windows.net', secure: true, accountInPath: false } },
    ],
    [
      'UseDevelopmentStorage=true',
      'UseDevelopmentStorage=true',
      { account: 'devstoreaccount1', accountKey: AZURITE_KEY, blobEndpoint: { host: '127.0.0.1', port: 10000, secure: false, accountInPath: true } },
    ],
  ])('connection string: %s', (_, connectionString, expected) => {
    const parsed = parseAzureStorageConnectionString(connectionString);
    const { source, ...rest } = parsed;
    expect(rest).toEqual(expected);
    expect(source).toMatch(/^connection string/);
    const fromEnv = azureStorageFromEnvironment({ env: { AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_STORAGE_ACCOUNT: 'other', AZURE_STORAGE_KEY: 'other-key-0123' } });
    expect({ ...fromEnv, source: undefined }).toEqual({ ...expected, source: undefined });
    expect(fromEnv.source).toMatch(/^environment variable AZURE_STORAGE_CONNECTION_STRING/);
    expectNoSecrets(parsed, [KEY, AZURITE_KEY]);
    expectNoSecrets(fromEnv, [KEY, AZURITE_KEY]);
    expect(JSON.parse(JSON.stringify(fromEnv)).accountKey).toBe(REDACTED);
  });

  test.each<[string, string, string]>([
    ['no AccountKey', 'AccountName=acct', 'AccountKey is missing'],
    ['a SAS connection string', 'BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2020&sig=c2VjcmV0LXNpZw%3D%3D', 'SharedAccessSignature is not supported; an AccountKey is needed'],
    ['no account', `AccountKey=${KEY}`, 'AccountName is missing'],
    ['a part without =', `AccountName=acct;AccountKey=${KEY};${KEY.replace(/=/g, '')}`, 'part 3 is not Name=Value'],
    ['a bad protocol', `DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=${KEY}`, 'DefaultEndpointsProtocol must be http or https'],
    ['a BlobEndpoint that is not a URL', `AccountName=acct;AccountKey=${KEY};BlobEndpoint=not a url ${KEY}`, 'BlobEndpoint is not a URL'],
    ['a BlobEndpoint path that is not the account', `AccountName=acct;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/other`, 'the BlobEndpoint path is not the AccountName'],
    ['a deep BlobEndpoint path', `AccountName=acct;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/a/b`, 'BlobEndpoint may have at most one path segment, the account name'],
  ])('invalid connection string: %s', (_, connectionString, why) => {
    const error = caught(() => azureStorageFromEnvironment({ env: { AZURE_STORAGE_CONNECTION_STRING: connectionString } }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as CloudError).code).toBe('InvalidConnectionString');
    expect(error.message).toBe(`azure: invalid storage connection string: ${why}`);
    expectNoSecrets(error, [KEY, 'c2VjcmV0LXNpZw']);
  });

  test('AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY', () => {
    const found = azureStorageFromEnvironment({ env: { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: KEY, AZURE_STORAGE_CONNECTION_STRING: '' } });
    expect({ ...found }).toEqual({ account: 'acct', accountKey: KEY, source: 'environment variables AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY' });
    expectNoSecrets(found, [KEY]);
  });

  test('nothing found', () => {
    const error = caught(() => azureStorageFromEnvironment({ env: { AZURE_STORAGE_KEY: KEY } }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(error.message).toBe(
      'azure: no storage credentials found. Looked for environment variable AZURE_STORAGE_CONNECTION_STRING, then AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY (AZURE_STORAGE_KEY is set, AZURE_STORAGE_ACCOUNT is not).',
    );
    expect((error as CredentialsNotFoundError).searched).toEqual(['AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_ACCOUNT', 'AZURE_STORAGE_KEY']);
    expectNoSecrets(error, [KEY]);
  });
});

describe('openStackFromEnvironment', () => {
  const PASSWORD = 'os-Password-0123456789';
  const SECURE_PASSWORD = 'secure-yaml-Password-987654';
  const ENV_PASSWORD = 'env-Password-555555555';
  const APP_SECRET = 'app-cred-Secret-0123456789';
  const OS_TOKEN = 'gAAAAAB-os-token-0123456789';

  /** Search directories under the temporary home: a project directory, then the user's. */
  const dirs = (): string[] => [join(home, 'project'), join(home, '.config', 'openstack')];

  const clouds = `
clouds:
  mycloud:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: demo
      password: ${PASSWORD}
      project_name: demo-project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3
      application_credential_id: abc123
      application_credential_secret: ${APP_SECRET}
    regions:
      - name: RegionTwo
      - RegionThree
`;

  test('OS_* variables alone', () => {
    const env = {
      OS_AUTH_URL: 'https://keystone.example.com/v3',
      OS_USERNAME: 'demo',
      OS_PASSWORD: ENV_PASSWORD,
      OS_PROJECT_NAME: 'demo-project',
      OS_TENANT_NAME: 'ignored-tenant',
      OS_PROJECT_ID: '',
      OS_TENANT_ID: 'tenant-id-1',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_ID: 'default',
      OS_REGION_NAME: 'RegionOne',
      OS_INTERFACE: 'internal',
      OS_IDENTITY_API_VERSION: '3',
      OS_AUTH_TYPE: 'password',
    };
    const found = openStackFromEnvironment({ env, home, configDirs: dirs() });
    expect({ ...found }).toEqual({
      authUrl: 'https://keystone.example.com/v3',
      username: 'demo',
      password: ENV_PASSWORD,
      projectName: 'demo-project',
      projectId: 'tenant-id-1',
      userDomainName: 'Default',
      projectDomainId: 'default',
      regionName: 'RegionOne',
      interface: 'internal',
      identityApiVersion: '3',
      authType: 'password',
      source:
        'environment variables OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_TENANT_ID, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_ID, ' +
        'OS_REGION_NAME, OS_INTERFACE, OS_IDENTITY_API_VERSION, OS_AUTH_TYPE',
    });
    expectNoSecrets(found, [ENV_PASSWORD]);
  });

  test('OS_DOMAIN_NAME fills the user and project domains of a project-scoped login, and stays for a domain-scoped one', () => {
    const base = { OS_AUTH_URL: 'https://k/v3', OS_USERNAME: 'u', OS_PASSWORD: ENV_PASSWORD, OS_DOMAIN_NAME: 'corp' };
    const project = openStackFromEnvironment({ env: { ...base, OS_PROJECT_NAME: 'p', OS_USER_DOMAIN_NAME: 'users' }, home, configDirs: [] });
    expect(project.userDomainName).toBe('users');
    expect(project.projectDomainName).toBe('corp');
    expect(project.domainName).toBeUndefined();
    const domain = openStackFromEnvironment({ env: base, home, configDirs: [] });
    expect(domain.domainName).toBe('corp');
    expect(domain.userDomainName).toBeUndefined();
  });

  test('a cloud of clouds.yaml (OS_CLOUD)', () => {
    const path = put('.config/openstack/clouds.yaml', clouds);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, configDirs: dirs() });
    expect({ ...found }).toEqual({
      authUrl: 'https://keystone.example.com:5000/v3',
      username: 'demo',
      password: PASSWORD,
      projectName: 'demo-project',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      regionName: 'RegionOne',
      interface: 'public',
      identityApiVersion: '3',
      source: `cloud \`mycloud\` of ${path}`,
    });
    expectNoSecrets(found, [PASSWORD]);
    expect(JSON.parse(JSON.stringify(found)).password).toBe(REDACTED);
  });

  test('application credentials, auth_type, and the first of `regions`', () => {
    put('.config/openstack/clouds.yaml', clouds);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, cloud: 'appcred', home, configDirs: dirs() });
    expect({ ...found, source: undefined }).toEqual({
      authUrl: 'https://keystone.example.com/v3',
      applicationCredentialId: 'abc123',
      applicationCredentialSecret: APP_SECRET,
      authType: 'v3applicationcredential',
      regionName: 'RegionTwo',
      source: undefined,
    });
    expectNoSecrets(found, [APP_SECRET]);
  });

  test('the first clouds file found wins: the project directory over the user directory', () => {
    const project = put('project/clouds.yml', 'clouds:\n  mycloud:\n    auth: {auth_url: "https://project/v3", token: tok-0123456789}\n');
    put('.config/openstack/clouds.yaml', clouds);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, configDirs: dirs() });
    expect(found.authUrl).toBe('https://project/v3');
    expect(found.username).toBeUndefined();
    expect(found.source).toBe(`cloud \`mycloud\` of ${project}`);
  });

  test('the default search: the current directory, then $XDG_CONFIG_HOME/openstack or ~/.config/openstack', () => {
    put('.config/openstack/clouds.yaml', clouds);
    const cwd = join(home, 'project');
    mkdirSync(cwd);
    expect(openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, cwd }).authUrl).toBe('https://keystone.example.com:5000/v3');
    put('xdg/openstack/clouds.json', JSON.stringify({ clouds: { mycloud: { auth: { auth_url: 'https://xdg/v3', password: PASSWORD } } } }));
    expect(openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud', XDG_CONFIG_HOME: join(home, 'xdg') }, home, cwd }).authUrl).toBe('https://xdg/v3');
    put('project/clouds.yaml', 'clouds:\n  mycloud:\n    auth: {auth_url: "https://cwd/v3", password: x}\n');
    expect(openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, cwd }).authUrl).toBe('https://cwd/v3');
  });

  test('OS_CLIENT_CONFIG_FILE and OS_CLIENT_SECURE_FILE come first', () => {
    put('.config/openstack/clouds.yaml', clouds);
    put('custom/my-clouds.yaml', 'clouds:\n  mycloud:\n    auth:\n      auth_url: https://custom/v3\n');
    put('custom/my-secure.yaml', `clouds:\n  mycloud:\n    auth:\n      password: ${SECURE_PASSWORD}\n`);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud', OS_CLIENT_CONFIG_FILE: '~/custom/my-clouds.yaml', OS_CLIENT_SECURE_FILE: join(home, 'custom/my-secure.yaml') }, home, configDirs: dirs() });
    expect(found.authUrl).toBe('https://custom/v3');
    expect(found.password).toBe(SECURE_PASSWORD);
  });

  test('secure.yaml is merged over clouds.yaml', () => {
    const cloudsPath = put('.config/openstack/clouds.yaml', clouds);
    const securePath = put('project/secure.yaml', `clouds:\n  mycloud:\n    auth:\n      password: ${SECURE_PASSWORD}\n    region_name: SecureRegion\n`);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, configDirs: dirs() });
    expect(found.password).toBe(SECURE_PASSWORD);
    expect(found.username).toBe('demo');
    expect(found.regionName).toBe('SecureRegion');
    expect(found.source).toBe(`cloud \`mycloud\` of ${cloudsPath} and ${securePath}`);
    expectNoSecrets(found, [SECURE_PASSWORD, PASSWORD]);
  });

  test('OS_* variables override the cloud', () => {
    put('.config/openstack/clouds.yaml', clouds);
    put('.config/openstack/secure.yaml', `clouds:\n  mycloud:\n    auth:\n      password: ${SECURE_PASSWORD}\n`);
    const found = openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud', OS_PASSWORD: ENV_PASSWORD, OS_REGION_NAME: 'EnvRegion', OS_TENANT_NAME: 'env-tenant' }, home, configDirs: dirs() });
    expect(found.password).toBe(ENV_PASSWORD);
    expect(found.regionName).toBe('EnvRegion');
    expect(found.projectName).toBe('env-tenant');
    expect(found.username).toBe('demo');
    expect(found.source).toBe(
      `cloud \`mycloud\` of ${join(home, '.config/openstack/clouds.yaml')} and ${join(home, '.config/openstack/secure.yaml')}, then environment variables OS_PASSWORD, OS_TENANT_NAME, OS_REGION_NAME`,
    );
    expectNoSecrets(found, [ENV_PASSWORD, SECURE_PASSWORD, PASSWORD]);
  });

  test('YAML details: scalars keep their text, settings beside `auth:`, dashes, tenant_*, merge keys', () => {
    put(
      '.config/openstack/clouds.yaml',
      `
base: &base
  auth_url: https://merged/v3
  user-domain-name: FromDash
clouds:
  odd:
    auth:
      <<: *base
      username: 0123
      password: 0777
      tenant_name: legacy-project
    project_id: beside-auth
    identity_api_version: 3.0
    interface: ~
`,
    );
    const found = openStackFromEnvironment({ env: {}, cloud: 'odd', home, configDirs: dirs() });
    expect({ ...found, source: undefined }).toEqual({
      authUrl: 'https://merged/v3',
      username: '0123',
      password: '0777',
      projectName: 'legacy-project',
      projectId: 'beside-auth',
      userDomainName: 'FromDash',
      identityApiVersion: '3.0',
      source: undefined,
    });
  });

  test('an unknown cloud names the files and the clouds they define', () => {
    const path = put('.config/openstack/clouds.yaml', clouds);
    const error = caught(() => openStackFromEnvironment({ env: { OS_CLOUD: 'nope' }, home, configDirs: dirs() }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(error.message).toBe(`openstack: cloud \`nope\` (named by OS_CLOUD) is not defined in ${path} (clouds defined: \`mycloud\`, \`appcred\`).`);
    expectNoSecrets(error, [PASSWORD, APP_SECRET]);
  });

  test('no clouds file: the message lists every path searched', () => {
    const error = caught(() => openStackFromEnvironment({ env: {}, cloud: 'mycloud', home, configDirs: dirs() }));
    const paths = dirs().flatMap((d) => ['clouds.yaml', 'clouds.yml', 'clouds.json'].map((f) => join(d, f)));
    expect(error.message).toBe(`openstack: cloud \`mycloud\` (named by the \`cloud\` option) cannot be read: no clouds file found. Looked for ${paths.slice(0, -1).join(', ')} and ${paths.at(-1)}.`);
    expect((error as CredentialsNotFoundError).searched).toEqual([...paths, ...dirs().flatMap((d) => ['secure.yaml', 'secure.yml', 'secure.json'].map((f) => join(d, f)))]);
  });

  test('nothing usable in the environment', () => {
    const error = caught(() => openStackFromEnvironment({ env: { OS_USERNAME: 'demo', OS_PASSWORD: ENV_PASSWORD }, home, configDirs: dirs() }));
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(error.message).toBe(
      'openstack: no usable credentials: missing an auth URL (OS_AUTH_URL or auth.auth_url). ' +
        'Looked in the OS_* environment variables (no cloud named: set OS_CLOUD to read clouds.yaml).',
    );
    expect((error as CredentialsNotFoundError).searched).toEqual(['OS_CLOUD', 'OS_AUTH_URL', 'OS_PASSWORD', 'OS_TOKEN', 'OS_APPLICATION_CREDENTIAL_SECRET']);
    expectNoSecrets(error, [ENV_PASSWORD]);
  });

  test('a cloud without a secret', () => {
    const path = put('.config/openstack/clouds.yaml', 'clouds:\n  half:\n    profile: some-vendor\n    auth:\n      username: demo\n');
    const error = caught(() => openStackFromEnvironment({ env: { OS_CLOUD: 'half' }, home, configDirs: dirs() }));
    expect(error.message).toBe(
      'openstack: no usable credentials: missing an auth URL (OS_AUTH_URL or auth.auth_url) and a password, token or application credential secret ' +
        '(OS_PASSWORD, OS_TOKEN, OS_APPLICATION_CREDENTIAL_SECRET or their clouds.yaml keys). ' +
        `Looked in cloud \`half\` of ${path} and the OS_* environment variables. A vendor \`profile:\` is not supported; write auth_url in the cloud.`,
    );
  });

  test('a token is enough', () => {
    const found = openStackFromEnvironment({ env: { OS_AUTH_URL: 'https://k/v3', OS_TOKEN, OS_AUTH_TYPE: 'token' }, home, configDirs: [] });
    expect(found.token).toBe(OS_TOKEN);
    expectNoSecrets(found, [OS_TOKEN]);
  });

  test('a clouds file that does not parse: the position, never the line', () => {
    const path = put('.config/openstack/clouds.yaml', `clouds:\n  mycloud:\n    auth:\n      password: "${PASSWORD}\n      username: [unclosed\n`);
    const error = caught(() => openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, configDirs: dirs() }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as CloudError).code).toBe('InvalidConfigFile');
    expect(error.message).toMatch(new RegExp(`^openstack: cannot parse ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [A-Z_]+ at line \\d+, column \\d+$`));
    expectNoSecrets(error, [PASSWORD]);
  });

  test('a clouds file that cannot be read', () => {
    mkdirSync(join(home, 'project', 'clouds.yaml'), { recursive: true });
    const error = caught(() => openStackFromEnvironment({ env: { OS_CLOUD: 'mycloud' }, home, configDirs: dirs() }));
    expect(error.message).toBe(`openstack: cannot read ${join(home, 'project', 'clouds.yaml')} (EISDIR)`);
  });
});
