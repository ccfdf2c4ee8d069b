// ESLint: Next's rules (React, hooks, a11y, @next/next), typescript-eslint's recommended set (what
// eslint-config-next/typescript adds, without its downgrades to warnings), and no import cycles.
// Not type-aware, to stay fast. Unused exports are knip's job (`npm run lint:unused`): import-x's
// no-unused-modules does not work under flat config. Formatting is Prettier's (`prettier --check .`).
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import nextVitals from 'eslint-config-next/core-web-vitals';
import { defineConfig, globalIgnores } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const tsconfig = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

// eslint-plugin-react-hooks 7.1's recommended rules other than rules-of-hooks and exhaustive-deps.
const REACT_COMPILER_RULES = [
  'static-components',
  'use-memo',
  'preserve-manual-memoization',
  'incompatible-library',
  'immutability',
  'globals',
  'refs',
  'set-state-in-effect',
  'error-boundaries',
  'purity',
  'set-state-in-render',
  'unsupported-syntax',
  'config',
  'gating',
];

export default defineConfig([
  globalIgnores([
    '.next/**',
    'data/**',
    'test-results/**',
    'playwright-report/**',
    'bench/out/**',
    'tmp/**',
    'db/migrations/meta/**',
    'next-env.d.ts',
  ]),
  js.configs.recommended,
  ...nextVitals,
  ...tseslint.configs.recommended,
  {
    name: 'loupe/import-cycles',
    files: ['**/*.{ts,tsx,mjs,js}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // unrs-resolver with tsconfig's `@/*` paths.
      'import-x/resolver-next': [
        importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.mjs', '.js', '.json', '.node'], tsconfig: { configFile: tsconfig } }),
      ],
    },
    rules: {
      // A type-only import is erased at build time, so it cannot make a runtime cycle and is not counted.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    name: 'loupe/rules',
    // A disable comment that no longer hides anything fails the lint, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // react-hooks 7's React Compiler rules check code for the React Compiler, which Loupe does not build
      // with. Here they flagged correct code (a ref passed down in props, Date.now() in a server component,
      // a timer's first tick set in its effect), and compiling every file was about 40% of the lint's time.
      // rules-of-hooks and exhaustive-deps stay on.
      ...Object.fromEntries(REACT_COMPILER_RULES.map((rule) => [`react-hooks/${rule}`, 'off'])),
      // `_name` marks a parameter or destructured part kept on purpose (e.g. to omit a key from a rest object).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
]);
