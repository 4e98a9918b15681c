// @ts-check
/**
 * ESLint flat config for the BFF platform monorepo.
 *
 * - TypeScript (apps, libs, test, sandbox, vitest.config.ts) is linted with
 *   typescript-eslint `recommendedTypeChecked` through the project service:
 *   every .ts file is type-checked against the nearest tsconfig.json
 *   (root tsconfig.json for apps/libs/test, sandbox/tsconfig.json for sandbox).
 * - Plain JS tooling (*.mjs / *.cjs: scripts/, config files) is linted without
 *   type information (it is not part of any tsconfig).
 * - Architectural boundaries are mirrored here with `no-restricted-imports` so
 *   editors flag them while typing. These are specifier patterns (heuristics);
 *   the authoritative, path-resolving check is dependency-cruiser
 *   (.dependency-cruiser.cjs). See docs/boundaries.md.
 *
 * `npm run lint` runs `eslint . --max-warnings 0`: every rule here is either
 * 'error' or 'off' — never 'warn'.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** Sub-directories of `dir` (e.g. app or lib names); [] if `dir` does not exist. */
function listDirs(dir) {
  try {
    return readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

const APPS = listDirs('apps');
const LIBS = listDirs('libs');

const escapeRegex = (value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (names) => names.map(escapeRegex).join('|');

// ---------------------------------------------------------------------------
// Boundary patterns for `no-restricted-imports` (regex form, matched against
// the import specifier as written).
// ---------------------------------------------------------------------------

/** Everywhere: libs are consumed only through their entry point `@bff/<name>`. */
const NO_DEEP_LIB_IMPORT = {
  regex: '^@bff/[^/]+/.+',
  message: "Deep import into a lib. Import libs only via their entry point '@bff/<name>'.",
};

/** apps/ and libs/: no path (bare or relative) into a repo-root area that is not shippable code. */
const NO_NON_RUNTIME_AREAS = {
  regex: '^(?:(?:\\.\\./)+)?(?:sandbox|test|scripts|bench)(?:/|$)',
  message: 'apps/ and libs/ must not import sandbox/, test/, scripts/ or bench/.',
};

/** apps/ and libs/: never reach into libs/ by path. */
const NO_LIBS_BY_PATH = {
  regex: '^(?:(?:\\.\\./)+(?:.*/)?)?libs(?:/|$)',
  message: "Do not import libs by path. Use the lib's entry point '@bff/<name>'.",
};

/** Anything under `apps/...` by path (bare or relative). */
const NO_APPS_BY_PATH = {
  regex: '^(?:(?:\\.\\./)+(?:.*/)?)?apps(?:/|$)',
  message: 'Do not import from apps/ by path (apps never import other apps; libs never import apps).',
};

/** Inside app `app`: relative paths climbing into a sibling app (`../../mobile-bff/src/...`). */
function noOtherAppPattern(app) {
  const others = APPS.filter((name) => name !== app);
  if (others.length === 0) return [];
  return [
    {
      regex: `^(?:\\.\\./)+(?:${alternation(others)})(?:/|$)`,
      message: 'Apps never import other apps. Move shared code into a lib and import it as @bff/<name>.',
    },
  ];
}

/** Inside lib `lib`: relative paths climbing into a sibling lib (`../../core/src/...`). */
function noOtherLibPattern(lib) {
  const others = LIBS.filter((name) => name !== lib);
  if (others.length === 0) return [];
  return [
    {
      regex: `^(?:\\.\\./)+(?:${alternation(others)})/src(?:/|$)`,
      message: "Relative import into another lib. Use its entry point '@bff/<name>'.",
    },
  ];
}

/** Inside an app: relative paths climbing into any lib's sources (`../../../libs/...` is covered separately). */
const NO_LIB_SRC_RELATIVE = LIBS.length
  ? [
      {
        regex: `^(?:\\.\\./)+(?:${alternation(LIBS)})/src(?:/|$)`,
        message: "Relative import into a lib. Use its entry point '@bff/<name>'.",
      },
    ]
  : [];

const restrict = (patterns) => ['error', { patterns }];

// Minimal Node.js globals for plain-JS tooling files (the `globals` package is
// not a dependency of this repo).
const NODE_ESM_GLOBALS = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'Headers',
    'Request',
    'Response',
    'fetch',
    'console',
    'process',
    'global',
    'globalThis',
    'performance',
    'queueMicrotask',
    'structuredClone',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
  ].map((name) => [name, 'readonly']),
);
const NODE_CJS_GLOBALS = Object.fromEntries(['module', 'require', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']));

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];
const TEST_FILES = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.test.ts', 'test/**/*.ts', 'sandbox/test/**/*.ts', '**/__tests__/**/*.ts'];

export default defineConfig([
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '.tools/',
    'coverage/',
    'bench/results/',
    'bench/.ab/',
    'openapi/',
    '**/*.gen.ts',
    '**/generated/',
  ]),

  {
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
      reportUnusedInlineConfigs: 'error',
    },
  },

  // ---- Everything (JS + TS) ------------------------------------------------
  {
    name: 'bff/base',
    extends: [js.configs.recommended],
    rules: {
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': restrict([NO_DEEP_LIB_IMPORT]),
    },
  },

  // ---- Plain JS tooling (no type information) ------------------------------
  {
    name: 'bff/js',
    files: ['**/*.{js,mjs}'],
    languageOptions: { sourceType: 'module', ecmaVersion: 'latest', globals: NODE_ESM_GLOBALS },
  },
  {
    name: 'bff/cjs',
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      ecmaVersion: 'latest',
      globals: { ...NODE_ESM_GLOBALS, ...NODE_CJS_GLOBALS },
    },
  },

  // ---- TypeScript (type-aware) ----------------------------------------------
  {
    name: 'bff/typescript',
    files: TS_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file is resolved to its nearest tsconfig.json: the root one for
        // apps/libs/test/vitest.config.ts, sandbox/tsconfig.json for sandbox/
        // (which allows `.ts` import extensions).
        projectService: true,
        tsconfigRootDir: root,
      },
    },
    rules: {
      // Async correctness — the reason this config is type-aware.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'require-await': 'off',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',

      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Nest modules are empty classes carrying a decorator (@Module({...})).
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // A switch over a union or enum names every member: a `default:` never stands in for a member
      // (a new one must be handled where it is switched on), and one after every member is refused.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, allowDefaultCaseForExhaustiveSwitch: false },
      ],
      // NOTE: deliberately NOT enabling `consistent-type-imports`: with
      // emitDecoratorMetadata, Nest DI needs constructor-parameter types as
      // value imports; `import type` would silently break injection.
    },
  },

  // ---- Production code: apps/ and libs/ ---------------------------------------
  {
    name: 'bff/runtime-code',
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: {
      // Use the Nest/pino logger; stdout is structured JSON logs only.
      'no-console': 'error',
    },
  },

  // Per-app boundaries (generated from the apps/ directory listing).
  ...APPS.map((app) => ({
    name: `bff/boundaries/apps/${app}`,
    files: [`apps/${app}/**/*.{ts,mts,cts,js,mjs,cjs}`],
    rules: {
      'no-restricted-imports': restrict([
        NO_DEEP_LIB_IMPORT,
        NO_APPS_BY_PATH,
        NO_LIBS_BY_PATH,
        NO_NON_RUNTIME_AREAS,
        ...noOtherAppPattern(app),
        ...NO_LIB_SRC_RELATIVE,
      ]),
    },
  })),

  // Per-lib boundaries (generated from the libs/ directory listing).
  ...LIBS.map((lib) => ({
    name: `bff/boundaries/libs/${lib}`,
    files: [`libs/${lib}/**/*.{ts,mts,cts,js,mjs,cjs}`],
    rules: {
      'no-restricted-imports': restrict([
        NO_DEEP_LIB_IMPORT,
        NO_APPS_BY_PATH,
        NO_LIBS_BY_PATH,
        NO_NON_RUNTIME_AREAS,
        ...(APPS.length
          ? [
              {
                regex: `^(?:\\.\\./)+(?:${alternation(APPS)})/src(?:/|$)`,
                message: 'Libs never import apps.',
              },
            ]
          : []),
        ...noOtherLibPattern(lib),
      ]),
    },
  })),

  // Sandbox (simulated upstreams) is standalone: it runs with Node type
  // stripping and must not depend on the platform code.
  {
    name: 'bff/boundaries/sandbox',
    files: ['sandbox/**/*.{ts,mts,cts,js,mjs,cjs}'],
    rules: {
      'no-restricted-imports': restrict([
        { regex: '^@bff(?:/|$)', message: 'sandbox/ is standalone and must not import platform libs.' },
        {
          regex: '^(?:\\.\\./)+(?:apps|libs|test)(?:/|$)',
          message: 'sandbox/ is standalone and must not import apps/, libs/ or test/.',
        },
      ]),
    },
  },

  // ---- Tests ------------------------------------------------------------------
  {
    name: 'bff/tests',
    files: TEST_FILES,
    rules: {
      // `expect(service.method).toHaveBeenCalled()` and vi.fn() mocks.
      '@typescript-eslint/unbound-method': 'off',
      // Test doubles and parsed JSON bodies are loosely typed by nature.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // ---- Tooling that prints ----------------------------------------------------
  // scripts/, sandbox/, bench/ and root config files may use console
  // (no-console is only enabled for apps/ and libs/ above).
]);
