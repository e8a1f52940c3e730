/**
 * Bundles the workspace runtime into one ES module, `runtime/dist/runtime.mjs`, plus the QuickJS
 * WebAssembly file it loads from beside itself. This is what the container image runs:
 * `node runtime.mjs` with the same environment as `runtime/src/main.ts`.
 */
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { writeOutputs } from './write-outputs.mjs'

const runtimeDir = fileURLToPath(new URL('..', import.meta.url))
// TWOBOT_BUNDLE_OUT: elsewhere than dist/ (tests build their own copy).
const outDir = process.env.TWOBOT_BUNDLE_OUT ?? join(runtimeDir, 'dist')
await mkdir(outDir, { recursive: true })
const result = await build({
  // The runtime, and its worker threads: code steps (TWOBOT_CODE_ISOLATION=worker), runs and
  // gateways (TWOBOT_ISOLATION=worker), plugins (always).
  entryPoints: {
    runtime: join(runtimeDir, 'src', 'main.ts'),
    'code-worker': join(runtimeDir, 'src', 'sandbox', 'code-worker.ts'),
    'run-worker': join(runtimeDir, 'src', 'worker', 'run-worker.ts'),
    'gateway-worker': join(runtimeDir, 'src', 'worker', 'gateway-worker.ts'),
    'plugin-worker': join(runtimeDir, 'src', 'worker', 'plugin-worker.ts'),
  },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  // Shared code in chunks beside the entries: each thread loads only what it imports, and what it
  // imports lazily (undici, on a run's first HTTP request) stays out of its start-up.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  // Minified or renamed, classes lose their names, and node-fetch (grammy's fetch on Node) tells an
  // AbortSignal by its constructor's name: every Telegram call failed with "Expected signal to be an
  // instanceof AbortSignal".
  keepNames: true,
  legalComments: 'none',
  alias: { tr46: join(runtimeDir, 'scripts', 'tr46-shim.mjs') },
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; ESM output has none by default.
  banner: { js: "import{createRequire as __2botRequire}from'node:module';const require=__2botRequire(import.meta.url);" },
  write: false,
})
await writeOutputs(result.outputFiles)
// Chunks are named by content: drop the previous builds' (after the new ones are in place), or the image would carry them too.
const built = new Set(result.outputFiles.map((f) => f.path))
for (const file of await readdir(outDir)) if (file.startsWith('chunk-') && !built.has(join(outDir, file))) await rm(join(outDir, file), { force: true })

// quickjs-emscripten finds its .wasm with new URL('emscripten-module.wasm', import.meta.url):
// in the bundle that is the bundle's own folder.
const fromRuntime = createRequire(join(runtimeDir, 'package.json'))
const fromQuickjs = createRequire(fromRuntime.resolve('quickjs-emscripten'))
const variantDir = dirname(fromQuickjs.resolve('@jitl/quickjs-wasmfile-release-sync'))
await writeOutputs([{ path: join(outDir, 'emscripten-module.wasm'), contents: await readFile(join(variantDir, 'emscripten-module.wasm')) }])

const chunks = (await readdir(outDir)).filter((f) => f.startsWith('chunk-')).sort()
for (const file of ['runtime.mjs', 'code-worker.mjs', 'run-worker.mjs', 'gateway-worker.mjs', 'plugin-worker.mjs', ...chunks, 'emscripten-module.wasm']) {
  console.log(`${join('runtime/dist', file)}  ${((await stat(join(outDir, file))).size / 1024).toFixed(0)} KiB`)
}
