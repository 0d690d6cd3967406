/**
 * Drivers given no keys read them as the vendors' SDKs do: AWS variables and profiles (`~/.aws/credentials`,
 * `~/.aws/config`), `DIGITALOCEAN_TOKEN`, `AZURE_STORAGE_CONNECTION_STRING`; with nothing to find, a typed
 * error that says what was looked for. Each test runs with a temporary HOME and an environment of its own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { CredentialsNotFoundError, InvalidArgumentError } from '@dualcloud/core';
import { getDriver as getCompute, Provider as Compute } from '@dualcloud/drivers/compute';
import { getDriver as getStorage, Provider as Storage } from '@dualcloud/drivers/storage';
import { getDriver as getD3Storage } from '@dualcloud/async-mode/storage';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Emulator } from './storage/helpers/emulators.js';

const VARIABLES = [
  'HOME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'DIGITALOCEAN_TOKEN',
  'DIGITALOCEAN_ACCESS_TOKEN',
  'AZURE_STORAGE_CONNECTION_STRING',
  'AZURE_STORAGE_ACCOUNT',
  'AZURE_STORAGE_KEY',
];

let cloud: FakeCloud;
let azurite: Emulator;
let home: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  [cloud, azurite] = await Promise.all([startFakeCloud(), startAzurite()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([cloud.close(), azurite.close()]);
});
beforeEach(() => {
  for (const name of VARIABLES) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  home = mkdtempSync(join(tmpdir(), 'dualcloud-home-'));
  process.env.HOME = home;
});
afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(home, { recursive: true, force: true });
});

const aws = FAKE_CREDENTIALS.aws;

describe('AWS', () => {
  test('keys and region from the environment (sync style)', () => {
    process.env.AWS_ACCESS_KEY_ID = aws.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = aws.secretAccessKey;
    process.env.AWS_REGION = 'eu-west-1';
    const ec2 = new (getCompute(Compute.EC2))({ ...cloud.endpoint('ec2') });
    expect(ec2.region).toBe('eu-west-1');
    expect(ec2.listLocations().every((l) => String(l.extra.regionName ?? 'eu-west-1') === 'eu-west-1')).toBe(true);
  });

  test('a named profile from ~/.aws/credentials with its region from ~/.aws/config (Design 3)', async () => {
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n[dev]\naws_access_key_id = ${aws.accessKeyId}\naws_secret_access_key = ${aws.secretAccessKey}\n`);
    writeFileSync(join(home, '.aws', 'config'), '[profile dev]\nregion = ap-southeast-1\n');
    const S3 = getD3Storage(Storage.S3);
    const s3 = new S3({ profile: 'dev', ...cloud.endpoint('s3'), async: true });
    expect(s3.region).toBe('ap-southeast-1');
    const bucket = await s3.createContainer('from-profile');
    expect((await s3.listContainers()).map((c) => c.name)).toContain(bucket.name);
    // AWS_PROFILE picks the same profile; the default profile's wrong keys are refused by the server.
    process.env.AWS_PROFILE = 'dev';
    expect(new S3({ ...cloud.endpoint('s3'), async: true }).region).toBe('ap-southeast-1');
    delete process.env.AWS_PROFILE;
    await expect(new S3({ ...cloud.endpoint('s3'), async: true }).listContainers()).rejects.toMatchObject({ name: 'InvalidCredentialsError' });
  });

  test('nothing to find: CredentialsNotFoundError naming what was looked for, never a value', () => {
    let error: unknown;
    try {
      new (getStorage(Storage.S3))({ ...cloud.endpoint('s3') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CredentialsNotFoundError);
    expect(String((error as Error).message)).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(String((error as Error).message)).toContain(join(home, '.aws', 'credentials'));
  });

  test('half a key pair is a mistake, not completed from the environment', () => {
    process.env.AWS_SECRET_ACCESS_KEY = aws.secretAccessKey;
    expect(() => new (getCompute(Compute.EC2))({ key: aws.accessKeyId })).toThrow(InvalidArgumentError);
  });
});

test('DigitalOcean: DIGITALOCEAN_TOKEN', () => {
  process.env.DIGITALOCEAN_TOKEN = FAKE_CREDENTIALS.digitalocean.token;
  const d = new (getCompute(Compute.DIGITAL_OCEAN))({ ...cloud.endpoint('digitalocean') });
  expect(Array.isArray(d.listSizes())).toBe(true);
  delete process.env.DIGITALOCEAN_TOKEN;
  expect(() => new (getCompute(Compute.DIGITAL_OCEAN))({ ...cloud.endpoint('digitalocean') })).toThrow(CredentialsNotFoundError);
});

test('Azure: AZURE_STORAGE_CONNECTION_STRING gives the account, key and endpoint', () => {
  process.env.AZURE_STORAGE_CONNECTION_STRING = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT};`;
  const azure = new (getStorage(Storage.AZURE_BLOBS))();
  expect(azure.account).toBe(AZURITE_ACCOUNT);
  const c = azure.createContainer('from-connection-string');
  expect(azure.listContainers().map((x) => x.name)).toContain(c.name);
  azure.deleteContainer(c);
});

describe('registerDriver (Libcloud set_driver)', () => {
  test('a provider of your own is returned by getDriver, in the sync style and the designs', async () => {
    const { registerDriver, setDriver, getDriver, providers } = await import('@dualcloud/drivers/compute');
    const { getDriver: getD3 } = await import('@dualcloud/async-mode/compute');
    const { getDriver: getD2 } = await import('@dualcloud/async-methods/compute');
    const Dummy = getDriver(Compute.DUMMY);
    class MyCloud extends Dummy {}
    registerDriver('my-cloud', MyCloud);
    expect(getDriver('my-cloud')).toBe(MyCloud);
    expect(providers()).toContain('my-cloud');
    expect(new (getDriver('my-cloud'))({ nodeCount: 3 }).listNodes()).toHaveLength(3);
    expect(await new (getD3('my-cloud'))({ nodeCount: 2, async: true }).listNodes()).toHaveLength(2);
    expect(await new (getD2('my-cloud'))({ nodeCount: 1 }).listNodesAsync()).toHaveLength(1);
    expect(setDriver).toBe(registerDriver);
    expect(() => getDriver('nobody')).toThrow(/unknown compute provider "nobody"; known: .*my-cloud/);
    expect(() => registerDriver('', MyCloud)).toThrow(InvalidArgumentError);
  });
});
