/**
 * dependency-cruiser: architectural boundaries of the BFF platform.
 *
 * Run: npx depcruise apps libs sandbox test clients --config .dependency-cruiser.cjs
 * (part of `npm run lint`). Every rule is severity "error", so any violation
 * makes depcruise exit non-zero. See docs/boundaries.md.
 *
 * Paths in rules are relative to the repository root (where depcruise runs).
 * Libs are consumed only as `@bff/<name>`, which tsconfig.json `paths` maps to
 * `libs/<name>/src/index.ts`; the resolver below follows those paths, so an
 * `@bff/core` import shows up as a dependency on `libs/core/src/index.ts`
 * with dependency type `aliased-tsconfig-paths`.
 */

/** Test / spec files: allowed to reach across boundaries only where stated. */
const SPEC_FILES = '\\.(?:spec|e2e-spec|test)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- Project boundaries -------------------------------------------------
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'Apps never import other apps. Shared behaviour belongs in a lib, consumed as @bff/<name>.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      comment: 'Libs never import apps (dependencies point from apps to libs, never back).',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-deep-lib-import',
      severity: 'error',
      comment:
        "Outside lib <x>, only its entry point libs/<x>/src/index.ts may be imported (as '@bff/<x>'). " +
        'Inside a lib, relative imports are fine.',
      from: { pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-deep-lib-import-from-other-lib',
      severity: 'error',
      comment: "Lib <y> may only import lib <x> through its entry point '@bff/<x>' (libs/<x>/src/index.ts).",
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'lib-only-via-alias',
      severity: 'error',
      comment: "Import libs by their alias '@bff/<name>', not by a relative path to libs/<name>/src/index.ts.",
      from: { pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/index\\.ts$', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'lib-only-via-alias-from-other-lib',
      severity: 'error',
      comment: "Import other libs by their alias '@bff/<name>', not by a relative path to libs/<name>/src/index.ts.",
      from: { path: '^libs/([^/]+)/' },
      to: {
        path: '^libs/[^/]+/src/index\\.ts$',
        pathNot: '^libs/$1/',
        dependencyTypesNot: ['aliased-tsconfig-paths'],
      },
    },
    {
      name: 'no-sandbox-in-runtime',
      severity: 'error',
      comment: 'sandbox/ (simulated upstreams) is dev tooling; apps and libs never import it.',
      from: { path: '^(?:apps|libs)/' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'no-tooling-in-runtime',
      severity: 'error',
      comment: 'apps and libs never import test/, scripts/ or bench/.',
      from: { path: '^(?:apps|libs)/' },
      to: { path: '^(?:test|scripts|bench)/' },
    },
    {
      name: 'sandbox-is-standalone',
      severity: 'error',
      comment: 'sandbox/ runs on Node type stripping without tsconfig paths; it must not import apps/, libs/, test/ or scripts/.',
      from: { path: '^sandbox/' },
      to: { path: '^(?:apps|libs|test|scripts|bench)/' },
    },
    {
      name: 'no-clients-in-server',
      severity: 'error',
      comment: "clients/ are the generated consumers of the apps' APIs; apps and libs never import them.",
      from: { path: '^(?:apps|libs)/' },
      to: { path: '^clients/' },
    },
    {
      name: 'clients-are-standalone',
      severity: 'error',
      comment:
        'clients/ ship to frontends: they import only each other (the shared runtime) and npm packages, never server code or tooling.',
      from: { path: '^clients/' },
      to: { path: '^(?:apps|libs|sandbox|test|scripts|bench|frontends)/' },
    },
    {
      name: 'no-spec-in-runtime',
      severity: 'error',
      comment: 'Production code never imports spec/test files (they are not part of the build).',
      from: { path: '^(?:apps|libs)/', pathNot: SPEC_FILES },
      to: { path: SPEC_FILES },
    },

    // ---- Cycles -------------------------------------------------------------
    {
      name: 'no-circular-between-libs',
      severity: 'error',
      comment:
        'Libs must form a DAG. This cycle passes through more than one lib ' +
        '(usually via the @bff/<name> barrels): move the shared piece down into a lower lib.',
      from: { path: '^libs/([^/]+)/' },
      to: { circular: true, via: { pathNot: '^libs/$1/' } },
    },

    // ---- Resolution & packages ---------------------------------------------
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import cannot be resolved (typo, missing file, or a package that is not installed).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment:
        'This package is not declared in package.json (it only resolves as a transitive dependency). ' +
        'Declare it, or it may disappear from the production install.',
      from: { path: '^(?:apps|libs)/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-dev-deps-in-runtime',
      severity: 'error',
      comment:
        'Production code imports a devDependency at runtime; the image installs with --omit=dev, so this ' +
        'would crash. Move it to "dependencies", or make it a type-only import.',
      from: { path: '^(?:apps|libs)/[^/]+/src/', pathNot: SPEC_FILES },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-duplicate-dep-types',
      severity: 'error',
      comment: 'A package is listed in both dependencies and devDependencies.',
      from: {},
      to: { moreThanOneDependencyType: true, dependencyTypesNot: ['type-only'] },
    },
  ],

  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(?:^|/)(?:dist|coverage|\\.tools)/|\\.gen\\.ts$|/generated/' },
    moduleSystems: ['es6', 'cjs'],
    // Keep type-only imports in the graph: boundaries apply to types as well.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      // nodenext sources import './x.js' where the file on disk is './x.ts'.
      // dependency-cruiser (v18) does this '.js' -> '.ts' / '.d.ts' fallback
      // itself, exactly like tsc (and its config schema rejects enhanced-resolve's
      // `extensionAlias`), so no alias mapping is configured here.
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
