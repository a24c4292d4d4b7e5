// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './lint/importBoundaries.js';

const TESTS = ['**/*.test.ts', '**/*.e2e.ts', 'test/**/*.ts'];

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'test-results/', '.data/'] },
  js.configs.recommended,
  {
    // Every TypeScript file is in tsconfig.json's program, so the project service types them all.
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers print as themselves in messages and URLs; undefined, null and objects still have to be spelled out.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowAny: false, allowBoolean: false, allowNullish: false, allowRegExp: false, allowNever: false },
      ],
      // `(line) => console.log(line)` hands over a callback; it does not use the void it returns.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Apollo's plugin hooks, KeyValueCache and the peers' token sources are promise-returning contracts;
      // an async function is how this code meets one that has nothing to wait for.
      '@typescript-eslint/require-await': 'off',
      // jsonwebtoken's sign() takes `string | object`, so the `sub` claim of an object literal is read as the
      // deprecated String.prototype.sub. Calls to deprecated string methods are still reported.
      '@typescript-eslint/no-deprecated': ['error', { allow: [{ from: 'lib', name: 'string' }] }],
      // `() => {}` is the no-op default of an optional callback; empty methods and functions are still reported.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // `||` on a string treats '' as missing, which is what an empty variable, stderr or message means here.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // Destructuring a property out next to `...rest` is how this code drops a key from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Tests and benchmarks index what they just built (an answer's first product, a table's columns). With
    // noUncheckedIndexedAccess each such read may be undefined, and `!` says it is not; production code proves it.
    files: [...TESTS, 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: TESTS,
    rules: {
      // vitest types its asymmetric matchers (expect.any, expect.stringContaining) as any, by design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A suite declares what its beforeAll sets as always there, and its afterAll still guards each one, for a
      // beforeAll that failed part-way: the guard is the point, not a slip.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  { files: ['**/*.js'], languageOptions: { globals: globals.node } },
  { files: ['examples/storefront/app.js'], languageOptions: { globals: globals.browser } },
  ...importBoundaries(import.meta.dirname),
  prettier,
);
