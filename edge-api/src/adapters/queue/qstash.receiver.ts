import { Receiver } from '@upstash/qstash'
import type { QueueReceiver } from './queue-receiver.port'

/** QStash's own verifier with the current and next signing keys (rotation without downtime). */
export function createQStashReceiver(keys: { current: string; next: string }): QueueReceiver {
  const receiver = new Receiver({ currentSigningKey: keys.current, nextSigningKey: keys.next, devMode: false })
  return {
    verify: ({ signature, body, url }) => receiver.verify({ signature, body, url, clockTolerance: 5 }),
  }
}
