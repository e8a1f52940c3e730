import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { createClient } from 'redis'

/**
 * A real redis-server behind the Upstash REST protocol (`POST /` one command, `/pipeline`,
 * `/multi-exec`; Bearer token; `{result}` or `{error}`; base64 strings when asked), so
 * `@upstash/redis` runs unchanged against it.
 */
/** True when something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

export async function startUpstashShim(opts: { redisPort: number; httpPort: number; token: string }) {
  const redisProcess: ChildProcess = spawn('redis-server', ['--port', String(opts.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  // Connect once redis-server listens: a node-redis client whose first connect failed keeps its
  // socket and reconnects by itself, so a second connect() on it throws "Socket already opened"
  // (what a slow start on a loaded machine used to end in).
  for (let attempt = 0; !(await listening(opts.redisPort)); attempt++) {
    if (attempt > 100) throw new Error(`redis-server did not listen on ${opts.redisPort}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const client = createClient({ url: `redis://127.0.0.1:${opts.redisPort}`, RESP: 2 })
  await client.connect()
  const encode = (value: unknown, base64: boolean): unknown => {
    if (typeof value === 'string') return base64 ? Buffer.from(value).toString('base64') : value
    if (Array.isArray(value)) return value.map((v) => encode(v, base64))
    return value
  }
  const run = async (command: unknown[], base64: boolean) => {
    try {
      const result = await client.sendCommand(command.map(String))
      return { result: encode(result, base64) }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }))
      return
    }
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    const body = JSON.parse(Buffer.concat(chunks).toString() || '[]') as unknown[]
    const path = (req.url ?? '/').split('?')[0]
    let payload: unknown
    if (path === '/pipeline' || path === '/multi-exec') {
      payload = []
      for (const command of body as unknown[][]) (payload as unknown[]).push(await run(command, base64))
    } else {
      payload = await run(body, base64)
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload))
  })
  await new Promise<void>((resolve) => server.listen(opts.httpPort, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${opts.httpPort}`,
    token: opts.token,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await client.quit().catch(() => {})
      redisProcess.kill('SIGTERM')
    },
  }
}
