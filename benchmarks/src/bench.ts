/**
 * `pnpm bench -- [--json] [--ops N] [--concurrency C] [--latency MS] [--objects M] [--size BYTES] [--only a,b,c,d,e,f] [--redraw]`
 *
 * Compares raw axios, the sync style and the three async designs over the same drivers, on the embedded fake
 * cloud (127.0.0.1 only). Workloads: (a) fan-out of N list calls, and requests/s at zero latency, (b) parallel
 * upload/download, (c) per-call cost at zero latency, on an idle machine and with one busy core, (d) event-loop
 * lag during a long call, (e) peer comparison with @aws-sdk/client-s3, (f) bulk download with `downloadObjects`
 * (the sync style's one blocking call against each design's). Beside the modes: the machine's ceiling
 * (bare `undici.request` making the same call) and Apache Libcloud (Python, when `python3-libcloud` is
 * installed; otherwise its rows are skipped with a note), in the same interleaved rounds.
 * With `--json` prints one JSON document; otherwise tables, and the results and an SVG chart under
 * benchmarks/results/ (a run of some workloads only, `--only f`, replaces their sections and keeps the others).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeTransports } from '@dualcloud/core';
import { getDriver, Provider } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, startFakeCloud } from '@dualcloud/fake-cloud';
import { MODES, type ModeContext } from './modes.js';
import { runPool, usPerCall } from './pool.js';
import { svgChart, table, type Bar, type Panel } from './report.js';
import { withBusyCore } from './support/busy-core.js';
import { ceiling, undiciDroplets } from './workloads/ceiling.js';
import { fanOut, type FanOutExtra, type FanOutResult, type FanOutResults } from './workloads/fan-out.js';
import { lag } from './workloads/lag.js';
import { startLibcloudPeer, type LibcloudPeer } from './workloads/libcloud.js';
import { overhead, spinState, syncArmForced, type OverheadResult, type SequentialPeer } from './workloads/overhead.js';
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
  /** Calls of the zero-latency requests/s measurement (a''). */
  throughputOps: number;
  only: string[];
  /** Only redraw results/latest.svg from results/latest.json. */
  redraw: boolean;
  /** Per-mode time bound of every load loop. */
  deadlineMs: number;
  region: string;
}

function parseArgs(argv: string[]): Config {
  const cfg: Config = { json: false, ops: 1000, concurrency: 50, latency: 20, objects: 200, size: 64 * 1024, overheadCalls: 500, throughputOps: 4000, only: ['a', 'b', 'c', 'd', 'e', 'f'], redraw: false, deadlineMs: 60_000, region: 'us-east-1' };
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
    else if (arg === '--throughput-ops') cfg.throughputOps = num(argv[++i], 100, 200_000, 'throughput-ops');
    else if (arg === '--only') cfg.only = (argv[++i] ?? '').split(',');
    else if (arg === '--redraw') cfg.redraw = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return cfg;
}

function machine(): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))) };
}

/** Droplets seeded on the fake cloud: the DigitalOcean list then returns a ~3.6 KB JSON body. */
const DROPLETS = 3;
/** Measured rounds of the per-call workload (c): each round's figure is a mean, so its tail moves it; the median of many steadies it. */
const OVERHEAD_ROUNDS = 15;

async function main(): Promise<void> {
  const cfg = parseArgs(process.argv.slice(2));
  if (cfg.redraw) {
    const saved = JSON.parse(readFileSync(fileURLToPath(new URL('../results/latest.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
    saved.targets = targets(saved);
    writeResults(saved);
    return;
  }
  const log = (msg: string): void => {
    if (!cfg.json) console.log(msg);
  };
  // In a child process, like a remote cloud: the server's CPU and GC stay out of the measured process.
  const cloud = await startFakeCloud({ nodeBootMs: 200, minPartSize: 5 * 1024 * 1024, doRateLimit: 1_000_000 }, { isolation: 'process' });
  const ctx: ModeContext = { cloud, region: cfg.region, bucket: 'bench', concurrency: cfg.concurrency };
  const doc: Record<string, unknown> = { config: { ...cfg, date: new Date().toISOString(), machine: machine() } };
  const closers: Array<() => Promise<void>> = [];
  try {
    // Seed: a bucket and a few nodes so listings have content.
    const aws = FAKE_CREDENTIALS.aws;
    const S3 = getDriver(Provider.S3);
    new S3({ key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', ...cloud.endpoint('s3') }).createContainer(ctx.bucket);
    await seedNodes(ctx);
    await seedDroplets(ctx);
    const token = FAKE_CREDENTIALS.digitalocean.token;
    const bare = undiciDroplets(cloud.endpoint('digitalocean'), token, cfg.concurrency);
    closers.push(() => bare.close());
    let libcloud: LibcloudPeer = { available: false, note: 'not needed' };
    if (cfg.only.includes('a') || cfg.only.includes('c')) {
      libcloud = await startLibcloudPeer(cloud, { deadlineMs: cfg.deadlineMs });
      if (libcloud.available) {
        const running = libcloud;
        closers.push(() => running.close());
        log(`peer: ${libcloud.label}`);
      } else log(libcloud.note);
      doc.libcloud = libcloud.available ? { label: libcloud.label } : { skipped: libcloud.note };
    }
    const undiciExtra: FanOutExtra = { name: 'undici.request', kind: 'ceiling', run: (total, concurrency) => runPool(total, concurrency, true, cfg.deadlineMs, () => bare.call()) };

    if (cfg.only.includes('a')) {
      const fanOutTable = (r: FanOutResults): string =>
        table(['mode', 'wall ms', 'ideal ms', 'ideal/wall', 'ops/s', 'lanes'], [...r.modes, ...r.extras].map((x) => [x.mode, x.wallMs, x.idealMs, x.efficiency, x.opsPerSecond, x.concurrency + (x.truncated ? ' (cut)' : '')]));
      const extras: FanOutExtra[] = [undiciExtra];
      if (libcloud.available) {
        const peer = libcloud;
        extras.push({ name: `libcloud, ${cfg.concurrency} threads`, kind: 'peer', run: (total, threads) => peer.pool(total, threads) });
      }
      log(`\n(a) fan-out: ${cfg.ops} DigitalOcean listNodes calls (JSON, ${DROPLETS} droplets), concurrency ${cfg.concurrency}, latency ${cfg.latency} ms`);
      const droplets = await fanOut(cloud, ctx, MODES, { ...cfg, call: 'listDroplets', extras });
      doc.results = droplets.modes;
      doc.fanOutPeers = droplets.extras;
      log(fanOutTable(droplets));
      log(`\n(a') fan-out: ${cfg.ops} EC2 listNodes calls (XML, 3 instances, parsed with xml2js), same settings`);
      doc.fanOutXml = (await fanOut(cloud, ctx, MODES, { ...cfg, call: 'listNodes' })).modes;
      log(fanOutTable({ modes: doc.fanOutXml as FanOutResult[], extras: [] }));
      const top = await ceiling(cfg);
      doc.ceiling = top;
      log(`ceiling on this machine: undici.request against a trivial ${cfg.latency} ms server in a child process: ${top.wallMs} ms, ideal/wall ${top.efficiency}`);
      log(`\n(a'') requests/s at zero latency: ${cfg.throughputOps} DigitalOcean listNodes calls at concurrency ${cfg.concurrency} (best of 5 interleaved rounds)`);
      const throughput = await fanOut(cloud, ctx, MODES.filter((m) => m !== 'sync'), { ...cfg, ops: cfg.throughputOps, latency: 0, call: 'listDroplets', rounds: 5, syncRounds: 0, extras: [undiciExtra] });
      doc.throughput = throughput;
      const ceilingRps = throughput.extras[0]!.opsPerSecond;
      log(table(['mode', 'wall ms', 'requests/s', '× undici.request'], [...throughput.modes, ...throughput.extras].map((x) => [x.mode, x.wallMs, x.opsPerSecond, (x.opsPerSecond / ceilingRps).toFixed(2)])));
    }
    if (cfg.only.includes('b')) {
      log(`\n(b) transfer: ${cfg.objects} objects of ${cfg.size} bytes up then down, concurrency ${cfg.concurrency}, latency ${cfg.latency} ms`);
      const results = await transfer(cloud, ctx, MODES, { ...cfg });
      doc.transfer = results;
      log(table(['mode', 'upload ms', 'download ms', 'up MB/s', 'down MB/s'], results.map((r) => [r.mode, r.uploadMs, r.downloadMs, r.uploadMBps, r.downloadMBps])));
    }
    if (cfg.only.includes('c')) {
      const peers: SequentialPeer[] = [
        {
          name: 'undici.request',
          kind: 'ceiling',
          round: async (calls) => usPerCall(await runPool(calls, 1, true, cfg.deadlineMs, () => bare.call())),
        },
      ];
      if (libcloud.available) {
        const peer = libcloud;
        peers.push({ name: 'libcloud', kind: 'peer', round: async (calls) => (await peer.sequential(calls)).usPerCall });
      }
      for (const arm of ['spin', 'park'] as const) {
        const forced = syncArmForced(arm, ctx, cfg.deadlineMs);
        closers.push(() => forced.close());
        peers.push(forced);
      }
      const overheadTable = (results: OverheadResult[]): string => {
        const d3 = results.find((r) => r.mode === 'design3')!.usPerCall;
        const undici = results.find((r) => r.mode === 'undici.request')!.usPerCall;
        return table(['mode', 'µs/call', '× raw axios', '× undici.request', '× design3'], results.map((r) => [r.mode, r.usPerCall, r.ratioToRawAxios, (r.usPerCall / undici).toFixed(2), (r.usPerCall / d3).toFixed(2)]));
      };
      const settings = { calls: cfg.overheadCalls, rounds: OVERHEAD_ROUNDS, deadlineMs: cfg.deadlineMs, peers };
      log(`\n(c) per-call cost: ${cfg.overheadCalls} sequential DigitalOcean listNodes calls at zero latency (median of ${OVERHEAD_ROUNDS} interleaved rounds after an unmeasured one)`);
      doc.overhead = await overhead(cloud, ctx, MODES, settings);
      doc.spinAfterOverhead = spinState();
      log(overheadTable(doc.overhead as OverheadResult[]));
      log(`sync bridge spin policy: ${JSON.stringify(doc.spinAfterOverhead)}`);
      log(`\n(c') the same while a second process keeps one core busy`);
      doc.overheadBusyCore = await withBusyCore(() => overhead(cloud, ctx, MODES, settings));
      doc.spinAfterOverheadBusyCore = spinState();
      log(overheadTable(doc.overheadBusyCore as OverheadResult[]));
      log(`sync bridge spin policy: ${JSON.stringify(doc.spinAfterOverheadBusyCore)}`);
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
    doc.targets = targets(doc);
    if (!cfg.json) {
      log('\ntargets (ratios within this run):');
      log(table(['target', 'measured', 'limit', 'met'], (doc.targets as Target[]).map((t) => [t.name, t.value ?? 'n/a', `${t.op} ${t.limit}`, t.met === undefined ? 'n/a' : t.met ? 'yes' : 'no'])));
    }
    (doc.config as Record<string, unknown>).loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
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

async function seedDroplets(ctx: ModeContext): Promise<void> {
  const { getDriver: getCompute, Provider: ComputeProvider } = await import('@dualcloud/drivers/compute');
  const DO = getCompute(ComputeProvider.DIGITAL_OCEAN);
  const d = new DO({ key: FAKE_CREDENTIALS.digitalocean.token, ...ctx.cloud.endpoint('digitalocean') });
  const [size] = d.listSizes();
  const [image] = d.listImages();
  for (let i = 0; i < DROPLETS; i++) d.createNode({ name: `bench-${i}`, size: size!, image: image! });
}

/** A target of the per-call cost issue, checked against this run's ratios. */
interface Target {
  readonly name: string;
  readonly value: number | null;
  readonly op: '≤' | '≥';
  readonly limit: number;
  readonly met?: boolean;
}

/** The issue's targets, as ratios of this run's figures (missing rows give `null`). */
function targets(doc: Record<string, unknown>): Target[] {
  const at = (rows: unknown, mode: string, field: 'usPerCall' | 'opsPerSecond'): number | undefined =>
    (rows as Array<Record<string, unknown>> | undefined)?.find((r) => r.mode === mode)?.[field] as number | undefined;
  const ratio = (a: number | undefined, b: number | undefined): number | null => (a !== undefined && b !== undefined && b > 0 ? a / b : null);
  // Judged on the unrounded ratio; shown with three decimals.
  const target = (name: string, value: number | null, op: '≤' | '≥', limit: number): Target => ({
    name,
    value: value === null ? null : Number(value.toFixed(3)),
    op,
    limit,
    ...(value === null ? {} : { met: op === '≤' ? value <= limit : value >= limit }),
  });
  const list: Target[] = [];
  for (const [label, rows] of [['idle', doc.overhead], ['one busy core', doc.overheadBusyCore]] as const) {
    if (!rows) continue;
    if (label === 'idle') list.push(target('design3 per call / undici.request per call', ratio(at(rows, 'design3', 'usPerCall'), at(rows, 'undici.request', 'usPerCall')), '≤', 1.6));
    list.push(target(`sync per call / design3 per call (${label})`, ratio(at(rows, 'sync', 'usPerCall'), at(rows, 'design3', 'usPerCall')), '≤', 1.5));
    list.push(target(`sync per call / libcloud per call (${label})`, ratio(at(rows, 'sync', 'usPerCall'), at(rows, 'libcloud', 'usPerCall')), '≤', 0.35));
  }
  const throughput = doc.throughput as FanOutResults | undefined;
  if (throughput) {
    const undici = at(throughput.extras, 'undici.request', 'opsPerSecond');
    list.push(target('design3 requests/s / undici.request requests/s (C=50, zero latency)', ratio(at(throughput.modes, 'design3', 'opsPerSecond'), undici), '≥', 0.6));
  }
  const pool = (doc.fanOutPeers as FanOutResult[] | undefined)?.find((r) => r.kind === 'peer');
  if (doc.results) {
    for (const mode of ['design1', 'design2', 'design3']) {
      list.push(target(`${mode} calls/s / libcloud thread pool calls/s (fan-out)`, ratio(at(doc.results, mode, 'opsPerSecond'), pool?.opsPerSecond), '≥', 3.5));
    }
  }
  return list;
}

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
  const kindOf = (r: { kind?: string }): Bar['kind'] => (r.kind === 'ceiling' || r.kind === 'peer' || r.kind === 'variant' ? r.kind : undefined);
  // The sync style takes N × L (tens of seconds): it would flatten the other bars, so its figure goes in the title.
  const fanOutPanel = (title: string, results: FanOutResult[], extras: FanOutResult[] = []): Panel => {
    const sync = results.find((r) => r.mode === 'sync');
    return {
      title: `${title}${sync ? ` (sync, one at a time: ${sync.wallMs} ms)` : ''}`,
      unit: 'ms',
      bars: [...results.filter((r) => r.mode !== 'sync'), ...extras].map((r) => ({ label: r.mode, value: r.wallMs, marker: r.idealMs, kind: kindOf(r) })),
    };
  };
  if (doc.results) panels.push(fanOutPanel(`(a) ${cfg.ops} DigitalOcean listNodes, C=${cfg.concurrency}, L=${cfg.latency} ms`, doc.results as FanOutResult[], (doc.fanOutPeers as FanOutResult[] | undefined) ?? []));
  if (doc.fanOutXml) panels.push(fanOutPanel(`(a') ${cfg.ops} EC2 listNodes (XML, xml2js)`, doc.fanOutXml as FanOutResult[]));
  const throughput = doc.throughput as FanOutResults | undefined;
  if (throughput) {
    panels.push({
      title: `(a'') requests/s at zero latency, ${cfg.throughputOps} calls, C=${cfg.concurrency} (longer is better)`,
      unit: 'req/s',
      bars: [...throughput.modes, ...throughput.extras].map((r) => ({ label: r.mode, value: r.opsPerSecond, kind: kindOf(r) })),
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
  const transfer = doc.transfer as Array<{ mode: string; uploadMs: number; downloadMs: number }> | undefined;
  if (transfer) {
    const sync = transfer.find((r) => r.mode === 'sync');
    panels.push({
      title: `(b) transfer: ${cfg.objects} × ${Math.round(cfg.size / 1024)} KiB up, then down, C=${cfg.concurrency}${sync ? ` (sync: ${sync.uploadMs} + ${sync.downloadMs} ms)` : ''}`,
      unit: 'ms',
      bars: transfer.filter((r) => r.mode !== 'sync').flatMap((r) => [{ label: `${r.mode} up`, value: r.uploadMs }, { label: `${r.mode} down`, value: r.downloadMs }]),
    });
  }
  for (const [key, title] of [['overhead', '(c) per-call time at zero latency'], ['overheadBusyCore', "(c') per-call time, one core busy with another process"]] as const) {
    const rows = doc[key] as OverheadResult[] | undefined;
    if (rows) panels.push({ title, unit: 'µs', bars: rows.map((r) => ({ label: r.mode, value: r.usPerCall, kind: kindOf(r) })) });
  }
  if (doc.eventLoopLag) {
    panels.push({
      title: '(d) worst event-loop lag during waitUntilRunning',
      unit: 'ms',
      bars: (doc.eventLoopLag as Array<{ mode: string; maxLagMs: number }>).map((r) => ({ label: r.mode, value: r.maxLagMs })),
    });
  }
  const peer = doc.peer as { dualcloudMs: number; awsSdkMs: number; objects: number } | undefined;
  if (peer) {
    panels.push({
      title: `(e) list + GET ${peer.objects} objects, C=${cfg.concurrency}, L=${cfg.latency} ms`,
      unit: 'ms',
      bars: [
        { label: 'design3', value: peer.dualcloudMs },
        { label: '@aws-sdk/client-s3', value: peer.awsSdkMs, kind: 'peer' },
      ],
    });
  }
  const m = cfg.machine;
  const subtitle = `${cfg.date.slice(0, 10)} · Node ${String(m.node)} · ${String(m.cpus)} × ${String(m.cpuModel)} · ${String(m.memoryGiB)} GiB · one run`;
  writeFileSync(`${dir}latest.svg`, svgChart('dualcloud: sync style vs the three async designs', subtitle, panels));
  console.log(`\nwrote ${dir}latest.json and ${dir}latest.svg`);
}

await main();
