import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createApp } from '../app'
import type { LocalConfig } from '../config/local-config'
import { MAINTENANCE_EVERY_MS, startLocalBackground } from './local-background'
import { createLocalRuntime, type LocalRuntime } from './local-deps'

export interface LocalServer {
  url: string
  runtime: LocalRuntime
  stop(): Promise<void>
}

/**
 * The whole embedded platform on one port: the app, its runtimes (child processes) and the
 * background reaper. `pnpm start` and the integration tests both start it this way.
 */
export async function startLocalServer(config: LocalConfig, opts: { backgroundIntervalMs?: number; maintenanceEveryMs?: number } = {}): Promise<LocalServer> {
  const runtime = await createLocalRuntime(config)
  const app = createApp(runtime.deps)
  const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve())
    server.once('error', reject)
  })
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST
  const url = `http://${host}:${(server.address() as AddressInfo).port}`
  runtime.setApiUrl(url)
  const lifecycle = {
    idleMs: config.WORKSPACE_IDLE_SECONDS === undefined ? undefined : config.WORKSPACE_IDLE_SECONDS * 1000,
    sampleEveryMs: config.WORKSPACE_SAMPLE_SECONDS * 1000,
  }
  const maintenance = runtime.maintainDatabase && { run: runtime.maintainDatabase, everyMs: opts.maintenanceEveryMs ?? MAINTENANCE_EVERY_MS }
  const background = startLocalBackground(runtime.deps, opts.backgroundIntervalMs, lifecycle, maintenance)
  return {
    url,
    runtime,
    async stop() {
      await background.stop()
      // Runtimes first: they hold long-poll requests open on this server.
      await runtime.deps.workspaces.stopAll()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      })
      await runtime.close()
    },
  }
}
