/**
 * Workload (d): event-loop lag during a long call (create a node, then waitUntilRunning while it boots).
 * A 10 ms interval timer runs meanwhile; the lag is the longest gap between its ticks beyond 10 ms, which
 * also captures a loop blocked for the whole call (a sampling histogram would not see that).
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1 } from '../pool.js';

/** One mode's event-loop lag. */
export interface LagResult {
  readonly mode: ModeName;
  readonly callMs: number;
  /** Longest gap between 10 ms ticks, minus 10 ms, from the call's start to the first tick after it. */
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
      const start = performance.now();
      let last = start;
      let maxGap = 0;
      let ticks = 0;
      const interval = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 10);
      await mode.createAndWaitNode(`lag-${name}`);
      const callMs = performance.now() - start;
      const ticksDuringCall = ticks;
      await new Promise((r) => setTimeout(r, 15)); // the first tick after the call closes a blocked gap
      clearInterval(interval);
      results.push({ mode: name, callMs: round1(callMs), maxLagMs: round1(Math.max(0, maxGap - 10)), ticks: ticksDuringCall, expectedTicks: Math.floor(callMs / 10) });
    } finally {
      await mode.close();
    }
  }
  return results;
}
