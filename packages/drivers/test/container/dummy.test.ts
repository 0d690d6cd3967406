import { describe, expect, test } from '@jest/globals';
import { ContainerImageNotFoundError, ContainerNotFoundError, InvalidArgumentError, NotImplementedError } from '@dualcloud/core';
import { Container, ContainerDriver, ContainerState, DummyContainerDriver, getDriver, parseImageReference, Provider, providers } from '@dualcloud/drivers/container';
import { getDriver as getAsyncMode } from '@dualcloud/async-mode/container';
import { getDriver as getAsyncMethods } from '@dualcloud/async-methods/container';
import { AsyncSession } from '@dualcloud/async-session';

describe('container registry', () => {
  test('getDriver returns the Dummy class; unknown names are refused', () => {
    expect(getDriver(Provider.DUMMY)).toBe(DummyContainerDriver);
    expect(providers()).toContain('dummy');
    expect(() => getDriver('nope')).toThrow(InvalidArgumentError);
  });
});

describe('parseImageReference', () => {
  test.each([
    ['tomcat:8.0', { repository: 'tomcat', tag: '8.0', reference: 'tomcat:8.0' }],
    ['tomcat', { repository: 'tomcat', tag: 'latest', reference: 'tomcat:latest' }],
    ['quay.io/org/app:1', { registry: 'quay.io', repository: 'org/app', tag: '1', reference: 'quay.io/org/app:1' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: 'latest', reference: 'localhost:5000/app:latest' }],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2',
      { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'web', tag: 'v2', reference: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2' },
    ],
  ])('%s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected);
  });
  test('a digest is kept with the name', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`nginx@${digest}`)).toEqual({ repository: 'nginx', tag: 'latest', digest, reference: `nginx@${digest}` });
  });
  test.each(['', ' ', 'Tomcat:8', 'tomcat:bad tag', 'tomcat:-x', 'a@sha256:short', 42])('refuses %p with InvalidArgumentError', (input) => {
    expect(() => parseImageReference(input)).toThrow(InvalidArgumentError);
  });
});

describe('DummyContainerDriver (sync)', () => {
  test('the walkthrough: install, deploy, list, restart, logs, destroy', () => {
    const driver = new DummyContainerDriver();
    const image = driver.installImage('tomcat:8.0');
    expect(image).toMatchObject({ name: 'tomcat', path: 'tomcat:8.0', version: '8.0' });
    expect(driver.installImage('tomcat:8.0').id).toBe(image.id);
    const container = image.deploy('my_tomcat_container');
    expect(container).toBeInstanceOf(Container);
    expect(container.state).toBe(ContainerState.RUNNING);
    expect(container.ipAddresses).toHaveLength(1);
    const stopped = driver.deployContainer('idle', image, { start: false });
    expect(stopped.state).toBe(ContainerState.STOPPED);
    expect(driver.listContainers().map((c) => c.name)).toEqual(['my_tomcat_container', 'idle']);
    expect(driver.listContainers({ all: false }).map((c) => c.name)).toEqual(['my_tomcat_container']);
    expect(container.stop().state).toBe(ContainerState.STOPPED);
    expect(container.restart().state).toBe(ContainerState.RUNNING);
    expect([...container.logs()]).toEqual([
      'my_tomcat_container: created from tomcat:8.0',
      'my_tomcat_container: started',
      'my_tomcat_container: stopped',
      'my_tomcat_container: restarted',
    ]);
    expect([...container.logs({ tail: 1 })]).toEqual(['my_tomcat_container: restarted']);
    expect(container.destroy()).toBe(true);
    expect(() => driver.getContainer(container.id)).toThrow(ContainerNotFoundError);
  });

  test('clusters group containers; destroying one removes its containers', () => {
    const driver = new DummyContainerDriver();
    const image = driver.installImage('nginx');
    const cluster = driver.createCluster('web', driver.listLocations()[0]);
    image.deploy('a', { cluster });
    image.deploy('b');
    expect(cluster.listContainers().map((c) => c.name)).toEqual(['a']);
    expect(driver.getCluster(cluster.id).name).toBe('web');
    expect(cluster.destroy()).toBe(true);
    expect(driver.listContainers().map((c) => c.name)).toEqual(['b']);
  });

  test('bad input gets typed errors before anything runs', () => {
    const driver = new DummyContainerDriver();
    const image = driver.installImage('nginx');
    expect(() => driver.deployContainer('', image)).toThrow(InvalidArgumentError);
    expect(() => driver.deployContainer('x', {} as never)).toThrow(InvalidArgumentError);
    expect(() => driver.deployContainer('x', image, { strat: false } as never)).toThrow(/strat/);
    expect(() => driver.startContainer({ id: 'x' } as never)).toThrow(InvalidArgumentError);
    const other = new DummyContainerDriver().installImage('redis');
    expect(() => driver.deployContainer('x', other)).toThrow(ContainerImageNotFoundError);
  });

  test('a driver without an operation answers NotImplementedError', () => {
    class Bare extends ContainerDriver {
      readonly type = 'bare';
      readonly name = 'Bare';
    }
    expect(() => new Bare().listClusters()).toThrow(NotImplementedError);
    expect(() => new Bare().containerLogs({} as never)).toThrow(NotImplementedError);
  });
});

describe('DummyContainerDriver in the async designs', () => {
  test('Design 3: models answer Promises, logs are an AsyncIterable', async () => {
    const driver = new (getAsyncMode(Provider.DUMMY))({ async: true, latencyMs: 1 });
    const image = await driver.installImage('tomcat:8.0');
    const container = await image.deploy('my_tomcat_container');
    const restarted = await container.restart();
    expect(restarted.state).toBe(ContainerState.RUNNING);
    const lines: string[] = [];
    for await (const line of container.logs()) lines.push(line);
    expect(lines.at(-1)).toBe('my_tomcat_container: restarted');
    await expect(driver.getContainer('missing')).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  test('Design 2: *Async twins', async () => {
    const driver = new (getAsyncMethods(Provider.DUMMY))({});
    const image = await driver.installImageAsync('tomcat:8.0');
    const container = await driver.deployContainerAsync('t', image);
    expect((await driver.listContainersAsync()).map((c) => c.id)).toEqual([container.id]);
    const lines: string[] = [];
    for await (const line of driver.containerLogsAsync(container)) lines.push(line);
    expect(lines).toHaveLength(2);
  });

  test('Design 1: session-bound models, image included', async () => {
    await using session = new AsyncSession(new DummyContainerDriver());
    const image = await session.installImage('tomcat:8.0');
    const container = await session.deployContainer('t', image);
    expect(await container.stop()).toMatchObject({ state: ContainerState.STOPPED });
    const again = await container.image.deploy('u');
    expect(again.name).toBe('u');
    expect((await session.listContainers()).map((c) => c.name)).toEqual(['t', 'u']);
  });
});
