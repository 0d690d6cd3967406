/**
 * The same behaviour, tested the same way, in the three designs: results, typed errors, cancellation,
 * callbacks that throw, and 200 concurrent mixed calls through one instance (real I/O to a child process).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { AbortError, InvalidArgumentError, InvalidCredentialsError, Node, NodeNotFoundError, ObjectDoesNotExistError, type Container } from '@dualcloud/core';
import { designs } from './support/designs.js';
import { startTestCloud, type TestCloud } from './support/test-cloud.js';
import { TestNodeDriver, TestStorageDriver } from './support/test-drivers.js';

let cloud: TestCloud;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  cloud = await startTestCloud();
  process.on('unhandledRejection', onUnhandled);
  // Seed: 5 buckets (3 pages of 2), one with 7 objects (3 pages of 3).
  const seed = new TestStorageDriver({ key: 'good', port: cloud.port });
  for (const name of ['b1', 'b2', 'b3', 'b4', 'b5']) seed.createContainer(name);
  const b1 = seed.getContainer('b1');
  for (let i = 0; i < 7; i++) seed.uploadObjectViaStream(`object number ${i}`, b1, `o${i}.txt`);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await cloud.close();
});
beforeEach(() => {
  unhandled.length = 0;
});
afterEach(async () => {
  await new Promise((r) => setImmediate(r)); // let any unhandled rejection surface
  expect(unhandled).toEqual([]);
});

const good = () => ({ key: 'good', port: cloud.port });
const slow = () => ({ key: 'good', port: cloud.port, latencyMs: 10_000 });
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe.each(designs)('$name', (design) => {
  test('calls resolve to models and iterations follow every page', async () => {
    const { api, close } = design.open(TestStorageDriver, good());
    const containers: Container[] = await collect(api.iterateContainers());
    expect(containers.map((c) => c.name)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
    const listed: Container[] = await api.listContainers();
    expect(listed).toHaveLength(5);
    const objects = await collect<{ name: string }>(api.iterateContainerObjects(listed[0]));
    expect(objects.map((o) => o.name)).toEqual(['o0.txt', 'o1.txt', 'o2.txt', 'o3.txt', 'o4.txt', 'o5.txt', 'o6.txt']);
    const chunks = await collect<Uint8Array>(api.downloadObjectAsStream(objects[3]));
    expect(Buffer.concat(chunks).toString()).toBe('object number 3');
    await close();
  });

  test('the same instance still works in sync style', async () => {
    const { api, sync, close } = design.open(TestNodeDriver, good());
    const created: Node = await api.createNode({ name: 'both-styles' });
    const listed = sync.listNodes() as Node[];
    expect(Array.isArray(listed)).toBe(true);
    expect(listed.map((n) => n.id)).toContain(created.id);
    await close();
  });

  test('errors are the same typed errors, as rejections (never synchronous throws)', async () => {
    const bad = design.open(TestNodeDriver, { key: 'wrong', port: cloud.port });
    await expect(bad.api.listNodes()).rejects.toBeInstanceOf(InvalidCredentialsError);
    await bad.close();
    const badStorage = design.open(TestStorageDriver, { key: 'wrong', port: cloud.port });
    await expect(collect(badStorage.api.iterateContainers())).rejects.toBeInstanceOf(InvalidCredentialsError);
    await badStorage.close();

    const { api, close } = design.open(TestNodeDriver, good());
    const ghost = new Node({ id: 'nope', name: 'ghost', state: 'running', publicIps: [], privateIps: [] }, {} as never);
    await expect(api.rebootNode(ghost)).rejects.toBeInstanceOf(NodeNotFoundError);
    const invalid = api.waitUntilRunning([]); // validation failure: still a rejection
    await expect(invalid).rejects.toBeInstanceOf(InvalidArgumentError);
    await close();
    const storage = design.open(TestStorageDriver, good());
    await expect(storage.api.getObject('b1', 'missing.txt')).rejects.toBeInstanceOf(ObjectDoesNotExistError);
    await storage.close();
  });

  test('a per-call signal (withSignal) aborts a call in flight with AbortError', async () => {
    const { withSignal, close } = design.open(TestNodeDriver, slow());
    const controller = new AbortController();
    const pending = withSignal(controller.signal).listNodes();
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(withSignal(AbortSignal.abort()).listNodes()).rejects.toBeInstanceOf(AbortError);
    await close();
  });

  test('an object-level signal aborts calls, iterations and waits', async () => {
    const controller = new AbortController();
    const compute = design.open(TestNodeDriver, slow(), controller.signal);
    const storage = design.open(TestStorageDriver, slow(), controller.signal);
    // Both expectations attach at once: neither rejection is ever left unhandled.
    const both = Promise.all([
      expect(compute.api.listNodes()).rejects.toBeInstanceOf(AbortError),
      expect(collect(storage.api.iterateContainers())).rejects.toBeInstanceOf(AbortError),
    ]);
    setTimeout(() => controller.abort(), 20);
    await both;
    await expect(compute.api.listSizes()).rejects.toBeInstanceOf(AbortError);
    await compute.close();
    await storage.close();
  });

  test('waitUntilRunning polls without blocking and is cancelled between polls', async () => {
    const { api, withSignal, close } = design.open(TestNodeDriver, good());
    const node: Node = await api.createNode({ name: 'slow-boot', ex: { bootMs: 60_000 } });
    const controller = new AbortController();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    let settled = false;
    const pending = withSignal(controller.signal).waitUntilRunning([node], { pollInterval: 20_000, timeout: 60_000 });
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    const waiting = expect(pending).rejects.toBeInstanceOf(AbortError);
    // Timers keep running while waitUntilRunning is pending (bounded: at most 5 s of 10 ms waits).
    for (let i = 0; i < 500 && ticks < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(settled).toBe(false);
    controller.abort();
    await waiting;
    clearInterval(ticker);
    const fast: Node = await api.createNode({ name: 'fast-boot' });
    const [running] = await api.waitUntilRunning([fast], { pollInterval: 10, timeout: 5_000 });
    expect(running.ips).toEqual([`10.0.0.${fast.id}`]);
    await close();
  });

  test('a callback that throws rejects the call; a loop body that throws ends the iteration', async () => {
    const { api, close } = design.open(TestStorageDriver, good());
    const bucket = await api.getContainer('b2');
    const boom = new Error('progress callback failed');
    const upload = api.uploadObjectViaStream(
      (async function* () {
        yield 'abc';
      })(),
      bucket,
      'callback.txt',
      {
        onProgress: () => {
          throw boom;
        },
      },
    );
    await expect(upload).rejects.toBe(boom);
    const stop = new Error('stop iterating');
    await expect(
      (async () => {
        for await (const _ of api.iterateContainers()) throw stop;
      })(),
    ).rejects.toBe(stop);
    await close();
  });

  test('200 concurrent mixed calls through one instance all succeed', async () => {
    const compute = design.open(TestNodeDriver, { key: 'good', port: cloud.port, latencyMs: 5 });
    const storage = design.open(TestStorageDriver, { key: 'good', port: cloud.port, latencyMs: 5 });
    const before = (await cloud.stats()).requests;
    const b1: Container = await storage.api.getContainer('b1');
    const tasks: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      switch (i % 5) {
        case 0:
          tasks.push(compute.api.createNode({ name: `c-${i}` }).then((n: Node) => compute.api.rebootNode(n).then((ok: boolean) => [n.name, ok])));
          break;
        case 1:
          tasks.push(compute.api.listNodes().then((nodes: Node[]) => nodes.length > 0));
          break;
        case 2:
          tasks.push(storage.api.getObject('b1', `o${i % 7}.txt`).then((o: { name: string }) => o.name));
          break;
        case 3:
          tasks.push(collect(storage.api.iterateContainerObjects(b1)).then((objects) => objects.length));
          break;
        default:
          tasks.push(collect<Uint8Array>(storage.api.downloadObjectAsStream({ name: 'o1.txt', size: 15, container: b1 })).then((c) => Buffer.concat(c).toString()));
      }
    }
    const results = await Promise.all(tasks);
    results.forEach((result, i) => {
      const expected = [[`c-${i}`, true], true, `o${i % 7}.txt`, 7, 'object number 1'][i % 5];
      expect(result).toEqual(expected);
    });
    const stats = await cloud.stats();
    expect(stats.requests - before).toBeGreaterThanOrEqual(200);
    expect(stats.maxConcurrent).toBeGreaterThan(1); // the calls really overlapped on the wire
    await compute.close();
    await storage.close();
  });
});
