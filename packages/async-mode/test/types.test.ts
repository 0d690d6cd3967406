/**
 * Compiles test/types/designs.types.ts with `tsc --noEmit` and expects zero diagnostics: the typed API of each
 * design is pinned there (including `@ts-expect-error` lines that must still fail). The packages resolve to
 * their built declarations (`dist/*.d.ts`, what users get; `pnpm test` builds first).
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

test('the type tests of the three designs compile with no diagnostics', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});
