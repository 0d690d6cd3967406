import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, type FakeCloudServer } from '@dualcloud/fake-cloud';
import { digitalocean, send, sleep } from './helpers/http.js';

let server: FakeCloudServer;
let port: number;

beforeAll(async () => {
  server = createFakeCloudServer({ nodeBootMs: 60 });
  port = await server.listen();
});
afterAll(() => server.close());

const CREATE = { name: 'web-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-22-04-x64' };

describe('DigitalOcean v2', () => {
  test('POST /v2/droplets creates a droplet that goes new → active with public and private networks', async () => {
    const res = await digitalocean(port, 'POST', '/v2/droplets', CREATE);
    expect(res.status).toBe(202);
    const { droplet, links } = res.json();
    expect(droplet).toMatchObject({ name: 'web-1', status: 'new', size_slug: 's-1vcpu-1gb', region: { slug: 'nyc3' }, image: { slug: 'ubuntu-22-04-x64' } });
    expect(links.actions[0].rel).toBe('create');
    await sleep(120);
    const got = (await digitalocean(port, 'GET', `/v2/droplets/${droplet.id}`)).json().droplet;
    expect(got.status).toBe('active');
    expect(got.networks.v4.map((n: any) => n.type).sort()).toEqual(['private', 'public']);
    expect(got.networks.v4.find((n: any) => n.type === 'public').ip_address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  test('GET /v2/droplets pages with absolute links.pages.next and meta.total', async () => {
    server.reset();
    await digitalocean(port, 'POST', '/v2/droplets', { ...CREATE, name: undefined, names: ['a', 'b', 'c', 'd', 'e'] });
    const first = await digitalocean(port, 'GET', '/v2/droplets?per_page=2');
    const body = first.json();
    expect(body.droplets.map((d: any) => d.name)).toEqual(['a', 'b']);
    expect(body.meta.total).toBe(5);
    expect(body.links.pages.next).toBe(`http://127.0.0.1:${port}/v2/droplets?per_page=2&page=2`);
    expect(body.links.pages.last).toContain('page=3');
    const names: string[] = [];
    let url: string | undefined = `http://127.0.0.1:${port}/v2/droplets?per_page=2`;
    for (let i = 0; url && i < 10; i += 1) {
      const u: URL = new URL(url);
      const page = (await digitalocean(port, 'GET', u.pathname + u.search)).json();
      names.push(...page.droplets.map((d: any) => d.name));
      url = page.links.pages.next;
    }
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('droplet actions return 201 with an action object and change the status', async () => {
    // A server of its own with a long boot, so the droplet is still locked when the first action comes, however
    // slow the machine; then bounded polling instead of fixed sleeps.
    const slow = createFakeCloudServer({ nodeBootMs: 2_000 });
    const at = await slow.listen();
    try {
      const until = async (what: () => Promise<boolean>): Promise<void> => {
        for (let i = 0; i < 300 && !(await what()); i++) await sleep(50);
      };
      const status = async (id: number): Promise<string> => (await digitalocean(at, 'GET', `/v2/droplets/${id}`)).json().droplet.status;
      const { droplet } = (await digitalocean(at, 'POST', '/v2/droplets', CREATE)).json();
      const locked = await digitalocean(at, 'POST', `/v2/droplets/${droplet.id}/actions`, { type: 'reboot' });
      expect(locked.status).toBe(422);
      await until(async () => (await status(droplet.id)) === 'active');
      const off = await digitalocean(at, 'POST', `/v2/droplets/${droplet.id}/actions`, { type: 'power_off' });
      expect(off.status).toBe(201);
      expect(off.json().action).toMatchObject({ type: 'power_off', status: 'in-progress', resource_id: droplet.id, resource_type: 'droplet' });
      await until(async () => (await status(droplet.id)) === 'off');
      expect(await status(droplet.id)).toBe('off');
      expect((await digitalocean(at, 'GET', `/v2/actions/${off.json().action.id}`)).json().action.status).toBe('completed');
      expect((await digitalocean(at, 'POST', `/v2/droplets/${droplet.id}/actions`, { type: 'power_on' })).status).toBe(201);
      await until(async () => (await status(droplet.id)) === 'active');
      expect(await status(droplet.id)).toBe('active');
      const bad = await digitalocean(at, 'POST', `/v2/droplets/${droplet.id}/actions`, { type: 'explode' });
      expect(bad.status).toBe(422);
      expect(bad.json().id).toBe('unprocessable_entity');
    } finally {
      await slow.close();
    }
  }, 60_000);

  test('DELETE is 204, then the droplet is 404 not_found', async () => {
    const { droplet } = (await digitalocean(port, 'POST', '/v2/droplets', CREATE)).json();
    const del = await digitalocean(port, 'DELETE', `/v2/droplets/${droplet.id}`);
    expect(del.status).toBe(204);
    expect(del.body.length).toBe(0);
    const gone = await digitalocean(port, 'GET', `/v2/droplets/${droplet.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toMatchObject({ id: 'not_found', message: expect.any(String) });
  });

  test('images, sizes and regions are listed', async () => {
    const images = (await digitalocean(port, 'GET', '/v2/images?type=distribution&per_page=200')).json();
    expect(images.images.map((i: any) => i.slug)).toContain('ubuntu-22-04-x64');
    const sizes = (await digitalocean(port, 'GET', '/v2/sizes')).json();
    expect(sizes.sizes[0]).toMatchObject({ slug: expect.any(String), memory: expect.any(Number), vcpus: expect.any(Number), price_monthly: expect.any(Number) });
    const regions = (await digitalocean(port, 'GET', '/v2/regions')).json();
    expect(regions.regions.map((r: any) => r.slug)).toContain('nyc3');
    expect(regions.meta.total).toBe(regions.regions.length);
  });

  test('a bad token is 401 unauthorized; a missing token too', async () => {
    const bad = await digitalocean(port, 'GET', '/v2/droplets', undefined, 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.json()).toMatchObject({ id: 'unauthorized', message: expect.any(String) });
    expect((await send(port, { method: 'GET', path: '/v2/droplets' })).status).toBe(401);
  });

  test('bad JSON is 400 bad_request; invalid fields are 422', async () => {
    const bad = await digitalocean(port, 'POST', '/v2/droplets', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.json().id).toBe('bad_request');
    const noSize = await digitalocean(port, 'POST', '/v2/droplets', { ...CREATE, size: 'huge' });
    expect(noSize.status).toBe(422);
    const badName = await digitalocean(port, 'POST', '/v2/droplets', { ...CREATE, name: 'no spaces' });
    expect(badName.status).toBe(422);
  });

  test('rate limit headers count down; past the limit the answer is 429', async () => {
    const limited = createFakeCloudServer({ doRateLimit: 3 });
    const p = await limited.listen();
    try {
      const a = await digitalocean(p, 'GET', '/v2/regions');
      const b = await digitalocean(p, 'GET', '/v2/regions');
      expect(a.headers['ratelimit-limit']).toBe('3');
      expect(Number(a.headers['ratelimit-remaining'])).toBe(Number(b.headers['ratelimit-remaining']) + 1);
      expect(Number(a.headers['ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      await digitalocean(p, 'GET', '/v2/regions');
      const over = await digitalocean(p, 'GET', '/v2/regions');
      expect(over.status).toBe(429);
      expect(over.json().id).toBe('too_many_requests');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  test('an unknown path is 404 not_found', async () => {
    const res = await digitalocean(port, 'GET', '/v2/kubernetes/clusters');
    expect(res.status).toBe(404);
    expect(res.json().id).toBe('not_found');
  });
});
