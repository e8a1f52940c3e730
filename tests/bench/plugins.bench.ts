import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { textTools } from '../../edge-api/src/features/plugins/builtin/text-tools'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const THREADS = 10
const WARM_CALLS = 2000
const MEMORY_MB = 64

/**
 * Plugins (issue 5): what a plugin's own thread costs, on the bundle the container runs
 * (runtime/dist/plugin-worker.mjs, 64 MB heap and a 64 MB capped QuickJS memory): the first call
 * on a new thread (the thread boots, QuickJS instantiates, the plugin's module loads), a call on a
 * warm thread (the sandbox plus the round trip), and the memory each warm plugin adds to the process.
 */
export async function benchPlugins(): Promise<string> {
  execFileSync(process.execPath, ['runtime/scripts/build-bundle.mjs'], { cwd: ROOT, stdio: 'ignore' })
  const url = new URL('runtime/dist/plugin-worker.mjs', `file://${ROOT}`)
  const plugin = (n: number) => ({ installId: `i${n}`, slug: `text-tools-${n}`, version: textTools.version, source: textTools.manifest.source, config: {}, gatewayBindings: {} })

  let nextId = 1
  /** One action call through the thread, speaking its RPC (thread-rpc.ts). */
  const call = (worker: Worker, n: number) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++
      const onMessage = (m: { rpc: string; id: number; ok?: boolean; value?: unknown; error?: unknown }) => {
        if (m.rpc === 'call') worker.postMessage({ rpc: 'result', id: m.id, ok: true, value: null })
        else if (m.rpc === 'result' && m.id === id) {
          worker.off('message', onMessage)
          if (m.ok) resolve(m.value)
          else reject(new Error(`call failed: ${JSON.stringify(m.error)}`))
        }
      }
      worker.on('message', onMessage)
      worker.postMessage({ rpc: 'call', id, method: 'call', args: [id, plugin(n), 'slugify', { text: `Hello World ${id}` }] })
    })
  const spawn = () =>
    new Worker(url, { workerData: { slug: 'bench', memoryMb: MEMORY_MB }, resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 } })

  const rssBefore = process.memoryUsage().rss
  const workers: Worker[] = []
  const firstCall: number[] = []
  for (let i = 0; i < THREADS; i++) {
    const t0 = performance.now()
    const worker = spawn()
    const out = await call(worker, i)
    if (!String((out as { slug?: string }).slug).startsWith('hello-world-')) throw new Error(`unexpected answer ${JSON.stringify(out)}`)
    firstCall.push(performance.now() - t0)
    workers.push(worker)
  }
  const rssPerThread = (process.memoryUsage().rss - rssBefore) / THREADS
  const warm = workers[0]!
  for (let i = 0; i < 200; i++) await call(warm, 0) // warm-up
  const t0 = performance.now()
  for (let i = 0; i < WARM_CALLS; i++) await call(warm, 0)
  const warmMs = (performance.now() - t0) / WARM_CALLS
  await Promise.all(workers.map((w) => w.terminate()))

  const sorted = [...firstCall].sort((a, b) => a - b)
  const result = { firstCallMs: { p50: Math.round(sorted[Math.floor(THREADS / 2)]!), max: Math.round(sorted.at(-1)!) }, warmCallMs: Math.round(warmMs * 1000) / 1000, rssPerThreadMb: Math.round((rssPerThread / 2 ** 20) * 10) / 10 }
  console.log('plugins', result)
  return [
    '## Plugins: each in its own thread and sandbox (issue 5)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${os.loadavg()[0]!.toFixed(1)}.`,
    'The bundle the container runs (`runtime/dist/plugin-worker.mjs`: 64 MB V8 heap, QuickJS in a WebAssembly memory capped',
    "at 64 MB), the built-in Text Tools plugin's `slugify`; the main thread's side answers at once, so this is the plugin",
    "thread's own cost.",
    '',
    '| measure | result |',
    '|---|---|',
    `| first call on a new thread (boot + QuickJS + the plugin's module), p50 / max of ${THREADS} | ${result.firstCallMs.p50} / ${result.firstCallMs.max} ms |`,
    `| a call on a warm thread (mean of ${WARM_CALLS.toLocaleString('en')}) | ${result.warmCallMs} ms |`,
    `| memory a warm plugin adds to the process (RSS, mean of ${THREADS}) | ${result.rssPerThreadMb} MiB |`,
    '',
    'A plugin\'s thread is kept between calls (its module state too) and ends after 5 min idle; at most 10 are alive per',
    'workspace, so plugins add at most about ten times the last line to a busy workspace.',
    '',
  ].join('\n')
}
