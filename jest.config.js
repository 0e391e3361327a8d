// CommonJS throughout (execa 5, chokidar 3, yargs 17 are the CommonJS lines), so ts-jest runs without ESM flags.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The confdb e2e (snapd 2.77 in the sid lab) passed 8/8 as one run once (docs/confdb.md), not yet twice in a row:
  // it runs with CONFDB_E2E=1 (docs/confdb.md) until it has, so an unproven suite cannot fail CI.
  testPathIgnorePatterns: process.env.CONFDB_E2E === '1' ? ['/node_modules/'] : ['/node_modules/', '/test/e2e/confdb\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
  // Integration suites each start their own private dockerd, so two workers never share an engine.
  maxWorkers: 2,
};
