/**
 * The embedded entry: the whole platform in one Node process, nothing to install, no accounts.
 *   pnpm start            → http://127.0.0.1:8080
 * Environment variables switch adapters to cloud services (see README).
 */
import { fileURLToPath } from 'node:url'
import { BadEnvironmentError, parseLocalEnv } from './config/local-config'
import { startLocalServer } from './local/local-server'

export async function main(): Promise<void> {
  let config
  try {
    config = parseLocalEnv(process.env)
  } catch (err) {
    if (err instanceof BadEnvironmentError) {
      console.error(err.message)
      process.exit(2)
    }
    throw err
  }
  const started = performance.now()
  const server = await startLocalServer(config)
  const { url } = server
  console.log(
    [
      '',
      `  2Bot is running at ${url}`,
      `  ready in ${Math.round(performance.now() - started)} ms · health: ${url}/api/health/ready · mail outbox: ${url}/api/dev/outbox`,
      ...Object.entries(server.runtime.adapters).map(([port, adapter]) => `  ${port.padEnd(11)} ${adapter}`),
      '',
    ].join('\n'),
  )
  const shutdown = async () => {
    // A stuck shutdown must not keep the port: give up after 10 s.
    setTimeout(() => process.exit(1), 10_000).unref()
    await server.stop()
    process.exit(0)
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

// Runs only as the entry point, so importing this module has no effect.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
