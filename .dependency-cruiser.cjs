// Which way imports may point (docs/architecture.md, "Package graph"). Checked by
// tests/repo/import-graph.test.ts; run by hand with `pnpm depcruise`.
// Type-only imports count: a cycle of types is still a circle a reader has to untangle.

/** The workspace packages; `tests/` is test tooling, outside the graph. */
const PACKAGES = ['contracts', 'runtime', 'nomad', 'edge-api', 'web', 'desktop']

/** What each package may import (besides itself); every other edge between packages is refused. */
const MAY_IMPORT = {
  contracts: [],
  runtime: ['contracts'],
  nomad: [],
  'edge-api': ['contracts', 'runtime', 'nomad'],
  web: ['contracts', 'edge-api'],
  desktop: [],
}

const TEST_FILE = '(\\.test\\.ts$|/test/)'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No file may reach itself through its imports.',
      from: {},
      to: { circular: true },
    },
    ...PACKAGES.map((pkg) => ({
      name: `package-direction-${pkg}`,
      severity: 'error',
      comment: `${pkg} may import only ${MAY_IMPORT[pkg].join(', ') || 'no other package'}.`,
      from: { path: `^${pkg}/` },
      to: { path: `^(${PACKAGES.filter((p) => p !== pkg && !MAY_IMPORT[pkg].includes(p)).join('|')})/` },
    })),
    {
      name: 'no-production-import-of-tests',
      severity: 'error',
      comment: 'Doubles and references under tests/ are for tests; shipped code never loads them.',
      from: { path: `^(${PACKAGES.join('|')})/`, pathNot: TEST_FILE },
      to: { path: '^tests/' },
    },
    {
      name: 'deps-imports-only-ports',
      severity: 'error',
      comment: 'AppDeps names ports, never features: a route or service importing deps.ts must not come back round.',
      from: { path: '^edge-api/src/deps\\.ts$' },
      to: { pathNot: '(\\.port\\.ts$|^edge-api/src/db/db\\.ts$|^contracts/src/|node_modules)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.wrangler|\\.tmp|\\.data)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.vue', '.json'],
    },
  },
}
