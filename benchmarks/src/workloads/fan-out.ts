/**
 * Workload (a): fan-out of N list calls (EC2 DescribeInstances → Node[]) at concurrency C and latency L.
 * idealMs = ceil(N / C) × L for the concurrent modes, N × L for the sync style (one call at a time).
 * @module
 */
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1, runPool } from '../pool.js';

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

/** Runs the fan-out workload for each mode. */
export async function fanOut(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { ops: number; concurrency: number; latency: number; deadlineMs: number },
): Promise<FanOutResult[]> {
  await cloud.configure({ latency: cfg.latency });
  const results: FanOutResult[] = [];
  for (const name of modes) {
    const mode = createMode(name, ctx);
    try {
      await runPool(Math.min(20, cfg.ops), cfg.concurrency, mode.concurrent, cfg.deadlineMs, () => mode.listNodes()); // warm-up
      const run = await runPool(cfg.ops, cfg.concurrency, mode.concurrent, cfg.deadlineMs, () => mode.listNodes());
      const lanes = mode.concurrent ? cfg.concurrency : 1;
      const idealMs = Math.ceil(run.completed / lanes) * cfg.latency;
      results.push({
        mode: name,
        wallMs: round1(run.wallMs),
        idealMs,
        efficiency: run.wallMs > 0 ? Number((idealMs / run.wallMs).toFixed(3)) : 0,
        ops: run.completed,
        concurrency: lanes,
        opsPerSecond: Math.round((run.completed * 1000) / run.wallMs),
        truncated: run.truncated,
      });
    } finally {
      await mode.close();
    }
  }
  return results;
}
