import { createServer, type Server } from 'node:http'
import { cgroupMemoryLimit, createCpuMeter } from './usage-meter'

export interface RuntimeHealth {
  status: 'ok' | 'draining'
  workspaceId: string
  uptimeSeconds: number
  activeRuns: number
  memory: { rssBytes: number; heapUsedBytes: number; limitBytes: number | null }
  /** CPU used since the previous health call, as a share of one core (1 = one full core). */
  cpu: { cores: number; userMicros: number; systemMicros: number }
  /** With TWOBOT_ISOLATION=worker: threads alive now, and gateway threads that died since start. */
  bulkheads: { runThreads: number; gatewayThreads: number; gatewayCrashes: number } | null
  /** Plugin threads alive now (each a plugin loaded in its sandbox), and those that died since start. */
  activePlugins: number
  pluginCrashes: number
}

export interface HealthServerOptions {
  port: number
  host?: string
  workspaceId: string
  activeRuns: () => number
  draining: () => boolean
  bulkheads?: () => RuntimeHealth['bulkheads']
  plugins?: () => { threads: number; crashes: number }
}

/**
 * `GET /health`: the runtime reports itself — alive, RSS, CPU since the last call, runs in flight.
 * Drivers use it as the readiness probe (cold start ends when it answers) and for usage samples.
 */
export function startHealthServer(opts: HealthServerOptions): Promise<Server> {
  const cpuSince = createCpuMeter()
  const limit = cgroupMemoryLimit()
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/health' && req.url !== '/health/ready')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"Only GET /health exists"}}')
      return
    }
    void limit.then((limitBytes) => {
      const mem = process.memoryUsage()
      const plugins = opts.plugins?.()
      const body: RuntimeHealth = {
        status: opts.draining() ? 'draining' : 'ok',
        workspaceId: opts.workspaceId,
        uptimeSeconds: Math.round(process.uptime()),
        activeRuns: opts.activeRuns(),
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, limitBytes },
        bulkheads: opts.bulkheads?.() ?? null,
        activePlugins: plugins?.threads ?? 0,
        pluginCrashes: plugins?.crashes ?? 0,
        cpu: cpuSince(),
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server))
  })
}
