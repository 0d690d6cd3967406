/**
 * OpenStack and Rackspace end to end against the embedded fake cloud (Keystone, Nova, Glance in a worker
 * thread, so the sync style can block this one), in the sync style and Design 3 (`async: true`): images and
 * sizes, create → waitUntilRunning → reboot → stop/start → destroy; a token that expires mid-run is renewed
 * without a failed call; a forgotten token is replaced once; a wrong password is InvalidCredentialsError with no
 * secret in any output.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { InvalidCredentialsError, NodeNotFoundError, type Hooks } from '@dualcloud/core';
import { getDriver as design3 } from '@dualcloud/async-mode/compute';
import { FAKE_CREDENTIALS, startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { getDriver, Node, NodeState, Provider, type OpenStackNodeDriverOptions } from '@dualcloud/drivers/compute';

const BOOT_MS = 300;
const WAIT = { timeout: 10_000, pollInterval: 15 };
const RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const { username, password, project, domain, apiKey } = FAKE_CREDENTIALS.keystone;

let cloud: FakeCloud;
beforeAll(async () => {
  cloud = await startFakeCloud({ nodeBootMs: BOOT_MS });
});
afterAll(async () => {
  await cloud?.close();
});
beforeEach(async () => {
  await cloud.configure({ nodeBootMs: BOOT_MS, tokenTtlMs: 3_600_000, faults: {} });
});

type Style = 'sync' | 'design3';
const STYLES: Style[] = ['sync', 'design3'];
type Flavour = 'openstack' | 'rackspace';

/** The driver's calls, awaited the same way in both styles (the sync style is checked not to return Promises). */
interface Driver {
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  readonly target: object;
}

function options(flavour: Flavour, extra: Partial<OpenStackNodeDriverOptions> = {}): OpenStackNodeDriverOptions {
  const base =
    flavour === 'openstack'
      ? { authUrl: cloud.endpoint('keystone').authUrl, username, password, projectName: project, userDomainName: domain }
      : { authUrl: `http://127.0.0.1:${cloud.port}/identity/v2.0`, username, apiKey, regionName: 'SYD' };
  return { ...base, retry: RETRY, ...extra };
}

function open(style: Style, flavour: Flavour, extra: Partial<OpenStackNodeDriverOptions> = {}): Driver {
  const provider = flavour === 'openstack' ? Provider.OPENSTACK : Provider.RACKSPACE;
  const target: Record<string, (...args: unknown[]) => unknown> =
    style === 'sync'
      ? (new (getDriver(provider))(options(flavour, extra)) as never)
      : (new (design3(provider))({ ...options(flavour, extra), async: true }) as never);
  return {
    target,
    async call<T>(method: string, ...args: unknown[]): Promise<T> {
      const value = target[method]!(...args);
      if (style === 'sync') expect(value).not.toBeInstanceOf(Promise);
      else expect(value).toBeInstanceOf(Promise);
      return (await value) as T;
    },
  };
}

async function until(d: Driver, id: string, states: string[]): Promise<Node | undefined> {
  for (let i = 0; i < 300; i++) {
    const node = (await d.call<Node[]>('listNodes')).find((n) => n.id === id);
    if (node === undefined || states.includes(node.state)) return node;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`node ${id} never reached ${states.join(' / ')}`);
}

let sequence = 0;

describe.each(STYLES)('%s', (style) => {
  test.each(['openstack', 'rackspace'] as const)('%s: images and sizes, create → waitUntilRunning → reboot → stop/start → destroy', async (flavour) => {
    const d = open(style, flavour);
    const [images, sizes] = [await d.call<Array<{ id: string; name: string }>>('listImages'), await d.call<Array<{ id: string; ram: number }>>('listSizes')];
    expect(images.map((i) => i.name)).toEqual(['ubuntu-22.04-server-cloudimg-amd64', 'debian-12-genericcloud-amd64', 'cirros-0.6.2-x86_64-disk']);
    expect(sizes.map((s) => [s.id, s.ram])).toEqual([
      ['1', 512],
      ['2', 2048],
      ['3', 4096],
      ['4', 8192],
      ['5', 16384],
    ]);
    const name = `e2e-${flavour}-${style}-${++sequence}`;
    const ex = flavour === 'openstack' ? { keyName: 'demo-key', userData: '#!/bin/sh\necho hello\n', metadata: { suite: 'e2e' } } : {};
    const created = await d.call<Node>('createNode', { name, image: images[2], size: sizes[0], ex });
    expect([created.name, created.state, created.image, created.size]).toEqual([name, NodeState.PENDING, images[2]!.id, '1']);
    expect(typeof created.extra.password).toBe('string');

    const [ready] = await d.call<Array<{ node: Node; ips: string[] }>>('waitUntilRunning', [created], WAIT);
    expect(ready!.node.state).toBe(NodeState.RUNNING);
    expect(ready!.node.publicIps).toEqual([expect.stringMatching(/^203\.0\.113\.\d+$/)]);
    expect(ready!.node.privateIps).toEqual([expect.stringMatching(/^10\.0\.\d+\.\d+$/), expect.stringMatching(/^fd5e:/)]);
    if (flavour === 'openstack') expect(ready!.node.extra).toMatchObject({ key_name: 'demo-key', metadata: { suite: 'e2e' }, availability_zone: 'nova' });

    // A longer reboot, so the REBOOTING state is seen even on a loaded machine.
    await cloud.configure({ nodeBootMs: 800 });
    expect(await d.call('rebootNode', ready!.node)).toBe(true);
    expect((await until(d, created.id, [NodeState.REBOOTING, NodeState.RUNNING]))?.state).toBe(NodeState.REBOOTING);
    await cloud.configure({ nodeBootMs: BOOT_MS });
    await d.call('waitUntilRunning', [created], WAIT);

    expect(await d.call('stopNode', ready!.node)).toBe(true);
    expect((await until(d, created.id, [NodeState.STOPPED]))?.state).toBe(NodeState.STOPPED);
    expect(await d.call('startNode', ready!.node)).toBe(true);
    const [restarted] = await d.call<Array<{ node: Node }>>('waitUntilRunning', [created], WAIT);
    expect(restarted!.node.state).toBe(NodeState.RUNNING);

    expect(await d.call('destroyNode', restarted!.node)).toBe(true);
    expect(await until(d, created.id, [])).toBeUndefined();
    await expect(d.call('rebootNode', restarted!.node)).rejects.toBeInstanceOf(NodeNotFoundError);
  });

  test('a token that expires mid-run is renewed before it expires: no call fails, no request is refused', async () => {
    await cloud.configure({ tokenTtlMs: 1_200 });
    const statuses: number[] = [];
    const hooks: Hooks = { afterResponse: (_request, response) => void statuses.push(response.status) };
    const d = open(style, 'openstack', { hooks });
    const before = (await cloud.stats()).keystone.tokensIssued;
    const started = Date.now();
    const images = await d.call<Array<{ id: string }>>('listImages');
    const sizes = await d.call<Array<{ id: string }>>('listSizes');
    let calls = 0;
    const node = await d.call<Node>('createNode', { name: `ttl-${style}-${++sequence}`, image: images[0], size: sizes[0] });
    while (Date.now() - started < 3_500) {
      await d.call('listNodes');
      await d.call('listImages'); // Glance shares the token
      calls += 2;
      await new Promise((r) => setTimeout(r, 40));
    }
    await d.call('destroyNode', node);
    const issued = (await cloud.stats()).keystone.tokensIssued - before;
    expect(calls).toBeGreaterThan(10);
    expect(issued).toBeGreaterThanOrEqual(3); // ~3.5 s of 1.2 s tokens, renewed halfway through their life
    expect(statuses.filter((s) => s >= 400)).toEqual([]);
  });

  test('a token the cloud forgot (reset) is refused once, replaced, and the call replayed', async () => {
    const statuses: string[] = [];
    const hooks: Hooks = { afterResponse: (request, response) => void statuses.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`) };
    const d = open(style, 'openstack', { hooks });
    expect(await d.call<unknown[]>('listSizes')).toHaveLength(5);
    await cloud.reset();
    expect(await d.call<unknown[]>('listSizes')).toHaveLength(5);
    expect(statuses).toEqual([
      'POST /identity/v3/auth/tokens 201',
      'GET /compute/v2.1/flavors/detail 200',
      'GET /compute/v2.1/flavors/detail 401',
      'POST /identity/v3/auth/tokens 201',
      'GET /compute/v2.1/flavors/detail 200',
    ]);
  });

  test.each(['openstack', 'rackspace'] as const)('%s: wrong credentials are InvalidCredentialsError, and no secret shows in the error, debug lines, hooks or the driver', async (flavour) => {
    const wrong = flavour === 'openstack' ? 'wrong-openstack-password-4f1c' : 'wrong-rackspace-api-key-9b2e';
    const lines: string[] = [];
    const hookArgs: unknown[] = [];
    const hooks: Hooks = {
      beforeRequest: (r) => void hookArgs.push(r),
      afterResponse: (r, s) => void hookArgs.push(r, s),
      beforeRetry: (i) => void hookArgs.push(i),
    };
    const d = open(style, flavour, { ...(flavour === 'openstack' ? { password: wrong } : { apiKey: wrong }), hooks, debug: (line) => void lines.push(line) });
    const error = await d.call('listNodes').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toMatchObject({ status: 401, provider: 'keystone' });
    const printed = [
      String(error),
      (error as Error).stack,
      JSON.stringify(error),
      inspect(error, { depth: 8, showHidden: true }),
      ...lines,
      inspect(hookArgs, { depth: 8 }),
      JSON.stringify(hookArgs),
      inspect(d.target, { depth: 8, showHidden: true }),
      JSON.stringify(d.target),
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [wrong, password, apiKey]) expect(printed).not.toContain(secret);
  });
});
