/** Jest runs TypeScript sources directly as ESM (ts-jest, transpile only); `tsc -b` does the type checking. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@codex-k8s/core$': '<rootDir>/packages/core/src/index.ts',
    '^@codex-k8s/core/template$': '<rootDir>/packages/core/src/template/index.ts',
    '^@codex-k8s/core/errors$': '<rootDir>/packages/core/src/util/errors.ts',
    '^@codex-k8s/core/github$': '<rootDir>/packages/core/src/github/index.ts',
    '^@codex-k8s/core/stack$': '<rootDir>/packages/core/src/stack.ts',
    '^@codex-k8s/core/decimal$': '<rootDir>/packages/core/src/util/decimal.ts',
    '^@codex-k8s/core/input-file$': '<rootDir>/packages/core/src/util/input-file.ts',
    '^@codex-k8s/core/action-kit$': '<rootDir>/packages/core/src/action-kit/index.ts',
    '^@codex-k8s/core/legacy-env$': '<rootDir>/packages/core/src/config/legacy-env.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: [
    '<rootDir>/packages/*/src/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
    '<rootDir>/actions/*/src/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
  // A fresh TMPDIR per run; the run fails when tests leave something in it (test/setup/temp-dir.mjs).
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  setupFilesAfterEnv: ['<rootDir>/test/setup/remove-temp-dirs.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
