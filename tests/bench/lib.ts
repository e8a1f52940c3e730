import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { callJson } from '../support/json-call'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface LoadResult {
  name: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Answers with a 2xx status over the whole run. */
  ok: number
  non2xx: number
  errors: number
}

/** autocannon from this process against a server in another process, over loopback. */
export async function load(
  name: string,
  opts: { url: string; method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string>; seconds?: number; connections?: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url: opts.url,
    method: opts.method ?? 'GET',
    body: opts.body,
    headers: opts.headers,
    duration: opts.seconds ?? 10,
    connections: opts.connections ?? 50,
  })
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Starts a server process and waits until `readyUrl` answers 200. */
export async function startServer(command: string, args: string[], env: Record<string, string>, readyUrl: string, cwd: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'], detached: true })
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(readyUrl)).status === 200) return child
    } catch {}
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  await stopServer(child)
  throw new Error(`${readyUrl} not ready in 90 s`)
}

let built = false
/** What `pnpm start` runs: the embedded entry and the runtime built into plain modules (edge-api/scripts/build-local.mjs), once per bench. */
function buildLocal(): void {
  if (built) return
  execFileSync(process.execPath, ['edge-api/scripts/build-local.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  built = true
}

/**
 * The embedded platform as `pnpm start` runs it (`edge-api/dist/local.mjs`, built from
 * edge-api/src/local.ts: PGlite, runtime child processes from runtime/dist/runtime.mjs) in its own
 * process on `port`, with its data in `dataDir`; rate limits are a defence, not what is measured.
 */
export function startEmbedded(port: number, dataDir: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${port}`
  buildLocal()
  return startServer('node', ['edge-api/dist/local.mjs'], { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'error', AUTH_RATE_LIMIT_PER_MINUTE: '100000', ...env }, `${base}/api/health/ready`, ROOT)
}

/** One API call that must succeed: its JSON body, or an error naming the call and the answer. */
export async function apiOk(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await callJson(base, method, path, body, token)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** The five pure steps of issue 11's workflows (and the synchronous webhook row): text in, its upper case and word count out. */
export const FIVE_PURE_STEPS = [
  { id: 's1', type: 'transform', value: { text: '{{ trigger.body.text }}' } },
  { id: 's2', type: 'transform', value: { upper: '{{ upper(steps.s1.output.text) }}' } },
  { id: 's3', type: 'condition', if: 'len(steps.s2.output.upper) > 0' },
  { id: 's4', type: 'transform', value: { words: '{{ split(steps.s1.output.text, " ") }}' } },
  { id: 's5', type: 'transform', value: { reply: '{{ steps.s2.output.upper }}', words: '{{ len(steps.s4.output.words) }}' } },
]

/** Stops the server's whole process group (its runtimes too) and waits for it; SIGKILL after 10 s. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }, 10_000)
  await exited
  clearTimeout(timer)
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

/** Registers a user and returns a bearer token for it. */
export async function bearerFor(base: string, email: string, password: string): Promise<string> {
  const reg = await fetch(`${base}/api/auth/register`, json({ email, password }))
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`)
  const login = await fetch(`${base}/api/auth/login`, json({ email, password, tokenType: 'bearer' }))
  return ((await login.json()) as { token: string }).token
}

/** Sequential logins: what one user waits for, dominated by PBKDF2's 100,000 iterations. */
export async function loginLatency(base: string, email: string, password: string, n = 30): Promise<{ p50Ms: number; p99Ms: number }> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const res = await fetch(`${base}/api/auth/login`, json({ email, password, tokenType: 'bearer' }))
    if (res.status !== 200) throw new Error(`login: ${res.status}`)
    await res.arrayBuffer()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { p50Ms: Math.round(percentile(times, 50) * 10) / 10, p99Ms: Math.round(percentile(times, 99) * 10) / 10 }
}
