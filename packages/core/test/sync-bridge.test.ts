import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DriverConnection, NetworkError, SyncBridge, TimeoutError, syncBridge } from '@dualcloud/core';
import { startEchoServer, type ChildServer } from './helpers/child-server.js';

let server: ChildServer;
let conn: DriverConnection;
let dir: string;
beforeAll(async () => {
  server = await startEchoServer();
  conn = new DriverConnection({ provider: 'test', host: '127.0.0.1', port: server.port, secure: false, retry: { maxAttempts: 1 } });
  dir = mkdtempSync(join(tmpdir(), 'dualcloud-bridge-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});

const MiB = 1024 * 1024;

describe('sync connection against a server in another process', () => {
  test('uploads and downloads bodies of 64 MiB', () => {
    const big = Buffer.alloc(64 * MiB, 7);
    const echoed = conn.request({ method: 'PUT', path: '/echo', body: big, headers: { 'content-length': String(big.length) } }).json<{ bodyLength: number; md5: string }>();
    expect(echoed.bodyLength).toBe(big.length);
    expect(echoed.md5).toBe(createHash('md5').update(big).digest('hex'));
    const down = conn.request({ method: 'GET', path: `/bytes/${64 * MiB}` });
    expect(down.body.byteLength).toBe(64 * MiB);
    expect(down.body[251]).toBe(0);
    expect(down.body[252]).toBe(1);
  });

  test('streams a download straight to a file in the worker', () => {
    const target = join(dir, 'download.bin');
    const res = conn.request({ method: 'GET', path: `/bytes/${3 * MiB + 5}`, saveTo: target });
    expect(res.body.byteLength).toBe(0);
    expect(statSync(target).size).toBe(3 * MiB + 5);
    const saved = readFileSync(target);
    expect(res.saved).toEqual({ bytes: 3 * MiB + 5, md5: createHash('md5').update(saved).digest('hex'), crc32: crc32(saved) >>> 0 });
  });

  test('uploads a file slice read by the worker', () => {
    const target = join(dir, 'slice-source.bin');
    conn.request({ method: 'GET', path: '/bytes/1000', saveTo: target });
    const echoed = conn.request({ method: 'PUT', path: '/echo', body: { file: target, start: 100, end: 199 }, headers: { 'content-length': '100' } }).json<{ bodyLength: number; md5: string }>();
    expect(echoed.bodyLength).toBe(100);
    expect(echoed.md5).toBe(createHash('md5').update(readFileSync(target).subarray(100, 200)).digest('hex'));
  });

  test.each(['undici', 'http', 'fetch'] as const)('a stalled response times out and returns control in both modes (%s adapter)', async (adapter) => {
    const c = new DriverConnection({ ...conn.options, transport: { adapter } });
    const spec = { method: 'GET', path: '/stall', timeoutMs: 300 } as const;
    expect(() => c.request(spec)).toThrow(TimeoutError);
    await expect(c.requestAsync(spec)).rejects.toBeInstanceOf(TimeoutError);
    expect(c.request({ method: 'GET', path: '/echo' }).status).toBe(200); // the worker is still usable
  });

  test.each(['undici', 'http', 'fetch'] as const)('no Content-Type is invented for a body without one (%s adapter)', async (adapter) => {
    const c = new DriverConnection({ ...conn.options, transport: { adapter } });
    const seen = (res: { json<T>(): T }): string | undefined => res.json<{ headers: Record<string, string> }>().headers['content-type'];
    expect(seen(c.request({ method: 'PUT', path: '/echo', body: 'x' }))).toBeUndefined();
    expect(seen(await c.requestAsync({ method: 'POST', path: '/echo', body: 'x' }))).toBeUndefined();
    expect(seen(c.request({ method: 'PUT', path: '/echo', body: 'x', headers: { 'Content-Type': 'image/png' } }))).toBe('image/png');
  });

  test.each(['undici', 'http'] as const)(
    'an async request after a sync call that blocked the thread while the server closed its keep-alive socket goes on a fresh socket (%s adapter, POST)',
    async (adapter) => {
      const c = new DriverConnection({ ...conn.options, transport: { adapter } });
      // This thread's pooled socket: kept alive in the reply, ended by the server 100 ms later.
      const first = await c.requestAsync({ method: 'POST', path: '/echo?closeAfter=100', body: 'a' });
      expect(first.status).toBe(200);
      // Blocks this thread for 400 ms: the server's FIN arrives on the idle socket while no event loop turns.
      expect(c.request({ method: 'GET', path: '/slow/400' }).status).toBe(200);
      // A POST is not retried (maxAttempts 1, and it is not idempotent): it must not be written to the dead socket.
      const second = await c.requestAsync({ method: 'POST', path: '/echo', body: 'b' });
      expect(second.status).toBe(200);
      expect(second.headers['x-remote-port']).not.toBe(first.headers['x-remote-port']);
    },
  );

  test('a refused connection is a NetworkError', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const closed = new DriverConnection({ provider: 'test', host: '127.0.0.1', port, secure: false, retry: { maxAttempts: 1 } });
    expect(() => closed.request({ method: 'GET', path: '/' })).toThrow(NetworkError);
    await expect(closed.requestAsync({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the worker thread', () => {
  test('a dead worker fails the calls in flight with WorkerError, and the next call starts a new one', () => {
    const bridge = new SyncBridge();
    const ticket = bridge.submit(conn.prepare({ method: 'GET', path: '/stall', timeoutMs: 20_000 }));
    bridge.crashForTest();
    let result = bridge.take(ticket);
    while (!result) {
      bridge.waitAny(5_000);
      result = bridge.take(ticket);
    }
    expect(result).toEqual({ ok: false, workerFailure: 'the HTTP worker thread exited' });
    const next = bridge.call(conn.prepare({ method: 'GET', path: '/echo' }));
    expect(next.ok).toBe(true);
    bridge.reset();
  });

  test('HEAD requests reuse their connection in both modes (undici would close it after each HEAD)', async () => {
    const syncPorts = [1, 2, 3].map(() => conn.request({ method: 'HEAD', path: '/echo' }).header('x-remote-port'));
    const asyncPorts: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) asyncPorts.push((await conn.requestAsync({ method: 'HEAD', path: '/echo' })).header('x-remote-port'));
    expect(new Set(syncPorts).size).toBe(1);
    expect(new Set(asyncPorts).size).toBe(1);
  });

  test('the process-wide bridge keeps one worker across calls (keep-alive)', () => {
    const ports = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = conn.request({ method: 'GET', path: '/echo' }).json<{ headers: Record<string, string> }>();
      ports.add(res.headers.connection ?? 'keep-alive');
    }
    expect(ports).toEqual(new Set(['keep-alive']));
    expect(syncBridge.pending).toBe(0);
  });
});

describe('spinning and parking', () => {
  test.each(['spin', 'park', 'auto'] as const)('%s: sequential calls, and calls in flight together, all come back right', (mode) => {
    const bridge = new SyncBridge({ spin: mode });
    try {
      for (let i = 0; i < 30; i++) {
        const result = bridge.call(conn.prepare({ method: 'GET', path: `/bytes/${100 + i}` }));
        expect(result.ok && result.response.body.byteLength).toBe(100 + i);
      }
      const tickets = [1, 2, 3, 4].map((n) => bridge.submit(conn.prepare({ method: 'GET', path: `/bytes/${n * 1000}` })));
      const sizes = new Map<number, number>();
      while (sizes.size < tickets.length) {
        bridge.waitAny(5_000);
        for (const t of tickets) {
          const r = bridge.take(t);
          if (r) sizes.set(t, r.ok ? r.response.body.byteLength : -1);
        }
      }
      expect(tickets.map((t) => sizes.get(t))).toEqual([1000, 2000, 3000, 4000]);
      expect(bridge.pending).toBe(0);
    } finally {
      bridge.reset();
    }
  });
});
