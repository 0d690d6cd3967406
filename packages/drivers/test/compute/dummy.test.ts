import { describe, expect, test } from '@jest/globals';
import { ASYNC_MODE, InvalidArgumentError, NodeNotFoundError } from '@dualcloud/core';
import { DummyNodeDriver, getDriver, NodeState, Provider, providers } from '@dualcloud/drivers/compute';

describe('getDriver', () => {
  test('returns the Dummy class for Provider.DUMMY', () => {
    expect(getDriver(Provider.DUMMY)).toBe(DummyNodeDriver);
    expect(providers()).toContain('dummy');
  });
  test('rejects an unknown provider with InvalidArgumentError', () => {
    expect(() => getDriver('nope' as never)).toThrow(InvalidArgumentError);
  });
});

describe('DummyNodeDriver (sync)', () => {
  test('lists the two default nodes as Libcloud does', () => {
    const nodes = new (getDriver(Provider.DUMMY))({ key: 'any' }).listNodes();
    expect(nodes.map((n) => [n.id, n.name, n.state, n.publicIps, n.privateIps])).toEqual([
      ['1', 'dummy-1', 'running', ['127.0.0.1'], []],
      ['2', 'dummy-2', 'running', ['127.0.0.2'], []],
    ]);
    expect(nodes[0]!.extra).toEqual({ foo: 'bar' });
  });

  test('nodeCount and a numeric key set the number of nodes', () => {
    expect(new DummyNodeDriver({ key: 'x', nodeCount: 0 }).listNodes()).toEqual([]);
    expect(new DummyNodeDriver({ key: '4' }).listNodes().map((n) => n.name)).toEqual(['dummy-1', 'dummy-2', 'dummy-3', 'dummy-4']);
    expect(() => new DummyNodeDriver({ key: 'x', nodeCount: -1 })).toThrow(InvalidArgumentError);
    expect(() => new DummyNodeDriver({ key: 'x', latencyMs: -5 })).toThrow(InvalidArgumentError);
  });

  test('images, sizes and locations match Libcloud’s dummy lists', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    expect(d.listImages().map((i) => i.name).sort()).toEqual(['Slackware 4', 'Ubuntu 9.04', 'Ubuntu 9.10']);
    expect(d.listSizes().map((s) => s.ram).sort((a, b) => a - b)).toEqual([128, 512, 4096, 8192]);
    expect(d.listLocations().map((l) => `${l.name} in ${l.country}`).sort()).toEqual([
      'Island Datacenter in FJ',
      'London Loft in GB',
      "Paul's Room in US",
    ]);
  });

  test('create, stop, start, reboot and destroy change the in-memory state', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [size] = d.listSizes();
    const [image] = d.listImages();
    const node = d.createNode({ name: 'web', size: size!, image: image! });
    expect([node.id, node.name, node.state, node.publicIps]).toEqual(['3', 'web', 'running', ['127.0.0.3']]);
    expect(node.size).toBe(size);
    expect(d.stopNode(node)).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.state).toBe(NodeState.STOPPED);
    expect(node.start()).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.state).toBe(NodeState.RUNNING);
    expect(d.rebootNode(node)).toBe(true);
    expect(d.listNodes().find((n) => n.id === '3')!.extra.reboots).toBe(1);
    expect(d.waitUntilRunning([node], { timeout: 1000, pollInterval: 10 }).map((r) => r.ips)).toEqual([['127.0.0.3']]);
    expect(node.destroy()).toBe(true);
    expect(d.listNodes().map((n) => n.name)).toEqual(['dummy-1', 'dummy-2']);
    expect(() => d.destroyNode(node)).toThrow(NodeNotFoundError);
    expect(() => d.createNode({ name: '', size: size!, image: image! })).toThrow(InvalidArgumentError);
  });

  test('waitUntilRunning times out naming the stopped node', () => {
    const d = new DummyNodeDriver({ key: 'any' });
    const [a, b] = d.listNodes();
    d.stopNode(b!);
    expect(() => d.waitUntilRunning([a!, b!], { timeout: 60, pollInterval: 20 })).toThrow(/still not running: 2$/);
  });
});

describe('DummyNodeDriver (async mode)', () => {
  test('methods return Promises and latency runs concurrently', async () => {
    const d = new DummyNodeDriver({ key: 'any', latencyMs: 20, [ASYNC_MODE]: true } as never);
    expect(d.mode).toBe('async');
    const pending = d.listNodes() as unknown;
    expect(pending).toBeInstanceOf(Promise);
    const nodes = await (pending as Promise<ReturnType<DummyNodeDriver['listNodes']>>);
    expect(nodes).toHaveLength(2);
    const size = (await (d.listSizes() as unknown as Promise<ReturnType<DummyNodeDriver['listSizes']>>))[0]!;
    const image = (await (d.listImages() as unknown as Promise<ReturnType<DummyNodeDriver['listImages']>>))[0]!;
    const created = await Promise.all(
      ['a', 'b', 'c'].map((name) => d.createNode({ name, size, image }) as unknown as Promise<ReturnType<DummyNodeDriver['createNode']>>),
    );
    expect(created.map((n) => n.id).sort()).toEqual(['3', '4', '5']);
    expect(await (d.callAsync('listNodes', []) as Promise<unknown[]>)).toHaveLength(5);
  });
});
