/**
 * No secret is ever printed: one table-driven test over every provider of every family, read from the
 * registries (`providers()` of `@dualcloud/drivers/compute`, `/storage` and `/container`), so a new provider falls under it
 * the moment it is registered — and fails here until it has a fixture in `FIXTURES`.
 *
 * Each provider's driver is built from options holding SENTINEL secrets and used for real (against the fake
 * cloud, azurite, or a temporary directory, all on 127.0.0.1), so lazily built internals exist. Then, for each
 * subject — the sync driver (with `driver.connection` and everything reachable from its own properties), the
 * models it returns, the errors it throws, `new AsyncSession(driver)`, the Design 2 driver, the Design 3
 * driver — every value reachable from the subject (own properties of any key kind, enumerable or not, a few
 * levels deep) is printed through every channel of `CHANNELS` (util.inspect, util.inspect with showHidden,
 * JSON.stringify, String, Object.entries and spread), and no form of any sentinel may show (text, base64, hex,
 * printed byte lists; for Azure also the decoded account key). So are the lines every style's hooks and debug
 * log received.
 *
 * Compute providers with key pairs also create one in every style: its private key, made by the provider (or
 * the driver), joins the secrets looked for. It may be read as `keyPair.privateKey` and nowhere else: the key
 * pair itself prints it as `[REDACTED]`, and no driver, connection, design wrapper, error, hook or log line
 * holds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { ASYNC_MODE, InvalidCredentialsError, KeyPairAlreadyExistsError, Node, NodeState, NotFoundError, NotImplementedError, StorageVolumeState, type Hooks } from '@dualcloud/core';
import { RACKSPACE_IDENTITY_PATH, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { providers as computeProviders, type NodeDriver } from '@dualcloud/drivers/compute';
import { BulkError, isCommonPrefix, providers as storageProviders, type StorageDriver } from '@dualcloud/drivers/storage';
import { ElasticContainerDriver, providers as containerProviders, type ContainerDriver, type ElasticContainerDriverOptions } from '@dualcloud/drivers/container';
import { COMPUTE, CONTAINER, openStyled, STORAGE, STYLE_NAMES, type Family, type Styled, type StyleName } from './behaviour/helpers/styles.js';
import { CHANNELS, describeLeaks, findLeaks, secretForms } from './helpers/leaks.js';
import { startAzurite, type Emulator } from './storage/helpers/emulators.js';

// ---- sentinels ---------------------------------------------------------------------------------------------

/** Every secret below starts with this, so a leak is unmistakable. */
const SENTINEL = 'S3CR3T-SENTINEL';
const DOCKER_PASSWORD = `${SENTINEL}-docker-basic-password`;
const AWS_KEY_ID = 'AKIDSENTINELKEYID001'; // an access key id is not a secret
const AWS_SECRET = `${SENTINEL}-aws-secret-access-key-000000000`;
const AWS_SESSION_TOKEN = `${SENTINEL}-aws-session-token-000000000000`;
const GCS_KEY_ID = 'GOOGSENTINELACCESSID0001';
const GCS_SECRET = `${SENTINEL}-gcs-hmac-secret-0000000000000`;
const DO_TOKEN = `${SENTINEL}-digitalocean-token-accepted-0000`;
const DO_TOKEN_REJECTED = `${SENTINEL}-digitalocean-token-rejected-0000`;
/** Azure account keys are base64: the key is the base64 of a sentinel string, whose bytes are secret too. */
const AZURE_KEY_BYTES = Buffer.from(`${SENTINEL}-azure-account-key-bytes-0000000000`, 'utf8');
const AZURE_KEY = AZURE_KEY_BYTES.toString('base64');
const AZURE_ACCOUNT = 'sentinelacct';
/** Known to the backends with another secret: the sentinel secret is refused for them (InvalidCredentialsError). */
const OTHER_AWS_KEY_ID = 'AKIDOTHERKEYID000001';
const OTHER_GCS_KEY_ID = 'GOOGOTHERACCESSID0000001';
const OTHER_AZURE_ACCOUNT = 'otheracct';
/** OpenStack (Keystone v3 password) and Rackspace (Keystone v2.0 API key) secrets, known to the fake Keystone. */
const OS_PASSWORD = `${SENTINEL}-openstack-password-00000000000`;
const RAX_API_KEY = `${SENTINEL}-rackspace-api-key-0000000000`;
const OS_USER = 'sentinel-user';
/** A Keystone user the fake cloud knows with other secrets: the sentinel ones are refused for it. */
const OTHER_OS_USER = 'other-user';
/** OpenStack: a Keystone user's password (also its Rackspace-style API key in the fake cloud) and a temp URL key. */
const KEYSTONE_USER = 'sentinel-swift-user';
const KEYSTONE_PASSWORD = `${SENTINEL}-keystone-password-0000000000`;
const TEMP_URL_KEY = `${SENTINEL}-swift-temp-url-key-000000000`;
const OTHER_KEYSTONE_USER = 'other-swift-user';
/** Kubernetes: a bearer token (accepted, and one refused) and a client key (PEM; its sentinel line is the secret). */
const K8S_TOKEN = `${SENTINEL}-kubernetes-token-accepted-000`;
const K8S_TOKEN_REJECTED = `${SENTINEL}-kubernetes-token-rejected-000`;
const K8S_CLIENT_KEY_LINE = `${SENTINEL}-kubernetes-client-key-0000000`;
const K8S_CLIENT_KEY = `-----BEGIN PRIVATE KEY-----\n${K8S_CLIENT_KEY_LINE}\n-----END PRIVATE KEY-----\n`;
const K8S_CLIENT_CERT = '-----BEGIN CERTIFICATE-----\nbm90IGEgc2VjcmV0\n-----END CERTIFICATE-----\n';
/** Options that the Dummy and Local drivers accept and ignore: they must not print them either. */
const IGNORED_SECRET = `${SENTINEL}-accepted-and-ignored-0000000`;

// ---- the backends the drivers talk to ----------------------------------------------------------------------

/** Where fixtures point their drivers. */
interface SecretsEnv {
  /** The fake cloud, accepting the sentinel credentials (and refusing the sentinel secret for the OTHER key ids). */
  readonly cloud: FakeCloud;
  /** Azurite with the sentinel account (and OTHER_AZURE_ACCOUNT with another key). */
  readonly azurite: Emulator;
  /** A temporary directory for the Local driver. */
  readonly localRoot: string;
}

let env: SecretsEnv | undefined;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  const localRoot = mkdtempSync(join(tmpdir(), 'dualcloud-secrets-'));
  stops.push(async () => rmSync(localRoot, { recursive: true, force: true }));
  const [cloud, azurite] = await Promise.all([
    startFakeCloud({
      nodeBootMs: 20,
      credentials: {
        aws: { [AWS_KEY_ID]: AWS_SECRET, [OTHER_AWS_KEY_ID]: 'another-aws-secret-known-to-the-cloud' },
        gcs: { [GCS_KEY_ID]: GCS_SECRET, [OTHER_GCS_KEY_ID]: 'another-gcs-secret-known-to-the-cloud' },
        digitalocean: [DO_TOKEN],
        kubernetes: [K8S_TOKEN],
        keystone: [
          { username: OS_USER, password: OS_PASSWORD, apiKey: RAX_API_KEY, project: 'demo', domain: 'Default' },
          { username: OTHER_OS_USER, password: 'another-keystone-password', apiKey: 'another-rackspace-api-key', project: 'demo', domain: 'Default' },
          { username: KEYSTONE_USER, password: KEYSTONE_PASSWORD, project: 'sentinel', domain: 'Default' },
          { username: OTHER_KEYSTONE_USER, password: 'another-keystone-password-known-to-the-cloud', project: 'sentinel', domain: 'Default' },
        ],
      },
    }).then((c) => (stops.push(() => c.close()), c)),
    startAzurite({ accounts: `${AZURE_ACCOUNT}:${AZURE_KEY};${OTHER_AZURE_ACCOUNT}:${Buffer.from('another azure key').toString('base64')}` }).then(
      (a) => (stops.push(() => a.close()), a),
    ),
  ]);
  env = { cloud, azurite, localRoot };
  // ECS runs tasks in the `default` cluster when none is named: it must exist, as in a real account.
  await new ElasticContainerDriver({ key: AWS_KEY_ID, secret: AWS_SECRET, region: 'us-east-1', ...cloud.endpoint('ecs'), [ASYNC_MODE]: true } as ElasticContainerDriverOptions).createCluster('default');
}, 60_000);
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

// ---- the fixture map: one entry per provider ---------------------------------------------------------------

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 };

/** How to build a provider's driver with sentinel secrets. */
interface SecretFixture {
  /** Every secret string the options (accepted or rejected) carry. */
  readonly secrets: readonly string[];
  /** Secret bytes encoded in an option (Azure's decoded account key). */
  readonly secretBytes?: readonly Uint8Array[];
  /** Constructor options with sentinel secrets, accepted by the backend. */
  options(env: SecretsEnv): object;
  /** The same sentinel secrets, refused by the backend (InvalidCredentialsError); absent without credentials. */
  rejectedOptions?(env: SecretsEnv): object;
  /** Compute: the driver creates key pairs (and volumes), whose private keys are checked too. */
  readonly keyPairs?: boolean;
  /** Container: the image to install (default `busybox:1.36`), the cluster id to deploy into, deploy parameters, a missing container id. */
  readonly containerImage?: string;
  readonly containerCluster?: string;
  readonly containerParameters?: Record<string, unknown>;
  readonly missingContainerId?: string;
}

/** Keyed `family:provider`. A registered provider without an entry fails the test. */
const FIXTURES: Readonly<Record<string, SecretFixture>> = {
  'compute:dummy': {
    secrets: [IGNORED_SECRET],
    options: () => ({ key: 'any', secret: IGNORED_SECRET }),
    keyPairs: true,
  },
  'compute:ec2': {
    secrets: [AWS_SECRET, AWS_SESSION_TOKEN],
    options: (e) => ({ key: AWS_KEY_ID, secret: AWS_SECRET, token: AWS_SESSION_TOKEN, region: 'us-east-1', ...e.cloud.endpoint('ec2'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_AWS_KEY_ID, secret: AWS_SECRET, token: AWS_SESSION_TOKEN, region: 'us-east-1', ...e.cloud.endpoint('ec2'), retry: FAST_RETRY }),
    keyPairs: true,
  },
  'compute:digitalocean': {
    secrets: [DO_TOKEN, DO_TOKEN_REJECTED],
    options: (e) => ({ key: DO_TOKEN, ...e.cloud.endpoint('digitalocean'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: DO_TOKEN_REJECTED, ...e.cloud.endpoint('digitalocean'), retry: FAST_RETRY }),
    keyPairs: true,
  },
  'compute:openstack': {
    secrets: [OS_PASSWORD],
    options: (e) => ({ authUrl: e.cloud.endpoint('keystone').authUrl, username: OS_USER, password: OS_PASSWORD, projectName: 'demo', userDomainName: 'Default', retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ authUrl: e.cloud.endpoint('keystone').authUrl, username: OTHER_OS_USER, password: OS_PASSWORD, projectName: 'demo', userDomainName: 'Default', retry: FAST_RETRY }),
    keyPairs: true,
  },
  'compute:rackspace': {
    secrets: [RAX_API_KEY],
    options: (e) => ({ authUrl: `http://127.0.0.1:${e.cloud.port}/identity/v2.0`, key: OS_USER, secret: RAX_API_KEY, region: 'lon', retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ authUrl: `http://127.0.0.1:${e.cloud.port}/identity/v2.0`, username: OTHER_OS_USER, apiKey: RAX_API_KEY, regionName: 'LON', retry: FAST_RETRY }),
  },
  'storage:s3': {
    secrets: [AWS_SECRET],
    options: (e) => ({ key: AWS_KEY_ID, secret: AWS_SECRET, region: 'us-east-1', ...e.cloud.endpoint('s3'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_AWS_KEY_ID, secret: AWS_SECRET, region: 'us-east-1', ...e.cloud.endpoint('s3'), retry: FAST_RETRY }),
  },
  'storage:google_storage': {
    secrets: [GCS_SECRET],
    options: (e) => ({ key: GCS_KEY_ID, secret: GCS_SECRET, ...e.cloud.endpoint('google_storage'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_GCS_KEY_ID, secret: GCS_SECRET, ...e.cloud.endpoint('google_storage'), retry: FAST_RETRY }),
  },
  'storage:azure_blobs': {
    secrets: [AZURE_KEY],
    secretBytes: [AZURE_KEY_BYTES],
    options: (e) => ({ key: AZURE_ACCOUNT, secret: AZURE_KEY, host: '127.0.0.1', port: e.azurite.port, secure: false, retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_AZURE_ACCOUNT, secret: AZURE_KEY, host: '127.0.0.1', port: e.azurite.port, secure: false, retry: FAST_RETRY }),
  },
  'storage:openstack_swift': {
    secrets: [KEYSTONE_PASSWORD, TEMP_URL_KEY],
    options: (e) => ({ authUrl: e.cloud.endpoint('keystone').authUrl, username: KEYSTONE_USER, password: KEYSTONE_PASSWORD, projectName: 'sentinel', tempUrlKey: TEMP_URL_KEY, retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ authUrl: e.cloud.endpoint('keystone').authUrl, username: OTHER_KEYSTONE_USER, password: KEYSTONE_PASSWORD, projectName: 'sentinel', tempUrlKey: TEMP_URL_KEY, retry: FAST_RETRY }),
  },
  'storage:cloudfiles': {
    secrets: [KEYSTONE_PASSWORD],
    options: (e) => ({ key: KEYSTONE_USER, secret: KEYSTONE_PASSWORD, region: 'ord', authUrl: `${e.cloud.url}${RACKSPACE_IDENTITY_PATH}`, retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_KEYSTONE_USER, secret: KEYSTONE_PASSWORD, region: 'ord', authUrl: `${e.cloud.url}${RACKSPACE_IDENTITY_PATH}`, retry: FAST_RETRY }),
  },
  'storage:local': {
    secrets: [IGNORED_SECRET],
    options: (e) => ({ key: e.localRoot, secret: IGNORED_SECRET }),
  },
  'container:dummy': {
    secrets: [IGNORED_SECRET],
    options: () => ({ key: 'any', secret: IGNORED_SECRET }),
  },
  'container:ecs': {
    secrets: [AWS_SECRET, AWS_SESSION_TOKEN],
    options: (e) => ({ key: AWS_KEY_ID, secret: AWS_SECRET, token: AWS_SESSION_TOKEN, region: 'us-east-1', ...e.cloud.endpoint('ecs'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ key: OTHER_AWS_KEY_ID, secret: AWS_SECRET, token: AWS_SESSION_TOKEN, region: 'us-east-1', ...e.cloud.endpoint('ecs'), retry: FAST_RETRY }),
    containerImage: 'tomcat:8.0',
    containerCluster: 'default',
    containerParameters: { cpu: 128, memory: 256, environment: { MODE: 'test' } },
    missingContainerId: 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef',
  },
  // The client certificate and key ride along (unused over http): the key must not print either.
  'container:kubernetes': {
    secrets: [K8S_TOKEN, K8S_CLIENT_KEY_LINE],
    options: (e) => ({ token: K8S_TOKEN, clientCert: K8S_CLIENT_CERT, clientKey: K8S_CLIENT_KEY, ...e.cloud.endpoint('kubernetes'), retry: FAST_RETRY }),
    rejectedOptions: (e) => ({ token: K8S_TOKEN_REJECTED, clientCert: K8S_CLIENT_CERT, clientKey: K8S_CLIENT_KEY, ...e.cloud.endpoint('kubernetes'), retry: FAST_RETRY }),
    containerImage: 'busybox:1.36',
    missingContainerId: 'containerd://0000000000000000000000000000000000000000000000000000000000000000',
  },
  // Docker's key and secret are HTTP Basic authentication (a daemon behind a proxy); the fake daemon ignores them.
  'container:docker': {
    secrets: [DOCKER_PASSWORD],
    options: (e) => ({ key: 'docker-user', secret: DOCKER_PASSWORD, ...e.cloud.endpoint('docker'), retry: FAST_RETRY }),
    containerImage: 'busybox:1.36',
    containerParameters: { command: 'sh -c "echo hello"', environment: { GREETING: 'hello' } },
    missingContainerId: '0123456789abcdef0123456789abcdef',
  },
  // The S3-compatible stores, pointed at the fake cloud's S3 with their endpoint overridden.
  ...compatibleFixtures({
    minio: {},
    digitalocean_spaces: { region: 'fra1' },
    wasabi: { region: 'us-east-2' },
    cloudflare_r2: { accountId: 'abcdef0123456789abcdef0123456789' },
    backblaze_b2_s3: { region: 'eu-central-003' },
    scaleway: {},
    ovh: { region: 'gra' },
    linode: {},
  }),
};

/** A fixture per S3-compatible store: the AWS sentinel secret, accepted, and refused under another key id. */
function compatibleFixtures(stores: Record<string, object>): Record<string, SecretFixture> {
  return Object.fromEntries(
    Object.entries(stores).map(([provider, extra]) => [
      `storage:${provider}`,
      {
        secrets: [AWS_SECRET],
        options: (e: SecretsEnv) => ({ key: AWS_KEY_ID, secret: AWS_SECRET, ...extra, ...e.cloud.endpoint('s3'), retry: FAST_RETRY }),
        rejectedOptions: (e: SecretsEnv) => ({ key: OTHER_AWS_KEY_ID, secret: AWS_SECRET, ...extra, ...e.cloud.endpoint('s3'), retry: FAST_RETRY }),
      },
    ]),
  );
}

// ---- the families: how to get models and errors from any of their drivers ---------------------------------

/** What a family's drivers give to look at. */
interface Harvest {
  readonly models: Array<{ path: string; value: object }>;
  readonly errors: Array<{ path: string; value: object }>;
  /** Secrets made while harvesting (private keys of created key pairs), looked for like the sentinels. */
  readonly madeSecrets?: readonly string[];
}

interface FamilySpec {
  readonly name: string;
  readonly providers: () => readonly string[];
  readonly classes: Family<string>;
  /** Models returned by the driver (through one style), and a not-found error. */
  harvest(d: Styled<any>, tag: string, fixture: SecretFixture): Promise<Harvest>;
  /** A call that needs credentials. */
  authenticated(d: Styled<any>): Promise<unknown>;
}

let sequence = 0;
const unique = (): string => `sec-${++sequence}-${Date.now().toString(36)}`;

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>, what: string): Promise<object> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (typeof outcome !== 'object' || outcome === null) throw new Error(`${what} did not fail`);
  return outcome;
}

/**
 * The forms of a private key (PEM or OpenSSH) worth looking for besides the whole text: each base64 line of
 * its body (a printout may escape the newlines between them) and the body joined. A line that only encodes
 * public parts (the RSA modulus, the embedded Ed25519 public key) can show up in the public key, which is no
 * secret: such lines are left out.
 */
function privateKeyParts(privateKey: string, publicKey: string | undefined): string[] {
  const lines = privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  const secretLines = lines.filter((line) => line.length >= 16 && !(publicKey ?? '').includes(line));
  return [privateKey, privateKey.trim(), lines.join(''), ...secretLines];
}

/** Key pair and volume models of a compute driver, and the private key it created. */
async function harvestKeyPairs(d: Styled<NodeDriver>, tag: string): Promise<Harvest> {
  const name = unique();
  const created = await d.call('createKeyPair', name);
  const privateKey = created.privateKey;
  if (typeof privateKey !== 'string' || privateKey.length < 64) throw new Error(`${tag}: createKeyPair returned no private key`);
  const duplicate = await rejection(d.call('createKeyPair', name), `${tag}: createKeyPair of an existing name`);
  expect(duplicate).toBeInstanceOf(KeyPairAlreadyExistsError);
  const listed = await d.call('listKeyPairs');
  const fetched = await d.call('getKeyPair', name);
  const publicKey = fetched.publicKey ?? created.publicKey;
  const location = (await d.call('listLocations'))[0]!;
  const volume = await d.call('createVolume', { size: 1, name: unique(), location });
  const volumes = await d.call('listVolumes');
  await d.call('deleteKeyPair', created);
  const deleted = await rejection(d.call('getKeyPair', name), `${tag}: getKeyPair of a deleted key pair`);
  expect(deleted).toBeInstanceOf(NotFoundError);
  // A volume still being created cannot be deleted everywhere (Cinder refuses with 400): wait for it first.
  await d.call('waitUntilVolumeState', volume, StorageVolumeState.AVAILABLE, { timeout: 10_000, pollInterval: 20 });
  await d.call('destroyVolume', volume);
  return {
    models: [
      { path: `${tag}.createKeyPair()`, value: created },
      { path: `${tag}.listKeyPairs()`, value: listed },
      { path: `${tag}.getKeyPair()`, value: fetched },
      { path: `${tag}.createVolume()`, value: volume },
      { path: `${tag}.listVolumes()`, value: volumes },
    ],
    errors: [
      { path: `${tag}: KeyPairAlreadyExistsError`, value: duplicate },
      { path: `${tag}: KeyPairDoesNotExistError`, value: deleted },
    ],
    madeSecrets: privateKeyParts(privateKey, publicKey),
  };
}

/** Every family. A new family (e.g. container) joins by adding its entry here. */
const FAMILIES: readonly FamilySpec[] = [
  {
    name: 'compute',
    providers: computeProviders,
    classes: COMPUTE as Family<string>,
    async harvest(d: Styled<NodeDriver>, tag, fixture) {
      const resources = fixture.keyPairs ? await harvestKeyPairs(d, tag) : { models: [], errors: [] };
      const [images, sizes, locations] = [await d.call('listImages'), await d.call('listSizes'), await d.call('listLocations')];
      const node = await d.call('createNode', { name: unique(), image: images[0]!, size: sizes[0]! });
      const nodes = await d.call('listNodes');
      const ghost = new Node({ id: '987654321', name: 'missing', state: NodeState.RUNNING, publicIps: [], privateIps: [] }, {} as never);
      const notFound = await rejection(d.call('rebootNode', ghost), `${tag}: rebootNode of a missing node`);
      expect(notFound).toBeInstanceOf(NotFoundError);
      await d.call('destroyNode', node);
      return {
        models: [
          { path: `${tag}.createNode()`, value: node },
          { path: `${tag}.listNodes()`, value: nodes },
          { path: `${tag}.listImages()[0]`, value: images[0]! },
          { path: `${tag}.listSizes()[0]`, value: sizes[0]! },
          { path: `${tag}.listLocations()[0]`, value: locations[0]! },
          ...resources.models,
        ],
        errors: [{ path: `${tag}: NodeNotFoundError`, value: notFound }, ...resources.errors],
        madeSecrets: resources.madeSecrets ?? [],
      };
    },
    authenticated: (d: Styled<NodeDriver>) => d.call('listNodes'),
  },
  {
    name: 'storage',
    providers: storageProviders,
    classes: STORAGE as Family<string>,
    async harvest(d: Styled<StorageDriver>, tag) {
      const container = await d.call('createContainer', unique());
      const uploaded = await d.call('uploadObjectViaStream', 'some bytes', container, 'dir/object.txt', { metaData: { owner: 'tests' } });
      const listed = await d.call('listContainerObjects', container);
      const grouped = await d.call('listContainerObjects', container, { delimiter: '/' });
      const head = await d.call('getObject', container.name, 'dir/object.txt');
      const containers = await d.collect('iterateContainers');
      const chunks = await d.collect('downloadObjectAsStream', head);
      expect(Buffer.concat(chunks).toString()).toBe('some bytes');
      const missingObject = await rejection(d.call('getObject', container.name, 'missing.txt'), `${tag}: getObject of a missing object`);
      const missingContainer = await rejection(d.call('getContainer', unique()), `${tag}: getContainer of a missing container`);
      expect(missingObject).toBeInstanceOf(NotFoundError);
      expect(missingContainer).toBeInstanceOf(NotFoundError);
      expect(grouped.some(isCommonPrefix)).toBe(true);
      // Bulk calls: their results and a failFast BulkError (with every item's error inside) are printed too.
      const bulk = await d.call('uploadObjects', [
        { container, objectName: 'bulk/a.txt', source: 'a' },
        { container, objectName: 'bulk/b.txt', source: 'b' },
      ]);
      expect(bulk.succeeded).toBe(2);
      const bulkFailure = await rejection(
        d.call('uploadObjects', [{ container, objectName: 'bulk/missing.txt', filePath: join(tmpdir(), `no-such-file-${unique()}`) }], { failFast: true }),
        `${tag}: a failFast bulk upload of a missing file`,
      );
      expect(bulkFailure).toBeInstanceOf(BulkError);
      const bulkDelete = await d.call('deleteObjects', [...bulk.results.map((r) => (r.ok ? r.value : head)), head]);
      expect(bulkDelete.succeeded).toBe(3);
      await d.call('deleteContainer', container);
      return {
        models: [
          { path: `${tag}.createContainer()`, value: container },
          { path: `${tag}.uploadObjectViaStream()`, value: uploaded },
          { path: `${tag}.listContainerObjects()`, value: listed },
          { path: `${tag}.listContainerObjects({ delimiter })`, value: grouped },
          { path: `${tag}.getObject()`, value: head },
          { path: `${tag}.iterateContainers()`, value: containers },
          { path: `${tag}.uploadObjects()`, value: bulk },
          { path: `${tag}.deleteObjects()`, value: bulkDelete },
        ],
        errors: [
          { path: `${tag}: ObjectDoesNotExistError`, value: missingObject },
          { path: `${tag}: ContainerDoesNotExistError`, value: missingContainer },
          { path: `${tag}: BulkError`, value: bulkFailure },
        ],
      };
    },
    authenticated: (d: Styled<StorageDriver>) => d.call('listContainers'),
  },
  {
    name: 'container',
    providers: containerProviders,
    classes: CONTAINER,
    async harvest(d: Styled<ContainerDriver>, tag, fixture) {
      // A platform that pulls images itself (ECS, Kubernetes) has no installImage: the image is then made locally.
      const path = fixture.containerImage ?? 'busybox:1.36';
      const image = await d.call('installImage', path).catch((e: unknown) => {
        if (!(e instanceof NotImplementedError)) throw e;
        return (d.driver as ContainerDriver).imageFor(path);
      });
      const images = await d.call('listImages').catch((e: unknown) => {
        if (!(e instanceof NotImplementedError)) throw e;
        return [];
      });
      const cluster = fixture.containerCluster ? await d.call('getCluster', fixture.containerCluster) : undefined;
      const container = await d.call('deployContainer', unique(), image, { ...(cluster ? { cluster } : {}), parameters: fixture.containerParameters ?? {} });
      const containers = await d.call('listContainers', cluster ? { cluster } : {});
      const clusters = fixture.containerCluster ? await d.call('listClusters') : [];
      const ghost = await rejection(d.call('getContainer', fixture.missingContainerId ?? 'missing-container-0000'), `${tag}: getContainer of a missing container`);
      expect(ghost).toBeInstanceOf(NotFoundError);
      await d.call('destroyContainer', container);
      return {
        models: [
          { path: `${tag}.installImage()`, value: image },
          { path: `${tag}.listImages()`, value: images },
          { path: `${tag}.deployContainer()`, value: container },
          { path: `${tag}.listContainers()`, value: containers },
          ...(cluster ? [{ path: `${tag}.getCluster()`, value: cluster }, { path: `${tag}.listClusters()`, value: clusters }] : []),
        ],
        errors: [{ path: `${tag}: ContainerNotFoundError`, value: ghost }],
      };
    },
    authenticated: (d: Styled<ContainerDriver>) => d.call('listContainers'),
  },
];

// ---- the test ------------------------------------------------------------------------------------------------

/** The subjects of one provider, gathered once (they need the backends). */
interface Subjects {
  readonly byKind: Readonly<Record<SubjectKind, Array<{ path: string; value: object }>>>;
  /** Secrets made on the way (private keys of created key pairs). */
  readonly madeSecrets: readonly string[];
}

const SUBJECT_KINDS = [
  'sync driver (with driver.connection and all it reaches)',
  'models',
  'errors',
  'AsyncSession(driver)',
  'Design 2 driver',
  'Design 3 driver',
  'hooks and debug log lines',
] as const;
type SubjectKind = (typeof SUBJECT_KINDS)[number];

async function gather(family: FamilySpec, provider: string, fixture: SecretFixture, e: SecretsEnv): Promise<Subjects> {
  const opened = new Map<StyleName, Styled<any>>();
  // Every style's hooks and debug log are recorded: what they see is printed by users' loggers.
  const seen: string[] = [];
  const hooks: Hooks = {
    beforeRequest: (request) => void seen.push(inspect(request, { depth: Infinity })),
    afterResponse: (request, response) => void seen.push(inspect({ request, response }, { depth: Infinity })),
    beforeRetry: (info) => void seen.push(inspect(info, { depth: Infinity, showHidden: true })),
  };
  const observed = { hooks, debug: (line: string) => void seen.push(line) };
  for (const style of STYLE_NAMES) opened.set(style, openStyled(family.classes, style, provider, { ...fixture.options(e), ...observed }));
  const madeSecrets: string[] = [];
  const byKind: Record<SubjectKind, Array<{ path: string; value: object }>> = {
    'sync driver (with driver.connection and all it reaches)': [],
    models: [],
    errors: [],
    'AsyncSession(driver)': [],
    'Design 2 driver': [],
    'Design 3 driver': [],
    'hooks and debug log lines': [{ path: 'lines', value: seen }],
  };
  try {
    // Use every style for real first, so lazily built internals (connections, caches) exist when printed.
    for (const [style, d] of opened) {
      const { models, errors, madeSecrets: made = [] } = await family.harvest(d, style, fixture);
      byKind.models.push(...models);
      byKind.errors.push(...errors);
      madeSecrets.push(...made);
    }
    const sync = opened.get('sync')!;
    const connection = (sync.driver as { connection?: unknown }).connection;
    byKind['sync driver (with driver.connection and all it reaches)'].push({ path: 'driver', value: sync.driver });
    if (typeof connection === 'object' && connection !== null) {
      byKind['sync driver (with driver.connection and all it reaches)'].push({ path: 'driver.connection', value: connection });
      expect(seen.length).toBeGreaterThan(0); // the hooks and the debug log saw the requests
    }
    if (fixture.rejectedOptions) {
      for (const style of ['sync', 'design3'] as const) {
        const bad = openStyled(family.classes, style, provider, fixture.rejectedOptions(e));
        try {
          const refused = await rejection(family.authenticated(bad), `${style}: a call with refused credentials`);
          expect(refused).toBeInstanceOf(InvalidCredentialsError);
          byKind.errors.push({ path: `${style}: InvalidCredentialsError`, value: refused });
          byKind['sync driver (with driver.connection and all it reaches)'].push({ path: `driverWithRefusedCredentials(${style})`, value: bad.driver });
        } finally {
          await bad.close();
        }
      }
    }
    const session = opened.get('design1')!;
    byKind['AsyncSession(driver)'].push({ path: 'session', value: session.target });
    byKind['AsyncSession(driver)'].push({ path: 'session.driver(0)', value: (session.target as { driver(i: number): object }).driver(0) });
    byKind['Design 2 driver'].push({ path: 'design2Driver', value: opened.get('design2')!.target });
    byKind['Design 3 driver'].push({ path: 'design3Driver', value: opened.get('design3')!.target });
    return { byKind, madeSecrets };
  } finally {
    for (const d of opened.values()) await d.close();
  }
}

test('the leak detector finds a planted secret through every channel, and nothing in clean values', () => {
  const forms = secretForms([AWS_SECRET], [AZURE_KEY_BYTES]);
  class Holder {
    readonly visible = { nested: { deeper: { secret: AWS_SECRET } } };
    toString(): string {
      return `Holder(${AWS_SECRET})`;
    }
  }
  const found = findLeaks([{ path: 'holder', value: new Holder() }], forms).filter((l) => l.path === 'holder');
  expect(found.map((l) => l.channel).sort()).toEqual(CHANNELS.map((c) => c.name).sort());
  const hidden = {};
  Object.defineProperty(hidden, Symbol('hidden'), { value: { key: AZURE_KEY_BYTES }, enumerable: false });
  const hiddenLeaks = findLeaks([{ path: 'hidden', value: hidden }], forms);
  expect(hiddenLeaks.filter((l) => l.path === 'hidden').map((l) => l.channel)).toEqual(['util.inspect(x, { showHidden: true, depth: Infinity })']);
  expect(hiddenLeaks.some((l) => l.path === 'hidden[Symbol(hidden)].key' && /bytes/.test(l.form))).toBe(true);
  expect(findLeaks([{ path: 'json', value: { bytes: Buffer.from(AWS_SECRET) } }], forms).some((l) => l.channel === 'JSON.stringify(x)')).toBe(true);
  expect(findLeaks([{ path: 'clean', value: { a: 1, b: 'x', c: new Map([['k', { v: 2 }]]) } }], forms)).toEqual([]);
});

describe.each(FAMILIES.map((f) => [f.name, f] as const))('%s', (familyName, family) => {
  test('every registered provider has a secrets fixture', () => {
    const missing = family.providers().filter((p) => FIXTURES[`${familyName}:${p}`] === undefined);
    expect(missing.map((p) => `no secrets fixture for ${familyName} provider "${p}": add "${familyName}:${p}" to FIXTURES in secrets.test.ts`)).toEqual([]);
  });

  describe.each(family.providers().map((p) => [p] as const))('%s', (provider) => {
    const fixture = FIXTURES[`${familyName}:${provider}`];
    let subjects: Subjects | undefined;
    let failure: unknown;
    beforeAll(async () => {
      if (!fixture || !env) return;
      try {
        subjects = await gather(family, provider, fixture, env);
      } catch (error) {
        failure = error;
      }
    }, 60_000);

    if (fixture?.keyPairs) {
      test("created key pairs' private keys are looked for, and would be found where they are readable", () => {
        if (failure) throw failure;
        if (!subjects) throw new Error('the backends did not start');
        expect(subjects.madeSecrets.length).toBeGreaterThan(0);
        const forms = secretForms([...subjects.madeSecrets]);
        const plain = findLeaks([{ path: 'plain', value: { privateKey: subjects.madeSecrets[0]! } }], forms);
        // Every channel but String(x), which prints a plain object as [object Object].
        expect(plain.map((l) => l.channel).sort()).toEqual(CHANNELS.map((c) => c.name).filter((c) => c !== 'String(x)').sort());
      });
    }

    test.each(SUBJECT_KINDS.map((k) => [k] as const))('%s prints no secret', (kind) => {
      if (!fixture) throw new Error(`no secrets fixture for ${familyName} provider "${provider}": add "${familyName}:${provider}" to FIXTURES in secrets.test.ts`);
      if (failure) throw failure;
      if (!subjects) throw new Error('the backends did not start');
      const values = subjects.byKind[kind];
      expect(values.length).toBeGreaterThan(0);
      const forms = secretForms([...fixture.secrets, ...subjects.madeSecrets], fixture.secretBytes);
      expect(describeLeaks(findLeaks(values, forms))).toEqual([]);
    });
  });
});
