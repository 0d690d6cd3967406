/**
 * The container behaviour suite: every scenario below, for every provider row of `BACKENDS`, in each of the four
 * styles (sync, Design 1, Design 2, Design 3). A provider that lacks something says so with a capability flag,
 * and the scenarios needing it are left out of its table (nothing is skipped at run time).
 *
 * ADDING A PROVIDER = adding ONE row to `BACKENDS`:
 *   - `id`: short name for titles; `provider`: its name in `@dualcloud/drivers/container`'s registry;
 *   - `start()`: starts what the driver talks to, once for this file (in another thread or process: the sync
 *     style blocks this thread) and resolves to `{ options, badOptions?, stop }`;
 *   - `image`: the image reference the walkthrough deploys; `parameters`: deploy parameters, if any;
 *   - `capabilities`: what the platform offers (see `ContainerCapabilities`);
 *   - `missingContainerId`: a container id in the platform's format that does not exist.
 * A provider registered without a row fails this file (test "every registered … has a row").
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_CREDENTIALS, startFakeCloud } from '@dualcloud/fake-cloud';
import { ClusterNotFoundError, ContainerNotFoundError, InvalidCredentialsError, type ContainerDriver } from '@dualcloud/core';
import { ContainerImage, ContainerState, Provider, providers, type Container, type ContainerCluster } from '@dualcloud/drivers/container';
import { CONTAINER, openStyled, STYLE_LABEL, STYLE_NAMES, type StyledContainer } from './helpers/styles.js';

/** What a platform offers; scenarios needing a missing capability are left out of its table. */
interface ContainerCapabilities {
  /** `installImage` pulls the image (Docker); otherwise the walkthrough builds the image from the reference. */
  readonly installImage: boolean;
  /** Containers live in clusters (ECS clusters, Kubernetes namespaces): the walkthrough creates one to deploy into. */
  readonly clusters: boolean;
  /** `stopContainer` / `startContainer` keep the container (Docker). */
  readonly stopStart: boolean;
  /** `restartContainer` is offered. */
  readonly restart: boolean;
  /** `containerLogs` is offered. */
  readonly logs: boolean;
  /** The driver has credentials the platform can refuse (`badOptions` in `start()`). */
  readonly credentials: boolean;
}

interface RunningBackend {
  readonly options: object;
  readonly badOptions?: object;
  stop(): Promise<void>;
}

interface ContainerBackend {
  readonly id: string;
  readonly provider: string;
  start(): Promise<RunningBackend>;
  readonly image: string;
  readonly parameters?: Record<string, unknown>;
  readonly capabilities: ContainerCapabilities;
  readonly missingContainerId: string;
}

/** The providers. One row each; see the header comment. */
const BACKENDS: readonly ContainerBackend[] = [
  {
    id: 'dummy',
    provider: Provider.DUMMY,
    async start() {
      return { options: {}, stop: async () => {} }; // in memory: nothing to start
    },
    image: 'tomcat:8.0',
    capabilities: { installImage: true, clusters: true, stopStart: true, restart: true, logs: true, credentials: false },
    missingContainerId: 'c99999999999',
  },
  {
    id: 'ecs-fake',
    provider: Provider.ECS,
    async start() {
      const cloud = await startFakeCloud({ nodeBootMs: 30 }); // a worker thread: the sync style blocks this one
      const options = { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('ecs'), retry: { baseDelayMs: 1, maxDelayMs: 5 } };
      return { options, badOptions: { ...options, secret: 'not-the-secret-key-of-the-fake-cloud-0000' }, stop: () => cloud.close() };
    },
    image: 'tomcat:8.0',
    parameters: { containerPort: 8080, hostPort: 80 },
    // ECS pulls images itself (no installImage). A stopped task cannot start again and restartContainer runs a new
    // task (a new container id): stop/start and restart keep no container identity, so the walkthrough leaves
    // them out (test/container/ecs.fake-cloud.test.ts covers them).
    capabilities: { installImage: false, clusters: true, stopStart: false, restart: false, logs: false, credentials: true },
    missingContainerId: 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef',
  },
  {
    id: 'kubernetes',
    provider: Provider.KUBERNETES,
    async start() {
      // No boot delay: a pod is created Pending (as the API answers a create) and runs from the next read on, so the
      // walkthrough can read its logs without waiting.
      const cloud = await startFakeCloud({ nodeBootMs: 0 });
      const endpoint = cloud.endpoint('kubernetes');
      const retry = { baseDelayMs: 1, maxDelayMs: 5 };
      return {
        options: { token: FAKE_CREDENTIALS.kubernetes.token, ...endpoint, retry },
        badOptions: { token: 'not-the-fake-cloud-token', ...endpoint, retry },
        stop: () => cloud.close(),
      };
    },
    image: 'tomcat:8.0',
    // Kubernetes has no install (images are pulled by the nodes) and no stop / start / restart of a pod (Libcloud neither).
    capabilities: { installImage: false, clusters: true, stopStart: false, restart: false, logs: true, credentials: true },
    missingContainerId: 'default/no-such-pod/no-such-container',
  },
  ...(['socket', 'tcp'] as const).map(
    (transport): ContainerBackend => ({
      id: `docker-fake-${transport}`,
      provider: Provider.DOCKER,
      async start() {
        const dir = mkdtempSync(join(tmpdir(), 'dualcloud-docker-behaviour-'));
        const cloud = await startFakeCloud({ dockerSocketPath: join(dir, 'docker.sock') }); // a worker thread: the sync style blocks this one
        const { host, port, socketPath } = cloud.endpoint('docker');
        const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
        return {
          options: transport === 'socket' ? { socketPath, retry } : { host, port, retry },
          stop: async () => {
            await cloud.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
      image: 'tomcat:8.0',
      parameters: { portBindings: { 8080: '' }, environment: { CATALINA_OPTS: '-Xmx256m' } },
      capabilities: { installImage: true, clusters: false, stopStart: true, restart: true, logs: true, credentials: false },
      missingContainerId: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    }),
  ),
];

let sequence = 0;
/** A name valid on every platform (DNS-1123 label for Kubernetes). */
const unique = (prefix: string): string => `${prefix}-${++sequence}-${Date.now().toString(36)}`;

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

interface Scenario {
  readonly title: string;
  readonly needs?: (c: ContainerCapabilities) => boolean;
  run(d: StyledContainer, backend: ContainerBackend, started: RunningBackend, open: (options: object) => StyledContainer): Promise<void>;
}

async function imageOf(d: StyledContainer, backend: ContainerBackend): Promise<ContainerImage> {
  if (backend.capabilities.installImage) return d.call('installImage', backend.image);
  return (d.driver as ContainerDriver).imageFor(backend.image); // made locally: the platform pulls it itself
}

const SCENARIOS: readonly Scenario[] = [
  {
    title: 'walkthrough: deploy an image, find it listed and by id, stop/start/restart as offered, read its logs, destroy it',
    async run(d, backend) {
      const image = await imageOf(d, backend);
      expect(image.path).toContain(backend.image.split(':')[0]!);
      const cluster: ContainerCluster | undefined = backend.capabilities.clusters ? await d.call('createCluster', unique('walk')) : undefined;
      const name = unique('my-tomcat');
      const container = await d.call('deployContainer', name, image, { ...(cluster ? { cluster } : {}), ...(backend.parameters ? { parameters: backend.parameters } : {}) });
      expect(container.name).toBe(name);
      expect([ContainerState.RUNNING, ContainerState.PENDING]).toContain(container.state);
      const listed = await d.call('listContainers', cluster ? { cluster } : {});
      expect(listed.map((c: Container) => c.id)).toContain(container.id);
      const fetched = await d.call('getContainer', container.id);
      expect(fetched).toMatchObject({ id: container.id, name });
      if (backend.capabilities.stopStart) {
        const stopped = await d.call('stopContainer', container);
        expect(stopped.state).not.toBe(ContainerState.RUNNING);
        expect((await d.call('startContainer', container)).state).toBe(ContainerState.RUNNING);
      }
      if (backend.capabilities.restart) expect([ContainerState.RUNNING, ContainerState.PENDING]).toContain((await d.call('restartContainer', container)).state);
      if (backend.capabilities.logs) {
        const lines = await d.collect('containerLogs', container);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.every((line) => typeof line === 'string')).toBe(true);
      }
      expect(await d.call('destroyContainer', container)).toBe(true);
      const gone = await d.call('listContainers', cluster ? { cluster } : {});
      expect(gone.filter((c: Container) => c.id === container.id && c.state === ContainerState.RUNNING)).toEqual([]);
      if (cluster) expect(await d.call('destroyCluster', cluster)).toBe(true);
    },
  },
  {
    title: 'clusters: create, list, get by id, destroy; a destroyed cluster is ClusterNotFoundError',
    needs: (c) => c.clusters,
    async run(d) {
      const cluster = await d.call('createCluster', unique('cl'));
      expect((await d.call('listClusters')).map((c: ContainerCluster) => c.id)).toContain(cluster.id);
      expect((await d.call('getCluster', cluster.id)).name).toBe(cluster.name);
      expect(await d.call('destroyCluster', cluster)).toBe(true);
      expect(await rejection(d.call('getCluster', cluster.id))).toBeInstanceOf(ClusterNotFoundError);
    },
  },
  {
    title: 'a missing container is ContainerNotFoundError',
    async run(d, backend) {
      expect(await rejection(d.call('getContainer', backend.missingContainerId))).toBeInstanceOf(ContainerNotFoundError);
    },
  },
  {
    title: 'refused credentials are InvalidCredentialsError',
    needs: (c) => c.credentials,
    async run(_d, backend, started, open) {
      if (!started.badOptions) throw new Error(`${backend.id}: a row with credentials needs badOptions`);
      const bad = open(started.badOptions);
      try {
        expect(await rejection(bad.call('listContainers'))).toBeInstanceOf(InvalidCredentialsError);
      } finally {
        await bad.close();
      }
    },
  },
];

// Every row is started once for the file, all at once, and stopped at the end.
const running = new Map<string, RunningBackend>();
beforeAll(async () => {
  const started = await Promise.allSettled(BACKENDS.map(async (b) => running.set(b.id, await b.start())));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);
afterAll(async () => {
  await Promise.all([...running.values()].map((r) => r.stop()));
});

test('every registered container provider has a row in BACKENDS', () => {
  const missing = providers().filter((p) => !BACKENDS.some((b) => b.provider === p));
  expect(missing.map((p) => `container provider "${p}" has no row in BACKENDS of container.behaviour.test.ts`)).toEqual([]);
});

describe.each(BACKENDS.map((b) => [b.id, b] as const))('%s', (_id, backend) => {
  const scenarios = SCENARIOS.filter((s) => s.needs?.(backend.capabilities) ?? true);
  describe.each(STYLE_NAMES.map((s) => [STYLE_LABEL[s], s] as const))('%s', (_label, style) => {
    test.each(scenarios.map((s) => [s.title, s] as const))('%s', async (_title, scenario) => {
      const started = running.get(backend.id);
      if (!started) throw new Error(`${backend.id} did not start`);
      const open = (options: object): StyledContainer => openStyled<string, ContainerDriver>(CONTAINER, style, backend.provider, options);
      const d = open(started.options);
      try {
        await scenario.run(d, backend, started, open);
      } finally {
        await d.close();
      }
    });
  });
});
