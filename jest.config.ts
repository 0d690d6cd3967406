/**
 * Jest runs the TypeScript sources as native ESM (p-limit and friends are ESM-only), through ts-jest in
 * transpile-only mode; `pnpm typecheck` does the type checking.
 * Run with `pnpm test` (which passes --experimental-vm-modules).
 */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/benchmarks'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@dualcloud/core$': '<rootDir>/packages/core/src/index.ts',
    '^@dualcloud/fake-cloud$': '<rootDir>/packages/fake-cloud/src/index.ts',
    '^@dualcloud/drivers/(compute|storage)$': '<rootDir>/packages/drivers/src/$1/index.ts',
    '^@dualcloud/async-session$': '<rootDir>/packages/async-session/src/index.ts',
    '^@dualcloud/async-methods/(compute|storage)$': '<rootDir>/packages/async-methods/src/$1.ts',
    '^@dualcloud/async-mode/(compute|storage)$': '<rootDir>/packages/async-mode/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  reporters: ['default', '<rootDir>/jest.summary-reporter.cjs'],
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
