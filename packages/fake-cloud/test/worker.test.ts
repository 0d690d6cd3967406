import { describe, expect, test } from '@jest/globals';
import { createServer } from 'node:net';
import { startFakeCloud } from '@dualcloud/fake-cloud';
import { digitalocean, ec2, s3 } from './helpers/http.js';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe.each(['thread', 'process'] as const)('startFakeCloud (isolation: %s)', (isolation) => {
  test('serves every provider on one port; configure, stats and reset reach the server; close frees the port', async () => {
    const cloud = await startFakeCloud({ nodeBootMs: 10 }, { isolation });
    try {
      expect(cloud.endpoint('ec2')).toEqual({ host: '127.0.0.1', port: cloud.port, secure: false });
      expect(cloud.endpoint('google_storage').port).toBe(cloud.port);
      expect(() => cloud.endpoint('azure' as never)).toThrow(TypeError);
      expect(cloud.url).toBe(`http://127.0.0.1:${cloud.port}`);
      expect(await canListen(cloud.port)).toBe(false);
      expect((await ec2(cloud.port, 'DescribeRegions')).status).toBe(200);
      expect((await digitalocean(cloud.port, 'GET', '/v2/sizes')).status).toBe(200);
      expect((await s3(cloud.port, 'PUT', '/worker-bucket')).status).toBe(200);
      await cloud.configure({ faults: { sequence: ['503'] } });
      expect((await s3(cloud.port, 'GET', '/')).status).toBe(503);
      const stats = await cloud.stats();
      expect(stats.requests).toBe(4);
      expect(stats.faults['503']).toBe(1);
      await cloud.reset();
      expect((await s3(cloud.port, 'HEAD', '/worker-bucket')).status).toBe(404);
    } finally {
      await cloud.close();
    }
    expect(await canListen(cloud.port)).toBe(true);
    await cloud.close(); // twice is fine
    await expect(cloud.stats()).rejects.toThrow(/closed/);
  });
});

describe('startFakeCloud (worker thread)', () => {
  test('bad options are rejected in the caller before a worker starts', async () => {
    await expect(startFakeCloud({ faults: { rate: 2 } })).rejects.toThrow(RangeError);
    await expect(startFakeCloud({ latency: { min: 10, max: 5 } })).rejects.toThrow(RangeError);
  });

  test('a port in use fails startFakeCloud with a clear error', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      await expect(startFakeCloud({ port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
