/**
 * Chooses the default transport: requests/s at 50-way concurrency against a loopback server in a child
 * process, for undici.request (Node's own client, the ceiling), axios with its default http adapter,
 * and dualcloud's transport with each adapter under axios.
 *
 *   pnpm exec tsx benchmarks/src/transport.ts [--requests 20000] [--concurrency 50] [--json]
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { Agent, request as undiciRequest } from 'undici';
import { closeTransports, performRequest, type AdapterName } from '@dualcloud/core';
import { startChildServer } from './support/child.js';

interface Args {
  requests: number;
  concurrency: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { requests: 20_000, concurrency: 50, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--requests') args.requests = Math.min(200_000, Math.max(100, Number(argv[++i])));
    else if (argv[i] === '--concurrency') args.concurrency = Math.min(512, Math.max(1, Number(argv[++i])));
    else if (argv[i] === '--json') args.json = true;
  }
  return args;
}

/** Runs `total` calls of `fn` with `concurrency` lanes; returns requests per second. */
async function throughput(total: number, concurrency: number, fn: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        await fn();
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startChildServer('ping-server.mjs');
  const url = `http://127.0.0.1:${server.port}/ping`;
  const undiciAgent = new Agent({ connections: args.concurrency });
  const plainAxios = axios.create({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: args.concurrency }) });
  const candidates: Array<[string, () => Promise<unknown>]> = [
    ['undici.request (ceiling)', async () => (await undiciRequest(url, { dispatcher: undiciAgent })).body.arrayBuffer()],
    ['axios default adapter', () => plainAxios.get(url, { responseType: 'arraybuffer' })],
    ...(['undici', 'http', 'fetch'] as AdapterName[]).map(
      (adapter): [string, () => Promise<unknown>] => [
        `dualcloud transport, ${adapter} adapter`,
        () => performRequest({ method: 'GET', url, headers: {}, timeoutMs: 30_000, transport: { adapter, maxSockets: args.concurrency } }),
      ],
    ),
  ];
  const results: Array<{ name: string; requestsPerSecond: number; ratioToUndici: number }> = [];
  try {
    for (const [name, fn] of candidates) await throughput(Math.min(2000, args.requests), args.concurrency, fn); // warm-up
    let ceiling = 0;
    for (const [name, fn] of candidates) {
      const rps = await throughput(args.requests, args.concurrency, fn);
      if (results.length === 0) ceiling = rps;
      results.push({ name, requestsPerSecond: Math.round(rps), ratioToUndici: Number((rps / ceiling).toFixed(2)) });
    }
  } finally {
    await undiciAgent.close();
    await closeTransports();
    await server.close();
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ config: args, node: process.version, results }, null, 2)}\n`);
  else {
    console.log(`transport throughput: ${args.requests} GETs at concurrency ${args.concurrency} (one run)`);
    for (const r of results) console.log(`  ${r.name.padEnd(36)} ${String(r.requestsPerSecond).padStart(7)} req/s  ${r.ratioToUndici.toFixed(2)}× undici`);
  }
}

await main();
