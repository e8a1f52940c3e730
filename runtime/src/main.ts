/**
 * The workspace runtime process: `node --import tsx runtime/src/main.ts` (embedded default, started
 * by the platform) or the runtime image's entry (Docker/Nomad). Configuration comes from the
 * environment, parsed once here.
 */
import { hostname } from 'node:os'
import { fileURLToPath } from 'node:url'
import * as v from 'valibot'
import { createGatewayHost } from './worker/gateway-host'
import { createPluginHost } from './worker/plugin-host'
import { startHealthServer } from './worker/health-server'
import { startJobLoop } from './worker/job-loop'
import { startUsageReporter } from './worker/usage-reporter'
import { createRunPool } from './worker/run-pool'
import type { ToolsConfig } from './worker/run-tools'
import { createHttpRuntimeApi } from './worker/runtime-api'
import { PLUGIN_LIMITS, WORKFLOW_LIMITS, WORKSPACE_BULKHEADS } from '@2bot/contracts'
import { createJsonLogger, type LogLevel } from '@2bot/contracts/logger'

const RuntimeEnv = v.object({
  TWOBOT_API_URL: v.pipe(v.string('TWOBOT_API_URL is required'), v.url()),
  TWOBOT_WORKSPACE_TOKEN: v.pipe(v.string('TWOBOT_WORKSPACE_TOKEN is required'), v.startsWith('ws_')),
  TWOBOT_WORKSPACE_ID: v.optional(v.string(), 'local'),
  /** Local mode: WEBHOOK gateways may opt in to services on this machine and its network. */
  TWOBOT_ALLOW_PRIVATE_NETWORKS: v.optional(v.picklist(['true', 'false']), 'false'),
  /** Points the Telegram client at another Bot API server (tests, a self-hosted Bot API). */
  TELEGRAM_API_ROOT: v.optional(v.pipe(v.string(), v.url())),
  /** How long a lease lasts without a heartbeat; a dead runtime's runs resume after this. */
  TWOBOT_LEASE_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(5), v.maxValue(300)), '30'),
  /** Runs in flight at once; the platform leases no more than its own cap for the workspace either. */
  TWOBOT_CONCURRENCY: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(WORKFLOW_LIMITS.maxConcurrentRunsCeiling)), String(WORKFLOW_LIMITS.maxConcurrentRunsPerUser)),
  /** `GET /health` (liveness, RSS, CPU, runs in flight) on this port; none when unset. */
  TWOBOT_HEALTH_PORT: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0), v.maxValue(65535))),
  /** 127.0.0.1 with host networking; 0.0.0.0 where the health check comes from outside (Nomad bridge). */
  TWOBOT_HEALTH_HOST: v.optional(v.pipe(v.string(), v.ip()), '127.0.0.1'),
  /** The QuickJS heap each code step may use. */
  TWOBOT_CODE_MEMORY_MB: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(8), v.maxValue(16384)), '64'),
  /**
   * `worker` (the default): each code step in a worker thread with its own heap limit, so user code
   * that spins never holds the runtime's heartbeats, API calls or other runs; `inline`: on the main
   * thread (lightest, for trusted code only).
   */
  TWOBOT_CODE_ISOLATION: v.optional(v.picklist(['worker', 'inline']), 'worker'),
  /**
   * Worker threads for code steps at most; by default one per run that may be in flight, up to 16
   * (beyond that many busy code steps at once, the next waits for a thread; other steps never do).
   */
  TWOBOT_CODE_THREADS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(32))),
  /**
   * `worker` (containers): bulkheads — each service run in a worker thread of its own with
   * TWOBOT_RUN_MEMORY_MB of heap, each gateway in one with TWOBOT_GATEWAY_MEMORY_MB; one that runs
   * out ends alone. `inline`: all on the main thread (the embedded default, lightest).
   */
  TWOBOT_ISOLATION: v.optional(v.picklist(['worker', 'inline']), 'inline'),
  TWOBOT_RUN_MEMORY_MB: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(16), v.maxValue(16384)), String(WORKSPACE_BULKHEADS.runMemoryMb)),
  TWOBOT_GATEWAY_MEMORY_MB: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(16), v.maxValue(16384)), String(WORKSPACE_BULKHEADS.gatewayMemoryMb)),
  /** Each plugin's memory: its QuickJS sandbox's heap, and its thread's V8 heap. */
  TWOBOT_PLUGIN_MEMORY_MB: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(32), v.maxValue(4096)), String(PLUGIN_LIMITS.memoryMb)),
  /** Report usage to the platform this often (the Nomad job sets 60); unset where the platform reads the container itself. */
  TWOBOT_USAGE_REPORT_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(10), v.maxValue(3600))),
  /** `cgroup` in a container (its cgroup's charge); `process` for a child process on a host (its RSS). */
  TWOBOT_USAGE_MEMORY: v.optional(v.picklist(['cgroup', 'process']), 'cgroup'),
  /** On SIGTERM, runs in flight may finish for this long before their jobs are given back. */
  TWOBOT_DRAIN_SECONDS: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(0), v.maxValue(300)), '10'),
})

export async function main(): Promise<void> {
  const parsed = v.safeParse(RuntimeEnv, process.env)
  if (!parsed.success) {
    console.error(`runtime: bad environment: ${parsed.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`).join('; ')}`)
    process.exit(2)
  }
  const env = parsed.output
  const owner = `${hostname()}:${process.pid}`
  // The platform's logger: one JSON line each, secret-looking keys and values scrubbed.
  const logger = createJsonLogger()
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => logger.log(level, msg, { workspace: env.TWOBOT_WORKSPACE_ID, ...fields })
  const api = createHttpRuntimeApi({ baseUrl: env.TWOBOT_API_URL, token: env.TWOBOT_WORKSPACE_TOKEN })
  const config: ToolsConfig = {
    codeMemoryMb: env.TWOBOT_CODE_MEMORY_MB,
    codeIsolation: env.TWOBOT_CODE_ISOLATION,
    codeThreads: env.TWOBOT_CODE_THREADS ?? Math.min(env.TWOBOT_CONCURRENCY, 16),
    telegramApiRoot: env.TELEGRAM_API_ROOT,
    allowPrivateNetworks: env.TWOBOT_ALLOW_PRIVATE_NETWORKS === 'true',
  }
  const isolation =
    env.TWOBOT_ISOLATION === 'worker'
      ? {
          runs: createRunPool({ config, memoryMb: env.TWOBOT_RUN_MEMORY_MB, maxThreads: env.TWOBOT_CONCURRENCY }),
          runMemoryMb: env.TWOBOT_RUN_MEMORY_MB,
          gateways: createGatewayHost({ config, api, memoryMb: env.TWOBOT_GATEWAY_MEMORY_MB, log }),
        }
      : undefined
  // Plugins always run in threads of their own (the sandbox's heap and the thread's), even without bulkheads for runs.
  const plugins = createPluginHost({ api, memoryMb: env.TWOBOT_PLUGIN_MEMORY_MB, maxThreads: PLUGIN_LIMITS.maxThreads, log })
  const loop = startJobLoop({
    api,
    owner,
    plugins,
    // Runs here, or each in a thread of its own. The engine's tools and the gateway clients (openai,
    // grammy) are loaded only where runs execute on this thread, so with bulkheads it stays small.
    ...(isolation
      ? { isolation }
      : { tools: (await import('./worker/run-tools')).buildRunTools(config), gateways: (await import('./worker/gateway-tools')).buildGatewayFactories(config) }),
    concurrency: env.TWOBOT_CONCURRENCY,
    leaseSeconds: env.TWOBOT_LEASE_SECONDS,
    log,
  })
  const health =
    env.TWOBOT_HEALTH_PORT === undefined
      ? undefined
      : await startHealthServer({
          port: env.TWOBOT_HEALTH_PORT,
          host: env.TWOBOT_HEALTH_HOST,
          workspaceId: env.TWOBOT_WORKSPACE_ID,
          activeRuns: loop.active,
          draining: loop.draining,
          bulkheads: isolation && (() => ({ runThreads: isolation.runs.threads(), gatewayThreads: isolation.gateways.threads(), gatewayCrashes: isolation.gateways.crashes() })),
          plugins: () => ({ threads: plugins.threads(), crashes: plugins.crashes() }),
        })
  const usage =
    env.TWOBOT_USAGE_REPORT_SECONDS === undefined
      ? undefined
      : startUsageReporter({ api, everyMs: env.TWOBOT_USAGE_REPORT_SECONDS * 1000, source: env.TWOBOT_USAGE_MEMORY, activeRuns: loop.active, activePlugins: plugins.threads, log })
  log('info', 'runtime started', { owner, healthPort: env.TWOBOT_HEALTH_PORT })
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    // A hot swap or sleep: take no more work, let runs in flight finish, give back what remains.
    usage?.stop()
    await loop.drain(env.TWOBOT_DRAIN_SECONDS * 1000)
    await Promise.all([isolation?.runs.close(), isolation?.gateways.close(), plugins.close()])
    health?.close()
    process.exit(0)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
