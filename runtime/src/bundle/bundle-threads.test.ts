import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { workflow } from '../test/builders'

/**
 * The bundle the container runs, not the source: esbuild splits shared code into chunks and turns
 * lazy imports into chunk loads (undici, on a run's first HTTP request), which the source tests
 * cannot see. A run thread from `dist/run-worker.mjs` runs a webhook step whose host resolves to
 * loopback: undici must load from its chunk and the connect-time guard must refuse the address. A
 * plugin thread from `dist/plugin-worker.mjs` must find QuickJS's WebAssembly beside it.
 */
const RUNTIME_DIR = fileURLToPath(new URL('../../', import.meta.url))
let outDir: string

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), '2bot-bundle-'))
  execFileSync(process.execPath, ['scripts/build-bundle.mjs'], { cwd: RUNTIME_DIR, env: { ...process.env, TWOBOT_BUNDLE_OUT: outDir }, stdio: 'ignore' })
}, 120_000)
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

it('a run thread from the bundle loads undici lazily and still refuses private addresses', async () => {
  const worker = new Worker(pathToFileURL(join(outDir, 'run-worker.mjs')), {
    workerData: { config: { codeMemoryMb: 32, codeIsolation: 'inline', codeThreads: 1, allowPrivateNetworks: false } },
  })
  const job = {
    jobId: 'j1',
    execution: { id: 'e1', mode: 'run', attempt: 1, triggerData: {}, state: null, cancelRequested: false },
    definition: workflow([{ id: 'call', type: 'webhook', method: 'GET', url: 'http://localhost:8089/' }]),
  }
  // Speak the thread's RPC (worker/thread-rpc.ts) as the main thread would: answer its calls, keep its final state.
  const final = await new Promise<{ status: string; error?: { code?: string } }>((resolve, reject) => {
    let state: { status: string; error?: { code?: string } } | undefined
    worker.on('error', reject)
    worker.on('message', (m: { rpc: string; id: number; method?: string; args?: [string, { state: typeof state }]; ok?: boolean }) => {
      if (m.rpc === 'call') {
        if (m.method === 'api.checkpoint' && m.args![1].state!.status !== 'running') state = m.args![1].state
        worker.postMessage({ rpc: 'result', id: m.id, ok: true, value: null })
      } else if (m.rpc === 'result') {
        if (m.ok && state) resolve(state)
        else reject(new Error('the run did not finish'))
      }
    })
    worker.postMessage({ rpc: 'call', id: 1, method: 'run', args: [job, 'test'] })
  }).finally(() => worker.terminate())
  expect(final).toMatchObject({ status: 'failed', error: { code: 'SSRF_BLOCKED' } })
}, 60_000)

it('a plugin thread from the bundle loads QuickJS beside it and runs an action, asking the main thread for storage', async () => {
  const worker = new Worker(pathToFileURL(join(outDir, 'plugin-worker.mjs')), { workerData: { slug: 'counter', memoryMb: 64 } })
  const plugin = {
    installId: 'i1',
    slug: 'counter',
    version: '1.0.0',
    config: { step: 2 },
    gatewayBindings: {},
    source: 'export async function bump(params, ctx) { const n = ((await ctx.storage.get("n")) || 0) + ctx.config.step; await ctx.storage.set("n", n); return { n, by: params.by } }',
  }
  const stored = new Map<string, unknown>()
  const result = await new Promise<unknown>((resolve, reject) => {
    worker.on('error', reject)
    worker.on('message', (m: { rpc: string; id: number; method?: string; args?: [number, { op: string; key: string; value?: unknown }]; ok?: boolean; value?: unknown; error?: unknown }) => {
      if (m.rpc === 'call') {
        const op = m.args![1]
        if (op.op === 'set') stored.set(op.key, op.value)
        worker.postMessage({ rpc: 'result', id: m.id, ok: true, value: { value: stored.get(op.key) ?? null } })
      } else if (m.rpc === 'result') {
        if (m.ok) resolve(m.value)
        else reject(new Error(JSON.stringify(m.error)))
      }
    })
    worker.postMessage({ rpc: 'call', id: 1, method: 'call', args: [7, plugin, 'bump', { by: 'test' }] })
  }).finally(() => worker.terminate())
  expect(result).toEqual({ n: 2, by: 'test' })
  expect(stored.get('n')).toBe(2)
}, 60_000)
