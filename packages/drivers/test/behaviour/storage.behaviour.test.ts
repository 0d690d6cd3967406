/**
 * The storage behaviour suite: every scenario of `helpers/storage-kit.ts`, for every backend row below, in
 * each of the four styles (sync, Design 1, Design 2, Design 3). Like Apache OpenDAL's behaviour tests, one suite
 * covers every service: a backend that cannot do something says so with a capability flag, and the scenarios
 * needing it are left out of its table (nothing is skipped at run time).
 *
 * ADDING A PROVIDER OR BACKEND = adding ONE row to `BACKENDS`:
 *   - `id`: short name for titles and container names (lower-case letters, digits, single hyphens);
 *   - `provider`: the `Provider` it is registered under in `@dualcloud/drivers/storage`;
 *   - `start()`: starts the backend once for this file (in another thread or process: the sync style blocks
 *     this thread) and resolves to `{ options, stop, requestCount? }` — the driver's constructor options;
 *   - `capabilities`: what the backend can do (see `StorageCapabilities`);
 *   - `partSize`: the part size the multipart scenarios use (as small as the backend accepts).
 * A provider registered in the family's registry without a row fails this file (test "every registered … has a
 * row"), so a new provider cannot go untested. Rows for servers that need installing (real OpenStack Swift and
 * Keystone) live in `storage.openstack.test.ts`, run by the `openstack` jest project, which starts them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, RACKSPACE_IDENTITY_PATH, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { Provider, providers } from '@dualcloud/drivers/storage';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver } from '../storage/helpers/emulators.js';
import { describeStorageBackends, type StorageBackend } from './helpers/storage-kit.js';

/** Small parts keep multipart scenarios fast; each backend below accepts them. */
const PART = 8 * 1024;
/** Quick retries: a retry in a test should not cost a second. */
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
/** Everything every object store here can do. */
const FULL = {
  multipart: true,
  rangedReads: true,
  delimiter: true,
  metadata: true,
  contentType: true,
  paging: true,
  hashOnDownload: true,
  checksNotEmpty: true,
  firstByteRange: true,
  signedUrls: true,
  checksSignatures: true,
  serverSideCopy: true,
  copyChecksSource: true,
  multipartCopy: true,
} as const;

/** Swift and Cloud Files: temp URLs are tested by the Swift suites; copies stream through (no server-side copy). */
const SWIFT = { ...FULL, signedUrls: false, checksSignatures: false, serverSideCopy: false, copyChecksSource: false, multipartCopy: false } as const;

/**
 * One fake cloud for the three Swift rows (it speaks Keystone v3, Swift's v1.0 auth and the Rackspace-style
 * identity on the same port): started by the first row, closed by the last.
 */
let swiftCloud: { cloud: Promise<FakeCloud>; users: number } | undefined;
async function sharedSwiftCloud(): Promise<{ cloud: FakeCloud; release: () => Promise<void> }> {
  swiftCloud ??= { cloud: startFakeCloud(), users: 0 };
  swiftCloud.users += 1;
  const shared = swiftCloud;
  const cloud = await shared.cloud;
  return {
    cloud,
    release: async () => {
      if (--shared.users === 0) await cloud.close();
    },
  };
}

/**
 * One fake cloud for the S3-compatible stores' rows (MinIO, Spaces, Wasabi, R2, B2, Scaleway, OVH, Linode): each
 * row points its driver at it with `host`/`port`, as a user points one at a gateway or an emulator. Started by the
 * first row that needs it, closed with the last.
 */
let shared: { cloud: Promise<Awaited<ReturnType<typeof startFakeCloud>>>; users: number } | undefined;
async function sharedFakeCloud(): Promise<{ endpoint: { host: string; port: number; secure: boolean }; release(): Promise<void> }> {
  shared ??= { cloud: startFakeCloud({ minPartSize: PART }), users: 0 };
  shared.users++;
  const cloud = await shared.cloud;
  return {
    endpoint: cloud.endpoint('s3'),
    release: async () => {
      if (--shared!.users === 0) {
        shared = undefined;
        await cloud.close();
      }
    },
  };
}

/** A row for an S3-compatible store on the shared fake cloud; `extra` are the store's own options (region, account). */
function compatibleRow(id: string, provider: Provider, extra: object): StorageBackend {
  return {
    id,
    provider,
    async start() {
      const { endpoint, release } = await sharedFakeCloud();
      const aws = FAKE_CREDENTIALS.aws;
      return { options: { key: aws.accessKeyId, secret: aws.secretAccessKey, ...extra, ...endpoint, minPartSize: PART, retry: RETRY }, stop: release };
    },
    capabilities: FULL,
    partSize: PART,
  };
}

/** The backends. One row each; see the header comment. */
const BACKENDS: readonly StorageBackend[] = [
  {
    id: 's3-fake',
    provider: Provider.S3,
    async start() {
      const cloud = await startFakeCloud({ minPartSize: PART }); // a worker thread
      return {
        options: { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3'), minPartSize: PART, retry: RETRY },
        requestCount: async () => (await cloud.stats()).byProvider.s3,
        stop: () => cloud.close(),
      };
    },
    capabilities: FULL,
    partSize: PART,
  },
  {
    id: 'gcs-fake',
    provider: Provider.GOOGLE_STORAGE,
    async start() {
      const cloud = await startFakeCloud({ minPartSize: PART });
      return {
        options: { key: FAKE_CREDENTIALS.gcs.accessKeyId, secret: FAKE_CREDENTIALS.gcs.secretAccessKey, ...cloud.endpoint('google_storage'), minPartSize: PART, retry: RETRY },
        requestCount: async () => (await cloud.stats()).byProvider.google_storage,
        stop: () => cloud.close(),
      };
    },
    // GCS's XML API has no UploadPartCopy: it copies any size in one request.
    capabilities: { ...FULL, multipartCopy: false },
    partSize: PART,
  },
  {
    id: 's3rver',
    provider: Provider.S3,
    async start() {
      const s3rver = await startS3rver(); // a child process
      // s3rver does not enforce S3's 5 MiB part minimum.
      return { options: { key: 'S3RVER', secret: 'S3RVER', host: '127.0.0.1', port: s3rver.port, secure: false, minPartSize: 1024, retry: RETRY }, stop: () => s3rver.close() };
    },
    // s3rver verifies no SigV4 signature (it checks a presigned URL's expiry and key id only), ignores
    // x-amz-copy-source-if-match and has no UploadPartCopy.
    capabilities: { ...FULL, firstByteRange: false, checksSignatures: false, copyChecksSource: false, multipartCopy: false },
    partSize: PART,
  },
  {
    id: 'azurite',
    provider: Provider.AZURE_BLOBS,
    async start() {
      const azurite = await startAzurite(); // a child process
      return { options: { key: AZURITE_ACCOUNT, secret: AZURITE_KEY, host: '127.0.0.1', port: azurite.port, secure: false, retry: RETRY }, stop: () => azurite.close() };
    },
    capabilities: { ...FULL, multipartCopy: false }, // Copy Blob copies any size in one request
    partSize: PART, // Azure blocks may be any size
  },
  {
    id: 'swift-fake',
    provider: Provider.OPENSTACK_SWIFT,
    async start() {
      const { cloud, release } = await sharedSwiftCloud(); // Swift behind the fake Keystone v3 (storage URL from its catalog)
      const { username, password, project } = FAKE_CREDENTIALS.keystone;
      return {
        options: { authUrl: cloud.endpoint('keystone').authUrl, username, password, projectName: project, retry: RETRY },
        requestCount: async () => (await cloud.stats()).byProvider.swift,
        stop: release,
      };
    },
    capabilities: SWIFT,
    partSize: PART, // SLO segments may be any size
  },
  {
    id: 'swift-v1-fake',
    provider: Provider.OPENSTACK_SWIFT,
    async start() {
      const { cloud, release } = await sharedSwiftCloud(); // Swift's own v1.0 auth (X-Auth-User: <project>:<user>)
      const { username, password, project } = FAKE_CREDENTIALS.keystone;
      return {
        options: { authUrl: cloud.endpoint('swift').authUrl, username: `${project}:${username}`, password, retry: RETRY },
        requestCount: async () => (await cloud.stats()).byProvider.swift,
        stop: release,
      };
    },
    capabilities: SWIFT,
    partSize: PART,
  },
  {
    id: 'cloudfiles-fake',
    provider: Provider.CLOUDFILES,
    async start() {
      const { cloud, release } = await sharedSwiftCloud(); // Rackspace-style identity v2.0 (API key), cloudFiles in DFW
      const { username, password } = FAKE_CREDENTIALS.keystone;
      return {
        options: { key: username, secret: password, region: 'dfw', authUrl: `${cloud.url}${RACKSPACE_IDENTITY_PATH}`, retry: RETRY },
        requestCount: async () => (await cloud.stats()).byProvider.swift,
        stop: release,
      };
    },
    capabilities: SWIFT,
    partSize: PART,
  },
  {
    id: 'local',
    provider: Provider.LOCAL,
    async start() {
      const root = mkdtempSync(join(tmpdir(), 'dualcloud-behaviour-local-')); // no server: plain files
      return { options: { key: root }, stop: async () => rmSync(root, { recursive: true, force: true }) };
    },
    // Files on disk: no parts, no stored metadata or content type, one page per listing, no URLs; copies are
    // file copies that do not check the source's version.
    capabilities: {
      ...FULL,
      multipart: false,
      metadata: false,
      contentType: false,
      paging: false,
      signedUrls: false,
      checksSignatures: false,
      serverSideCopy: false,
      copyChecksSource: false,
      multipartCopy: false,
    },
  },
  compatibleRow('minio-fake', Provider.MINIO, {}),
  compatibleRow('spaces-fake', Provider.DIGITALOCEAN_SPACES, { region: 'ams3' }),
  compatibleRow('wasabi-fake', Provider.WASABI, { region: 'eu-central-1' }),
  compatibleRow('r2-fake', Provider.CLOUDFLARE_R2, { accountId: '0123456789abcdef0123456789abcdef' }),
  compatibleRow('b2-fake', Provider.BACKBLAZE_B2_S3, { region: 'us-west-004' }),
  compatibleRow('scaleway-fake', Provider.SCALEWAY, { region: 'nl-ams' }),
  compatibleRow('ovh-fake', Provider.OVH, { region: 'sbg' }),
  compatibleRow('linode-fake', Provider.LINODE, { region: 'eu-central-1' }),
];

test('every registered storage provider has a row in BACKENDS', () => {
  const missing = providers().filter((p) => !BACKENDS.some((b) => b.provider === p));
  expect(missing.map((p) => `storage provider "${p}" has no row in BACKENDS of storage.behaviour.test.ts`)).toEqual([]);
});

// Every backend is started once for the file, all at once (azurite alone takes seconds), and stopped at the end.
describeStorageBackends(BACKENDS);
