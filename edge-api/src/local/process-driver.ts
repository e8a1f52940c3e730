import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { WorkspaceDriver } from '../adapters/workspace/workspace-driver.port'
import type { Logger } from '@2bot/contracts/logger'

export interface ProcessDriverOptions {
  repoRoot: string
  /** The API the runtime talks to; known once the server listens. */
  apiUrl: () => string
  logger: Logger
  /** Extra environment for runtimes (e.g. TELEGRAM_API_ROOT). */
  env?: Record<string, string>
  restartDelayMs?: number
  /** How often each runtime reports its usage (memory, CPU, runs, plugins loaded) to the platform. */
  usageReportSeconds?: number
}

/**
 * How a runtime child process starts: the bundle `pnpm start` builds (runtime/dist/runtime.mjs,
 * plain JavaScript: ~50 MB less resident memory than through tsx under load) when the API runs bundled too,
 * from source through tsx when the API does (`pnpm dev`, tests) or no bundle is there.
 */
export function runtimeEntry(repoRoot: string, apiFromSource = import.meta.url.endsWith('.ts')): { args: string[]; label: string } {
  const bundle = join(repoRoot, 'runtime', 'dist', 'runtime.mjs')
  if (!apiFromSource && existsSync(bundle)) return { args: [bundle], label: 'runtime/dist/runtime.mjs' }
  return { args: ['--import', 'tsx', join(repoRoot, 'runtime', 'src', 'main.ts')], label: 'runtime/src/main.ts' }
}

interface Runtime {
  child: ChildProcess
  issueToken: () => Promise<string>
  stopping: boolean
}

/**
 * The embedded workspace driver: each workspace's runtime is a child process on this machine
 * (no container engine needed). It starts on first need and restarts alone if it dies.
 */
export function createProcessDriver(opts: ProcessDriverOptions): WorkspaceDriver & { pid(workspaceId: string): number | undefined } {
  const runtimes = new Map<string, Runtime>()
  const starting = new Map<string, Promise<void>>()

  async function start(workspaceId: string, issueToken: () => Promise<string>): Promise<void> {
    const token = await issueToken()
    const child = spawn(process.execPath, runtimeEntry(opts.repoRoot).args, {
      cwd: opts.repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TWOBOT_API_URL: opts.apiUrl(),
        TWOBOT_WORKSPACE_TOKEN: token,
        TWOBOT_WORKSPACE_ID: workspaceId,
        TWOBOT_ALLOW_PRIVATE_NETWORKS: 'true',
        // A child process has no container to read from outside: the runtime reports its own usage.
        TWOBOT_USAGE_REPORT_SECONDS: String(opts.usageReportSeconds ?? 60),
        // Its cgroup is the host's (everything else on the machine too): count this process alone.
        TWOBOT_USAGE_MEMORY: 'process',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const runtime: Runtime = { child, issueToken, stopping: false }
    runtimes.set(workspaceId, runtime)
    const forward = (level: 'info' | 'error') => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) opts.logger.log(level, 'runtime', { workspaceId, line: line.slice(0, 2000) })
    }
    child.stdout?.on('data', forward('info'))
    child.stderr?.on('data', forward('error'))
    child.once('exit', (code, signal) => {
      if (runtimes.get(workspaceId) === runtime) runtimes.delete(workspaceId)
      if (runtime.stopping) return
      opts.logger.log('warn', 'workspace runtime exited; restarting', { workspaceId, code, signal })
      // Its leased jobs are picked up again after the lease expires (the reaper), from their checkpoints.
      setTimeout(() => void ensureRunning(workspaceId, issueToken).catch(() => {}), opts.restartDelayMs ?? 1000).unref()
    })
  }

  async function ensureRunning(workspaceId: string, issueToken: () => Promise<string>): Promise<void> {
    if (runtimes.has(workspaceId)) return
    let pending = starting.get(workspaceId)
    if (!pending) {
      pending = start(workspaceId, issueToken).finally(() => starting.delete(workspaceId))
      starting.set(workspaceId, pending)
    }
    await pending
  }

  async function stop(workspaceId: string): Promise<void> {
    const runtime = runtimes.get(workspaceId)
    if (!runtime) return
    runtime.stopping = true
    const exited = new Promise<void>((resolve) => runtime.child.once('exit', () => resolve()))
    runtime.child.kill('SIGTERM')
    const timer = setTimeout(() => runtime.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  return {
    kind: 'process',
    bulkheads: opts.env?.TWOBOT_ISOLATION === 'worker',
    ensureRunning,
    stop,
    async stopAll() {
      await Promise.all([...runtimes.keys()].map(stop))
    },
    pid: (workspaceId) => runtimes.get(workspaceId)?.child.pid,
    awake: () => [...runtimes.keys()],
    async status(workspaceId) {
      if (starting.has(workspaceId)) return { state: 'starting', restarts: 0 }
      const pid = runtimes.get(workspaceId)?.child.pid
      return pid ? { state: 'running', instanceId: `pid ${pid}`, restarts: 0 } : { state: 'stopped', restarts: 0 }
    },
  }
}
