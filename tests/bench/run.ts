/**
 * `pnpm bench`: request throughput and latency of the API in both homes, written to docs/benchmarks.md.
 *   Node + PGlite: the embedded entry as `pnpm start` builds it (`edge-api/dist/local.mjs`) in its own process.
 *   workerd + PostgreSQL: `wrangler dev` with the Neon driver through a WebSocket proxy, Redis via Upstash's protocol.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { benchBulkheads } from './bulkheads.bench'
import { benchEngine } from './engine.bench'
import { benchExecutionCore } from './execution-core.bench'
import { benchPlugins } from './plugins.bench'
import { benchWorkflows } from './workflows.bench'
import { benchWorkspaces } from './workspaces.bench'
import { benchUi } from './ui.bench'
import type { startCloudFarEnd } from '../../edge-api/test/support/cloud-far-end'
import { bearerFor, load, loginLatency, startEmbedded, startServer, stopServer, type LoadResult } from './lib'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const PASSWORD = 'Bench-Pass-1!'

interface HomeResult {
  home: string
  health: LoadResult
  me: LoadResult
  /** Signed-in lists (issue 11): the user's gateways and workflows, one of each on record. */
  lists: LoadResult[]
  login: { p50Ms: number; p99Ms: number }
}

async function measure(home: string, base: string): Promise<HomeResult> {
  const token = await bearerFor(base, `bench-${Date.now()}@example.com`, PASSWORD)
  const email = `bench-login-${Date.now()}@example.com`
  await bearerFor(base, email, PASSWORD)
  const health = await load(`${home} GET /api/health`, { url: `${base}/api/health`, seconds: SECONDS })
  const me = await load(`${home} GET /api/users/me`, { url: `${base}/api/users/me`, headers: { authorization: `Bearer ${token}` }, seconds: SECONDS })
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const created = await Promise.all([
    fetch(`${base}/api/gateways`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'WEBHOOK', name: 'Bench API', config: { baseUrl: 'https://api.example.com' }, credentials: { authType: 'none' } }) }),
    fetch(`${base}/api/user/services`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Bench', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: { ok: true } }] } }) }),
  ])
  for (const res of created) if (res.status !== 201) throw new Error(`${home} seeding lists: ${res.status} ${await res.text()}`)
  const lists = [
    await load(`${home} GET /api/gateways`, { url: `${base}/api/gateways`, headers: { authorization: `Bearer ${token}` }, seconds: SECONDS }),
    await load(`${home} GET /api/user/services`, { url: `${base}/api/user/services`, headers: { authorization: `Bearer ${token}` }, seconds: SECONDS }),
  ]
  const login = await loginLatency(base, email, PASSWORD)
  for (const r of [health, me, ...lists]) {
    if (r.non2xx || r.errors) throw new Error(`${r.name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
  }
  console.log(home, { health, me, lists, login })
  return { home, health, me, lists, login }
}

async function benchNode(): Promise<HomeResult> {
  const dataDir = mkdtempSync(join(os.tmpdir(), '2bot-bench-'))
  const port = 8390
  const server = await startEmbedded(port, dataDir)
  try {
    return await measure('Node + PGlite', `http://127.0.0.1:${port}`)
  } finally {
    await stopServer(server)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The Workers home; `queries`: how one-shot queries reach PostgreSQL (NEON_QUERIES); `sessionCacheSeconds`: SESSION_CACHE_SECONDS. */
async function benchWorkerd(home: string, farEndPort: number, queries: 'websocket' | 'http', sessionCacheSeconds = 0): Promise<HomeResult> {
  const farEnd = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/workers-far-end.ts', String(farEndPort)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = 8391
  try {
    const [line] = (await once(createInterface({ input: farEnd.stdout! }), 'line')) as [string]
    const far = JSON.parse(line) as Awaited<ReturnType<typeof startCloudFarEnd>>['addresses']
    const vars = {
      APP_ENV: 'test',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: far.databaseUrl,
      NEON_WS_PROXY: far.wsProxy,
      NEON_HTTP_ENDPOINT: far.neonHttpEndpoint,
      NEON_QUERIES: queries,
      SESSION_CACHE_SECONDS: String(sessionCacheSeconds),
      ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=',
      UPSTASH_REDIS_REST_URL: far.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: far.upstashToken,
      QSTASH_URL: far.qstashUrl,
      QSTASH_TOKEN: far.qstashToken,
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'error',
    }
    const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])]
    const server = await startServer('pnpm', ['--dir', 'edge-api', 'exec', ...args, '--config', '../wrangler.toml'], { WRANGLER_SEND_METRICS: 'false' }, `http://127.0.0.1:${port}/api/health/ready`, ROOT)
    try {
      return await measure(home, `http://127.0.0.1:${port}`)
    } finally {
      await stopServer(server)
    }
  } finally {
    farEnd.kill('SIGTERM')
    if (farEnd.exitCode === null) await once(farEnd, 'exit')
  }
}

function report(results: HomeResult[]): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const rows = results.flatMap((r) => [
    `| ${r.home} | GET /api/health | ${r.health.requestsPerSecond} | ${r.health.p50Ms} | ${r.health.p99Ms} |`,
    `| ${r.home} | GET /api/users/me (bearer session) | ${r.me.requestsPerSecond} | ${r.me.p50Ms} | ${r.me.p99Ms} |`,
    ...r.lists.map((l) => `| ${r.home} | ${l.name.slice(r.home.length + 1)} (bearer session) | ${l.requestsPerSecond} | ${l.p50Ms} | ${l.p99Ms} |`),
  ])
  const logins = results.map((r) => `| ${r.home} | ${r.login.p50Ms} | ${r.login.p99Ms} |`)
  return [
    '## API foundation (issue 2)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.`,
    `autocannon, 50 connections, ${SECONDS} s per row, over loopback from a separate process; every response 2xx.`,
    '',
    '| home | request | req/s | p50 ms | p99 ms |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Login latency (sequential, 30 logins; PBKDF2-SHA256 × 100,000 dominates):',
    '',
    '| home | p50 ms | p99 ms |',
    '|---|---|---|',
    ...logins,
    '',
    'What ran for real: the Node entry with PGlite in its data folder; workerd via `wrangler dev` with the Neon',
    'driver to PostgreSQL 15, and @upstash/redis against redis-server behind the Upstash REST protocol',
    '(test/support/upstash-shim.ts), those far ends in a process of their own (tests/bench/workers-far-end.ts).',
    'Load generator and servers share the 2 cores. workerd rows include wrangler',
    "dev's local proxy in front of workerd. (WebSocket): every request opens a database connection through a",
    'WebSocket proxy (Workers cannot keep sockets between requests), so PostgreSQL starts a backend per request.',
    "(Neon HTTP): one-shot queries go through the real `neon()` HTTP driver (`NEON_QUERIES=http`, the default on",
    "Neon) to a double of Neon's `/sql` endpoint (test/support/neon-http-double.ts) that runs them on a pool of",
    "connections, as Neon's proxy does; transactions still open a WebSocket. Neon's own endpoint adds the network",
    'and its proxy, so absolute numbers there differ; what is measured is the cost on our side of each way.',
    '(sessions cached 5 s): SESSION_CACHE_SECONDS=5, the session and its user kept in the isolate (a revocation',
    'through another isolate takes up to 5 s to reach it). Under wrangler dev every subrequest (a query, an Upstash',
    'call) costs ~3 ms of CPU: a trivial Worker serves ~1,300 req/s, ~290 with one fetch per request.',
    '',
  ].join('\n')
}

/** Replaces the section with the same `## ` title in docs/benchmarks.md, or appends it. */
function writeSection(section: string): void {
  const file = join(ROOT, 'docs', 'benchmarks.md')
  let doc: string
  try {
    doc = readFileSync(file, 'utf8')
  } catch {
    doc = '# Benchmarks\n\nWritten by `pnpm bench`. Numbers from one machine; compare runs on the same machine only.\n\n'
  }
  const title = section.split('\n')[0]!
  const start = doc.indexOf(title)
  const next = start === -1 ? -1 : doc.indexOf('\n## ', start + title.length)
  doc = start === -1 ? `${doc.trimEnd()}\n\n${section}` : doc.slice(0, start) + section + (next === -1 ? '' : doc.slice(next + 1))
  writeFileSync(file, doc)
  console.log(`${title} → ${file}`)
}

// `pnpm bench` runs every section; `pnpm bench engine` (or `api`, `workflows`, `core`, `ui`, `workspaces`, `bulkheads`, `plugins`) only that one.
const only = process.argv[2]
if (!only || only === 'engine') writeSection(await benchEngine())
if (!only || only === 'api') writeSection(report([
    await benchNode(),
    await benchWorkerd('workerd + PostgreSQL (WebSocket)', 24100, 'websocket'),
    await benchWorkerd('workerd + PostgreSQL (Neon HTTP)', 24200, 'http'),
    await benchWorkerd('workerd + PostgreSQL (Neon HTTP, sessions cached 5 s)', 24300, 'http', 5),
  ]))
if (!only || only === 'workflows') writeSection(await benchWorkflows(SECONDS))
if (!only || only === 'core') writeSection(await benchExecutionCore(SECONDS))
if (!only || only === 'ui') writeSection(await benchUi())
if (!only || only === 'workspaces') writeSection(await benchWorkspaces())
if (!only || only === 'bulkheads') writeSection(await benchBulkheads())
if (!only || only === 'plugins') writeSection(await benchPlugins())
process.exit(0)
