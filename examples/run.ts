/**
 * `pnpm example <name>` runs examples/<name>.ts (its `main()`) against a fake cloud started in-process.
 * The examples import the built packages: run `pnpm build` once first.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];

if (!name || !names.includes(name)) {
  console.error(`usage: pnpm example <name>\nexamples: ${names.join(', ')}`);
  process.exitCode = 1;
} else {
  try {
    const example = (await import(`./${name}.js`)) as { main: () => Promise<unknown> };
    await example.main();
  } catch (error) {
    const hint = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? ' (did you run `pnpm build`?)' : '';
    console.error(`example ${name} failed${hint}:`, error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
