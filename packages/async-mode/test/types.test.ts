/**
 * Compiles test/types/designs.types.ts with the TypeScript compiler API and expects zero diagnostics:
 * the typed API of each design is pinned there (including `@ts-expect-error` lines that must still fail).
 * The packages resolve to their built declarations (`dist/*.d.ts`, what users get; `pnpm test` builds first).
 */
import { expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

test('the type tests of the three designs compile with no diagnostics', () => {
  const configPath = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  expect(config.error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, fileURLToPath(new URL('./types/', import.meta.url)));
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
  expect(parsed.fileNames.some((f) => f.endsWith('designs.types.ts'))).toBe(true);
  expect(diagnostics).toEqual([]);
});
