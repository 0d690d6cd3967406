/**
 * The bulk engine (`runBulk`) on its own, with operations that only sleep: per-item settling, batch units,
 * the concurrency bound, failFast, progress (counters, rate, ETA), a throwing callback and a cancel — the same in
 * both executors.
 */
import { describe, expect, test } from '@jest/globals';
import {
  AbortError,
  BulkError,
  BulkSkippedError,
  CloudError,
  ProgressCallbackError,
  runAsync,
  runBulk,
  runSync,
  singleUnit,
  sleep,
  type BulkLabel,
  type BulkProgress,
  type BulkResult,
  type BulkUnit,
  type Operation,
} from '@dualcloud/core';

const labels = (n: number, bytes?: number): BulkLabel[] => Array.from({ length: n }, (_, i) => ({ container: 'c', name: `k${i}`, ...(bytes !== undefined ? { bytes } : {}) }));

/** Units that sleep, count how many run at once, and fail where asked. */
function units(n: number, opts: { failAt?: number[]; ms?: number; bytes?: number } = {}): { units: BulkUnit<string>[]; max: () => number } {
  let running = 0;
  let max = 0;
  const list = Array.from({ length: n }, (_, i) =>
    singleUnit<string>(
      i,
      function* (): Operation<string> {
        max = Math.max(max, ++running);
        try {
          const fails = opts.failAt?.includes(i) ?? false;
          yield* sleep(fails ? 1 : (opts.ms ?? 5)); // failures come first, so what starts after them is certain
          if (fails) throw new CloudError(`k${i} failed`, { code: 'Boom' });
          return `v${i}`;
        } finally {
          running--;
        }
      },
      () => opts.bytes ?? 0,
    ),
  );
  return { units: list, max: () => max };
}

const executors = [
  ['sync', <T>(op: Operation<T>) => Promise.resolve().then(() => runSync(op))],
  ['async', <T>(op: Operation<T>) => runAsync(op)],
] as const;

describe.each(executors)('%s executor', (_, run) => {
  test('every item settles, in input order; a failure stays with its item; at most `concurrency` run at once', async () => {
    const u = units(10, { failAt: [3, 7] });
    const result = await run(runBulk('test', labels(10), u.units, 4, {}));
    expect(result.results.map((r) => (r.ok ? r.value : `x${r.index}`))).toEqual(['v0', 'v1', 'v2', 'x3', 'v4', 'v5', 'v6', 'x7', 'v8', 'v9']);
    expect([result.succeeded, result.failed, result.skipped]).toEqual([8, 2, 0]);
    expect(u.max()).toBe(4);
    const failed = result.results[3]!;
    expect(!failed.ok && failed.error instanceof CloudError && failed.error.code).toBe('Boom');
  });

  test('a batch unit settles its indexes from its outcomes; a unit that throws fails all of them; a missing outcome is an error', async () => {
    const batch: BulkUnit<string>[] = [
      {
        indexes: [0, 2],
        *run() {
          yield* sleep(1);
          return [{ ok: true, value: 'a' }, { ok: false, error: new CloudError('no', { code: 'KeyError' }) }];
        },
      },
      {
        indexes: [1, 3],
        *run(): Operation<never> {
          yield* sleep(1);
          throw new CloudError('batch refused', { code: 'BatchRefused' });
        },
      },
      {
        indexes: [4],
        *run() {
          return [];
        },
      },
    ];
    const result = await run(runBulk('test', labels(5), batch, 2, {}));
    const codes = result.results.map((r) => (r.ok ? r.value : (r.error as CloudError).code));
    expect(codes).toEqual(['a', 'BatchRefused', 'KeyError', 'BatchRefused', 'MissingOutcome']);
  });

  test('failFast: nothing starts after a failure; BulkError holds every result, the unstarted ones skipped', async () => {
    const u = units(6, { failAt: [1], ms: 30 });
    const error = await run(runBulk('test', labels(6), u.units, 2, { failFast: true })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkError);
    const results = (error as BulkError<string>).results;
    expect(results.map((r) => (r.ok ? 'ok' : r.skipped ? 'skipped' : 'failed'))).toEqual(['ok', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(results.slice(2).every((r) => !r.ok && r.error instanceof BulkSkippedError)).toBe(true);
    expect((error as BulkError).code).toBe('Boom');
  });

  test('progress: counters only grow, in flight within the bound, rate and an ETA by bytes; 0 at the end', async () => {
    const reports: BulkProgress[] = [];
    const u = units(8, { bytes: 1000, ms: 10 });
    const result = await run(runBulk('test', labels(8, 1000), u.units, 3, { onProgress: (p) => void reports.push(p) }));
    expect(result.bytes).toBe(8000);
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ objectsDone: 8, objectsFailed: 0, objectsTotal: 8, bytesDone: 8000, bytesTotal: 8000, inFlight: 0, etaMs: 0 });
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    expect(Math.max(...reports.map((p) => p.inFlight))).toBe(3);
    const midway = reports.find((p) => p.objectsDone === 4 && p.inFlight < 3)!;
    // ETA from the byte rate: the bytes left at the rate so far.
    expect(midway.etaMs).toBeCloseTo(((8000 - midway.bytesDone) / midway.bytesPerSecond) * 1000, 5);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.objectsDone).toBeGreaterThanOrEqual(reports[i - 1]!.objectsDone);
  });

  test('without byte totals, the ETA comes from the object rate; before any rate there is none', async () => {
    const reports: BulkProgress[] = [];
    await run(runBulk('test', labels(4), units(4).units, 1, { onProgress: (p) => void reports.push(p) }, false));
    expect(reports[0]!.etaMs).toBeUndefined();
    expect(reports[0]!.bytesTotal).toBeUndefined();
    const after = reports.find((p) => p.objectsDone === 2)!;
    expect(after.etaMs).toBeCloseTo((2 / after.objectsPerSecond) * 1000, 5);
  });

  test('a throwing progress callback stops the call with ProgressCallbackError (its cause), nothing new starting', async () => {
    const u = units(5);
    let calls = 0;
    const error = await run(
      runBulk('test', labels(5), u.units, 1, {
        onProgress: () => {
          if (++calls === 3) throw new Error('drawing failed');
        },
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgressCallbackError);
    expect(((error as Error).cause as Error).message).toBe('drawing failed');
    const results = (error as { results: BulkResult<string>['results'] }).results;
    // begin(k0), settle(k0), begin(k1) threw: k1 runs to its end, the others never start.
    expect(results.map((r) => (r.ok ? 'ok' : r.skipped ? 'skipped' : 'failed'))).toEqual(['ok', 'ok', 'skipped', 'skipped', 'skipped']);
  });
});

test('async: a cancel during a bulk call rejects with AbortError, not a result', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 15);
  const u = units(20, { ms: 10 });
  await expect(runAsync(runBulk('test', labels(20), u.units, 2, {}), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
});
