/** The design packages each keep a copy of the small invocation module; the copies must not drift apart. */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';

test('the three copies of invoke.ts are identical', () => {
  const read = (pkg: string) => readFileSync(new URL(`../../${pkg}/src/invoke.ts`, import.meta.url), 'utf8');
  const mode = read('async-mode');
  expect(read('async-session')).toBe(mode);
  expect(read('async-methods')).toBe(mode);
});
