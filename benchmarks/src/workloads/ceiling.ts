/**
 * The machine's ceiling for the fan-out workload: `undici.request` (Node's own HTTP client, no SDK) against a
 * trivial server in a child process that answers a tiny JSON body after L ms, at the same N and C. No SDK can
 * beat this figure on the same machine; it tells how much of the gap to the ideal is the environment's.
 * @module
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'undici';
import { round1, runPool } from '../pool.js';

/** The ceiling measurement. */
export interface CeilingResult {
  readonly wallMs: number;
  readonly idealMs: number;
  readonly efficiency: number;
}

const SERVER = String.raw`
const http = require('node:http');
const latency = Number(process.argv[1]);
const body = Buffer.from('{"droplets":[]}');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); }, latency));
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\n'); });
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

/** Measures the ceiling (best of three runs, after a warm-up). */
export async function ceiling(cfg: { ops: number; concurrency: number; latency: number; deadlineMs: number }): Promise<CeilingResult> {
  const child = spawn(process.execPath, ['-e', SERVER, String(cfg.latency)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const agent = new Agent({ connections: cfg.concurrency });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    });
    const url = `http://127.0.0.1:${port}/`;
    const call = async (): Promise<unknown> => (await request(url, { dispatcher: agent })).body.json();
    await runPool(Math.min(100, cfg.ops), cfg.concurrency, true, cfg.deadlineMs, call);
    let best = Infinity;
    for (let i = 0; i < 3; i++) best = Math.min(best, (await runPool(cfg.ops, cfg.concurrency, true, cfg.deadlineMs, call)).wallMs);
    const idealMs = Math.ceil(cfg.ops / cfg.concurrency) * cfg.latency;
    return { wallMs: round1(best), idealMs, efficiency: Number((idealMs / best).toFixed(3)) };
  } finally {
    await agent.close();
    child.stdin.end();
  }
}

/**
 * Bare `undici.request` doing the benchmark's DigitalOcean call on the fake cloud itself (GET /v2/droplets with
 * the bearer token, JSON parsed): the machine's ceiling for that exact call, measured beside the modes.
 */
export function undiciDroplets(endpoint: { host: string; port: number }, token: string, connections: number): { call(): Promise<number>; close(): Promise<void> } {
  const agent = new Agent({ connections });
  const url = `http://${endpoint.host}:${endpoint.port}/v2/droplets?per_page=200`;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  return {
    async call() {
      const res = await request(url, { dispatcher: agent, headers });
      const doc = (await res.body.json()) as { droplets: unknown[] };
      if (res.statusCode !== 200) throw new Error(`undici.request: status ${res.statusCode}`);
      return doc.droplets.length;
    },
    close: () => agent.close(),
  };
}
