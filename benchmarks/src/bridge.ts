/**
 * Micro-benchmark of the sync bridge: per-call time of blocking requests (worker thread + Atomics.wait)
 * versus awaited sequential async requests, to the same loopback server in a child process.
 *
 *   pnpm exec tsx benchmarks/src/bridge.ts [--calls 2000] [--json]
 */
import { performance } from 'node:perf_hooks';
import { closeTransports, DriverConnection } from '@dualcloud/core';
import { startChildServer } from './support/child.js';

interface Args {
  calls: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { calls: 2000, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--calls') args.calls = Math.min(50_000, Math.max(10, Number(argv[++i])));
    else if (argv[i] === '--json') args.json = true;
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startChildServer('ping-server.mjs');
  const deadline = Date.now() + 120_000; // bound the whole run
  try {
    const conn = new DriverConnection({ provider: 'bench', host: '127.0.0.1', port: server.port, secure: false });
    const spec = { method: 'GET', path: '/ping' } as const;
    // Warm up: starts the worker, opens keep-alive sockets, JITs both paths.
    for (let i = 0; i < 200; i++) conn.request(spec);
    for (let i = 0; i < 200; i++) await conn.requestAsync(spec);

    const rounds: Array<{ syncUs: number; asyncUs: number }> = [];
    for (let round = 0; round < 3 && Date.now() < deadline; round++) {
      let t = performance.now();
      for (let i = 0; i < args.calls; i++) conn.request(spec);
      const syncUs = ((performance.now() - t) * 1000) / args.calls;
      t = performance.now();
      for (let i = 0; i < args.calls; i++) await conn.requestAsync(spec);
      const asyncUs = ((performance.now() - t) * 1000) / args.calls;
      rounds.push({ syncUs, asyncUs });
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const syncUs = median(rounds.map((r) => r.syncUs));
    const asyncUs = median(rounds.map((r) => r.asyncUs));
    const result = { calls: args.calls, rounds: rounds.length, syncUsPerCall: syncUs, asyncUsPerCall: asyncUs, ratioSyncToAsync: syncUs / asyncUs, node: process.version };
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      console.log(`sync bridge micro-benchmark (${args.calls} sequential calls × ${rounds.length} rounds, median)`);
      console.log(`  sync  (worker + Atomics.wait): ${syncUs.toFixed(1)} µs/call`);
      console.log(`  async (awaited, in-process):   ${asyncUs.toFixed(1)} µs/call`);
      console.log(`  ratio sync/async: ${(syncUs / asyncUs).toFixed(2)}×`);
    }
  } finally {
    await closeTransports();
    await server.close();
  }
}

await main();
