/**
 * Workload (c): per-call overhead at zero latency — K sequential DigitalOcean listNodes calls (each awaited, or blocking for the sync
 * style), against raw axios doing the same signed request and XML parse.
 * @module
 */
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1, runPool } from '../pool.js';

/** One mode's per-call cost. */
export interface OverheadResult {
  readonly mode: ModeName;
  readonly calls: number;
  readonly usPerCall: number;
  /** usPerCall / raw axios's. */
  readonly ratioToRawAxios: number;
}

/** Runs the overhead workload; modes are interleaved over several rounds and the median is kept (noise). */
export async function overhead(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { calls: number; rounds: number; deadlineMs: number },
): Promise<OverheadResult[]> {
  await cloud.configure({ latency: 0 });
  const runners = modes.map((name) => createMode(name, ctx));
  const samples = new Map<ModeName, number[]>(modes.map((m) => [m, []]));
  try {
    for (const r of runners) await runPool(300, 1, false, cfg.deadlineMs, () => r.listDroplets()); // warm-up (sequential)
    for (const r of runners) await runPool(300, 1, true, cfg.deadlineMs, () => r.listDroplets());
    for (let round = 0; round < cfg.rounds; round++) {
      for (const r of runners) {
        const run = await runPool(cfg.calls, 1, r.concurrent, cfg.deadlineMs, () => r.listDroplets());
        samples.get(r.name)!.push((run.wallMs * 1000) / Math.max(1, run.completed));
      }
    }
  } finally {
    for (const r of runners) await r.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const raw = samples.has('raw-axios') ? median(samples.get('raw-axios')!) : NaN;
  return modes.map((mode) => {
    const us = median(samples.get(mode)!);
    return { mode, calls: cfg.calls, usPerCall: round1(us), ratioToRawAxios: Number((us / raw).toFixed(2)) };
  });
}
