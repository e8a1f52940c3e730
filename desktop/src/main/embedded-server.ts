import type { ChildProcess, SpawnOptions } from 'node:child_process'
import path from 'node:path'

export interface EmbeddedServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string
  /** Asks the server to shut down (SIGTERM), and kills it if it has not exited after `killAfterMs`. */
  stop(): Promise<void>
  /** Resolves when the server process exits, for whatever reason. */
  exited: Promise<number | null>
}

export interface EmbeddedServerDeps {
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess
  /** The monorepo checkout holding `edge-api/` (the server is built from it at each start). */
  repoRoot: string
  /** Where the server keeps PGlite, its secrets and the mail outbox: `<userData>/server`. */
  dataDir: string
  /** A Node.js binary. Not Electron's: the server spawns workspace runtimes with its own `process.execPath`. */
  nodePath: string
  env: Readonly<Record<string, string | undefined>>
  fetch: typeof fetch
  startTimeoutMs?: number
  killAfterMs?: number
  log(message: string): void
}

export class EmbeddedServerError extends Error {
  override name = 'EmbeddedServerError'
}

/** The line `edge-api/src/local.ts` prints once it listens. */
const READY_LINE = /2Bot is running at (http:\/\/127\.0\.0\.1:\d{1,5})\b/

/**
 * Builds and starts the embedded 2Bot server (`edge-api/src/local.ts`, as `pnpm start` runs it) as a child process on a free
 * loopback port, and resolves once `/api/health/ready` answers. A child process keeps PGlite and
 * the workflow runtimes out of Electron's main process, so a crash there cannot take the window down.
 */
export async function startEmbeddedServer(deps: EmbeddedServerDeps): Promise<EmbeddedServer> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(deps.env)) {
    // Electron's own switches would make a Node child behave like Electron, or leak into it.
    if (value !== undefined && !key.startsWith('ELECTRON_')) env[key] = value
  }
  Object.assign(env, { HOST: '127.0.0.1', PORT: '0', DATA_DIR: deps.dataDir })

  await buildServer(deps, env)
  const child = deps.spawn(deps.nodePath, [path.join(deps.repoRoot, 'edge-api', 'dist', 'local.mjs')], {
    cwd: deps.repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', (error) => {
      deps.log(`embedded server could not start: ${error.message}`)
      resolve(null)
    })
  })

  let stderrTail = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000)
  })

  const listening = new Promise<string>((resolve) => {
    let buffered = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered = (buffered + chunk.toString('utf8')).slice(-4000)
      const match = READY_LINE.exec(buffered)
      if (match?.[1]) resolve(match[1])
    })
  })

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), deps.killAfterMs ?? 10_000)
    await exited
    clearTimeout(timer)
  }

  let starting = true
  const timeoutMs = deps.startTimeoutMs ?? 60_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EmbeddedServerError(`the embedded server did not start within ${timeoutMs / 1000} s`)), timeoutMs)
  })
  const died = exited.then((code): never => {
    if (stderrTail) deps.log(`embedded server output:\n${stderrTail}`)
    throw new EmbeddedServerError(`the embedded server stopped while starting (exit code ${code ?? 'none'})`)
  })

  try {
    const url = await Promise.race([listening.then((u) => waitUntilReady(u, deps.fetch, () => starting)), timedOut, died])
    return { url, stop, exited }
  } catch (error) {
    await stop()
    throw error
  } finally {
    starting = false
    clearTimeout(timer)
    died.catch(() => undefined)
  }
}

/**
 * Builds what `pnpm start` runs (edge-api/scripts/build-local.mjs: the server and the workspace
 * runtime as plain JavaScript, about a second) so the checkout's current code is what starts; run
 * from source through tsx it took several seconds to compile and ~110 MB more memory.
 */
async function buildServer(deps: EmbeddedServerDeps, env: Record<string, string>): Promise<void> {
  const build = deps.spawn(deps.nodePath, [path.join(deps.repoRoot, 'edge-api', 'scripts', 'build-local.mjs')], { cwd: deps.repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  build.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)))
  const code = await new Promise<number | null>((resolve) => {
    build.once('exit', (exitCode) => resolve(exitCode))
    build.once('error', (error) => {
      deps.log(`embedded server build could not start: ${error.message}`)
      resolve(null)
    })
  })
  if (code === 0) return
  if (stderr) deps.log(`embedded server build output:\n${stderr}`)
  throw new EmbeddedServerError(`the embedded server could not be built (exit code ${code ?? 'none'})`)
}

/** Polls the readiness endpoint: listening is not the same as having applied migrations. */
async function waitUntilReady(url: string, fetchFn: typeof fetch, stillStarting: () => boolean): Promise<string> {
  while (stillStarting()) {
    try {
      const res = await fetchFn(`${url}/api/health/ready`)
      if (res.ok) return url
    } catch {
      // Not accepting connections yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return url
}
