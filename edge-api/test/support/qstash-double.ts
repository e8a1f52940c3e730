import { createServer } from 'node:http'

/**
 * The far end of QStash's publish API, enough for the platform's calls: `POST /v2/publish/<url>`
 * answers a message id and records the message; `GET /v2/schedules` lists none. Bearer token checked.
 */
export async function startQStashDouble(opts: { port: number; token: string }) {
  const published: { destination: string; body: string; headers: Record<string, string | string[] | undefined> }[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.headers.authorization !== `Bearer ${opts.token}`) return json(401, { error: 'unauthorized' })
    const url = req.url ?? '/'
    if (req.method === 'POST' && url.startsWith('/v2/publish/')) {
      published.push({ destination: decodeURIComponent(url.slice('/v2/publish/'.length)), body: Buffer.concat(chunks).toString(), headers: req.headers })
      return json(201, { messageId: `msg_${published.length}` })
    }
    if (req.method === 'GET' && url.startsWith('/v2/schedules')) return json(200, [])
    return json(404, { error: 'not found' })
  })
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${opts.port}`,
    published,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
