// Mutation testing of the modules that delete things (prune, the usage records of shared objects, destroy and its
// ownership check) and of the slot store (claims and releases of slot records), against the tests that run them
// with the real kubectl and the Kubernetes API test server:
// `npm run mutate:cluster`. Slower per mutant than stryker.config.mjs (each test starts a server), so its own run.
import path from 'node:path';
import base from './stryker.config.mjs';

// The sandbox copy leaves out .tools: the tests find kubectl through this variable instead.
process.env.KUBECTL = path.resolve('.tools/bin/kubectl');

const CLUSTER_TESTS = [
  ...['prune', 'destroy', 'ownership', 'apply'].map((name) => `<rootDir>/test/kube/${name}.test.ts`),
  ...['store', 'concurrency'].map((name) => `<rootDir>/test/slots/${name}.test.ts`),
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  jest: {
    ...base.jest,
    config: {
      ...base.jest.config,
      testMatch: [
        ...['kube', 'slots'].map((area) => `<rootDir>/packages/core/src/${area}/**/*.test.ts`),
        ...CLUSTER_TESTS,
      ],
    },
  },
  mutate: [
    ...['prune', 'usage', 'destroy', 'ownership'].map((name) => `packages/core/src/kube/${name}.ts`),
    ...['store', 'allocate', 'record'].map((name) => `packages/core/src/slots/${name}.ts`),
  ],
  // Static mutants (module-level constants) would run every cluster test each; their effect is covered by the
  // per-test mutants of the code that reads them.
  ignoreStatic: true,
  htmlReporter: { fileName: 'reports/mutation/cluster.html' },
  tempDirName: '.stryker-tmp-cluster',
};
