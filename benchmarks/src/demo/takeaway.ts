/**
 * The plain-English takeaway, computed from the figures of one run: every number in it is measured, and each
 * claim is worded from what the numbers show (a speed-up below 1.15× is "about as fast", not "faster").
 * @module
 */
import { TARGETS } from './cloud.js';
import { range, seconds } from './numbers.js';
import type { DemoFigures, ModeRun, UseCaseResult } from './run.js';

const designs = <D>(runs: readonly ModeRun<D>[]): ModeRun<D>[] => runs.filter((r) => r.mode !== 'sync');
const syncRun = <D>(runs: readonly ModeRun<D>[]): ModeRun<D> => {
  const run = runs.find((r) => r.mode === 'sync');
  if (!run) throw new Error('no sync-style run to compare with');
  return run;
};

/** How the designs compare with the sync style, from their speed-ups. */
export function comparedWithSync(speedups: readonly number[]): string {
  const lo = Math.min(...speedups);
  const hi = Math.max(...speedups);
  if (lo >= 1.15) return `${range(speedups, 1)}× faster than the sync style`;
  if (hi < 0.87) return `slower than the sync style (${range(speedups, 2)}×)`;
  return `about as fast as the sync style (${range(speedups, 2)}×)`;
}

/** The takeaway paragraph. */
export function takeaway(figures: DemoFigures): string {
  const { config, seed, useCases } = figures;
  const { fetchNodes, download, longCall } = useCases;
  const speedups = (runs: readonly ModeRun<unknown>[]) => designs(runs).map((r) => r.speedupOverSync);
  const parts: string[] = [];

  parts.push(
    `With ${config.latency} ms per request, the three async designs listed the nodes of ${TARGETS.length} targets ` +
      `${comparedWithSync(speedups(fetchNodes.runs))}, which asks them one after another, and listed and downloaded ` +
      `${seed.objects} objects ${comparedWithSync(speedups(download.runs))}, with up to ` +
      `${Math.max(...designs(download.runs).map((r) => r.detail.maxInFlight))} downloads in flight.`,
  );

  const sync = syncRun(longCall.runs);
  const side = sync.detail.sideCalls;
  const blocked =
    sync.detail.ticksDuringCall === 0
      ? 'a timer set to fire every 10 ms did not fire once during the call'
      : `a timer set to fire every 10 ms fired only ${sync.detail.ticksDuringCall} times during the call`;
  const sideWhere = sync.detail.sideCallsDuringCall === 0 ? 'could only run before and after it' : `mostly ran outside it (${sync.detail.sideCallsDuringCall} of ${side} during it)`;
  parts.push(
    `During the long call (createNode + waitUntilRunning, ${seconds(sync.detail.callMs)} s) the sync style blocked the thread: ` +
      `${blocked}, the event loop went ${Math.round(sync.maxTickGapMs)} ms without a tick in that use case, and its ${side} side calls ${sideWhere}, ` +
      `so that use case took ${seconds(sync.wallMs)} s.`,
  );

  const d = designs(longCall.runs);
  const allDesignRuns = [...designs(fetchNodes.runs), ...designs(download.runs), ...d];
  parts.push(
    `In the designs ${range(d.map((r) => r.detail.sideCallsDuringCall), 0)} of the ${side} side calls finished while the node booted, ` +
      `the use case took ${range(d.map((r) => r.wallMs / 1000), 2)} s, and the worst gap between timer ticks in any use case was ` +
      `${Math.round(Math.max(...allDesignRuns.map((r) => r.maxTickGapMs)))} ms.`,
  );

  parts.push(closeness(Object.values(useCases) as UseCaseResult<unknown>[]));
  return parts.join(' ');
}

/**
 * How the designs compare with each other. Their spread is judged against their distance from the sync style
 * (a relative spread alone would make noise on a 40 ms use case look like a 50% difference).
 */
export function closeness(cases: readonly UseCaseResult<unknown>[]): string {
  const figures = cases.map((u) => {
    const walls = designs(u.runs).map((r) => r.wallMs);
    return { title: u.title, spreadMs: Math.max(...walls) - Math.min(...walls), leadMs: syncRun(u.runs).wallMs - Math.max(...walls) };
  });
  const widest = figures.reduce((a, b) => (b.spreadMs > a.spreadMs ? b : a));
  const spread = `${Math.round(widest.spreadMs)} ms`;
  if (figures.every((f) => f.spreadMs <= f.leadMs / 2)) {
    return (
      `In every use case the three designs were much closer to each other (at most ${spread} apart) than to the sync style: ` +
      `they run the same driver operations on the same async executor, so the choice between them is one of API style, not speed.`
    );
  }
  return (
    `The designs differed by up to ${spread} (use case ${widest.title.split('.')[0]}) on this run, although they run the same ` +
    `driver operations on the same async executor; rerun before reading much into that difference.`
  );
}
