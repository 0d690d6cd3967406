/**
 * Workload (a): fan-out of N list calls at concurrency C and latency L: DigitalOcean's droplet list (JSON) or
 * EC2 DescribeInstances (XML, parsed with xml2js). idealMs = ceil(N / C) × L for the concurrent modes,
 * N × L for the sync style (one call at a time).
 * @module
 */
import type { FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName, type ModeRunner } from '../modes.js';
import { round1, runPool, type PoolResult } from '../pool.js';

/** Something outside the modes run in the same rounds: `run(total, concurrency)` performs the same calls. */
export interface FanOutExtra {
  readonly name: string;
  /** `ceiling`: the bare HTTP client (no SDK); `peer`: another SDK. */
  readonly kind: 'ceiling' | 'peer';
  run(total: number, concurrency: number): Promise<PoolResult>;
}

/** One mode's (or extra's) fan-out result (the modes' rows are the benchmarks contract's `results` entries). */
export interface FanOutResult {
  readonly mode: ModeName | string;
  readonly wallMs: number;
  readonly idealMs: number;
  /** idealMs / wallMs: 1 is perfect. */
  readonly efficiency: number;
  readonly ops: number;
  readonly concurrency: number;
  readonly opsPerSecond: number;
  readonly truncated: boolean;
  /** Only on extras' rows. */
  readonly kind?: 'ceiling' | 'peer';
}

/** Modes' rows and extras' rows of one fan-out. */
export interface FanOutResults {
  readonly modes: FanOutResult[];
  readonly extras: FanOutResult[];
}

/**
 * Runs the fan-out workload for each mode. The concurrent modes run interleaved rounds and keep their best
 * (so no mode gains from running after the others warmed the JIT); the sync style, which takes N × L, runs
 * once (or not at all with `syncRounds: 0`). Extras (the bare client, peers) run in the same rounds.
 */
export async function fanOut(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { ops: number; concurrency: number; latency: number; deadlineMs: number; call: 'listDroplets' | 'listNodes'; rounds?: number; syncRounds?: number; extras?: readonly FanOutExtra[] },
): Promise<FanOutResults> {
  await cloud.configure({ latency: cfg.latency });
  const runners = modes.map((name) => createMode(name, ctx));
  const extras = cfg.extras ?? [];
  const rounds = cfg.rounds ?? 3;
  const syncRounds = cfg.syncRounds ?? 1;
  const best = new Map<string, PoolResult>();
  const keep = (name: string, run: PoolResult): void => {
    const previous = best.get(name);
    if (!previous || run.completed > previous.completed || (run.completed === previous.completed && run.wallMs < previous.wallMs)) best.set(name, run);
  };
  try {
    const callOf = (mode: ModeRunner) => (): Promise<number> | number => mode[cfg.call]();
    for (const mode of runners) if (mode.concurrent || syncRounds > 0) await runPool(Math.min(100, cfg.ops), cfg.concurrency, mode.concurrent, cfg.deadlineMs, callOf(mode)); // warm-up
    for (const extra of extras) await extra.run(Math.min(100, cfg.ops), cfg.concurrency);
    for (let round = 0; round < rounds; round++) {
      for (const mode of runners) {
        if (!mode.concurrent && round >= syncRounds) continue;
        keep(mode.name, await runPool(cfg.ops, cfg.concurrency, mode.concurrent, cfg.deadlineMs, callOf(mode)));
      }
      for (const extra of extras) keep(extra.name, await extra.run(cfg.ops, cfg.concurrency));
    }
  } finally {
    for (const mode of runners) await mode.close();
  }
  const row = (name: string, lanes: number, kind?: 'ceiling' | 'peer'): FanOutResult => {
    const run = best.get(name)!;
    const idealMs = Math.ceil(run.completed / lanes) * cfg.latency;
    return {
      mode: name,
      wallMs: round1(run.wallMs),
      idealMs,
      efficiency: run.wallMs > 0 ? Number((idealMs / run.wallMs).toFixed(3)) : 0,
      ops: run.completed,
      concurrency: lanes,
      opsPerSecond: Math.round((run.completed * 1000) / run.wallMs),
      truncated: run.truncated,
      ...(kind ? { kind } : {}),
    };
  };
  return {
    modes: runners.filter((m) => best.has(m.name)).map((m) => row(m.name, m.concurrent ? cfg.concurrency : 1)),
    extras: extras.map((e) => row(e.name, cfg.concurrency, e.kind)),
  };
}
