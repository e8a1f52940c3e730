/**
 * The far ends the Workers home talks to (edge-api/test/support/cloud-far-end.ts), in a process of
 * their own: run from the load generator's process, their work shared its one thread with
 * autocannon and capped what was measured. Prints one JSON line with the addresses; stops all on SIGTERM.
 *   node --import tsx tests/bench/workers-far-end.ts <base port>
 */
import { startCloudFarEnd } from '../../edge-api/test/support/cloud-far-end'

const farEnd = await startCloudFarEnd(Number(process.argv[2]), { upstash: 'bench-upstash', qstash: 'bench-qstash' })
console.log(JSON.stringify(farEnd.addresses))

process.once('SIGTERM', async () => {
  await farEnd.stop()
  process.exit(0)
})
