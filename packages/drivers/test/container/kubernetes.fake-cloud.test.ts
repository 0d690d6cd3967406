/**
 * End to end against the fake cloud's Kubernetes API (in its worker thread, so the sync style can block this one):
 * the walkthrough (createCluster → deployContainer('my-tomcat', tomcat:8.0, { cluster }) → listContainers →
 * getContainer → logs → destroyContainer → destroyCluster) in the sync style and Design 3, with the driver loaded
 * from a kubeconfig too; paging, typed errors and injected faults over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ClusterNotFoundError, ContainerAlreadyExistsError, ContainerNotFoundError, InvalidCredentialsError, NotImplementedError } from '@dualcloud/core';
import { FAKE_CREDENTIALS, startFakeCloud, writeFakeKubeconfig, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver as design3 } from '@dualcloud/async-mode/container';
import { ContainerImage, ContainerState, getDriver, KubernetesContainerDriver, Provider, type Container, type ContainerCluster } from '@dualcloud/drivers/container';

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: 40 });
});
afterAll(async () => {
  await cloud?.close();
});

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function syncDriver(extra: Record<string, unknown> = {}): KubernetesContainerDriver {
  const Driver = getDriver(Provider.KUBERNETES);
  return new Driver({ token: FAKE_CREDENTIALS.kubernetes.token, ...cloud.endpoint('kubernetes'), retry: FAST_RETRY, ...extra });
}

const image = (driver: object): ContainerImage => new ContainerImage({ id: 'tomcat:8.0', name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' }, driver as never);

let walks = 0;

describe('the walkthrough, sync style', () => {
  test.each([
    ['options (token, host, port)', () => syncDriver()],
    ['a kubeconfig (fromKubeconfig)', () => KubernetesContainerDriver.fromKubeconfig({ path: writeFakeKubeconfig(cloud.port), retry: FAST_RETRY })],
    ['a kubeconfig with a token file (the kubeconfig option)', () => new KubernetesContainerDriver({ kubeconfig: writeFakeKubeconfig(cloud.port, { tokenFile: true }), retry: FAST_RETRY })],
  ])('driver from %s', (_what, make) => {
    const driver = make();
    const name = `walk-sync-${++walks}`;
    const cluster = driver.createCluster(name);
    expect(cluster).toMatchObject({ id: name, name, extra: { phase: 'Active' } });
    expect(driver.listClusters().map((c) => c.id)).toContain(name);
    expect(driver.getCluster(name).id).toBe(name);

    const deployed = driver.deployContainer('my-tomcat', image(driver), { cluster });
    expect(deployed).toMatchObject({ name: 'my-tomcat', state: ContainerState.PENDING, extra: { pod: 'my-tomcat', namespace: name } });
    expect(deployed.id).toBe(`${name}/my-tomcat/my-tomcat`);
    expect(() => driver.deployContainer('my-tomcat', image(driver), { cluster })).toThrow(ContainerAlreadyExistsError);

    let running: Container | undefined;
    for (let i = 0; i < 200 && !running; i++) {
      running = driver.listContainers({ cluster }).find((c) => c.state === ContainerState.RUNNING);
      if (!running) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    expect(running).toBeDefined();
    expect(running!.id).toBe(deployed.id);
    expect(running!.extra.containerId).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(running!.ipAddresses[0]).toMatch(/^10\.244\./);
    expect(running!.image.id).toMatch(/^docker\.io\/library\/tomcat@sha256:/);
    expect(driver.getContainer(running!.id)).toMatchObject({ id: running!.id, name: 'my-tomcat' });
    expect(driver.getContainer(String(running!.extra.containerId))).toMatchObject({ id: deployed.id, state: ContainerState.RUNNING });

    const logs = [...running!.logs()];
    expect(logs[0]).toContain('Starting tomcat:8.0 as my-tomcat');
    expect([...driver.containerLogs(running!, { tail: 1 })]).toEqual([logs.at(-1)]);
    expect(() => running!.stop()).toThrow(NotImplementedError);

    expect(running!.destroy()).toBe(true);
    expect(driver.listContainers({ cluster })).toEqual([]);
    expect(() => driver.destroyContainer(running!)).toThrow(ContainerNotFoundError);
    expect(() => driver.getContainer(running!.id)).toThrow(ContainerNotFoundError);
    expect(() => driver.getContainer(String(running!.extra.containerId))).toThrow(ContainerNotFoundError);
    expect(cluster.destroy()).toBe(true);
    expect(() => driver.getCluster(name)).toThrow(ClusterNotFoundError);
  });

  test('a driver with no options reads KUBECONFIG (the context namespace is the default namespace)', () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = writeFakeKubeconfig(cloud.port, { namespace: 'from-kubeconfig' });
    try {
      const driver = new KubernetesContainerDriver();
      expect(driver.namespace).toBe('from-kubeconfig');
      driver.createCluster('from-kubeconfig');
      const c = driver.deployContainer('defaulted', image(driver));
      expect(c.extra.namespace).toBe('from-kubeconfig');
      driver.destroyCluster(driver.getCluster('from-kubeconfig'));
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});

describe('the walkthrough, Design 3 (async: true)', () => {
  test('from options and from a kubeconfig: Promises, models bound to the async driver, logs as an AsyncIterable', async () => {
    const D3 = design3(Provider.KUBERNETES);
    const drivers = [
      new D3({ token: FAKE_CREDENTIALS.kubernetes.token, ...cloud.endpoint('kubernetes'), retry: FAST_RETRY, async: true }),
      // The static factory is inherited by the Design 3 class (its type lists the constructors only).
      (D3 as unknown as typeof KubernetesContainerDriver).fromKubeconfig({ path: writeFakeKubeconfig(cloud.port), retry: FAST_RETRY, async: true } as never) as unknown as InstanceType<typeof D3>,
    ];
    for (const [i, driver] of drivers.entries()) {
      const name = `walk-d3-${i}`;
      const created = driver.createCluster(name);
      expect(created).toBeInstanceOf(Promise);
      const cluster = (await created) as unknown as ContainerCluster;
      const deployed = await driver.deployContainer('my-tomcat', image(driver), { cluster });
      expect(deployed.state).toBe(ContainerState.PENDING);
      let running: Container | undefined;
      for (let n = 0; n < 200 && !running; n++) {
        running = (await driver.listContainers({ cluster })).find((c) => c.state === ContainerState.RUNNING) as Container | undefined;
        if (!running) await pause(10);
      }
      expect(running).toBeDefined();
      const got = await driver.getContainer(running!.id);
      expect(got.name).toBe('my-tomcat');
      const lines: string[] = [];
      for await (const line of got.logs()) lines.push(line);
      expect(lines).toHaveLength(3);
      expect(await got.destroy()).toBe(true);
      await expect(driver.getContainer(running!.id)).rejects.toBeInstanceOf(ContainerNotFoundError);
      expect(await driver.destroyCluster(cluster as never)).toBe(true);
      await expect(driver.getCluster(name)).rejects.toBeInstanceOf(ClusterNotFoundError);
    }
  });
});

describe('over real HTTP', () => {
  test('paging: pageSize 2 over 5 pods lists them all', () => {
    const driver = syncDriver({ pageSize: 2 });
    const cluster = driver.createCluster('paged');
    for (const n of [1, 2, 3, 4, 5]) driver.deployContainer(`p${n}`, image(driver), { cluster });
    expect(driver.listContainers({ cluster }).map((c) => c.name)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(driver.listContainers().filter((c) => c.extra.namespace === 'paged')).toHaveLength(5);
    expect(driver.listImages().map((i) => i.name)).toContain('tomcat:8.0');
    driver.destroyCluster(cluster);
  });

  test('a wrong token is InvalidCredentialsError; a missing container id is ContainerNotFoundError', () => {
    expect(() => syncDriver({ token: 'not-the-token' }).listClusters()).toThrow(InvalidCredentialsError);
    expect(() => syncDriver().getContainer('containerd://0000')).toThrow(ContainerNotFoundError);
    expect(() => syncDriver().getContainer('default/ghost/ghost')).toThrow(ContainerNotFoundError);
  });

  test('injected 503, 429 and 500 faults are retried; the call succeeds', async () => {
    await cloud.configure({ faults: { sequence: ['503', '429', '500'], providers: ['kubernetes'], retryAfterSeconds: 0 } });
    try {
      const before = (await cloud.stats()).byProvider.kubernetes;
      expect(syncDriver({ retry: { ...FAST_RETRY, maxAttempts: 5 } }).listClusters().map((c) => c.id)).toContain('default');
      expect((await cloud.stats()).byProvider.kubernetes - before).toBe(4);
    } finally {
      await cloud.configure({ faults: { rate: 0 } });
    }
  });
});
