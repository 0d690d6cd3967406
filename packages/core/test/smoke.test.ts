import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { DriverConnection } from '@dualcloud/core';
import { startEchoServer, type ChildServer } from './helpers/child-server.js';

let server: ChildServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(() => server.close());

test('sync and async requests reach the server', async () => {
  const conn = new DriverConnection({ provider: 'test', host: '127.0.0.1', port: server.port, secure: false });
  const res = conn.request({ method: 'GET', path: '/echo', query: { a: '1' } });
  expect(res.json<{ url: string }>().url).toBe('/echo?a=1');
  const res2 = await conn.requestAsync({ method: 'POST', path: '/echo', body: 'hello' });
  expect(res2.json<{ bodyLength: number }>().bodyLength).toBe(5);
});
