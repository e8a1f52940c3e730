import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fixedRateLoad } from './fixed-rate'
import { apiOk, FIVE_PURE_STEPS, load, startEmbedded, stopServer, type LoadResult } from './lib'

const PORT = 8393
const TARGET_PORT = 8394
const LIST_RATE = 1000
const LIST_RUNS = 20_000

/** The far end of the HTTP step: a plain local server in its own process, so it does not share the load generator's thread. */
async function startTarget(port: number): Promise<ChildProcess> {
  const source = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{"ok":true,"items":[1,2,3]}') }).listen(${port}, '127.0.0.1')`
  const child = spawn(process.execPath, ['-e', source], { stdio: 'ignore', detached: true })
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) return child
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('target server did not start')
}

/** Resident memory of a process and of its children (the workspace runtimes), in MiB, from /proc. */
function rssMiB(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    return kb / 1024
  } catch {
    return 0
  }
}
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Peak RSS of the API process and of its runtime children while `work` runs. */
async function withMemory<T>(apiPid: number, work: () => Promise<T>): Promise<{ result: T; apiMiB: number; runtimeMiB: number }> {
  let apiMiB = 0
  let runtimeMiB = 0
  const sample = () => {
    apiMiB = Math.max(apiMiB, rssMiB(apiPid))
    runtimeMiB = Math.max(runtimeMiB, childrenOf(apiPid).reduce((sum, pid) => sum + rssMiB(pid), 0))
  }
  const timer = setInterval(sample, 250)
  try {
    const result = await work()
    sample()
    return { result, apiMiB: Math.round(apiMiB), runtimeMiB: Math.round(runtimeMiB) }
  } finally {
    clearInterval(timer)
  }
}

/** A fixed request rate, evenly paced (fixed-rate.ts): latency at a load a real deployment would see. */
const fixedRate = (name: string, url: string, token: string, seconds: number): Promise<LoadResult> =>
  fixedRateLoad(name, { url, headers: { authorization: `Bearer ${token}` }, rate: LIST_RATE, seconds, connections: 50 })

/**
 * Issue 11's two workflows through the embedded platform (`edge-api/src/local.ts`: PGlite, a
 * runtime child process) at 50 connections, every execution persisted; then signed-in list reads
 * at a fixed 1,000 req/s, the executions list over a workflow with 20,000 runs.
 */
export async function benchExecutionCore(seconds: number): Promise<string> {
  const target = await startTarget(TARGET_PORT)
  const dataDir = mkdtempSync(join(os.tmpdir(), '2bot-bench-core-'))
  const base = `http://127.0.0.1:${PORT}`
  const server = await startEmbedded(PORT, dataDir)
  try {
    const { token } = await apiOk(base, 'POST', '/api/auth/register', { email: `bench-core-${Date.now()}@example.com`, password: 'Bench-Pass-1!', tokenType: 'bearer' })
    const { gateway } = await apiOk(base, 'POST', '/api/gateways', { type: 'WEBHOOK', name: 'Local API', config: { baseUrl: `http://127.0.0.1:${TARGET_PORT}`, allowPrivateNetwork: true }, credentials: { authType: 'none' } }, token)
    const http = { id: 'http', type: 'gateway', gatewayId: gateway.id, action: 'request', params: { method: 'GET', path: '/items' } }
    const create = async (name: string, steps: unknown[]) =>
      (await apiOk(base, 'POST', '/api/user/services', { name, definition: { trigger: { type: 'webhook', respond: 'lastStep' }, steps } }, token)).service as { id: string }
    const pure = await create('Five pure steps', FIVE_PURE_STEPS)
    const withHttp = await create('Five steps and an HTTP GET', [...FIVE_PURE_STEPS.slice(0, 4), http, FIVE_PURE_STEPS[4]])
    const body = JSON.stringify({ text: 'hello there' })
    const storedOf = async (serviceId: string) => {
      let count = 0
      let before: string | undefined
      // Counted back through the API, a page at a time.
      for (;;) {
        const page = (await apiOk(base, 'GET', `/api/user/services/${serviceId}/executions?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`, undefined, token)).executions as { createdAt: string; status: string }[]
        count += page.filter((e) => e.status === 'COMPLETED').length
        if (page.length < 100) return count
        before = page.at(-1)!.createdAt
      }
    }
    const run = async (service: { id: string }, name: string) => {
      const url = `${base}/api/webhooks/service/${service.id}`
      const probe = await apiOk(base, 'POST', url.slice(base.length), { text: 'hello there' })
      if (probe.reply !== 'HELLO THERE') throw new Error(`${name}: unexpected answer ${JSON.stringify(probe)}`)
      const measured = await withMemory(server.pid!, () => load(name, { url, method: 'POST', headers: { 'content-type': 'application/json' }, body, seconds, connections: 50 }))
      const r = measured.result
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
      return { ...measured, load: r }
    }
    const pureRun = await run(pure, 'pure')
    const httpRun = await run(withHttp, 'http')
    // Runs answered during the load (the probe aside) that are on record as completed; runs still in flight when the load stopped add a few.
    await new Promise((r) => setTimeout(r, 2000))
    const httpStored = (await storedOf(withHttp.id)) - 1

    // The executions list over a workflow with 20,000 runs: top the pure workflow up to that many.
    for (let stored = await storedOf(pure.id); stored < LIST_RUNS; stored = await storedOf(pure.id)) {
      const topUp = Math.max(2, Math.ceil((LIST_RUNS - stored) / Math.max(1, pureRun.load.requestsPerSecond)))
      await load('top-up', { url: `${base}/api/webhooks/service/${pure.id}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, seconds: topUp })
    }
    const pureStored = await storedOf(pure.id)
    const lists: { label: string; path: string }[] = [
      { label: 'GET /api/gateways', path: '/api/gateways' },
      { label: 'GET /api/user/services', path: '/api/user/services' },
      { label: `GET /api/user/services/:id/executions (${pureStored.toLocaleString('en')} runs, first page of 25)`, path: `/api/user/services/${pure.id}/executions` },
    ]
    const reads: { label: string; result: LoadResult }[] = []
    let listMem = { apiMiB: 0, runtimeMiB: 0 }
    for (const l of lists) {
      const measured = await withMemory(server.pid!, () => fixedRate(l.label, `${base}${l.path}`, token, seconds))
      if (measured.result.non2xx || measured.result.errors) throw new Error(`${l.label}: ${measured.result.non2xx} non-2xx, ${measured.result.errors} errors`)
      listMem = { apiMiB: Math.max(listMem.apiMiB, measured.apiMiB), runtimeMiB: Math.max(listMem.runtimeMiB, measured.runtimeMiB) }
      reads.push({ label: l.label, result: measured.result })
    }
    console.log('execution core', { pure: pureRun, http: httpRun, httpStored, reads })
    const pass = (ok: boolean) => (ok ? 'met' : '**not met**')
    return [
      '## Execution core (issue 11)',
      '',
      `Measured ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version};`,
      `load ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15-minute averages when the section finished; other work on the machine lowers the numbers).`,
      'The embedded platform as `pnpm start` runs it (`edge-api/dist/local.mjs`: PGlite, a workspace runtime child process from runtime/dist) in its own process; the load comes from this',
      'process over loopback (workflows: autocannon, as fast as answers come; reads: evenly paced requests, latency counted from when each was due,',
      'tests/bench/fixed-rate.ts); the HTTP step calls a plain Node server in a third process through a WEBHOOK gateway (allowPrivateNetwork).',
      '',
      `| workflow (synchronous webhook, 50 connections, ${seconds} s) | executions/s | p50 ms | p99 ms | API RSS peak | runtime RSS peak | target |`,
      '|---|---|---|---|---|---|---|',
      `| 5 pure steps (inline in the API) | ${pureRun.load.requestsPerSecond} | ${pureRun.load.p50Ms} | ${pureRun.load.p99Ms} | ${pureRun.apiMiB} MiB | ${pureRun.runtimeMiB} MiB | ≥ 3,000/s: ${pass(pureRun.load.requestsPerSecond >= 3000)} |`,
      `| 5 pure steps + HTTP GET (in the workspace) | ${httpRun.load.requestsPerSecond} | ${httpRun.load.p50Ms} | ${httpRun.load.p99Ms} | ${httpRun.apiMiB} MiB | ${httpRun.runtimeMiB} MiB | ≥ 1,000/s, p99 ≤ 100 ms: ${pass(httpRun.load.requestsPerSecond >= 1000 && httpRun.load.p99Ms <= 100)} |`,
      '',
      `Every answer was a 2xx with the last step's output; of the HTTP-step workflow's ${httpRun.load.ok.toLocaleString('en')} answered calls, ${httpStored.toLocaleString('en')} executions are on record as`,
      'COMPLETED with their step records (counted back through the executions API; more than answered = calls in flight when the load stopped).',
      `API RSS target ≤ 200 MiB under load: ${pass(Math.max(pureRun.apiMiB, httpRun.apiMiB, listMem.apiMiB) <= 200)}.`,
      '',
      `| signed-in read (bearer session), fixed ${LIST_RATE.toLocaleString('en')} req/s, ${seconds} s | served req/s | p50 ms | p99 ms | target p99 ≤ 15 ms |`,
      '|---|---|---|---|---|',
      ...reads.map((r) => `| ${r.label} | ${r.result.requestsPerSecond} | ${r.result.p50Ms} | ${r.result.p99Ms} | ${pass(r.result.p99Ms <= 15 && r.result.requestsPerSecond >= LIST_RATE * 0.95)} |`),
      '',
    ].join('\n')
  } finally {
    await stopServer(server)
    await stopServer(target)
    rmSync(dataDir, { recursive: true, force: true })
  }
}
