/**
 * Jest runs the TypeScript sources as native ESM (p-limit and friends are ESM-only), through ts-jest in
 * transpile-only mode; `pnpm typecheck` does the type checking.
 * Run with `pnpm test` (which passes --experimental-vm-modules).
 *
 * Two projects with the same settings:
 * - `dualcloud`: every suite that brings its own backends (fake cloud, s3rver, azurite, msw);
 * - `openstack`: the suites against real OpenStack Swift and Keystone (`*.openstack.test.ts`). Its global setup
 *   installs (when missing, as root) and starts the servers once for the run, and its teardown stops them; jest
 *   runs it only when one of those suites is part of the run.
 */
import type { Config } from 'jest';

type ProjectConfig = NonNullable<Config['projects']>[number] & object;

const shared: ProjectConfig = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/benchmarks'],
  moduleNameMapper: {
    '^@dualcloud/core$': '<rootDir>/packages/core/src/index.ts',
    '^@dualcloud/fake-cloud$': '<rootDir>/packages/fake-cloud/src/index.ts',
    '^@dualcloud/drivers/(compute|storage|container)$': '<rootDir>/packages/drivers/src/$1/index.ts',
    '^@dualcloud/async-session$': '<rootDir>/packages/async-session/src/index.ts',
    '^@dualcloud/async-methods/(compute|storage|container)$': '<rootDir>/packages/async-methods/src/$1.ts',
    '^@dualcloud/async-mode/(compute|storage|container)$': '<rootDir>/packages/async-mode/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
};

const config: Config = {
  projects: [
    {
      ...shared,
      displayName: 'dualcloud',
      testMatch: ['**/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.openstack\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'openstack',
      testMatch: ['**/test/**/*.openstack.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/packages/drivers/test/openstack/global-setup.ts',
      globalTeardown: '<rootDir>/packages/drivers/test/openstack/global-teardown.ts',
    },
  ],
  reporters: ['default', '<rootDir>/jest.summary-reporter.cjs'],
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
