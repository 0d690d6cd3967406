/**
 * Workload (a): fan-out of N list calls at concurrency C and latency L: DigitalOcean's droplet list (JSON) or
 * EC2 DescribeInstances (XML, parsed with xml2js). idealMs = ceil(N / C) × L for the concurrent modes,
 * N × L for the sync style (one call at a time).
 * @module
 */
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName, type ModeRunner } from '../modes.js';
import { round1, runPool, type PoolResult } from '../pool.js';

/** One mode's fan-out result (the benchmarks contract's `results` entries). */
export interface FanOutResult {
  readonly mode: ModeName;
  readonly wallMs: number;
  readonly idealMs: number;
  /** idealMs / wallMs: 1 is perfect. */
  readonly efficiency: number;
  readonly ops: number;
  readonly concurrency: number;
  readonly opsPerSecond: number;
  readonly truncated: boolean;
}

/**
 * Runs the fan-out workload for each mode. The concurrent modes run three interleaved rounds and keep their
 * best (so no mode gains from running after the others warmed the JIT); the sync style, which takes N × L,
 * runs once.
 */
export async function fanOut(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { ops: number; concurrency: number; latency: number; deadlineMs: number; call: 'listDroplets' | 'listNodes' },
): Promise<FanOutResult[]> {
  await cloud.configure({ latency: cfg.latency });
  const runners = modes.map((name) => createMode(name, ctx));
  const best = new Map<ModeName, PoolResult>();
  try {
    const callOf = (mode: ModeRunner) => (): Promise<number> | number => mode[cfg.call]();
    for (const mode of runners) await runPool(Math.min(100, cfg.ops), cfg.concurrency, mode.concurrent, cfg.deadlineMs, callOf(mode)); // warm-up
    for (let round = 0; round < 3; round++) {
      for (const mode of runners) {
        if (!mode.concurrent && round > 0) continue;
        const run = await runPool(cfg.ops, cfg.concurrency, mode.concurrent, cfg.deadlineMs, callOf(mode));
        const previous = best.get(mode.name);
        if (!previous || run.completed > previous.completed || (run.completed === previous.completed && run.wallMs < previous.wallMs)) best.set(mode.name, run);
      }
    }
  } finally {
    for (const mode of runners) await mode.close();
  }
  return runners.map((mode) => {
    const run = best.get(mode.name)!;
    const lanes = mode.concurrent ? cfg.concurrency : 1;
    const idealMs = Math.ceil(run.completed / lanes) * cfg.latency;
    return {
      mode: mode.name,
      wallMs: round1(run.wallMs),
      idealMs,
      efficiency: run.wallMs > 0 ? Number((idealMs / run.wallMs).toFixed(3)) : 0,
      ops: run.completed,
      concurrency: lanes,
      opsPerSecond: Math.round((run.completed * 1000) / run.wallMs),
      truncated: run.truncated,
    };
  });
}
