// typescript-eslint's recommended type-checked rules over src/, test/ and bench/ (`make lint`, in
// `make test` before jest). Each rule turned off says why it does not fit this code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', '.tmp/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `async` marks an implementation of a promise-returning interface (runtimes, fakes, route
      // handlers) even when it awaits nothing: a throw inside it is still a rejection.
      '@typescript-eslint/require-await': 'off',
      // The CLI loads each command's implementation with a static require() when it runs, for
      // start-up time (docs/cli.md); bundlers see static requires.
      '@typescript-eslint/no-require-imports': 'off',
      // Dependencies are plain objects of functions (probes, spawners, clocks) handed on by
      // reference; none of them uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Open unions such as `'start' | 'die' | string` name the values the code knows of.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Rejections pass on an AbortSignal's reason or a caught value, which may be anything.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // Error messages name the offending value (from TOML, JSON or a request) as given, whatever its type.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // Leading-underscore parameters are the interface's, unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Lazy loaders: `require()` is any until the caller's `as typeof import(...)`.
    files: ['src/cli/commands/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-return': 'off' },
  },
  {
    // They edit or pass on JSON documents that have no type of their own here: Docker's create
    // options, daemon.json, TOML tables, the engine's info.
    files: ['src/edged/edge-agent/spec.ts', 'src/config/merge.ts', 'src/cli/commands/support-bundle.ts', 'src/snap/engine/settings.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read the JSON answers of real servers as they come and assert on them.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
