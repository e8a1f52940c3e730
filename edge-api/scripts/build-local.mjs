/**
 * Builds what `pnpm start` runs: the embedded entry as one plain ES module, `edge-api/dist/local.mjs`,
 * and the workspace runtime bundle its child processes run (`runtime/dist/runtime.mjs`). Plain
 * JavaScript, because running from source through tsx cost the API ~110 MB of resident memory
 * (the loader's own thread and isolate, the compiled sources) on top of ~210 MB.
 * Only the workspace packages (@2bot/*) are bundled; every dependency is loaded from node_modules
 * as it is (PGlite finds its WebAssembly and data files beside itself).
 */
import { spawnSync } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { builtinModules } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { writeOutputs } from '../../runtime/scripts/write-outputs.mjs'

const edgeApiDir = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(edgeApiDir, 'dist')
await mkdir(outDir, { recursive: true })

const result = await build({
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
      name: 'dependencies-external',
      setup(b) {
        // Dependencies stay as they are in node_modules, imported by absolute URL (a workspace
        // package's dependency may not be reachable from edge-api/dist): bundled, esbuild renames
        // colliding classes, and node-fetch's `instanceof AbortSignal` check (grammy's) then fails.
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.path.startsWith('@2bot/') || args.pluginData === 'resolving' || builtinModules.includes(args.path.replace(/^node:/, ''))) return undefined
          const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' })
          if (found.errors.length > 0) return { errors: found.errors }
          return { path: args.kind === 'require-call' ? found.path : pathToFileURL(found.path).href, external: true }
        })
      },
    },
  ],
  // CommonJS dependencies call require() for Node built-ins; ESM output has none by default.
  banner: { js: "import{createRequire as __2botRequire}from'node:module';const require=__2botRequire(import.meta.url);" },
  write: false,
})
await writeOutputs(result.outputFiles)
// Run as its own process by db/pglite.ts, found beside the bundle.
await writeOutputs([{ path: join(outDir, 'pglite-initdb.child.mjs'), contents: await readFile(join(edgeApiDir, 'src', 'db', 'pglite-initdb.child.mjs')) }])

const runtime = spawnSync(process.execPath, [join(edgeApiDir, '..', 'runtime', 'scripts', 'build-bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] })
if (runtime.status !== 0) process.exit(runtime.status ?? 1)
console.log('built edge-api/dist/local.mjs and runtime/dist/runtime.mjs')
