/** Design 1 specifics: scope and closing, several drivers, session-bound models, the driver left untouched. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AsyncSession } from '@dualcloud/async-session';
import { AbortError, ClosedError, InvalidArgumentError, type Node } from '@dualcloud/core';
import { DummyNodeDriver, getDriver, Provider } from '@dualcloud/drivers/compute';
import { startTestCloud, type TestCloud } from '../../async-mode/test/support/test-cloud.js';
import { TestNodeDriver, TestStorageDriver } from '../../async-mode/test/support/test-drivers.js';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(() => cloud.close());

const ownShape = (o: object) => [Object.getPrototypeOf(o), ...Reflect.ownKeys(o)];

describe('scope', () => {
  test('await using closes the session at the end of the block; the driver stays usable', async () => {
    const driver = new (getDriver(Provider.DUMMY))({ key: 'any' });
    expect(driver.listNodes()).toHaveLength(2); // the seed's plain sync call
    let escaped: AsyncSession<DummyNodeDriver>;
    {
      await using s = new AsyncSession(driver);
      escaped = s;
      expect((await s.listNodes()).map((n) => n.name)).toEqual(['dummy-1', 'dummy-2']);
      expect(s.closed).toBe(false);
    }
    expect(escaped.closed).toBe(true);
    await expect(escaped.listNodes()).rejects.toBeInstanceOf(ClosedError);
    await expect(escaped.listNodes()).rejects.toThrow(/AsyncSession is closed: cannot call listNodes\(\)/);
    expect(driver.listNodes()).toHaveLength(2);
  });

  test('closing aborts calls in flight and waits for them; later calls and iterations reject with ClosedError', async () => {
    const driver = new TestNodeDriver({ key: 'good', port: cloud.port, latencyMs: 10_000 });
    const s = new AsyncSession(driver);
    const inFlight = s.listNodes();
    const settled = inFlight.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 20));
    await s.close();
    const error = await settled;
    expect(error).toBeInstanceOf(AbortError);
    expect(String((error as Error).message)).toMatch(/listNodes\(\) was aborted because its AsyncSession closed/);
    await expect(s.createNode({ name: 'late' } as never)).rejects.toBeInstanceOf(ClosedError);
    const storage = new AsyncSession(new TestStorageDriver({ key: 'good', port: cloud.port }));
    const iterator = storage.iterateContainers()[Symbol.asyncIterator]();
    await storage.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(ClosedError);
    await expect(s.close()).resolves.toBeUndefined(); // idempotent
  });

  test('run() closes the session however the callback ends, and returns or rethrows', async () => {
    const driver = new DummyNodeDriver({ key: 'any' });
    let kept: AsyncSession<DummyNodeDriver> | undefined;
    const names = await AsyncSession.run(driver, async (s) => {
      kept = s;
      return (await s.listNodes()).map((n) => n.name);
    });
    expect(names).toEqual(['dummy-1', 'dummy-2']);
    expect(kept!.closed).toBe(true);
    const boom = new Error('callback failed');
    await expect(
      AsyncSession.run(driver, (s) => {
        kept = s;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(kept!.closed).toBe(true);
  });

  test('bad input is a typed error', () => {
    expect(() => new AsyncSession({} as never)).toThrow(InvalidArgumentError);
    expect(() => new AsyncSession([] as never)).toThrow(InvalidArgumentError);
    expect(() => new AsyncSession(new DummyNodeDriver(), { signal: 'soon' as never })).toThrow(InvalidArgumentError);
    const s = new AsyncSession(new DummyNodeDriver());
    expect(() => s.withSignal(undefined as never)).toThrow(InvalidArgumentError);
    expect(() => s.driver(1 as never)).toThrow(InvalidArgumentError);
    expect(() => s.for(new DummyNodeDriver() as never)).toThrow(InvalidArgumentError);
    return s.close();
  });
});

describe('several drivers', () => {
  test('driver(i) and for(d) address each driver; the views are cached', async () => {
    const small = new DummyNodeDriver({ nodeCount: 1 });
    const big = new DummyNodeDriver({ nodeCount: 3 });
    await using s = new AsyncSession([small, big]);
    const [a, b] = await Promise.all([s.driver(0).listNodes(), s.for(big).listNodes()]);
    expect([a.length, b.length]).toEqual([1, 3]);
    expect(s.driver(1)).toBe(s.for(big));
    expect('listNodes' in s).toBe(false);
  });
});

describe('models and the wrapped driver', () => {
  test('returned models are bound to the session: their methods return Promises and close with it', async () => {
    const driver = new DummyNodeDriver();
    const s = new AsyncSession(driver);
    const [node] = await s.listNodes();
    expect(node!.driver).toBe(s.driver(0));
    const rebooted = node!.reboot();
    expect(rebooted).toBeInstanceOf(Promise);
    await expect(rebooted).resolves.toBe(true);
    expect(driver.listNodes()[0]!.extra.reboots).toBe(1);
    const [{ node: running, ips }] = await s.waitUntilRunning([node!], { pollInterval: 10, timeout: 1_000 });
    expect(running.driver).toBe(s.driver(0));
    expect(ips).toEqual(['127.0.0.1']);
    await s.close();
    await expect(node!.reboot()).rejects.toBeInstanceOf(ClosedError);
  });

  test('storage models share one bound container per call', async () => {
    const seed = new TestStorageDriver({ key: 'good', port: cloud.port });
    const bucket = seed.createContainer('shared');
    seed.uploadObjectViaStream('hello', bucket, 'a.txt');
    seed.uploadObjectViaStream('world', bucket, 'b.txt');
    await using s = new AsyncSession(seed);
    const container = await s.getContainer('shared');
    const objects = await container.listObjects();
    expect(objects.map((o) => o.name)).toEqual(['a.txt', 'b.txt']);
    expect(objects[0]!.container).toBe(objects[1]!.container);
    expect(objects[0]!.container.driver).toBe(s.driver(0));
    const chunks: Uint8Array[] = [];
    for await (const chunk of objects[1]!.asStream()) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('world');
  });

  test('the wrapped driver is not patched or mutated', async () => {
    const driver = new DummyNodeDriver();
    const before = ownShape(driver);
    const protoBefore = Object.getOwnPropertyNames(DummyNodeDriver.prototype);
    await AsyncSession.run(driver, async (s) => {
      const nodes: Node[] = await s.listNodes();
      await s.rebootNode(nodes[0]!);
    });
    expect(ownShape(driver)).toEqual(before);
    expect(Object.getOwnPropertyNames(DummyNodeDriver.prototype)).toEqual(protoBefore);
    expect(driver.mode).toBe('sync');
    expect(Array.isArray(driver.listNodes())).toBe(true);
  });
});
