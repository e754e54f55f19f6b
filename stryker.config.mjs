// Mutation testing of the core's pure logic: `npm run mutate` (all four areas, about 20-30 minutes on 2 cores) or
// `npm run mutate -- --mutate packages/core/src/slots/match.ts` for one module. Report: reports/mutation/index.html.
const AREAS = ['slots', 'render', 'kube', 'config'];
// Tests under test/ that run the sources in this process without a cluster: the predecessor's real project against
// its own output (the loader and the render pipeline), the CLI tests that need no cluster (runCli runs the CLI's
// sources in process under this variable, see test/support/cli.ts), slot allocation races on an in-memory kubectl.
process.env.CODEX_K8S_TEST_CLI_IN_PROCESS = '1';
const IN_PROCESS_TESTS = [
  '<rootDir>/test/project-example/in-process.test.ts',
  ...['bad-input', 'cli', 'config-mistakes', 'limits', 'messages'].map((name) => `<rootDir>/test/cli/${name}.test.ts`),
  '<rootDir>/test/slots/allocate-fake.test.ts',
  '<rootDir>/test/slots/plan.test.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs the TypeScript sources as ES modules, which needs this flag in every test process Stryker starts.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: {
    configFile: 'jest.config.js',
    // Only the unit tests next to the code under mutation; per mutant, only the ones jest finds related to it.
    // No per-run TMPDIR check (test/setup/temp-dir.mjs) here: a mutant that leaves a file is not a test failure.
    config: {
      testMatch: [...AREAS.map((area) => `<rootDir>/packages/core/src/${area}/**/*.test.ts`), ...IN_PROCESS_TESTS],
      globalSetup: null,
      globalTeardown: null,
    },
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    ...AREAS.map((area) => `packages/core/src/${area}/**/*.ts`),
    '!**/*.test.ts',
    '!**/*.test-support.ts',
    '!**/fake-*.ts',
  ],
  // The sandbox copy needs the sources and tests, not the tools, bundles or build output.
  ignorePatterns: ['/.tools', '/actions/*/dist', '/packages/*/dist', '/reports', '/coverage'],
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
