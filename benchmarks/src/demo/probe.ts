/**
 * The event-loop probe: a timer set to tick every 10 ms, and the worst gap between its ticks. A blocked thread
 * shows up as one long gap (no tick can run while a sync call waits); a free loop keeps gaps near 10 ms.
 * @module
 */
import { performance } from 'node:perf_hooks';

/** What the probe saw between start and stop. */
export interface ProbeReading {
  /** Longest time without a tick, including start → first tick and last tick → stop (ms). */
  readonly maxGapMs: number;
  /** Ticks that ran. */
  readonly ticks: number;
}

/** A running probe. */
export interface TickProbe {
  /** Ticks that ran strictly between two instants of `performance.now()`. */
  ticksBetween(from: number, to: number): number;
  /** Stops the timer and reads the probe. */
  stop(): ProbeReading;
}

/** Tick period of the probe (ms). */
export const TICK_MS = 10;

/** Starts the probe. Keep it short-lived: it stores one timestamp per tick. */
export function startTickProbe(): TickProbe {
  const start = performance.now();
  const ticks: number[] = [];
  let last = start;
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks.push(now);
  }, TICK_MS);
  return {
    ticksBetween: (from, to) => ticks.filter((t) => t > from && t < to).length,
    stop() {
      clearInterval(timer);
      return { maxGapMs: Math.max(maxGap, performance.now() - last), ticks: ticks.length };
    },
  };
}
