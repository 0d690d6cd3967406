/**
 * `pnpm demo`: one quick run of the demo's main function on its own fake cloud, checked for structure and for
 * the relations that hold whatever the machine's speed (no timing thresholds); plus the command line, the
 * failure path, the report and the progress indicator.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/demo.js';
import { TARGETS } from '../src/demo/cloud.js';
import { DEMO_MODES, DESIGN_MODES, QUICK, UsageError, parseDemoArgs, type DemoConfig } from '../src/demo/config.js';
import { mapLimit } from '../src/demo/limit.js';
import { describeBulkProgress, startProgress } from '../src/demo/progress.js';
import { REPORT_WIDTH, formatReport, wrap } from '../src/demo/report.js';
import { DemoStepError, runDemo, type DemoResult, type ModeRun } from '../src/demo/run.js';
import { closeness, comparedWithSync } from '../src/demo/takeaway.js';

const quick: DemoConfig = { ...QUICK, json: false };
let result: DemoResult;
const logged: string[] = [];

beforeAll(async () => {
  result = await runDemo(quick, { log: (line) => void logged.push(line) });
}, 60_000);

const designs = <D>(runs: readonly ModeRun<D>[]) => runs.filter((r) => DESIGN_MODES.includes(r.mode));
const sync = <D>(runs: readonly ModeRun<D>[]) => runs.find((r) => r.mode === 'sync')!;

describe('a quick run', () => {
  test('every style completed every use case, in column order, with finite figures', () => {
    const cases = Object.values(result.useCases);
    expect(cases).toHaveLength(3);
    for (const useCase of cases) {
      // The sync style with its bulk call runs where it has one (use case 2), between the sync style and the designs.
      expect(useCase.runs.map((r) => r.mode)).toEqual(useCase === result.useCases.download ? DEMO_MODES : DEMO_MODES.filter((m) => m !== 'sync-bulk'));
      for (const run of useCase.runs as ModeRun<unknown>[]) {
        expect(run.wallMs).toBeGreaterThan(0);
        expect(run.maxTickGapMs).toBeGreaterThan(0);
        expect(Number.isFinite(run.speedupOverSync)).toBe(true);
      }
      expect(sync(useCase.runs as ModeRun<unknown>[]).speedupOverSync).toBe(1);
    }
    expect(logged.join('\n')).toMatch(/fake cloud on http:\/\/127\.0\.0\.1:\d+: 25 ms per request/);
  });

  test('use case 1: every style listed the seeded nodes of both EC2 regions and DigitalOcean', () => {
    for (const run of result.useCases.fetchNodes.runs) {
      expect(run.detail.nodes).toEqual(Object.fromEntries(TARGETS.map((t) => [t, QUICK.nodesPerTarget])));
    }
  });

  test('use case 2: every object downloaded and verified byte for byte, the designs within their concurrency limit', () => {
    expect(result.seed.objects).toBe(QUICK.objects);
    for (const run of result.useCases.download.runs) {
      expect(run.detail).toMatchObject({ objects: QUICK.objects, verified: QUICK.objects, bytes: result.seed.bytes });
    }
    expect(sync(result.useCases.download.runs).detail.maxInFlight).toBe(1);
    const bulk = result.useCases.download.runs.find((r) => r.mode === 'sync-bulk')!;
    for (const run of [...designs(result.useCases.download.runs), bulk]) {
      expect(run.detail.maxInFlight).toBeGreaterThan(1);
      expect(run.detail.maxInFlight).toBeLessThanOrEqual(QUICK.downloadConcurrency);
    }
    // Concurrent, yet one blocking call: the event loop does not turn while it runs.
    expect(bulk.maxTickGapMs).toBeGreaterThanOrEqual(bulk.wallMs * 0.5);
  });

  test('use case 3: the node runs in every style; the sync style blocks the loop for the whole call, the designs do not', () => {
    const runs = result.useCases.longCall.runs;
    for (const run of runs) {
      expect(run.detail.state).toBe('running');
      expect(run.detail.sideCalls).toBe(QUICK.sideRounds * 2);
      expect(run.detail.callMs).toBeGreaterThanOrEqual(QUICK.nodeBootMs * 0.8);
    }
    const blocked = sync(runs);
    expect(blocked.maxTickGapMs).toBeGreaterThanOrEqual(blocked.detail.callMs * 0.8);
    expect(blocked.detail.ticksDuringCall).toBe(0);
    expect(blocked.detail.sideCallsDuringCall).toBe(0);
    for (const run of designs(runs)) {
      expect(run.maxTickGapMs).toBeLessThan(blocked.maxTickGapMs / 2);
      expect(run.detail.ticksDuringCall).toBeGreaterThan(0);
      expect(run.detail.sideCallsDuringCall).toBeGreaterThan(0);
    }
  });

  test('the takeaway quotes the measured figures, and the report fits the terminal', () => {
    const blocked = sync(result.useCases.longCall.runs);
    expect(result.takeaway).toContain(`went ${Math.round(blocked.maxTickGapMs)} ms without a tick`);
    expect(result.takeaway).toContain('did not fire once during the call');
    expect(result.takeaway).toContain(`${QUICK.objects} objects`);
    expect(result.takeaway).toMatch(/With its bulk call \(one blocking downloadObjects, up to \d+ downloads in flight/);
    const report = formatReport(result);
    for (const line of report.split('\n')) expect(line.length).toBeLessThanOrEqual(REPORT_WIDTH);
    expect(report).toMatch(/^Wall time/m);
    expect(report).toMatch(/^Event-loop lag/m);
    expect(report).toContain(`0/${QUICK.sideRounds * 2}`);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // --json prints exactly these figures
  });
});

describe('the command line', () => {
  test('flags pick the preset, the latency and the output', () => {
    expect(parseDemoArgs([])).toEqual({ help: false, config: expect.objectContaining({ quick: false, latency: 25, objects: 60, json: false }) });
    expect(parseDemoArgs(['--', '--quick', '--json', '--latency', '0'])).toEqual({ help: false, config: { ...QUICK, latency: 0, json: true } });
    expect(parseDemoArgs(['--latency=40'])).toEqual({ help: false, config: expect.objectContaining({ latency: 40 }) });
    expect(parseDemoArgs(['--help'])).toEqual({ help: true });
  });

  test.each([[['--latency']], [['--latency', 'abc']], [['--latency', '-1']], [['--latency', '2.5']], [['--latency', '100000']], [['--fast']]])(
    'rejects %j with a UsageError',
    (argv) => {
      expect(() => parseDemoArgs(argv)).toThrow(UsageError);
    },
  );

  test('main() exits with status 2 and the usage on a bad flag, without starting anything', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    try {
      await expect(main(['--latency', 'soon'])).resolves.toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/--latency takes a whole number[\s\S]*usage: pnpm demo/);
  });
});

test('a failing cloud makes the run reject with the style and step that failed', async () => {
  const run = runDemo({ ...quick, latency: 0 }, { onSeeded: (cloud) => cloud.reset() }); // the bucket is gone
  await expect(run).rejects.toThrow(DemoStepError);
  await expect(run).rejects.toThrow(/^sync, warming up failed: ContainerDoesNotExistError: /);
}, 30_000);

describe('takeaway wording', () => {
  test('speed-ups are called faster only when they are', () => {
    expect(comparedWithSync([2.94, 3.04])).toBe('2.9–3.0× faster than the sync style');
    expect(comparedWithSync([1.02, 1.1])).toBe('about as fast as the sync style (1.02–1.10×)');
    expect(comparedWithSync([0.5, 0.6])).toBe('slower than the sync style (0.50–0.60×)');
  });

  test('the designs are called alike only when they are closer to each other than to the sync style', () => {
    const runs = (walls: number[]) => DEMO_MODES.filter((m) => m !== 'sync-bulk').map((mode, i) => ({ mode, wallMs: walls[i]!, speedupOverSync: 1, maxTickGapMs: 10, ticks: 1, detail: {} }));
    expect(closeness([{ title: '1. x', runs: runs([1000, 300, 320, 310]) }])).toMatch(/^In every use case the three designs were much closer .* \(at most 20 ms apart\)/);
    expect(closeness([{ title: '2. y', runs: runs([400, 300, 390, 310]) }])).toMatch(/^The designs differed by up to 90 ms \(use case 2\)/);
  });

  test('wrap keeps words whole within the width', () => {
    expect(wrap('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
  });
});

test('mapLimit keeps at most `limit` calls in flight and returns results in input order', async () => {
  const { results, maxInFlight } = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    await new Promise((r) => setTimeout(r, n));
    return n * 10;
  });
  expect(results).toEqual([50, 10, 40, 20, 30]);
  expect(maxInFlight).toBe(2);
  await expect(mapLimit([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('boom')) : n))).rejects.toThrow('boom');
});

describe('the progress indicator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dualcloud-demo-progress-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints one plain "…" line for a long step, even one that blocks the thread, and nothing for a short one', async () => {
    const file = join(dir, 'stderr.txt');
    const fd = openSync(file, 'w');
    const progress = startProgress({ fd, tty: false, delayMs: 100 });
    try {
      await progress.step('short step', () => 'quick');
      const blocked = await progress.step('blocking step', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1200); // a sync call: the event loop is stuck
        return 'done';
      });
      expect(blocked).toBe('done');
    } finally {
      await progress.close();
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('… blocking step\n');
  });

  test('on a terminal, a detail posted from inside a blocking call is drawn by the worker while the thread is blocked', async () => {
    const file = join(dir, 'tty.txt');
    const fd = openSync(file, 'w');
    const progress = startProgress({ fd, tty: true, delayMs: 50, columns: 200 });
    try {
      await progress.step('bulk step', () => {
        progress.detail('3/60 objects · 0.1/2.0 MiB');
        // Blocked, as in a sync bulk call, until the worker has drawn the line (bounded: 200 × 50 ms).
        for (let i = 0; i < 200 && !readFileSync(file, 'utf8').includes('event loop blocked'); i++) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
      });
    } finally {
      await progress.close();
      closeSync(fd);
    }
    const drawn = readFileSync(file, 'utf8');
    expect(drawn).toContain('event loop blocked · 3/60 objects · 0.1/2.0 MiB · bulk step');
    expect(drawn.endsWith('\r\x1b[2K')).toBe(true); // cleared when the step ended
  });
});

test('bulk progress reads as objects, MiB, rate and ETA', () => {
  const base = { objectsDone: 42, objectsFailed: 0, objectsTotal: 60, bytesDone: 3 * 1024 * 1024, bytesTotal: 5 * 1024 * 1024, inFlight: 8, elapsedMs: 1500, bytesPerSecond: 2 * 1024 * 1024, objectsPerSecond: 28, etaMs: 1000 };
  expect(describeBulkProgress(base)).toBe('42/60 objects · 3.0/5.0 MiB · 2.0 MiB/s · ETA 1.0 s');
  expect(describeBulkProgress({ ...base, objectsFailed: 2, bytesTotal: undefined, etaMs: undefined })).toBe('42/60 objects (2 failed) · 3.0 MiB · 2.0 MiB/s');
});
