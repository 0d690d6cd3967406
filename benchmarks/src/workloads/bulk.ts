/**
 * Workload (f): bulk download. M objects of S bytes (S3 on the fake cloud, latency L) downloaded to files with
 * `downloadObjects` at concurrency C: in the sync style (one blocking call, its requests in flight together in
 * the HTTP worker) and in each async design, plus the sync style without the bulk call (`downloadObject` one
 * object at a time) for reference. The figure of interest is Design 3's wall time over the sync style's, per
 * round (they run back to back): the sync style's bulk call should reach at least 0.8 of Design 3's speed on
 * the same work.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { AsyncSession } from '@dualcloud/async-session';
import { getDriver as getD2, Provider as D2Provider } from '@dualcloud/async-methods/storage';
import { getDriver as getD3, Provider as D3Provider } from '@dualcloud/async-mode/storage';
import { getDriver, Provider, type BulkResult, type StorageObject } from '@dualcloud/drivers/storage';
import { FAKE_CREDENTIALS, type FakeCloud } from '@dualcloud/fake-cloud';
import type { ModeContext } from '../modes.js';
import { round1, runPool } from '../pool.js';

/** The ways (f) downloads the same objects. */
export type BulkMode = 'sync' | 'sync-loop' | 'design1' | 'design2' | 'design3';

/** The modes of (f), in report order. */
export const BULK_MODES: readonly BulkMode[] = ['sync', 'sync-loop', 'design1', 'design2', 'design3'];

/** One mode's figures over the rounds. */
export interface BulkModeResult {
  readonly mode: BulkMode;
  /** What the mode calls. */
  readonly call: string;
  readonly medianMs: number;
  readonly bestMs: number;
  readonly roundsMs: readonly number[];
  readonly MBps: number;
  /** Objects downloaded and verified in the median round. */
  readonly objects: number;
  readonly truncated: boolean;
}

/** The figures of (f). */
export interface BulkDownloadResult {
  readonly objects: number;
  readonly bytesEach: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly rounds: number;
  readonly modes: readonly BulkModeResult[];
  /**
   * The sync style's speed relative to Design 3's: the median over rounds of Design 3's wall time over the sync
   * style's in the same round (the two run back to back, in turns first, so load that drifts during the run
   * cancels out).
   */
  readonly syncSpeedRelativeToDesign3: number;
  /** The same from the medians of each mode's rounds. */
  readonly syncSpeedRelativeToDesign3OfMedians: number;
  /** The same from each mode's best round. */
  readonly syncSpeedRelativeToDesign3Best: number;
  /** The sync style's bulk call against its one-object-at-a-time loop (speed-up of the bulk call). */
  readonly syncBulkSpeedupOverLoop: number;
  readonly target: number;
  readonly met: boolean;
}

type Runner = (objects: readonly StorageObject[], dir: string) => Promise<number> | number;

const succeeded = (r: BulkResult<string>): number => {
  if (r.failed > 0) throw new Error(`${r.failed} downloads failed: ${r.results.find((x) => !x.ok && x.error)?.name}`);
  return r.succeeded;
};

/**
 * Runs (f): seeds M objects at zero latency, then `rounds` interleaved rounds of every mode at latency L (each
 * into a fresh directory, removed afterwards, untimed). Medians are reported; every load loop is bounded.
 */
export async function bulkDownload(
  cloud: FakeCloud,
  ctx: ModeContext,
  cfg: { objects: number; size: number; concurrency: number; latency: number; deadlineMs: number; rounds?: number },
): Promise<BulkDownloadResult> {
  const rounds = cfg.rounds ?? 7;
  const aws = FAKE_CREDENTIALS.aws;
  const options = { key: aws.accessKeyId, secret: aws.secretAccessKey, region: 'us-east-1', concurrency: cfg.concurrency, ...cloud.endpoint('s3') };
  const sync = new (getDriver(Provider.S3))(options);
  const session = new AsyncSession(new (getDriver(Provider.S3))(options));
  const d2 = new (getD2(D2Provider.S3))(options);
  const d3 = new (getD3(D3Provider.S3))({ ...options, async: true });

  await cloud.configure({ latency: 0 });
  const bucket = sync.getContainer(ctx.bucket);
  const payload = randomBytes(cfg.size);
  const seeded = sync.uploadObjects(
    Array.from({ length: cfg.objects }, (_, i) => ({ container: bucket, objectName: `bulk/${String(i).padStart(5, '0')}.bin`, source: payload })),
    { concurrency: cfg.concurrency },
  );
  if (seeded.failed > 0) throw new Error(`seeding (f) failed for ${seeded.failed} objects`);
  const objects = seeded.results.map((r) => (r.ok ? r.value : undefined)!);
  await cloud.configure({ latency: cfg.latency });

  const bulk = { concurrency: cfg.concurrency };
  const runners: Record<BulkMode, { call: string; run: Runner }> = {
    sync: { call: 'driver.downloadObjects(objects, dir) — one blocking call', run: (o, dir) => succeeded(sync.downloadObjects(o, dir, bulk)) },
    'sync-loop': {
      call: 'driver.downloadObject(obj, path) per object',
      run: async (o, dir) => (await runPool(o.length, 1, false, cfg.deadlineMs, (i) => sync.downloadObject(o[i]!, join(dir, `${i}.bin`)))).completed,
    },
    design1: { call: 'await session.downloadObjects(objects, dir)', run: async (o, dir) => succeeded(await session.downloadObjects(o, dir, bulk)) },
    design2: { call: 'await driver.downloadObjectsAsync(objects, dir)', run: async (o, dir) => succeeded(await d2.downloadObjectsAsync(o, dir, bulk)) },
    design3: { call: 'await driver.downloadObjects(objects, dir)', run: async (o, dir) => succeeded(await d3.downloadObjects(o as Parameters<typeof d3.downloadObjects>[0], dir, bulk)) },
  };

  const times = new Map<BulkMode, Array<{ ms: number; objects: number }>>(BULK_MODES.map((m) => [m, []]));
  try {
    // A warm-up round per mode (connections, compiled paths), not measured.
    for (const mode of BULK_MODES) await measure(runners[mode].run, objects.slice(0, Math.min(objects.length, cfg.concurrency)));
    for (let round = 0; round < rounds; round++) {
      // The sync style and Design 3 run back to back, first one then the other by turns, so the ratio of a round
      // compares the same moment of a shared machine.
      const pair: BulkMode[] = round % 2 === 0 ? ['sync', 'design3'] : ['design3', 'sync'];
      for (const mode of ['sync-loop', 'design1', 'design2'] as BulkMode[]) times.get(mode)!.push(await measure(runners[mode].run, objects));
      // The sync style's connections live in its HTTP worker, the designs' in this thread; the designs just ran
      // and the one-at-a-time loop left the worker one socket. Both pools are warmed alike, untimed, first.
      for (const mode of pair) await measure(runners[mode].run, objects.slice(0, cfg.concurrency));
      for (const mode of pair) times.get(mode)!.push(await measure(runners[mode].run, objects));
    }
  } finally {
    await session.close();
  }

  const results = BULK_MODES.map((mode): BulkModeResult => {
    const runs = times.get(mode)!;
    const sorted = [...runs].sort((a, b) => a.ms - b.ms);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return {
      mode,
      call: runners[mode].call,
      medianMs: round1(median.ms),
      bestMs: round1(sorted[0]!.ms),
      roundsMs: runs.map((r) => round1(r.ms)),
      MBps: round1((median.objects * cfg.size) / (1024 * 1024) / (median.ms / 1000)),
      objects: median.objects,
      truncated: runs.some((r) => r.objects < objects.length),
    };
  });
  const of = (mode: BulkMode): BulkModeResult => results.find((r) => r.mode === mode)!;
  const pairs = times.get('design3')!.map((d3, i) => d3.ms / times.get('sync')![i]!.ms).sort((a, b) => a - b);
  const ratio = Math.round(pairs[Math.floor(pairs.length / 2)]! * 100) / 100;
  return {
    objects: cfg.objects,
    bytesEach: cfg.size,
    concurrency: cfg.concurrency,
    latencyMs: cfg.latency,
    rounds,
    modes: results,
    syncSpeedRelativeToDesign3: ratio,
    syncSpeedRelativeToDesign3OfMedians: Math.round((of('design3').medianMs / of('sync').medianMs) * 100) / 100,
    syncSpeedRelativeToDesign3Best: Math.round((of('design3').bestMs / of('sync').bestMs) * 100) / 100,
    syncBulkSpeedupOverLoop: Math.round((of('sync-loop').medianMs / of('sync').medianMs) * 10) / 10,
    target: 0.8,
    met: ratio >= 0.8,
  };
}

/** One timed run into a fresh directory (created and removed outside the timing). */
async function measure(run: Runner, objects: readonly StorageObject[]): Promise<{ ms: number; objects: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dualcloud-bench-bulk-'));
  try {
    const start = performance.now();
    const done = await run(objects, dir);
    return { ms: performance.now() - start, objects: done };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
