/**
 * The demo's settings and its command line: `--latency MS`, `--quick`, `--json`, `--help`.
 * @module
 */
import type { ModeName } from '../modes.js';

/**
 * The styles the demo compares: the sync-style API one call at a time, the sync style with its bulk call
 * (`downloadObjects`, where a use case has one), and the three async designs (no raw-axios baseline here).
 */
export type DemoMode = Exclude<ModeName, 'raw-axios'> | 'sync-bulk';

/** The demo's styles, in column order. */
export const DEMO_MODES: readonly DemoMode[] = ['sync', 'sync-bulk', 'design1', 'design2', 'design3'];

/** The async designs among {@link DEMO_MODES}. */
export const DESIGN_MODES: readonly DemoMode[] = ['design1', 'design2', 'design3'];

/** What one demo run does. Every count is bounded so a run is bounded in time. */
export interface DemoConfig {
  /** Milliseconds the fake cloud adds to every request. */
  readonly latency: number;
  /** How long a new node stays `pending` before it is `running` (the long call). */
  readonly nodeBootMs: number;
  /** Nodes seeded in each compute target (two EC2 regions and DigitalOcean). */
  readonly nodesPerTarget: number;
  /** Objects seeded in the bucket, all downloaded in use case 2. */
  readonly objects: number;
  /** Downloads in flight at once in the async designs. */
  readonly downloadConcurrency: number;
  /** Rounds of side work (list containers, then list the bucket) done around the long call. */
  readonly sideRounds: number;
  /** True for the smaller preset (`--quick`). */
  readonly quick: boolean;
  /** Print one JSON document instead of tables. */
  readonly json: boolean;
}

/** The full preset (what `pnpm demo` runs). */
export const FULL: Omit<DemoConfig, 'json'> = {
  latency: 25,
  nodeBootMs: 1500,
  nodesPerTarget: 3,
  objects: 60,
  downloadConcurrency: 16,
  sideRounds: 15,
  quick: false,
};

/** The quick preset (`--quick`, used by the tests): the same use cases with smaller counts. */
export const QUICK: Omit<DemoConfig, 'json'> = {
  latency: 25,
  nodeBootMs: 600,
  nodesPerTarget: 2,
  objects: 16,
  downloadConcurrency: 8,
  sideRounds: 5,
  quick: true,
};

/** Highest accepted `--latency`: beyond it the sync style's sequential calls would take minutes. */
export const MAX_LATENCY_MS = 1000;

/** The usage text of `pnpm demo`. */
export const USAGE = `usage: pnpm demo [--latency MS] [--quick] [--json]

Runs the same use cases in the sync style and in each async design on the embedded fake cloud (127.0.0.1).
  --latency MS   milliseconds added to every request (0..${MAX_LATENCY_MS}, default ${FULL.latency})
  --quick        smaller counts (${QUICK.objects} objects, node boot ${QUICK.nodeBootMs} ms)
  --json         print the figures as one JSON document on stdout (progress stays on stderr)
  --help         this text`;

/** A command-line mistake: the CLI prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What the command line asks for: a run, or the usage text. */
export type DemoCommand = { readonly help: true } | { readonly help: false; readonly config: DemoConfig };

/** Parses the demo's arguments (a `--` separator from `pnpm demo -- ...` is skipped). Throws {@link UsageError}. */
export function parseDemoArgs(argv: readonly string[]): DemoCommand {
  let quick = false;
  let json = false;
  let latency: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--latency=') ? ['--latency', arg.slice('--latency='.length)] : [arg, undefined];
    if (flag === '--') continue;
    else if (flag === '--help' || flag === '-h') return { help: true };
    else if (flag === '--quick') quick = true;
    else if (flag === '--json') json = true;
    else if (flag === '--latency') latency = parseLatency(inline ?? argv[++i]);
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const preset = quick ? QUICK : FULL;
  return { help: false, config: { ...preset, latency: latency ?? preset.latency, json } };
}

function parseLatency(value: string | undefined): number {
  const ms = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) {
    throw new UsageError(`--latency takes a whole number of milliseconds in 0..${MAX_LATENCY_MS} (got ${value === undefined ? 'nothing' : JSON.stringify(value)})`);
  }
  return ms;
}
