/**
 * `pnpm bench`: request throughput and latency of the API in both homes, written to docs/benchmarks.md.
 *   Node + PGlite: the embedded entry as `pnpm start` builds it (`edge-api/dist/local.mjs`) in its own process.
 *   workerd + PostgreSQL: `wrangler dev` with the Neon driver through a WebSocket proxy, Redis via Upstash's protocol.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrateNeon } from '../../edge-api/src/db/migrate-neon'
import { startPostgres } from '../../edge-api/test/support/postgres-server'
import { startQStashDouble } from '../../edge-api/test/support/qstash-double'
import { startUpstashShim } from '../../edge-api/test/support/upstash-shim'
import { startWsProxy } from '../../edge-api/test/support/ws-proxy'
import { benchBulkheads } from './bulkheads.bench'
import { benchEngine } from './engine.bench'
import { benchExecutionCore } from './execution-core.bench'
import { benchPlugins } from './plugins.bench'
import { benchWorkflows } from './workflows.bench'
import { benchWorkspaces } from './workspaces.bench'
import { benchUi } from './ui.bench'
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

async function benchWorkerd(): Promise<HomeResult> {
  const base = 24100
  const pg = startPostgres(base)
  const proxy = await startWsProxy(base + 1)
  const upstash = await startUpstashShim({ redisPort: base + 2, httpPort: base + 3, token: 'bench-upstash' })
  const qstash = await startQStashDouble({ port: base + 4, token: 'bench-qstash' })
  const port = 8391
  try {
    await migrateNeon(pg.url, proxy.address)
    const vars = {
      APP_ENV: 'test',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: pg.url,
      NEON_WS_PROXY: proxy.address,
      ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE=',
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: 'bench-qstash',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'error',
    }
    const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])]
    const server = await startServer('pnpm', ['--dir', 'edge-api', 'exec', ...args, '--config', '../wrangler.toml'], { WRANGLER_SEND_METRICS: 'false' }, `http://127.0.0.1:${port}/api/health/ready`, ROOT)
    try {
      return await measure('workerd + PostgreSQL', `http://127.0.0.1:${port}`)
    } finally {
      await stopServer(server)
    }
  } finally {
    await qstash.stop()
    await upstash.stop()
    await proxy.stop()
    pg.stop()
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
    'driver over a WebSocket proxy to PostgreSQL 15, and @upstash/redis against redis-server behind the Upstash',
    'REST protocol (test/support/upstash-shim.ts). Load generator and servers share the 2 cores.',
    "workerd rows include wrangler dev's local proxy in front of workerd, and a new database connection per",
    'request (Workers cannot keep sockets between requests; Neon in production pools on its side).',
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
if (!only || only === 'api') writeSection(report([await benchNode(), await benchWorkerd()]))
if (!only || only === 'workflows') writeSection(await benchWorkflows(SECONDS))
if (!only || only === 'core') writeSection(await benchExecutionCore(SECONDS))
if (!only || only === 'ui') writeSection(await benchUi())
if (!only || only === 'workspaces') writeSection(await benchWorkspaces())
if (!only || only === 'bulkheads') writeSection(await benchBulkheads())
if (!only || only === 'plugins') writeSection(await benchPlugins())
process.exit(0)
