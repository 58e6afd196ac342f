import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.test-build/**',
      'examples/*/node_modules/**',
      'node_modules/**',
      'coverage/**',
      'jest.config.js',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // plain CommonJS: scripts that run before anything is built, and the example consumer project
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        ['require', 'module', 'process', '__dirname', 'console', 'fetch', 'setTimeout', 'URL']
          .concat(['describe', 'test', 'expect', 'beforeAll', 'beforeEach', 'afterAll', 'jest'])
          .map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
