/**
 * End to end against the fake cloud's ECS (in its worker thread, so the sync style can block this one): the
 * Libcloud walkthrough createCluster('default') → deployContainer('my-tomcat', tomcat:8.0) → listContainers →
 * getContainer → stop → destroy → destroyCluster, in the sync style and Design 3; paging; typed errors; faults.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ClusterNotFoundError, ContainerInstance, ContainerNotFoundError, InvalidArgumentError, InvalidCredentialsError, ProviderError } from '@dualcloud/core';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver as getDesign3 } from '@dualcloud/async-mode/container';
import { ContainerState, ElasticContainerDriver, getDriver, Provider, type Container, type ElasticContainerDriverOptions } from '@dualcloud/drivers/container';

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: 40 });
});
afterAll(async () => {
  await cloud?.close();
});

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function options(extra: Partial<ElasticContainerDriverOptions> = {}): ElasticContainerDriverOptions {
  return { key: FAKE_CREDENTIALS.aws.accessKeyId, secret: FAKE_CREDENTIALS.aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('ecs'), retry: FAST_RETRY, ...extra };
}

describe('ECS walkthrough, sync style', () => {
  test('create cluster, deploy tomcat, list, get, stop, destroy, delete cluster', async () => {
    const ECS = getDriver(Provider.ECS);
    const driver = new ECS(options({ region: 'eu-west-1' }));
    const cluster = driver.createCluster('default');
    expect(cluster.id).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/default');
    expect(cluster.name).toBe('default');
    expect(driver.listClusters().map((c) => c.id)).toEqual([cluster.id]);
    expect(driver.getCluster('default').id).toBe(cluster.id);

    const image = driver.imageFor('tomcat:8.0');
    expect(image).toMatchObject({ name: 'tomcat', path: 'tomcat:8.0', version: '8.0' });
    const container = driver.deployContainer('my-tomcat', image, { cluster, parameters: { containerPort: 8080, hostPort: 80, environment: { A: '1' } } });
    expect(container.name).toBe('my-tomcat');
    expect(container.id).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:container\/default\/[0-9a-f]{32}\/[0-9a-f-]{36}$/);
    expect(container.extra.taskDefinitionArn).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/my-tomcat:1');
    expect(container.extra.lastStatus).toBe('PROVISIONING');
    expect(container.state).toBe(ContainerState.PENDING);
    expect(container.image.path).toBe('tomcat:8.0');

    // Boots: PROVISIONING → PENDING → RUNNING (bounded polling).
    let current: Container = container;
    for (let i = 0; i < 200 && current.state !== ContainerState.RUNNING; i++) {
      await pause(10);
      current = driver.getContainer(container.id);
    }
    expect(current.state).toBe(ContainerState.RUNNING);
    expect(current.ipAddresses).toHaveLength(1);
    expect(current.ipAddresses[0]).toMatch(/^10\.0\.\d+\.\d+$/);

    const listed = driver.listContainers({ cluster });
    expect(listed.map((c) => c.id)).toEqual([container.id]);
    expect(cluster.listContainers().map((c) => c.id)).toEqual([container.id]);
    // By the task ARN, as Libcloud's get_container takes it.
    expect(driver.getContainer(String(container.extra.taskArn)).id).toBe(container.id);

    const stopped = current.stop();
    expect(stopped.id).toBe(container.id);
    expect(stopped.extra).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(driver.listContainers({ cluster, all: false })).toEqual([]);
    expect(driver.listContainers({ cluster }).map((c) => c.id)).toEqual([container.id]);
    expect(driver.destroyContainer(stopped)).toBe(true);
    expect(driver.destroyCluster(cluster)).toBe(true);
    expect(() => driver.listContainers({ cluster })).toThrow(ClusterNotFoundError);
    expect(driver.listClusters()).toEqual([]);
  });

  test('restart runs the task definition again; start: false deploys without a task', async () => {
    const driver = new ElasticContainerDriver(options({ region: 'us-west-2' }));
    const cluster = driver.createCluster('web');
    const image = driver.imageFor('123456789012.dkr.ecr.us-west-2.amazonaws.com/app:v1');
    const idle = driver.deployContainer('app', image, { cluster, start: false });
    expect(idle).toMatchObject({ id: '', state: ContainerState.STOPPED, extra: { taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/app:1' } });
    expect(driver.listContainers({ cluster })).toEqual([]);
    expect(() => driver.stopContainer(idle)).toThrow(InvalidArgumentError);
    const started = idle.start();
    expect(started.id).toContain(':container/web/');
    expect(started.image.path).toBe('123456789012.dkr.ecr.us-west-2.amazonaws.com/app:v1');
    const restarted = started.restart();
    expect(restarted.id).not.toBe(started.id);
    expect(restarted.extra.taskDefinitionArn).toBe(started.extra.taskDefinitionArn);
    const all = driver.listContainers({ cluster });
    expect(new Set(all.map((c) => c.id))).toEqual(new Set([started.id, restarted.id]));
    expect(driver.listContainers({ cluster, image: driver.imageFor('app:v1') }).length).toBe(2);
    expect(driver.listContainers({ cluster, image: driver.imageFor('other:v1') })).toEqual([]);
    restarted.destroy();
    driver.destroyCluster(cluster);
  });

  test('paging: ListClusters and ListTasks follow nextToken with a small pageSize', async () => {
    const driver = new ElasticContainerDriver(options({ region: 'ap-southeast-1', pageSize: 2 }));
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) driver.createCluster(name);
    expect(driver.listClusters().map((c) => c.name)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const cluster = driver.getCluster('c3');
    const before = (await cloud.stats()).byProvider.ecs;
    driver.deployContainer('batch', driver.imageFor('busybox'), { cluster, parameters: { count: 5 } });
    await pause(60); // past the boot delay: RUNNING
    expect(driver.listContainers({ cluster, all: false }).length).toBe(5);
    const sent = (await cloud.stats()).byProvider.ecs - before;
    expect(sent).toBe(1 + 1 + 3 + 1); // RegisterTaskDefinition, RunTask, 3 pages of ListTasks, one DescribeTasks
  });

  test('typed errors: missing cluster and container, bad credentials, bad input before sending', async () => {
    const driver = new ElasticContainerDriver(options({ region: 'us-east-2' }));
    expect(() => driver.getCluster('nope')).toThrow(ClusterNotFoundError);
    expect(() => driver.listContainers()).toThrow(ClusterNotFoundError); // no `default` cluster yet
    driver.createCluster('default');
    expect(() => driver.getContainer('arn:aws:ecs:us-east-2:123456789012:task/default/0123456789abcdef0123456789abcdef')).toThrow(ContainerNotFoundError);
    expect(() => driver.deployContainer('x', driver.imageFor('nginx'), { parameters: { cpu: -1 } })).toThrow(InvalidArgumentError);
    expect(() => driver.deployContainer('x', driver.imageFor('nginx'), { parameters: { bogus: 1 } as never })).toThrow(InvalidArgumentError);
    expect(() => driver.imageFor('Not An Image')).toThrow(InvalidArgumentError);
    expect(() => driver.listImages()).toThrow(/not implemented|NotImplemented/i);
    const bad = new ElasticContainerDriver(options({ secret: 'wrong-secret-wrong-secret-wrong-secret00' }));
    expect(() => bad.listClusters()).toThrow(InvalidCredentialsError);
    const unknown = new ElasticContainerDriver(options({ key: 'AKIAUNKNOWNKEY000000' }));
    expect(() => unknown.listClusters()).toThrow(InvalidCredentialsError);
    expect(() => new ElasticContainerDriver(options({ region: 'moon' }))).toThrow(InvalidArgumentError);
    // A plain object is not a Container: refused before sending.
    const ghost = driver.deployContainer('ghost', driver.imageFor('nginx'), { start: false });
    expect(() => driver.startContainer({ ...ghost, extra: { taskDefinitionArn: 'nope:9' } } as never)).toThrow(InvalidArgumentError);
    // ClientException (RunTask of a task definition that does not exist) is a ProviderError.
    const missing = new ContainerInstance({ id: '', name: 'ghost', image: ghost.image, state: ContainerState.STOPPED, ipAddresses: [], extra: { taskDefinitionArn: 'ghost:9' } }, driver);
    expect(() => driver.startContainer(missing)).toThrow(ProviderError);
    // StopTask of a task that does not exist: InvalidParameterException → InvalidArgumentError.
    const noTask = new ContainerInstance({ id: 'x', name: 'ghost', image: ghost.image, state: ContainerState.RUNNING, ipAddresses: [], extra: { taskArn: 'arn:aws:ecs:us-east-2:123456789012:task/default/0123456789abcdef0123456789abcdef', taskDefinitionArn: 'ghost:1' } }, driver);
    expect(() => driver.stopContainer(noTask)).toThrow(InvalidArgumentError);
    expect(driver.listLocations().map((l) => l.id)).toContain('eu-west-1');
  });

  test('faults: 500 and 429 are retried; a RunTask retry starts one task (clientToken)', async () => {
    const driver = new ElasticContainerDriver(options({ region: 'ca-central-1' }));
    const cluster = driver.createCluster('default');
    await cloud.configure({ faults: { sequence: ['500', '429', null], providers: ['ecs'], retryAfterSeconds: 0 } });
    expect(driver.listClusters().map((c) => c.name)).toEqual(['default']);
    const definition = driver.deployContainer('once', driver.imageFor('nginx'), { cluster, start: false });
    // The RunTask reply is lost (truncated) after the task started: the retry with the same token starts no other.
    await cloud.configure({ faults: { sequence: ['truncated'], providers: ['ecs'] } });
    const started = driver.startContainer(definition);
    await cloud.configure({ faults: { rate: 0 } });
    expect(driver.listContainers({ cluster }).map((c) => c.id)).toEqual([started.id]);
  });
});

describe('ECS walkthrough, Design 3 (async: true)', () => {
  test('the same calls answer Promises', async () => {
    const ECS = getDesign3(Provider.ECS);
    const driver = new ECS({ ...options({ region: 'eu-central-1' }), async: true });
    const cluster = await driver.createCluster('default');
    const pending = driver.deployContainer('my-tomcat', driver.imageFor('tomcat:8.0'), { cluster });
    expect(pending).toBeInstanceOf(Promise);
    const container = await pending;
    expect(container.extra.clusterArn).toBe(cluster.id);
    const [listed] = await driver.listContainers({ cluster });
    expect(listed?.id).toBe(container.id);
    expect((await driver.getContainer(container.id)).name).toBe('my-tomcat');
    const stopped = await container.stop();
    expect(stopped.extra.lastStatus).toBe('STOPPED');
    expect(await container.destroy()).toBe(true);
    expect(await cluster.destroy()).toBe(true);
    await expect(driver.getCluster('missing')).rejects.toBeInstanceOf(ClusterNotFoundError);
    await expect(driver.installImage('tomcat:8.0')).rejects.toThrow(/not implemented/i);
  });
});
