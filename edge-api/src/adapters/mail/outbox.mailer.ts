import type { Clock } from '../clock/clock.port'
import { newId } from '../../lib/crypto'
import type { Mail, Mailer } from './mailer.port'

export interface OutboxMail extends Mail {
  id: string
  sentAt: string
}

/**
 * The local mail "server": mails are kept for the developer to read (`GET /api/dev/outbox`) and
 * handed to `persist` (the Node entry writes them to the data folder).
 */
export function createOutboxMailer(clock: Clock, persist?: (mail: OutboxMail) => Promise<void>) {
  const mails: OutboxMail[] = []
  const mailer: Mailer & { list(): readonly OutboxMail[] } = {
    async send(mail) {
      const entry = { ...mail, id: newId(), sentAt: clock.now().toISOString() }
      mails.push(entry)
      if (mails.length > 500) mails.shift()
      await persist?.(entry)
    },
    list: () => mails,
  }
  return mailer
}
