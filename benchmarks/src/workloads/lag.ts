/**
 * Workload (d): event-loop lag during a long call (create a node, then waitUntilRunning while it boots).
 * A 10 ms interval timer counts ticks and `monitorEventLoopDelay` records the worst delay.
 * @module
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1 } from '../pool.js';

/** One mode's event-loop lag. */
export interface LagResult {
  readonly mode: ModeName;
  readonly callMs: number;
  /** Worst event-loop delay seen during the call. */
  readonly maxLagMs: number;
  /** 10 ms ticks that ran during the call, and how many were expected. */
  readonly ticks: number;
  readonly expectedTicks: number;
}

/** Runs the lag workload for each mode that has a long call (not raw axios). */
export async function lag(cloud: FakeCloud, ctx: ModeContext, modes: readonly ModeName[], cfg: { bootMs: number; latency: number }): Promise<LagResult[]> {
  await cloud.configure({ latency: cfg.latency, nodeBootMs: cfg.bootMs });
  const results: LagResult[] = [];
  for (const name of modes.filter((m) => m !== 'raw-axios')) {
    const mode = createMode(name, ctx);
    try {
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      let ticks = 0;
      const interval = setInterval(() => ticks++, 10);
      histogram.enable();
      const start = performance.now();
      await mode.createAndWaitNode(`lag-${name}`);
      const callMs = performance.now() - start;
      await new Promise((r) => setImmediate(r)); // let a blocked loop report its delay
      histogram.disable();
      clearInterval(interval);
      results.push({ mode: name, callMs: round1(callMs), maxLagMs: round1(histogram.max / 1e6), ticks, expectedTicks: Math.floor(callMs / 10) });
    } finally {
      await mode.close();
    }
  }
  return results;
}
