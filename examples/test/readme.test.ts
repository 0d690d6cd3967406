/**
 * Keeps the README honest: every ```ts readme block is written to a scratch module inside the repository (so
 * the workspace packages resolve) and run with tsx in a child process; it must exit 0 and print something.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from '@jest/globals';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = `${root}examples/.readme-test/`;
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts readme\n([\s\S]*?)```/g)].map((m) => m[1]!);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('the README has runnable examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(2);
});

test.each(blocks.map((code, i) => [i + 1, code] as const))('README example %i runs', (index, code) => {
  mkdirSync(scratch, { recursive: true });
  const file = `${scratch}example-${index}.ts`;
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, [`${root}node_modules/tsx/dist/cli.mjs`, file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.trim().length).toBeGreaterThan(0);
});
