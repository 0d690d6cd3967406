/**
 * One demo run: start and seed the fake cloud, run every use case in every style with the event-loop probe
 * on, check each result against the seed, and return the figures.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeTransports } from '@dualcloud/core';
import { startFakeCloud, type FakeCloud } from '@dualcloud/fake-cloud';
import { TARGETS, demoEndpoints, seedCloud, type Seed, type Target } from './cloud.js';
import { DEMO_MODES, type DemoConfig, type DemoMode } from './config.js';
import { describeBulkProgress, silentProgress, type Progress } from './progress.js';
import { round } from './numbers.js';
import { startTickProbe } from './probe.js';
import { createStyle, type DemoStyle } from './styles/index.js';
import { takeaway } from './takeaway.js';
import { downloadAll, fetchNodes, longCallWithSideWork, type DownloadDetail, type FetchNodesDetail, type LongCallDetail, type UseCaseContext } from './use-cases.js';

/** One style's run of one use case. */
export interface ModeRun<D> {
  readonly mode: DemoMode;
  /** Wall time of the use case (ms). */
  readonly wallMs: number;
  /** The sync style's wall time divided by this one (1 for the sync style). */
  readonly speedupOverSync: number;
  /** Event-loop lag: the worst gap between ticks of a 10 ms timer during the use case (ms). */
  readonly maxTickGapMs: number;
  /** Ticks of that timer during the use case. */
  readonly ticks: number;
  readonly detail: D;
}

/** One use case in every style that runs it, in {@link DEMO_MODES} order (`sync-bulk` only where a bulk call exists). */
export interface UseCaseResult<D> {
  readonly title: string;
  readonly runs: readonly ModeRun<D>[];
}

/** Everything a demo run measured. */
export interface DemoResult {
  readonly config: DemoConfig;
  readonly seed: { readonly nodes: Readonly<Record<Target, number>>; readonly bucket: string; readonly objects: number; readonly bytes: number };
  readonly useCases: {
    readonly fetchNodes: UseCaseResult<FetchNodesDetail>;
    readonly download: UseCaseResult<DownloadDetail>;
    readonly longCall: UseCaseResult<LongCallDetail>;
  };
  /** The plain-English conclusion, computed from the figures. */
  readonly takeaway: string;
  readonly totalMs: number;
}

/** The figures a takeaway is computed from (a result without its conclusion). */
export type DemoFigures = Pick<DemoResult, 'config' | 'seed' | 'useCases'>;

/** Hooks of {@link runDemo}. */
export interface RunHooks {
  /** Progress on long steps (default: none). */
  readonly progress?: Progress;
  /** Informational lines (where the fake cloud listens, what was seeded). Default: dropped. */
  readonly log?: (line: string) => void;
  /** Called once the cloud is seeded and its latency set, before the styles warm up (tests inject faults here). */
  readonly onSeeded?: (cloud: FakeCloud) => Promise<void> | void;
}

/** A use case produced a wrong result (the demo fails rather than report figures for wrong work). */
export class DemoCheckError extends Error {
  override readonly name = 'DemoCheckError';
}

/** A step failed; the message says which style and use case. */
export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
}

type UseCase<D> = {
  readonly key: keyof DemoResult['useCases'];
  readonly title: string;
  /** The styles that run it (`sync-bulk` only where the sync style has a bulk call for the work). */
  readonly modes: readonly DemoMode[];
  readonly label: (mode: DemoMode) => string;
  readonly run: (style: DemoStyle, ctx: UseCaseContext) => Promise<D>;
  /** What is wrong with a result, if anything. */
  readonly check: (detail: D) => string | undefined;
};

function useCases(config: DemoConfig, seed: Seed): [UseCase<FetchNodesDetail>, UseCase<DownloadDetail>, UseCase<LongCallDetail>] {
  const boot = `${(config.nodeBootMs / 1000).toFixed(1)} s`;
  return [
    {
      key: 'fetchNodes',
      title: '1. nodes: 2 EC2 regions + DO',
      modes: DEMO_MODES.filter((m) => m !== 'sync-bulk'),
      label: (mode) => `${mode}: listing the nodes of ${TARGETS.join(', ')}`,
      run: (style) => fetchNodes(style),
      check: (d) => {
        const wrong = TARGETS.filter((t) => d.nodes[t] !== seed.nodes[t]);
        return wrong.length ? `listed ${wrong.map((t) => `${d.nodes[t]} nodes in ${t}`).join(', ')} (seeded ${config.nodesPerTarget} each)` : undefined;
      },
    },
    {
      key: 'download',
      title: `2. list + download ${seed.objects} objects`,
      modes: DEMO_MODES,
      label: (mode) =>
        `${mode}: downloading ${seed.objects} objects${mode === 'sync' ? ' one by one' : mode === 'sync-bulk' ? ` in one downloadObjects call, ${config.downloadConcurrency} at a time` : `, ${config.downloadConcurrency} at a time`}`,
      run: (style, ctx) => downloadAll(style, ctx),
      check: (d) =>
        d.objects !== seed.objects || d.verified !== seed.objects || d.bytes !== seed.bytes
          ? `downloaded ${d.objects} objects, ${d.bytes} bytes, ${d.verified} matching (seeded ${seed.objects} objects, ${seed.bytes} bytes)`
          : undefined,
    },
    {
      key: 'longCall',
      title: `3. long call + ${config.sideRounds * 2} side calls`,
      modes: DEMO_MODES.filter((m) => m !== 'sync-bulk'),
      label: (mode) => `${mode}: createNode + waitUntilRunning (boot ${boot}), side calls ${mode === 'sync' ? 'before/after' : 'meanwhile'}`,
      run: (style, ctx) => longCallWithSideWork(style, ctx),
      check: (d) =>
        d.state !== 'running' || d.sideCalls !== config.sideRounds * 2
          ? `the node ended ${d.state} after ${d.sideCalls} side calls (expected running after ${config.sideRounds * 2})`
          : undefined,
    },
  ];
}

/** Runs the demo; resolves to the figures, rejects with a clear error (the fake cloud is closed either way). */
export async function runDemo(config: DemoConfig, hooks: RunHooks = {}): Promise<DemoResult> {
  const progress = hooks.progress ?? silentProgress;
  const log = hooks.log ?? (() => undefined);
  const started = performance.now();
  let cloud: FakeCloud | undefined;
  const styles: DemoStyle[] = [];
  try {
    // Seeding runs at zero latency; the latency is switched on for the use cases.
    cloud = await stage(progress, 'starting the fake cloud', () => startFakeCloud({ latency: 0, nodeBootMs: config.nodeBootMs }));
    const fake = cloud;
    const seed = await stage(progress, 'seeding nodes and objects', () => seedCloud(fake, config));
    await cloud.configure({ latency: config.latency });
    log(`fake cloud on ${cloud.url}: ${config.latency} ms per request, nodes boot in ${(config.nodeBootMs / 1000).toFixed(1)} s`);
    log(`seeded ${config.nodesPerTarget} nodes in each of ${TARGETS.join(', ')}`);
    log(`   and ${seed.objects} objects (${(seed.bytes / 1024).toFixed(0)} KiB) in gs://${seed.bucket}`);
    await hooks.onSeeded?.(cloud);

    const endpoints = demoEndpoints(cloud);
    for (const mode of DEMO_MODES) styles.push(createStyle(mode, endpoints, config.downloadConcurrency));
    // Opens connections, compiles the code paths, looks up the node image and size: not measured.
    for (const style of styles) await stage(progress, `${style.mode}, warming up`, () => style.prepare());

    const cases = useCases(config, seed);
    const results: Partial<Record<keyof DemoResult['useCases'], UseCaseResult<unknown>>> = {};
    let stepNo = 0;
    const steps = cases.reduce((n, c) => n + c.modes.length, 0);
    for (const useCase of cases as UseCase<unknown>[]) {
      const runs: ModeRun<unknown>[] = [];
      for (const style of styles.filter((s) => useCase.modes.includes(s.mode))) {
        const label = `[${++stepNo}/${steps}] ${useCase.label(style.mode)}`;
        await sleep(20); // let timers left over from the previous step run before the probe starts
        const run = await progress.step(label, () => measure(style, useCase, config, seed, progress));
        const problem = useCase.check(run.detail);
        if (problem) throw new DemoCheckError(`${style.mode}, use case "${useCase.title}": ${problem}`);
        runs.push(run);
      }
      const syncMs = runs.find((r) => r.mode === 'sync')?.wallMs;
      results[useCase.key] = {
        title: useCase.title,
        runs: runs.map((r) => ({ ...r, speedupOverSync: syncMs && r.wallMs > 0 ? round(syncMs / r.wallMs, 2) : 1 })),
      };
    }
    const partial: DemoFigures = {
      config,
      seed: { nodes: seed.nodes, bucket: seed.bucket, objects: seed.objects, bytes: seed.bytes },
      useCases: results as DemoResult['useCases'],
    };
    return { ...partial, takeaway: takeaway(partial), totalMs: round(performance.now() - started, 0) };
  } finally {
    await Promise.allSettled(styles.map((s) => s.close()));
    await cloud?.close();
    await closeTransports();
  }
}

async function measure<D>(style: DemoStyle, useCase: UseCase<D>, config: DemoConfig, seed: Seed, progress: Progress): Promise<ModeRun<D>> {
  const probe = startTickProbe();
  const ctx: UseCaseContext = {
    seed,
    probe,
    downloadConcurrency: config.downloadConcurrency,
    sideRounds: config.sideRounds,
    nodeName: `demo-long-call-${style.mode}`,
    // Called on this thread between the bulk call's steps, even while it blocks: the spinner's worker draws it.
    onBulkProgress: (p) => progress.detail(describeBulkProgress(p)),
  };
  const start = performance.now();
  let detail: D;
  try {
    detail = await useCase.run(style, ctx);
  } catch (error) {
    probe.stop();
    throw new DemoStepError(`${style.mode}, use case "${useCase.title}" failed: ${describe(error)}`, { cause: error });
  }
  const wallMs = performance.now() - start;
  const reading = probe.stop();
  return { mode: style.mode, wallMs: round(wallMs, 1), speedupOverSync: 1, maxTickGapMs: round(reading.maxGapMs, 1), ticks: reading.ticks, detail };
}

/** Runs a setup step under `label`; a failure says which step failed. */
async function stage<T>(progress: Progress, label: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await progress.step(label, fn);
  } catch (error) {
    throw new DemoStepError(`${label} failed: ${describe(error)}`, { cause: error });
  }
}

/** `Name: message` of an error (driver errors never carry secrets in either). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
