import type { TestProject } from 'vitest/node'
import { startCloudFarEnd } from '../support/cloud-far-end'

/** Starts PostgreSQL, the Neon WebSocket proxy and SQL-over-HTTP endpoint, Redis behind the Upstash protocol and a QStash double. */
export default async function setup(project: TestProject) {
  const farEnd = await startCloudFarEnd(20000 + (process.pid % 2000) * 10, { upstash: 'upstash-test-token', qstash: 'qstash-test-token' })
  for (const [key, value] of Object.entries(farEnd.addresses)) project.provide(key as keyof typeof farEnd.addresses, value)
  return farEnd.stop
}
