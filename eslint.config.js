import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/*
 * The layers of packages/core/src, bottom first: a folder may import only the folders it lists (and itself).
 * CONTRIBUTING.md explains them; this table is the rule.
 */
export const LAYERS = {
  util: [],
  template: ['util'],
  objects: ['util'],
  config: ['util', 'template'],
  agent: ['util', 'template', 'config'],
  'agent-run': ['util', 'kube'],
  git: ['util', 'kube'],
  images: ['util', 'config', 'kube'],
  render: ['util', 'template', 'objects', 'config'],
  kube: ['util', 'objects'],
  slots: ['util', 'objects', 'kube'],
  workspace: ['util', 'objects', 'kube', 'git'],
  github: ['util'],
  prompt: ['util', 'template', 'config', 'github'],
  hooks: ['util', 'template', 'objects', 'config', 'render', 'kube'],
  operations: [
    'util',
    'template',
    'objects',
    'config',
    'agent',
    'agent-run',
    'git',
    'images',
    'render',
    'kube',
    'slots',
    'workspace',
    'hooks',
    'github',
    'prompt',
  ],
  'action-kit': [
    'util',
    'objects',
    'config',
    'agent',
    'agent-run',
    'git',
    'images',
    'kube',
    'slots',
    'github',
    'prompt',
    'operations',
  ],
};

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`packages/core/src/${layer}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((other) => ({
            group: [`../${other}/*`, `../${other}`],
            message: `${layer}/ may import only ${allowed.join(', ') || 'nothing of core'} (see LAYERS in eslint.config.js and CONTRIBUTING.md).`,
          })),
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      'test/fixtures/**',
      'coverage/**',
      '.stryker-tmp*/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // packages/cli/bin is CommonJS through its own package.json.
    files: ['**/*.cjs', 'packages/cli/bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...layerRules,
  {
    // No import cycles anywhere in the packages: sources import `./x.js` for `./x.ts`, so the resolver maps them.
    files: ['packages/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
);
