/**
 * Builds what `pnpm start` runs: the embedded entry as one plain ES module, `edge-api/dist/local.mjs`,
 * and the workspace runtime bundle its child processes run (`runtime/dist/runtime.mjs`). Plain
 * JavaScript, because running from source through tsx cost the API ~110 MB of resident memory
 * (the loader's own thread and isolate, the compiled sources) on top of ~210 MB.
 * edge-api's own dependencies stay in node_modules (PGlite loads its WebAssembly and data files
 * from beside itself); the workspace packages and what they import are bundled in.
 */
import { spawnSync } from 'node:child_process'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const edgeApiDir = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(edgeApiDir, 'dist')
await mkdir(outDir, { recursive: true })

await build({
  entryPoints: [join(edgeApiDir, 'src', 'local.ts')],
  outfile: join(outDir, 'local.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'edge-api-dependencies-external',
      setup(b) {
        // A bare import from edge-api's own code is one of its dependencies: leave it to Node.
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@2bot/') || !args.importer.startsWith(join(edgeApiDir, 'src')) ? undefined : { external: true },
        )
      },
    },
  ],
  // CommonJS dependencies call require() for Node built-ins; ESM output has none by default.
  banner: { js: "import{createRequire as __2botRequire}from'node:module';const require=__2botRequire(import.meta.url);" },
})
// Run as its own process by db/pglite.ts, found beside the bundle.
await copyFile(join(edgeApiDir, 'src', 'db', 'pglite-initdb.child.mjs'), join(outDir, 'pglite-initdb.child.mjs'))

const runtime = spawnSync(process.execPath, [join(edgeApiDir, '..', 'runtime', 'scripts', 'build-bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] })
if (runtime.status !== 0) process.exit(runtime.status ?? 1)
console.log('built edge-api/dist/local.mjs and runtime/dist/runtime.mjs')
