// CommonJS throughout (execa 5, chokidar 3, yargs 17 are the CommonJS lines), so ts-jest runs without ESM flags.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
  // Integration suites each start their own private dockerd, so two workers never share an engine.
  maxWorkers: 2,
};
