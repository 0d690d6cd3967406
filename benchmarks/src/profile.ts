/**
 * CPU profile of the per-call workload, every thread: K sequential DigitalOcean listNodes calls (three droplets)
 * in one mode against the fake cloud, with V8's profiler on in the calling thread and, for the sync style, in the
 * bridge's HTTP worker. Prints, per thread, self time per call by package and the top functions.
 *
 *   pnpm exec tsx benchmarks/src/profile.ts [--mode design3|sync|undici] [--calls 5000] [--spin auto|spin|park] [--out DIR]
 *
 * (It re-runs itself under `node --cpu-prof`, which profiles worker threads too, and profiles only the measured
 * loop of the calling thread through the inspector.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

interface Args {
  mode: 'design3' | 'sync' | 'undici';
  calls: number;
  spin: 'auto' | 'spin' | 'park';
  out: string;
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { mode: 'design3', calls: 5000, spin: 'auto', out: join(tmpdir(), 'dualcloud-profile'), child: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    else if (arg === '--mode') args.mode = argv[++i] as Args['mode'];
    else if (arg === '--calls') args.calls = Math.min(100_000, Math.max(100, Number(argv[++i])));
    else if (arg === '--spin') args.spin = argv[++i] as Args['spin'];
    else if (arg === '--out') args.out = argv[++i]!;
    else if (arg === '--child') args.child = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!['design3', 'sync', 'undici'].includes(args.mode)) throw new Error('--mode is design3, sync or undici');
  return args;
}

/** Calls made before profiling (JIT, keep-alive connections, the spin policy's first measurements). */
const warmUp = (calls: number): number => Math.min(2000, calls);
/** Requests the seeding makes through the sync bridge before the warm-up (sizes, images, three droplets). */
const SEEDING_REQUESTS = 5;

/** The measured run, in the profiled child process. */
async function child(args: Args): Promise<void> {
  const { closeTransports, syncBridge } = await import('@dualcloud/core');
  const { getDriver: getSync, Provider } = await import('@dualcloud/drivers/compute');
  const { getDriver: getD3, Provider: P3 } = await import('@dualcloud/async-mode/compute');
  const { FAKE_CREDENTIALS, startFakeCloud } = await import('@dualcloud/fake-cloud');
  const { undiciDroplets } = await import('./workloads/ceiling.js');
  syncBridge.spin.mode = args.spin;
  const cloud = await startFakeCloud({ doRateLimit: 1_000_000 }, { isolation: 'process' });
  const endpoint = cloud.endpoint('digitalocean');
  const token = FAKE_CREDENTIALS.digitalocean.token;
  const sync = new (getSync(Provider.DIGITAL_OCEAN))({ key: token, ...endpoint });
  const [size] = sync.listSizes();
  const [image] = sync.listImages();
  for (let i = 0; i < 3; i++) sync.createNode({ name: `profile-${i}`, size: size!, image: image! });
  const d3 = new (getD3(P3.DIGITAL_OCEAN))({ key: token, ...endpoint, async: true });
  const bare = undiciDroplets(endpoint, token, 50);
  const call: () => unknown = args.mode === 'sync' ? () => sync.listNodes().length : args.mode === 'design3' ? async () => (await d3.listNodes()).length : () => bare.call();
  for (let i = 0; i < warmUp(args.calls); i++) await call();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < args.calls; i++) await call();
  const wallUs = ((performance.now() - started) * 1000) / args.calls;
  const used = process.cpuUsage(cpu);
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(args.out, 'caller.cpuprofile'), JSON.stringify(profile));
  const figures = { mode: args.mode, calls: args.calls, wallUsPerCall: wallUs, cpuUsPerCall: (used.user + used.system) / args.calls, spin: syncBridge.spin.snapshot() };
  writeFileSync(join(args.out, 'figures.json'), JSON.stringify(figures));
  await bare.close();
  await cloud.close();
  await closeTransports();
}

/** Self time by package and by function, per call, of one profile. */
function summarize(file: string, calls: number, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const packageOf = (url: string, fn: string): string => {
    if (['(idle)', '(program)', '(garbage collector)'].includes(fn)) return fn;
    if (!url) return '(native: syscalls, builtins)';
    const m = /node_modules\/\.pnpm\/([^/]+?)@\d[^/]*\//.exec(url) ?? /packages\/([^/]+)\//.exec(url);
    if (m) return m[1]!;
    return url.startsWith('node:') ? 'node (streams, events, buffers)' : url.split('/').slice(-1)[0]!;
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)!;
    const us = p.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const line = (us: number, label: string): string => `${(us / calls).toFixed(1).padStart(8)} µs/call ${((100 * us) / total).toFixed(1).padStart(5)} %  ${label}`;
  const rows = [`total ${(total / calls).toFixed(1)} µs/call (wall clock of the thread, idle included)`, 'by package:'];
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1])) if (v / total >= 0.002) rows.push(line(v, k));
  rows.push(`top ${top} functions (self time):`);
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) rows.push(line(v, k));
  return rows.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args);
  rmSync(args.out, { recursive: true, force: true });
  mkdirSync(args.out, { recursive: true });
  const workers = join(args.out, 'threads');
  const self = fileURLToPath(import.meta.url);
  // --cpu-prof covers the worker threads (one file per thread); the caller's profile comes from the inspector.
  const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', workers, '--cpu-prof-interval', '100', ...process.execArgv, self, '--child', '--mode', args.mode, '--calls', String(args.calls), '--spin', args.spin, '--out', args.out], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`the profiled run failed (${run.status})`);
  const figures = JSON.parse(readFileSync(join(args.out, 'figures.json'), 'utf8')) as Record<string, unknown>;
  const report = [`${args.mode}: ${args.calls} sequential calls; ${JSON.stringify(figures)}`, '', '== calling thread (measured loop only)', summarize(join(args.out, 'caller.cpuprofile'), args.calls)];
  if (args.mode === 'sync') {
    // The bridge's worker is the thread whose profile has the transport in it (threads also include tsx's loader).
    const files = readdirSync(workers).filter((f) => f.endsWith('.cpuprofile') && !/\.0\.\d+\.cpuprofile$/.test(f));
    const worker = files.map((f) => join(workers, f)).find((f) => readFileSync(f, 'utf8').includes('http-worker'));
    // Its profile covers its whole life: seeding, warm-up and measured calls, all requests alike.
    const requests = SEEDING_REQUESTS + warmUp(args.calls) + args.calls;
    if (worker) report.push('', `== the sync bridge's HTTP worker (its whole life, per request: ${requests} requests)`, summarize(worker, requests));
  }
  const text = report.join('\n');
  writeFileSync(join(args.out, 'summary.txt'), `${text}\n`);
  console.log(text);
  console.log(`\nprofiles in ${args.out}`);
}

await main();
