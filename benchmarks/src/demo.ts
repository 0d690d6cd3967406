/**
 * `pnpm demo [--latency MS] [--quick] [--json]`: the design comparison on the embedded fake cloud.
 *
 * Runs the same three use cases (nodes from several regions and providers; list and download many objects;
 * a long call with other work alongside) in the sync style and in each async design, over the same drivers,
 * and prints wall time, speed-up over sync and event-loop lag side by side, with a takeaway computed from them.
 * Everything runs on 127.0.0.1. Exit status: 0 on success, 1 when the demo fails, 2 on a usage error.
 */
import { pathToFileURL } from 'node:url';
import { UsageError, USAGE, parseDemoArgs } from './demo/config.js';
import { startProgress } from './demo/progress.js';
import { formatReport } from './demo/report.js';
import { runDemo, type DemoResult } from './demo/run.js';

export { runDemo } from './demo/run.js';
export type { DemoResult } from './demo/run.js';

/** Runs the CLI with `argv` (the arguments after the script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pnpm demo: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { config } = command;
  const say = (line: string): void => {
    if (!config.json) process.stdout.write(`${line}\n`);
  };
  say(`dualcloud demo: the same work in the sync style and in the three async designs${config.quick ? ' (quick)' : ''}`);
  const progress = startProgress({ tty: process.stderr.isTTY === true, columns: process.stderr.columns });
  let result: DemoResult;
  try {
    result = await runDemo(config, { progress, log: say });
  } catch (error) {
    process.stderr.write(`pnpm demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await progress.close();
  }
  if (config.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else say(`\n${formatReport(result)}\n\n(${(result.totalMs / 1000).toFixed(1)} s in all; \`pnpm demo --json\` prints these figures as JSON)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
