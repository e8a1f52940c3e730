import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { reapExpiredLeases } from '../runtime/runtime.service'
import { runDueSchedules } from '../schedules/schedules.service'

/** Checks that a delivery really comes from QStash (the `Upstash-Signature` JWT over body and URL). */
export interface QueueReceiver {
  verify(input: { signature: string; body: string; url: string }): Promise<boolean>
}

/**
 * `POST /api/queue/tick`: in the cloud, one QStash schedule calls this every minute and it does
 * what the embedded mode's background loop does — start due scheduled runs and reap dead leases.
 * Unsigned or wrongly signed calls change nothing.
 */
export const queueTickRoutes = new Hono<AppEnv>().post('/tick', async (c) => {
  const deps = c.get('deps')
  if (!deps.queueReceiver) throw notFound()
  const body = await c.req.text()
  const signature = c.req.header('upstash-signature') ?? ''
  const valid = signature !== '' && (await deps.queueReceiver.verify({ signature, body, url: c.req.url }).catch(() => false))
  if (!valid) throw new AppError('UNAUTHORIZED', 'Missing or invalid Upstash-Signature')
  const scheduled = await runDueSchedules(deps)
  const reaped = await reapExpiredLeases(deps)
  return c.json({ ok: true as const, scheduled, ...reaped })
})
