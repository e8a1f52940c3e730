import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { notFound } from '../../lib/errors'

/** Local mode only: the mails the app "sent", newest first, so a developer can click the links. */
export const devRoutes = new Hono<AppEnv>().get('/outbox', (c) => {
  const mailbox = c.get('deps').devMailbox
  if (!mailbox || c.get('deps').config.mode !== 'local') throw notFound()
  return c.json({ mails: [...mailbox.list()].reverse() })
})
