/**
 * Workload (c): per-call cost at zero latency — K sequential DigitalOcean listNodes calls (each awaited, or
 * blocking for the sync style; three droplets, a ~3.6 KB JSON body), in every mode, beside the machine's
 * ceiling for the same call (bare `undici.request`) and peers (Apache Libcloud), all in interleaved rounds.
 * @module
 */
import { syncBridge } from '@dualcloud/core';
import { seededRandom, type FakeCloud } from '@dualcloud/fake-cloud';
import { createMode, type ModeContext, type ModeName } from '../modes.js';
import { round1, runPool, usPerCall } from '../pool.js';

/** Something outside the modes measured in the same rounds: `round(calls)` makes `calls` sequential calls and gives µs per call. */
export interface SequentialPeer {
  readonly name: string;
  /** `ceiling`: the bare HTTP client (no SDK); `peer`: another SDK; `variant`: a mode with a setting forced. */
  readonly kind: 'ceiling' | 'peer' | 'variant';
  round(calls: number): Promise<number>;
}

/** One row's per-call cost. */
export interface OverheadResult {
  readonly mode: ModeName | string;
  readonly kind: 'mode' | 'ceiling' | 'peer' | 'variant';
  readonly calls: number;
  readonly usPerCall: number;
  /** usPerCall / raw axios's. */
  readonly ratioToRawAxios: number;
  /** The round figures the median was taken from (µs per call). */
  readonly rounds: number[];
}

/** Runs the overhead workload; modes and peers are interleaved over several rounds and the median is kept (noise). */
export async function overhead(
  cloud: FakeCloud,
  ctx: ModeContext,
  modes: readonly ModeName[],
  cfg: { calls: number; rounds: number; deadlineMs: number; peers?: readonly SequentialPeer[] },
): Promise<OverheadResult[]> {
  await cloud.configure({ latency: 0 });
  const peers = cfg.peers ?? [];
  const runners = modes.map((name) => createMode(name, ctx));
  const samples = new Map<string, number[]>([...modes, ...peers.map((p) => p.name)].map((m) => [m, []]));
  try {
    for (const r of runners) await runPool(300, 1, false, cfg.deadlineMs, () => r.listDroplets()); // warm-up (sequential)
    for (const r of runners) await runPool(300, 1, true, cfg.deadlineMs, () => r.listDroplets());
    const rows: Array<Pick<SequentialPeer, 'name' | 'round'>> = [
      ...runners.map((r) => ({ name: r.name, round: async (calls: number) => usPerCall(await runPool(calls, 1, r.concurrent, cfg.deadlineMs, () => r.listDroplets())) })),
      ...peers,
    ];
    // Every row runs once per round, in an order shuffled each round (seeded): a row's place — after which other
    // row, whose garbage it may collect — changed its figure by up to 15 % here. (A full collection before each
    // row was tried instead: it halved the async rows' speed, their young generation shrunk back each time.)
    // Round 0 is left out of the figures: on these shared VMs the first round after a pause ran 1.5–3× slower in
    // every row (Libcloud's included), whatever the warm-up before it.
    const random = seededRandom(16);
    for (let round = 0; round <= cfg.rounds; round++) {
      for (const row of shuffled(rows, random)) {
        // A turn of the event loop first: a keep-alive socket the server closed while a sync row blocked this
        // thread is then seen closed, not reused (raw axios's default adapter would fail on it).
        await new Promise((resolve) => setTimeout(resolve, 5));
        const us = await row.round(cfg.calls);
        if (round > 0) samples.get(row.name)!.push(us);
      }
    }
  } finally {
    for (const r of runners) await r.close();
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const raw = samples.has('raw-axios') ? median(samples.get('raw-axios')!) : NaN;
  const row = (mode: string, kind: OverheadResult['kind']): OverheadResult => {
    const xs = samples.get(mode)!;
    const us = median(xs);
    return { mode, kind, calls: cfg.calls, usPerCall: round1(us), ratioToRawAxios: Number((us / raw).toFixed(2)), rounds: xs.map(round1) };
  };
  return [...modes.map((m) => row(m, 'mode')), ...peers.map((p) => row(p.name, p.kind))];
}

/** A shuffled copy (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The sync style with one of the bridge's arms forced — `spin` (the caller spins up to 1 ms for each reply, the
 * worker briefly for the next request) or `park` (both threads block) — measured in the same rounds as the
 * measured policy's choice.
 */
export function syncArmForced(arm: 'spin' | 'park', ctx: ModeContext, deadlineMs: number): SequentialPeer & { close(): Promise<void> } {
  const sync = createMode('sync', ctx);
  return {
    name: `sync, ${arm} forced`,
    kind: 'variant',
    async round(calls) {
      const before = syncBridge.spin.mode;
      syncBridge.spin.mode = arm;
      try {
        return usPerCall(await runPool(calls, 1, false, deadlineMs, () => sync.listDroplets()));
      } finally {
        syncBridge.spin.mode = before;
      }
    },
    close: () => sync.close(),
  };
}

/** The sync bridge's spin policy as measured so far (reported beside the sync style's figures). */
export function spinState(): ReturnType<typeof syncBridge.spin.snapshot> & { mode: string } {
  const s = syncBridge.spin.snapshot();
  return { mode: syncBridge.spin.mode, ...s, spinMs: Number(s.spinMs.toFixed(3)), parkMs: Number(s.parkMs.toFixed(3)) };
}
