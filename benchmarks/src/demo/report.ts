/**
 * The demo's text report: one table per metric (rows: use cases; columns: the styles), at most 80 columns
 * wide, then the takeaway wrapped to the same width.
 * @module
 */
import { DEMO_MODES } from './config.js';
import { seconds } from './numbers.js';
import type { DemoResult, ModeRun, UseCaseResult } from './run.js';

/** Width of the report. */
export const REPORT_WIDTH = 80;
const LABEL = 30;
const CELL = 10;

function row(label: string, cells: readonly string[]): string {
  return `${label.padEnd(LABEL)}${cells.map((c) => c.padStart(CELL)).join('')}`.trimEnd();
}

/** One cell per style, in column order (a dash where a style has no run: `sync-bulk` outside use case 2). */
function cells<D>(runs: readonly ModeRun<D>[], cell: (run: ModeRun<D>) => string): string[] {
  return DEMO_MODES.map((mode) => {
    const run = runs.find((r) => r.mode === mode);
    return run ? cell(run) : '–';
  });
}

function metricTable(title: string, result: DemoResult, cell: (run: ModeRun<unknown>) => string): string[] {
  const cases = Object.values(result.useCases) as UseCaseResult<unknown>[];
  return [title, row('', [...DEMO_MODES]), ...cases.map((u) => row(u.title, cells(u.runs, cell)))];
}

/** Wraps text into lines of at most `width` characters. */
export function wrap(text: string, width = REPORT_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The readable report of a run. */
export function formatReport(result: DemoResult): string {
  const { config } = result;
  const long = result.useCases.longCall.runs;
  const lines = [
    ...metricTable('Wall time (s, lower is better)', result, (r) => seconds(r.wallMs)),
    '',
    ...metricTable('Speed-up over the sync style (×)', result, (r) => r.speedupOverSync.toFixed(1)),
    '',
    ...metricTable('Event-loop lag: worst gap between ticks of a 10 ms timer (ms)', result, (r) => String(Math.round(r.maxTickGapMs))),
    '',
    `Use case 3 in detail: createNode + waitUntilRunning (boot ${seconds(config.nodeBootMs)} s)`,
    row('', [...DEMO_MODES]),
    row('long call (s)', cells(long, (r) => seconds(r.detail.callMs))),
    row('side calls done during it', cells(long, (r) => `${r.detail.sideCallsDuringCall}/${r.detail.sideCalls}`)),
    row('10 ms ticks during it', cells(long, (r) => String(r.detail.ticksDuringCall))),
    '',
    ...wrap('sync-bulk is the sync style with its bulk call, downloadObjects (one blocking call, its downloads in flight together); use cases 1 and 3 have no bulk call, hence the dashes.'),
    '',
    'Takeaway',
    ...wrap(result.takeaway),
  ];
  return lines.join('\n');
}
