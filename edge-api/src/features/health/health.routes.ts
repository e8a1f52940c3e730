import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import type { AppEnv } from '../../env'

type CheckResult = { status: 'ok'; latencyMs: number } | { status: 'fail'; latencyMs: number; error: string }

async function check(run: () => Promise<unknown>, timeoutMs = 3000): Promise<CheckResult> {
  const started = performance.now()
  const latency = () => Math.round((performance.now() - started) * 100) / 100
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return { status: 'ok', latencyMs: latency() }
  } catch (err) {
    // Only the kind of failure is shown: connection strings must not leak through an error message.
    const message = err instanceof Error ? err.message.replace(/\b\w+:\/\/\S+/g, '[url]') : 'failed'
    return { status: 'fail', latencyMs: latency(), error: message.slice(0, 200) }
  } finally {
    clearTimeout(timer)
  }
}

/** Started once per process (Workers: per isolate), for the liveness uptime. */
const bootedAt = Date.now()

export const healthRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    const { config, clock } = c.get('deps')
    return c.json({ status: 'ok' as const, version: config.version, mode: config.mode, time: clock.now().toISOString() })
  })
  .get('/live', (c) => c.json({ status: 'ok' as const, uptimeSeconds: Math.round((Date.now() - bootedAt) / 1000) }))
  .get('/ready', async (c) => {
    const { db, cache, queue } = c.get('deps')
    const [database, cacheCheck, queueCheck] = await Promise.all([
      check(() => db.execute(sql`select 1`)),
      check(() => cache.ping()),
      check(() => queue.ping()),
    ])
    const checks = { database, cache: cacheCheck, queue: queueCheck }
    const ready = Object.values(checks).every((r) => r.status === 'ok')
    return c.json({ status: ready ? ('ready' as const) : ('not_ready' as const), checks }, ready ? 200 : 503)
  })
