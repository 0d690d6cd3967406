import { afterEach, describe, expect, test } from '@jest/globals';
import { createFakeCloudServer, type FakeCloudOptions, type FakeCloudServer, type FaultKind } from '@dualcloud/fake-cloud';
import { FAKE_CREDENTIALS } from '@dualcloud/fake-cloud';
import { digitalocean, ec2, rawExchange, s3 } from './helpers/http.js';

const servers: FakeCloudServer[] = [];

async function start(options: FakeCloudOptions): Promise<{ server: FakeCloudServer; port: number }> {
  const server = createFakeCloudServer(options);
  servers.push(server);
  return { server, port: await server.listen() };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function always(kind: FaultKind, extra: FakeCloudOptions['faults'] = {}): FakeCloudOptions {
  return { faults: { rate: 1, kinds: [kind], ...extra } };
}

describe('fault injection', () => {
  test('500 in each provider format', async () => {
    const { port } = await start(always('500'));
    const e = await ec2(port, 'DescribeRegions');
    expect(e.status).toBe(500);
    expect(e.xml().Response.Errors.Error.Code).toBe('InternalError');
    const o = await s3(port, 'GET', '/');
    expect(o.status).toBe(500);
    expect(o.xml().Error.Code).toBe('InternalError');
    const d = await digitalocean(port, 'GET', '/v2/regions');
    expect(d.status).toBe(500);
    expect(d.json().id).toBe('server_error');
  });

  test('503', async () => {
    const { port } = await start(always('503'));
    const res = await s3(port, 'GET', '/');
    expect(res.status).toBe(503);
    expect(res.xml().Error.Code).toBe('SlowDown');
  });

  test('429 with Retry-After', async () => {
    const { port } = await start(always('429', { retryAfterSeconds: 3 }));
    const res = await digitalocean(port, 'GET', '/v2/sizes');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json().id).toBe('too_many_requests');
  });

  test('connection reset', async () => {
    const { port } = await start(always('reset'));
    await expect(s3(port, 'GET', '/')).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  test('truncated body: Content-Length larger than what is sent, then close', async () => {
    const { port } = await start(always('truncated'));
    await expect(ec2(port, 'DescribeRegions')).rejects.toThrow(/aborted|incomplete|ECONNRESET|terminated/);
    const seen = await rawExchange(port, { method: 'GET', path: '/v2/regions', headers: { authorization: `Bearer ${FAKE_CREDENTIALS.digitalocean.token}` } }, 5000);
    expect(seen.status).toBe(200);
    expect(seen.received).toBeLessThan(seen.declaredLength!);
    expect(seen.error).toBeDefined();
  });

  test('stalled response: headers, then nothing until the client gives up', async () => {
    const { server, port } = await start(always('stall', { stallMs: 30_000 }));
    const started = Date.now();
    await expect(s3(port, 'GET', '/', { timeoutMs: 300 })).rejects.toThrow(/client timeout|aborted/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const seen = await rawExchange(port, { method: 'GET', path: '/v2/regions', headers: { authorization: `Bearer ${FAKE_CREDENTIALS.digitalocean.token}` } }, 300);
    expect(seen).toMatchObject({ status: 200, received: 0, error: expect.stringMatching(/client timeout|aborted|incomplete/) });
    await server.close(); // does not wait for the stall cap
  });

  test('faults strike at the given rate, repeatably for a seed', async () => {
    const outcomes = async (): Promise<number[]> => {
      const { server, port } = await start({ faults: { rate: 0.5, kinds: ['500'], seed: 42 } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) statuses.push((await digitalocean(port, 'GET', '/v2/regions')).status);
      await server.close();
      return statuses;
    };
    const a = await outcomes();
    const b = await outcomes();
    expect(a).toEqual(b);
    const failures = a.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(2);
    expect(failures).toBeLessThan(18);
  });

  test('a fault sequence strikes the next requests in order; stats count them', async () => {
    const { server, port } = await start({ faults: { sequence: ['503', null, '429'] } });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await s3(port, 'GET', '/')).status);
    expect(statuses).toEqual([503, 200, 429, 200]);
    const stats = server.stats();
    expect(stats.requests).toBe(4);
    expect(stats.byProvider.s3).toBe(4);
    expect(stats.faults).toMatchObject({ '503': 1, '429': 1, '500': 0 });
  });

  test('faults can be limited to some providers and changed at run time', async () => {
    const { server, port } = await start({ faults: { rate: 1, kinds: ['500'], providers: ['ec2'] } });
    expect((await s3(port, 'GET', '/')).status).toBe(200);
    expect((await ec2(port, 'DescribeRegions')).status).toBe(500);
    server.configure({ faults: { rate: 0 } });
    expect((await ec2(port, 'DescribeRegions')).status).toBe(200);
  });
});

describe('latency', () => {
  test('the measured mean is at least the latency and well within latency + 200 ms', async () => {
    const { port } = await start({ latency: 50 });
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await digitalocean(port, 'GET', '/v2/regions');
      times.push(performance.now() - t);
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    expect(Math.min(...times)).toBeGreaterThanOrEqual(49);
    expect(mean).toBeLessThan(250);
  });

  test('a {min, max} latency stays within its bounds', async () => {
    const { port } = await start({ latency: { min: 20, max: 40 } });
    for (let i = 0; i < 3; i += 1) {
      const t = performance.now();
      await s3(port, 'GET', '/');
      const took = performance.now() - t;
      expect(took).toBeGreaterThanOrEqual(19);
      expect(took).toBeLessThan(240);
    }
  });
});

describe('stall cap', () => {
  test('a stalled response is closed by the server after stallMs', async () => {
    const { port } = await start(always('stall', { stallMs: 200 }));
    const seen = await rawExchange(port, { method: 'GET', path: '/v2/regions', headers: { authorization: `Bearer ${FAKE_CREDENTIALS.digitalocean.token}` } }, 10_000);
    expect(seen.status).toBe(200);
    expect(seen.error).toMatch(/aborted|incomplete|ECONNRESET/);
  });
});
