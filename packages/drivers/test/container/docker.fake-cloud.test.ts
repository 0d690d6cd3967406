/**
 * End to end: the Docker driver against the fake cloud's Docker Engine emulation over real HTTP, over TCP and
 * over a Unix socket, in the sync style (the fake cloud runs in a worker thread) and Design 3 (`async: true`):
 * installImage('tomcat:8.0') → deployContainer → listContainers → restart → logs → stop → start → destroy.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver as getAsyncMode } from '@dualcloud/async-mode/container';
import { ContainerAlreadyExistsError, ContainerImageNotFoundError, ContainerNotFoundError, InvalidArgumentError, NetworkError, ProviderError } from '@dualcloud/core';
import {
  ContainerState,
  DockerContainerDriver,
  getDriver,
  Provider,
  type Container,
  type DockerContainerDriverOptions,
} from '@dualcloud/drivers/container';

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
let cloud: FakeCloud;
let dir: string;
let socketPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dualcloud-docker-'));
  socketPath = join(dir, 'docker.sock');
  cloud = await startFakeCloud({ dockerSocketPath: socketPath });
});
afterAll(async () => {
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Transport = 'tcp' | 'socket';
function options(transport: Transport): DockerContainerDriverOptions {
  const { host, port } = cloud.endpoint('docker');
  return transport === 'tcp' ? { host, port, retry: FAST_RETRY } : { socketPath: cloud.endpoint('docker').socketPath!, retry: FAST_RETRY };
}

let n = 0;
const unique = (): string => `c${Date.now().toString(36)}${(n++).toString(36)}`;

describe.each<Transport>(['tcp', 'socket'])('Docker over %s', (transport) => {
  test('the endpoint of the fake cloud names the socket', () => {
    expect(cloud.endpoint('docker')).toEqual({ host: '127.0.0.1', port: cloud.port, secure: false, socketPath });
  });

  test('sync style: the tomcat walkthrough', () => {
    const driver = new (getDriver(Provider.DOCKER))(options(transport));
    expect(driver).toBeInstanceOf(DockerContainerDriver);
    const image = driver.installImage('tomcat:8.0');
    expect(image).toMatchObject({ name: 'tomcat:8.0', path: 'tomcat:8.0', version: '8.0' });
    expect(image.id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(image.extra.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(driver.listImages().map((i) => i.name)).toContain('tomcat:8.0');

    const name = `my_tomcat_container_${unique()}`;
    const container = driver.deployContainer(name, image, { parameters: { portBindings: { 8080: 18080 + n }, environment: { JAVA_OPTS: '-Xmx256m' } } });
    expect(container.name).toBe(name);
    expect(container.state).toBe(ContainerState.RUNNING);
    expect(container.image.name).toBe(image.id); // inspect names the image by id, as Libcloud reads it

    const listed = driver.listContainers().find((c) => c.id === container.id)!;
    expect(listed.state).toBe(ContainerState.RUNNING);
    expect(listed.ipAddresses).toEqual(['0.0.0.0']);
    expect(listed.image).toMatchObject({ id: image.id, name: 'tomcat:8.0' });
    expect((listed.extra.status as string).startsWith('Up ')).toBe(true);
    expect(driver.listContainers({ image }).map((c) => c.id)).toContain(container.id);

    const restarted = container.restart();
    expect(restarted.state).toBe(ContainerState.RUNNING);
    const logs = [...container.logs()];
    expect(logs.filter((l) => l.startsWith('starting catalina.sh run'))).toHaveLength(2);
    expect(logs).toContain('INFO: Server startup in 512 ms');
    expect(logs).toContain('received SIGTERM, shutting down');
    expect([...container.logs({ stderr: false, tail: 1 })]).toEqual(['INFO: Server startup in 512 ms']);
    expect([...container.logs({ stdout: false })].every((l) => l.startsWith('warning: '))).toBe(true);
    expect([...container.logs({ timestamps: true, tail: 1 })][0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z /);

    const stopped = container.stop();
    expect(stopped.state).toBe(ContainerState.STOPPED);
    expect(container.stop().state).toBe(ContainerState.STOPPED); // 304: already stopped
    expect(driver.listContainers({ all: false }).map((c) => c.id)).not.toContain(container.id);
    const listedStopped = driver.listContainers().find((c) => c.id === container.id)!;
    expect(listedStopped.state).toBe(ContainerState.STOPPED);
    expect(listedStopped.extra.status).toMatch(/^Exited \(143\)/);
    expect(container.start().state).toBe(ContainerState.RUNNING);

    expect(container.destroy()).toBe(true);
    expect(() => driver.getContainer(container.id)).toThrow(ContainerNotFoundError);
    expect(() => container.destroy()).toThrow(ContainerNotFoundError);
  });

  test('sync style: errors', () => {
    const driver = new DockerContainerDriver(options(transport));
    expect(() => driver.installImage('nosuchimage-at-all:1')).toThrow(ContainerImageNotFoundError);
    expect(() => driver.installImage('tomcat:1.0-missing')).toThrow(/manifest for tomcat:1.0-missing not found/);
    expect(() => driver.installImage('Upper:case')).toThrow(InvalidArgumentError);
    const image = driver.installImage('busybox:1.36');
    const name = unique();
    const created = driver.deployContainer(name, image, { start: false, parameters: { command: 'sh -c "echo hi"', tty: true } });
    expect(created.state).toBe(ContainerState.STOPPED);
    expect(created.extra.status).toBeUndefined();
    expect(() => driver.deployContainer(name, image)).toThrow(ContainerAlreadyExistsError);
    expect(() => driver.deployContainer('bad name', image)).toThrow(InvalidArgumentError);
    expect(() => driver.deployContainer(unique(), image, { parameters: { portz: 1 } })).toThrow(/unknown parameters portz/);
    const ghost = driver.installImage('alpine');
    expect(ghost.name).toBe('alpine');
    expect(() => driver.getContainer('0123456789ab0123456789ab')).toThrow(ContainerNotFoundError);
    expect(created.destroy()).toBe(true);
  });
});

describe('Design 3 (async: true)', () => {
  test.each<Transport>(['tcp', 'socket'])('the tomcat walkthrough over %s', async (transport) => {
    const driver = new (getAsyncMode(Provider.DOCKER))({ async: true, ...options(transport) });
    const image = await driver.installImage('tomcat:8.0');
    const container = await driver.deployContainer(`my_tomcat_container_${unique()}`, image, { parameters: { portBindings: { 8080: 28080 + n } } });
    expect(container.state).toBe(ContainerState.RUNNING);
    const listed = (await driver.listContainers()).find((c: Container<any>) => c.id === container.id);
    expect(listed?.ipAddresses).toEqual(['0.0.0.0']);
    const restarted = await container.restart();
    expect(restarted.state).toBe(ContainerState.RUNNING);
    const lines: string[] = [];
    for await (const line of container.logs()) lines.push(line);
    expect(lines.filter((l) => l.startsWith('starting catalina.sh'))).toHaveLength(2);
    expect(await container.destroy()).toBe(true);
    await expect(driver.getContainer(container.id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });
});

describe('faults and transports', () => {
  test('a 503 is retried; a port already allocated is a ProviderError', async () => {
    const driver = new DockerContainerDriver(options('tcp'));
    await cloud.configure({ faults: { sequence: ['503'] } });
    expect(driver.listImages().length).toBeGreaterThan(0);
    await cloud.configure({ faults: { rate: 0 } });
    const image = driver.installImage('nginx');
    const a = driver.deployContainer(unique(), image, { parameters: { portBindings: { 80: 38080 } } });
    expect(() => driver.deployContainer(unique(), image, { parameters: { portBindings: { 80: 38080 } } })).toThrow(ProviderError);
    a.destroy();
  });

  test('a socket path where nothing listens is a NetworkError', () => {
    const driver = new DockerContainerDriver({ socketPath: join(dir, 'nothing.sock'), retry: { maxAttempts: 1 } });
    expect(() => driver.listImages()).toThrow(NetworkError);
  });
});
