/**
 * End to end against the embedded fake cloud (in its worker thread, so sync mode can block this one):
 * create → waitUntilRunning → reboot → stop/start → destroy on two EC2 regions and DigitalOcean, in sync and async
 * mode, with no cross-talk between regions; paging; injected faults.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { all, ASYNC_MODE, NetworkError, RateLimitError, runSync, type Operation } from '@dualcloud/core';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import {
  DigitalOceanNodeDriver,
  EC2NodeDriver,
  getDriver,
  NodeState,
  Provider,
  type DigitalOceanNodeDriverOptions,
  type EC2NodeDriverOptions,
  type Node,
  type NodeDriver,
  type NodeLocation,
} from '@dualcloud/drivers/compute';

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: 40 });
});
afterAll(async () => {
  await cloud?.close();
});

type Mode = 'sync' | 'async';
/**
 * Runs a driver call and awaits its result: in sync mode the call returns a plain value (or throws), in async mode
 * it returns a Promise (checked). Either way a failure becomes a rejection here.
 */
type Call = <T>(invoke: () => T) => Promise<T>;
const CALL: Record<Mode, Call> = {
  sync: async (invoke) => {
    const value = invoke();
    expect(value).not.toBeInstanceOf(Promise);
    return value;
  },
  async: (invoke) => {
    const value = invoke();
    expect(value).toBeInstanceOf(Promise);
    return value as Promise<Awaited<typeof value>> as never;
  },
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MODES: Mode[] = ['sync', 'async'];
const WAIT = { timeout: 5_000, pollInterval: 15 };
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

function ec2(mode: Mode, region: string, extra: Partial<EC2NodeDriverOptions> = {}): EC2NodeDriver {
  const EC2 = getDriver(Provider.EC2);
  return new EC2({
    key: FAKE_CREDENTIALS.aws.accessKeyId,
    secret: FAKE_CREDENTIALS.aws.secretAccessKey,
    region,
    ...cloud.endpoint('ec2'),
    retry: FAST_RETRY,
    ...extra,
    [ASYNC_MODE]: mode === 'async',
  } as EC2NodeDriverOptions);
}

function digitalocean(mode: Mode, extra: Partial<DigitalOceanNodeDriverOptions> = {}): DigitalOceanNodeDriver {
  const DO = getDriver(Provider.DIGITAL_OCEAN);
  return new DO({ key: FAKE_CREDENTIALS.digitalocean.token, ...cloud.endpoint('digitalocean'), retry: FAST_RETRY, ...extra, [ASYNC_MODE]: mode === 'async' } as DigitalOceanNodeDriverOptions);
}

/** Polls `listNodes` until the node reaches `state` (bounded). */
async function waitForState(d: NodeDriver, call: Call, id: string, states: string[]): Promise<Node | undefined> {
  for (let i = 0; i < 200; i++) {
    const node = (await call(() => d.listNodes())).find((n) => n.id === id);
    if (node === undefined || states.includes(node.state)) return node;
    await pause(10);
  }
  throw new Error(`node ${id} never reached ${states.join('/')}`);
}

/** The whole lifecycle on one driver; returns the created node's id. */
async function lifecycle(d: NodeDriver, call: Call, name: string, pick: { image: (n: string) => boolean; size: string; location?: string }): Promise<string> {
  const [images, sizes, locations] = [await call(() => d.listImages()), await call(() => d.listSizes()), await call(() => d.listLocations())];
  const image = images.find((i) => pick.image(i.name))!;
  const size = sizes.find((s) => s.id === pick.size)!;
  const location = pick.location === undefined ? undefined : locations.find((l) => l.name === pick.location || l.id === pick.location)!;
  expect(image).toBeDefined();
  expect(size).toBeDefined();
  const created = await call(() => d.createNode({ name, image, size, ...(location ? { location } : {}) }));
  expect(created.name).toBe(name);
  expect(created.state).toBe(NodeState.PENDING);

  const [ready] = await call(() => d.waitUntilRunning([created], WAIT));
  expect(ready!.node.id).toBe(created.id);
  expect(ready!.node.state).toBe(NodeState.RUNNING);
  expect(ready!.ips.length).toBeGreaterThan(0);

  expect(await call(() => d.rebootNode(ready!.node))).toBe(true);
  await call(() => d.waitUntilRunning([created], WAIT));
  // The node may still be "running" while its reboot completes; providers refuse a second action meanwhile.
  await pause(80);

  expect(await call(() => d.stopNode(ready!.node))).toBe(true);
  expect((await waitForState(d, call, created.id, [NodeState.STOPPED]))?.state).toBe(NodeState.STOPPED);
  expect(await call(() => d.startNode(ready!.node))).toBe(true);
  await call(() => d.waitUntilRunning([created], WAIT));

  expect(await call(() => d.destroyNode(ready!.node))).toBe(true);
  const gone = await waitForState(d, call, created.id, [NodeState.TERMINATED]);
  expect(gone === undefined || gone.state === NodeState.TERMINATED).toBe(true);
  return created.id;
}

describe.each(MODES)('%s mode', (mode) => {
  const call = CALL[mode];

  test('EC2 on two regions: full lifecycle, and each region sees only its own nodes', async () => {
    const east = ec2(mode, 'us-east-1');
    const west = ec2(mode, 'eu-west-1');
    const pick = (region: string) => ({ image: (n: string) => n.startsWith('ubuntu/'), size: 't3.micro', location: `${region}b` });
    // Async mode runs both regions at once: concurrent calls must not mix up regions either.
    const runEast = () => lifecycle(east, call, `e2e-${mode}-east`, pick('us-east-1'));
    const runWest = () => lifecycle(west, call, `e2e-${mode}-west`, pick('eu-west-1'));
    const [eastId, westId] = mode === 'async' ? await Promise.all([runEast(), runWest()]) : [await runEast(), await runWest()];
    const eastIds = (await call(() => east.listNodes())).map((n) => n.id);
    const westIds = (await call(() => west.listNodes())).map((n) => n.id);
    expect(eastIds).not.toContain(westId);
    expect(westIds).not.toContain(eastId);
    // Acting on another region's node is a NodeNotFoundError, not a silent cross-region call.
    const wrongRegion = (await call(() => west.listNodes())).find((n) => n.id === westId)!;
    await expect(call(() => east.rebootNode(wrongRegion)).then(() => 'no error')).rejects.toMatchObject({ name: 'NodeNotFoundError' });
  });

  test('EC2 regions and locations come from the endpoint', async () => {
    const d = ec2(mode, 'eu-west-1');
    expect(await call(() => d.listRegions())).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    expect((await call(() => d.listLocations())).map((l) => [l.name, l.country])).toEqual([
      ['eu-west-1a', 'Ireland'],
      ['eu-west-1b', 'Ireland'],
      ['eu-west-1c', 'Ireland'],
    ]);
  });

  test('DigitalOcean: full lifecycle', async () => {
    await lifecycle(digitalocean(mode), call, `e2e-${mode}-droplet`, { image: () => true, size: 's-1vcpu-1gb', location: 'nyc3' });
  });

  test('paging: EC2 MaxResults=5 and DigitalOcean per_page=2 still list every node', async () => {
    const region = mode === 'sync' ? 'us-west-2' : 'ap-southeast-1';
    const d = ec2(mode, region, { pageSize: 5 });
    const image = (await call(() => d.listImages()))[0]!;
    const size = (await call(() => d.listSizes())).find((s) => s.id === 't2.micro')!;
    const names = Array.from({ length: 7 }, (_, i) => `paged-${mode}-${i}`);
    const created: Node[] = [];
    for (const name of names) created.push(await call(() => d.createNode({ name, image, size })));
    const listed = await call(() => d.listNodes());
    expect(listed.map((n) => n.name).sort()).toEqual([...names].sort());
    expect(new Set(listed.map((n) => n.id)).size).toBe(7);

    const small = digitalocean(mode, { pageSize: 2 });
    const all = await call(() => digitalocean(mode).listNodes());
    const [dImage, dSize] = [(await call(() => small.listImages()))[0]!, (await call(() => small.listSizes()))[0]!];
    for (let i = 0; i < 3; i++) await call(() => small.createNode({ name: `paged-${mode}-d${i}`, image: dImage, size: dSize }));
    const pagedList = await call(() => small.listNodes());
    expect(pagedList.length).toBe(all.length + 3);
    expect(new Set(pagedList.map((n) => n.id)).size).toBe(pagedList.length);
  });

  test('injected faults: a 503 is retried; truncated and reset replies and 429s give typed errors', async () => {
    const once = (kind: '503' | 'truncated' | 'reset' | '429', provider: 'ec2' | 'digitalocean') =>
      cloud.configure({ faults: { sequence: [kind], providers: [provider], retryAfterSeconds: 1 } });
    await once('503', 'ec2');
    expect(await call(() => ec2(mode, 'us-east-1').listRegions())).toContain('us-east-1');
    const noRetry = { retry: { maxAttempts: 1 } };
    for (const kind of ['truncated', 'reset'] as const) {
      await once(kind, 'ec2');
      await expect(call(() => ec2(mode, 'us-east-1', noRetry).listRegions())).rejects.toBeInstanceOf(NetworkError);
      await once(kind, 'digitalocean');
      await expect(call(() => digitalocean(mode, noRetry).listSizes())).rejects.toBeInstanceOf(NetworkError);
    }
    await once('429', 'digitalocean');
    await expect(call(() => digitalocean(mode, noRetry).listSizes())).rejects.toMatchObject({ constructor: RateLimitError, retryAfter: 1, code: 'too_many_requests' });
    await once('429', 'ec2');
    await expect(call(() => ec2(mode, 'us-east-1', noRetry).listRegions())).rejects.toMatchObject({ constructor: RateLimitError, code: 'RequestLimitExceeded' });
    await cloud.configure({ faults: { rate: 0, sequence: [] } });
  });

  test('bad credentials are InvalidCredentialsError', async () => {
    await expect(call(() => ec2(mode, 'us-east-1', { secret: 'wrong-secret' }).listRegions())).rejects.toMatchObject({ name: 'InvalidCredentialsError' });
    await expect(call(() => digitalocean(mode, { key: 'dop_v1_wrong' }).listSizes())).rejects.toMatchObject({ name: 'InvalidCredentialsError' });
  });
});

test('async mode: one driver instance serves many concurrent calls', async () => {
  const d = ec2('async', 'ca-central-1');
  const image = (await CALL.async(() => d.listImages()))[0]!;
  const size = (await CALL.async(() => d.listSizes())).find((x) => x.id === 't3.micro')!;
  const nodes = await Promise.all(Array.from({ length: 6 }, (_, i) => CALL.async(() => d.createNode({ name: `concurrent-${i}`, image, size }))));
  expect(new Set(nodes.map((n) => n.id)).size).toBe(6);
  const ready = await CALL.async(() => d.waitUntilRunning(nodes, WAIT));
  expect(ready.map((r) => r.node.name).sort()).toEqual(nodes.map((n) => n.name).sort());
  expect(await Promise.all(nodes.map((n) => CALL.async(() => d.destroyNode(n))))).toEqual(nodes.map(() => true));
});

test('sync mode: driver operations run concurrently under all() and return in order', () => {
  const d = ec2('sync', 'us-east-2');
  const ops: Operation<unknown>[] = [d.listLocationsOp(), d.listRegionsOp(), d.listNodesOp()];
  const [locations, regions, nodes] = runSync(all(ops)) as [NodeLocation[], string[], Node[]];
  expect(locations.map((l) => l.name)).toEqual(['us-east-2a', 'us-east-2b', 'us-east-2c']);
  expect(regions).toContain('us-east-2');
  expect(nodes).toEqual([]);
});

test('every size the EC2 driver lists can be launched on the fake cloud', async () => {
  const d = ec2('async', 'ap-southeast-1');
  const [image] = await CALL.async(() => d.listImages());
  const sizes = await CALL.async(() => d.listSizes());
  const nodes = await Promise.all(sizes.map((size) => CALL.async(() => d.createNode({ name: `size-${size.id}`, image: image!, size }))));
  expect(nodes.map((n) => n.size)).toEqual(sizes.map((s) => s.id));
  await Promise.all(nodes.map((n) => CALL.async(() => d.destroyNode(n))));
});
