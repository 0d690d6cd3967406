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
 * row"), so a new provider cannot go untested.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud } from '@dualcloud/fake-cloud';
import { Provider, providers } from '@dualcloud/drivers/storage';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, startS3rver } from '../storage/helpers/emulators.js';
import { runStorageScenario, scenariosFor, type RunningStorageBackend, type StorageBackend } from './helpers/storage-kit.js';
import { openStyled, STORAGE, STYLE_LABEL, STYLE_NAMES, type StyledStorage } from './helpers/styles.js';

/** Small parts keep multipart scenarios fast; each backend below accepts them. */
const PART = 8 * 1024;
/** Quick retries: a retry in a test should not cost a second. */
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
/** Everything every object store here can do. */
const FULL = { multipart: true, rangedReads: true, delimiter: true, metadata: true, contentType: true, paging: true, hashOnDownload: true, checksNotEmpty: true, firstByteRange: true } as const;

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
    capabilities: FULL,
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
    capabilities: { ...FULL, firstByteRange: false },
    partSize: PART,
  },
  {
    id: 'azurite',
    provider: Provider.AZURE_BLOBS,
    async start() {
      const azurite = await startAzurite(); // a child process
      return { options: { key: AZURITE_ACCOUNT, secret: AZURITE_KEY, host: '127.0.0.1', port: azurite.port, secure: false, retry: RETRY }, stop: () => azurite.close() };
    },
    capabilities: FULL,
    partSize: PART, // Azure blocks may be any size
  },
  {
    id: 'local',
    provider: Provider.LOCAL,
    async start() {
      const root = mkdtempSync(join(tmpdir(), 'dualcloud-behaviour-local-')); // no server: plain files
      return { options: { key: root }, stop: async () => rmSync(root, { recursive: true, force: true }) };
    },
    // Files on disk: no parts, no stored metadata or content type, one page per listing.
    capabilities: { ...FULL, multipart: false, metadata: false, contentType: false, paging: false },
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

// Every backend is started once for the file, all at once (azurite alone takes seconds), and stopped at the end.
const running = new Map<string, RunningStorageBackend>();
beforeAll(async () => {
  const started = await Promise.allSettled(BACKENDS.map(async (b) => running.set(b.id, await b.start())));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);
afterAll(async () => {
  await Promise.all([...running.values()].map((r) => r.stop()));
});

test('every registered storage provider has a row in BACKENDS', () => {
  const missing = providers().filter((p) => !BACKENDS.some((b) => b.provider === p));
  expect(missing.map((p) => `storage provider "${p}" has no row in BACKENDS of storage.behaviour.test.ts`)).toEqual([]);
});

describe.each(BACKENDS.map((b) => [b.id, b] as const))('%s', (_id, backend) => {
  const scenarios = scenariosFor(backend);
  describe.each(STYLE_NAMES.map((s) => [STYLE_LABEL[s], s] as const))('%s', (_label, style) => {
    test.each(scenarios.map((s) => [s.title, s] as const))('%s', async (_title, scenario) => {
      const started = running.get(backend.id);
      if (!started) throw new Error(`${backend.id} did not start`);
      const d: StyledStorage = openStyled(STORAGE, style, backend.provider, started.options);
      try {
        await runStorageScenario(scenario, backend, started, d);
      } finally {
        await d.close();
      }
    });
  });
});
