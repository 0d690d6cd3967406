/**
 * `pnpm bench -- [--json] [--ops N] [--concurrency C] [--latency MS] [--objects M] [--size BYTES] [--only a,b,c,d,e,f] [--redraw]`
 *
 * Compares raw axios, the sync style and the three async designs over the same drivers, on the embedded fake
 * cloud (127.0.0.1 only). Workloads: (a) fan-out of N list calls, (b) parallel upload/download, (c) per-call
 * overhead at zero latency, (d) event-loop lag during a long call, (e) peer comparison with @aws-sdk/client-s3,
 * (f) bulk download with `downloadObjects` (the sync style's one blocking call against each design's).
 * With `--json` prints one JSON document; otherwise tables, and the results and an SVG chart under
 * benchmarks/results/ (a run of some workloads only, `--only f`, replaces their sections and keeps the others).
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeTransports } from '@dualcloud/core';
import { getDriver, Provider } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, startFakeCloud } from '@dualcloud/fake-cloud';
import { MODES, type ModeContext } from './modes.js';
import { svgChart, table, type Panel } from './report.js';
import { ceiling } from './workloads/ceiling.js';
import { fanOut, type FanOutResult } from './workloads/fan-out.js';
import { lag } from './workloads/lag.js';
import { overhead } from './workloads/overhead.js';
import { peer } from './workloads/peer.js';
import { transfer } from './workloads/transfer.js';
import { bulkDownload, type BulkDownloadResult } from './workloads/bulk.js';

interface Config {
  json: boolean;
  ops: number;
  concurrency: number;
  latency: number;
  objects: number;
  size: number;
  overheadCalls: number;
  only: string[];
  /** Only redraw results/latest.svg from results/latest.json. */
  redraw: boolean;
  /** Per-mode time bound of every load loop. */
  deadlineMs: number;
  region: string;
}

function parseArgs(argv: string[]): Config {
  const cfg: Config = { json: false, ops: 1000, concurrency: 50, latency: 20, objects: 200, size: 64 * 1024, overheadCalls: 500, only: ['a', 'b', 'c', 'd', 'e', 'f'], redraw: false, deadlineMs: 60_000, region: 'us-east-1' };
  const num = (v: string | undefined, min: number, max: number, name: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue; // `pnpm bench -- --json` passes the separator through
    else if (arg === '--json') cfg.json = true;
    else if (arg === '--ops') cfg.ops = num(argv[++i], 1, 100_000, 'ops');
    else if (arg === '--concurrency') cfg.concurrency = num(argv[++i], 1, 1000, 'concurrency');
    else if (arg === '--latency') cfg.latency = num(argv[++i], 0, 5000, 'latency');
    else if (arg === '--objects') cfg.objects = num(argv[++i], 1, 10_000, 'objects');
    else if (arg === '--size') cfg.size = num(argv[++i], 1, 64 * 1024 * 1024, 'size');
    else if (arg === '--calls') cfg.overheadCalls = num(argv[++i], 10, 100_000, 'calls');
    else if (arg === '--only') cfg.only = (argv[++i] ?? '').split(',');
    else if (arg === '--redraw') cfg.redraw = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return cfg;
}

function machine(): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
}

async function main(): Promise<void> {
  const cfg = parseArgs(process.argv.slice(2));
  if (cfg.redraw) {
    writeResults(JSON.parse(readFileSync(fileURLToPath(new URL('../results/latest.json', import.meta.url)), 'utf8')) as Record<string, unknown>);
    return;
  }
  const log = (msg: string): void => {
    if (!cfg.json) console.log(msg);
  };
  // In a child process, like a remote cloud: the server's CPU and GC stay out of the measured process.
  const cloud = await startFakeCloud({ nodeBootMs: 200, minPartSize: 5 * 1024 * 1024, doRateLimit: 1_000_000 }, { isolation: 'process' });
  const ctx: ModeContext = { cloud, region: cfg.region, bucket: 'bench', concurrency: cfg.concurrency };
  const doc: Record<string, unknown> = { config: { ...cfg, date: new Date().toISOString(), machine: machine() } };
  try {
    // Seed: a bucket and a few nodes so listings have content.
    const aws = FAKE_CREDENTIALS.aws;
    const S3 = getDriver(Provider.S3);
    new S3({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3') }).createContainer(ctx.bucket);
    await seedNodes(ctx);

    if (cfg.only.includes('a')) {
      const fanOutTable = (results: FanOutResult[]): string =>
        table(['mode', 'wall ms', 'ideal ms', 'ideal/wall', 'ops/s', 'lanes'], results.map((r) => [r.mode, r.wallMs, r.idealMs, r.efficiency, r.opsPerSecond, r.concurrency + (r.truncated ? ' (cut)' : '')]));
      log(`\n(a) fan-out: ${cfg.ops} DigitalOcean listNodes calls (JSON), concurrency ${cfg.concurrency}, latency ${cfg.latency} ms`);
      doc.results = await fanOut(cloud, ctx, MODES, { ...cfg, call: 'listDroplets' });
      log(fanOutTable(doc.results as FanOutResult[]));
      log(`\n(a') fan-out: ${cfg.ops} EC2 listNodes calls (XML, 3 instances, parsed with xml2js), same settings`);
      doc.fanOutXml = await fanOut(cloud, ctx, MODES, { ...cfg, call: 'listNodes' });
      log(fanOutTable(doc.fanOutXml as FanOutResult[]));
      const top = await ceiling(cfg);
      doc.ceiling = top;
      log(`ceiling on this machine: undici.request against a trivial ${cfg.latency} ms server in a child process: ${top.wallMs} ms, ideal/wall ${top.efficiency}`);
    }
    if (cfg.only.includes('b')) {
      log(`\n(b) transfer: ${cfg.objects} objects of ${cfg.size} bytes up then down, concurrency ${cfg.concurrency}, latency ${cfg.latency} ms`);
      const results = await transfer(cloud, ctx, MODES, { ...cfg });
      doc.transfer = results;
      log(table(['mode', 'upload ms', 'download ms', 'up MB/s', 'down MB/s'], results.map((r) => [r.mode, r.uploadMs, r.downloadMs, r.uploadMBps, r.downloadMBps])));
    }
    if (cfg.only.includes('c')) {
      log(`\n(c) per-call overhead: ${cfg.overheadCalls} sequential DigitalOcean listNodes calls at zero latency (7 interleaved rounds)`);
      const results = await overhead(cloud, ctx, MODES, { calls: cfg.overheadCalls, rounds: 5, deadlineMs: cfg.deadlineMs });
      doc.overhead = results;
      log(table(['mode', 'µs/call', '× raw axios'], results.map((r) => [r.mode, r.usPerCall, r.ratioToRawAxios])));
    }
    if (cfg.only.includes('d')) {
      log('\n(d) event-loop lag during createNode + waitUntilRunning (node boots in 1.5 s)');
      const results = await lag(cloud, ctx, MODES, { bootMs: 1500, latency: cfg.latency });
      doc.eventLoopLag = results;
      log(table(['mode', 'call ms', 'max lag ms', '10 ms ticks', 'expected'], results.map((r) => [r.mode, r.callMs, r.maxLagMs, r.ticks, r.expectedTicks])));
    }
    if (cfg.only.includes('e')) {
      log(`\n(e) peer: list + GET ${cfg.objects} objects of ${cfg.size} bytes at concurrency ${cfg.concurrency}, latency ${cfg.latency} ms`);
      const result = await peer(cloud, ctx, { ...cfg });
      doc.peer = result;
      log(table(['client', 'ms'], [['dualcloud (design3)', result.dualcloudMs], ['@aws-sdk/client-s3', result.awsSdkMs]]));
      log(`aws-sdk / dualcloud wall time: ${result.awsSdkToDualcloud}×`);
    }
    if (cfg.only.includes('f')) {
      log(`\n(f) bulk download: ${cfg.objects} objects of ${cfg.size} bytes to files with downloadObjects, concurrency ${cfg.concurrency}, latency ${cfg.latency} ms (7 interleaved rounds)`);
      const result = await bulkDownload(cloud, ctx, { ...cfg });
      doc.bulkDownload = { ...result, date: (doc.config as { date: string }).date };
      log(table(['mode', 'median ms', 'best ms', 'MB/s', 'call'], result.modes.map((r) => [r.mode, r.medianMs, r.bestMs, r.MBps, r.call + (r.truncated ? ' (cut)' : '')])));
      log(
        `sync style's speed relative to Design 3 (Design 3 ms / sync ms, median of the rounds): ${result.syncSpeedRelativeToDesign3} ` +
          `(of the medians ${result.syncSpeedRelativeToDesign3OfMedians}, of the best rounds ${result.syncSpeedRelativeToDesign3Best}; target ≥ ${result.target}: ${result.met ? 'met' : 'MISSED'}); ` +
          `the bulk call is ${result.syncBulkSpeedupOverLoop}× as fast as the one-at-a-time loop`,
      );
    }
  } finally {
    await cloud.close();
    await closeTransports();
  }
  if (cfg.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  writeResults(doc);
}

async function seedNodes(ctx: ModeContext): Promise<void> {
  const { getDriver: getCompute, Provider: ComputeProvider } = await import('@dualcloud/drivers/compute');
  const EC2 = getCompute(ComputeProvider.EC2);
  const aws = FAKE_CREDENTIALS.aws;
  const ec2 = new EC2({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: ctx.region, ...ctx.cloud.endpoint('ec2') });
  const [image] = ec2.listImages();
  const size = ec2.listSizes().find((s) => s.id === 't3.micro')!;
  for (let i = 0; i < 3; i++) ec2.createNode({ name: `bench-${i}`, image: image!, size });
}

/** Workload letters and the sections of results/latest.json they write. */
const SECTIONS: Readonly<Record<string, readonly string[]>> = { a: ['results', 'fanOutXml', 'ceiling'], b: ['transfer'], c: ['overhead'], d: ['eventLoopLag'], e: ['peer'], f: ['bulkDownload'] };

function writeResults(run: Record<string, unknown>): void {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  // A partial run (`--only f`) replaces its own sections of the committed results and keeps the others, with
  // the configuration of the run that produced them.
  const cfgRun = run.config as Config;
  const partial = Object.keys(SECTIONS).some((letter) => !cfgRun.only.includes(letter));
  let doc = run;
  if (partial && !cfgRun.redraw) {
    try {
      const previous = JSON.parse(readFileSync(`${dir}latest.json`, 'utf8')) as Record<string, unknown>;
      doc = { ...previous };
      for (const letter of cfgRun.only) for (const key of SECTIONS[letter] ?? []) if (run[key] !== undefined) doc[key] = run[key];
      if (cfgRun.only.includes('f')) doc.bulkDownload = { ...(run.bulkDownload as object), config: run.config };
    } catch {
      doc = run;
    }
  }
  writeFileSync(`${dir}latest.json`, `${JSON.stringify(doc, null, 2)}\n`);
  const cfg = doc.config as Config & { date: string; machine: Record<string, unknown> };
  const panels: Panel[] = [];
  // The sync style takes N × L (tens of seconds): it would flatten the other bars, so its figure goes in the title.
  const fanOutPanel = (title: string, results: FanOutResult[]): Panel => {
    const sync = results.find((r) => r.mode === 'sync');
    return {
      title: `${title}${sync ? ` (sync, one at a time: ${sync.wallMs} ms)` : ''}`,
      unit: 'ms',
      bars: results.filter((r) => r.mode !== 'sync').map((r) => ({ label: r.mode, value: r.wallMs, marker: r.idealMs })),
    };
  };
  if (doc.results) panels.push(fanOutPanel(`(a) ${cfg.ops} DigitalOcean listNodes, C=${cfg.concurrency}, L=${cfg.latency} ms`, doc.results as FanOutResult[]));
  if (doc.fanOutXml) panels.push(fanOutPanel(`(a') ${cfg.ops} EC2 listNodes (XML, xml2js)`, doc.fanOutXml as FanOutResult[]));
  if (doc.overhead) {
    panels.push({
      title: '(c) per-call time at zero latency',
      unit: 'µs',
      bars: (doc.overhead as Array<{ mode: string; usPerCall: number }>).map((r) => ({ label: r.mode, value: r.usPerCall })),
    });
  }
  if (doc.bulkDownload) {
    const bulk = doc.bulkDownload as BulkDownloadResult;
    panels.push({
      title: `(f) downloadObjects: ${bulk.objects} × ${Math.round(bulk.bytesEach / 1024)} KiB, C=${bulk.concurrency}, L=${bulk.latencyMs} ms (median)`,
      unit: 'ms',
      bars: bulk.modes.map((r) => ({ label: r.mode, value: r.medianMs })),
    });
  }
  if (doc.eventLoopLag) {
    panels.push({
      title: '(d) worst event-loop lag during waitUntilRunning',
      unit: 'ms',
      bars: (doc.eventLoopLag as Array<{ mode: string; maxLagMs: number }>).map((r) => ({ label: r.mode, value: r.maxLagMs })),
    });
  }
  const m = cfg.machine;
  const subtitle = `${cfg.date.slice(0, 10)} · Node ${String(m.node)} · ${String(m.cpus)} × ${String(m.cpuModel)} · ${String(m.memoryGiB)} GiB · one run`;
  writeFileSync(`${dir}latest.svg`, svgChart('dualcloud: sync style vs the three async designs', subtitle, panels));
  console.log(`\nwrote ${dir}latest.json and ${dir}latest.svg`);
}

await main();
