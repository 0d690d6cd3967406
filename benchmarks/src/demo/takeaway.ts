/**
 * The plain-English takeaway, computed from the figures of one run: every number in it is measured, and each
 * claim is worded from what the numbers show (a speed-up below 1.15× is "about as fast", not "faster").
 * @module
 */
import { TARGETS } from './cloud.js';
import { DESIGN_MODES } from './config.js';
import { range, seconds } from './numbers.js';
import type { DemoFigures, ModeRun, UseCaseResult } from './run.js';

const designs = <D>(runs: readonly ModeRun<D>[]): ModeRun<D>[] => runs.filter((r) => DESIGN_MODES.includes(r.mode));
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

  const bulk = download.runs.find((r) => r.mode === 'sync-bulk');
  if (bulk) parts.push(bulkSentence(bulk, syncRun(download.runs), designs(download.runs), seed.objects));

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
 * The sync style with its bulk call: against its own one-by-one loop and against the designs. The design
 * comparison is fair only with it: one by one is how the sync style is used without bulk calls, not all it can do.
 */
export function bulkSentence(bulk: ModeRun<{ maxInFlight: number }>, sync: ModeRun<unknown>, designRuns: readonly ModeRun<unknown>[], objects: number): string {
  const fastest = designRuns.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const relative = fastest.wallMs / bulk.wallMs;
  const versus =
    relative >= 1.15
      ? `faster than the fastest design (${relative.toFixed(2)}× its speed)`
      : relative >= 0.87
        ? `about as fast as the fastest design (${relative.toFixed(2)}× its speed)`
        : `slower than the fastest design (${relative.toFixed(2)}× its speed)`;
  const overLoop = sync.wallMs / bulk.wallMs;
  return (
    `With its bulk call (one blocking downloadObjects, up to ${bulk.detail.maxInFlight} downloads in flight in its HTTP worker), ` +
    `the sync style downloaded the ${objects} objects ${overLoop >= 1.15 ? `${overLoop.toFixed(1)}× faster than one by one` : `about as fast as one by one (${overLoop.toFixed(2)}×)`} ` +
    `and ${versus}, writing them to files (the designs kept them in memory) — while its thread stayed blocked for the call.`
  );
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
