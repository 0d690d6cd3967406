/**
 * The compute behaviour suite: every scenario of `helpers/compute-kit.ts`, for every provider row below, in
 * each of the four styles (sync, Design 1, Design 2, Design 3). A provider that lacks something says so with a
 * capability flag, and the scenarios needing it are left out of its table (nothing is skipped at run time).
 *
 * ADDING A PROVIDER = adding ONE row to `BACKENDS`:
 *   - `id`: short name for titles and node names (lower-case letters, digits, single hyphens);
 *   - `provider`: the `Provider` it is registered under in `@dualcloud/drivers/compute`;
 *   - `start()`: starts what the driver talks to, once for this file (in another thread or process: the sync
 *     style blocks this thread) and resolves to `{ options, badOptions?, stop }`;
 *   - `capabilities`: what the provider can do (see `ComputeCapabilities`);
 *   - `missingNodeId`: a node id in the provider's format that does not exist;
 *   - with the `volumes` / `snapshots` / `images` capabilities, `missingIds` (a volume, snapshot and image id
 *     in the provider's formats that do not exist) and, with `images`, `imageCopy` (how `copyImage` is called).
 * A provider registered in the family's registry without a row fails this file (test "every registered … has a
 * row"), so a new provider cannot go untested.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FAKE_CREDENTIALS, startFakeCloud } from '@dualcloud/fake-cloud';
import { Provider, providers } from '@dualcloud/drivers/compute';
import { computeScenariosFor, runComputeScenario, type ComputeBackend, type RunningComputeBackend } from './helpers/compute-kit.js';
import { COMPUTE, openStyled, STYLE_LABEL, STYLE_NAMES, type StyledCompute } from './helpers/styles.js';

/** Nodes boot in this many ms on the fake cloud, so waits are short. */
const BOOT_MS = 30;
/** Quick retries: a retry in a test should not cost a second. */
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

/** The providers. One row each; see the header comment. */
const BACKENDS: readonly ComputeBackend[] = [
  {
    id: 'dummy',
    provider: Provider.DUMMY,
    async start() {
      return { options: { key: 'any' }, stop: async () => {} }; // in memory: nothing to start
    },
    // No endpoint and no credentials; nodes run as soon as they are created.
    capabilities: { network: false, bootsPending: false, stopStart: true, regions: false, volumes: true, snapshots: true, keyPairs: true, images: true },
    missingNodeId: '999',
    missingIds: { volume: 'vol-999', snapshot: 'snap-999', image: 'img-999' },
    imageCopy: { sourceRegion: () => 'nowhere' }, // no regions: the copy is a new image of the same driver
  },
  {
    id: 'ec2-fake',
    provider: Provider.EC2,
    async start() {
      const cloud = await startFakeCloud({ nodeBootMs: BOOT_MS }); // a worker thread
      const options = { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'eu-west-1', ...cloud.endpoint('ec2'), retry: RETRY };
      return { options, badOptions: { ...options, secret: 'not-the-secret-key' }, stop: () => cloud.close() };
    },
    capabilities: { network: true, bootsPending: true, stopStart: true, regions: true, volumes: true, volumesPending: true, snapshots: true, keyPairs: true, images: true },
    missingNodeId: 'i-0123456789abcdef0',
    missingIds: { volume: 'vol-0123456789abcdef0', snapshot: 'snap-0123456789abcdef0', image: 'ami-0123456789abcdef0' },
    // EC2 copies in the destination region: a driver for us-west-2 copies from eu-west-1.
    imageCopy: { sourceRegion: (options) => (options as { region: string }).region, destination: (options) => ({ ...options, region: 'us-west-2' }) },
  },
  {
    id: 'do-fake',
    provider: Provider.DIGITAL_OCEAN,
    async start() {
      const cloud = await startFakeCloud({ nodeBootMs: BOOT_MS });
      const options = { key: FAKE_CREDENTIALS.digitalocean.token, ...cloud.endpoint('digitalocean'), retry: RETRY };
      return { options, badOptions: { ...options, key: 'dop_v1_not_a_token' }, stop: () => cloud.close() };
    },
    capabilities: { network: true, bootsPending: true, stopStart: true, regions: false, volumes: true, snapshots: true, keyPairs: true, images: true },
    missingNodeId: '987654321',
    missingIds: { volume: '0f5cba2e-8d0c-4bb8-9d3e-000000000000', snapshot: '7c2f5b4e-1a2b-4c3d-8e9f-000000000000', image: '999999999' },
    // DigitalOcean transfers the image itself to another region.
    imageCopy: { sourceRegion: (_options, location) => location.id, ex: { region: 'ams3' }, sameImage: true },
  },
  {
    id: 'openstack-fake',
    provider: Provider.OPENSTACK,
    async start() {
      // Servers stay BUILD a little longer: createNode reads the server back after creating it.
      const cloud = await startFakeCloud({ nodeBootMs: 300 });
      const { username, password, project, domain } = FAKE_CREDENTIALS.keystone;
      const options = { authUrl: cloud.endpoint('keystone').authUrl, username, password, projectName: project, userDomainName: domain, retry: RETRY };
      return { options, badOptions: { ...options, password: 'not-the-password' }, stop: () => cloud.close() };
    },
    // Cinder volumes are `creating` first; key pairs from Nova; images made by the `createImage` action in Glance.
    capabilities: { network: true, bootsPending: true, stopStart: true, regions: false, volumes: true, volumesPending: true, snapshots: true, keyPairs: true, images: true },
    missingNodeId: '0b5c3e9e-6d1f-4c53-9a55-0f1d2e3c4b5a',
    missingIds: { volume: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', snapshot: '2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819', image: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
    // OpenStack has no image copy between regions (nor has Libcloud's driver): copyImage is NotImplementedError.
    imageCopy: { sourceRegion: () => 'RegionOne', notImplemented: true },
  },
  {
    id: 'rackspace-fake',
    provider: Provider.RACKSPACE,
    async start() {
      const cloud = await startFakeCloud({ nodeBootMs: 300 });
      const { username, apiKey } = FAKE_CREDENTIALS.keystone;
      // Rackspace's identity is Keystone v2.0 with an API key; the fake cloud's stands in for it.
      const options = { authUrl: `http://127.0.0.1:${cloud.port}/identity/v2.0`, username, apiKey, regionName: 'ORD', retry: RETRY };
      return { options, badOptions: { ...options, apiKey: 'not-the-api-key' }, stop: () => cloud.close() };
    },
    capabilities: { network: true, bootsPending: true, stopStart: true, regions: false },
    missingNodeId: 'f3d6a1c2-8b4e-4f7a-9c0d-1e2f3a4b5c6d',
  },
];

// Every row is started once for the file, all at once, and stopped at the end.
const running = new Map<string, RunningComputeBackend>();
beforeAll(async () => {
  const started = await Promise.allSettled(BACKENDS.map(async (b) => running.set(b.id, await b.start())));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);
afterAll(async () => {
  await Promise.all([...running.values()].map((r) => r.stop()));
});

test('every registered compute provider has a row in BACKENDS', () => {
  const missing = providers().filter((p) => !BACKENDS.some((b) => b.provider === p));
  expect(missing.map((p) => `compute provider "${p}" has no row in BACKENDS of compute.behaviour.test.ts`)).toEqual([]);
});

describe.each(BACKENDS.map((b) => [b.id, b] as const))('%s', (_id, backend) => {
  const scenarios = computeScenariosFor(backend);
  describe.each(STYLE_NAMES.map((s) => [STYLE_LABEL[s], s] as const))('%s', (_label, style) => {
    test.each(scenarios.map((s) => [s.title, s] as const))('%s', async (_title, scenario) => {
      const started = running.get(backend.id);
      if (!started) throw new Error(`${backend.id} did not start`);
      const open = (options: object): StyledCompute => openStyled(COMPUTE, style, backend.provider, options);
      const d = open(started.options);
      try {
        await runComputeScenario(scenario, backend, started, d, open);
      } finally {
        await d.close();
      }
    });
  });
});
