import { createServer } from 'node:http'
import { Pool, type PoolClient, type QueryResult } from '@neondatabase/serverless'
import ws from 'ws'
import { configureNeon } from '../../src/db/neon'

/**
 * The far end of Neon's HTTP driver (`neon()` → `POST https://<host>/sql`), for a local PostgreSQL:
 * Neon's proxy runs each query on a connection from its own pool and answers in its JSON shape.
 * This does the same with a pool of WebSocket connections through `wsProxy`. What the real driver
 * sends (read from @neondatabase/serverless 1.2): `{query, params}` or `{queries: [...]}` (a batch,
 * one transaction), with `Neon-Connection-String`, `Neon-Raw-Text-Output: true`, `Neon-Array-Mode:
 * true` and optional `Neon-Batch-*` headers; it expects `{fields: [{name, dataTypeID}], rows: [[text]],
 * command, rowCount}` (a batch: `{results: [...]}`), and a PostgreSQL error as 400 `{message, code, ...}`.
 */
export async function startNeonHttpDouble(opts: { /** 0: any free port. */ port: number; connectionString: string; wsProxy: string; max?: number }): Promise<{ endpoint: string; stop(): Promise<void> }> {
  configureNeon({ connectionString: opts.connectionString, wsProxy: opts.wsProxy, webSocketConstructor: ws })
  const pool = new Pool({ connectionString: opts.connectionString, max: opts.max ?? 10 })
  // Text out, as the raw-text header asks: the client parses by type id.
  const raw = { getTypeParser: () => (value: string) => value }
  const run = async (client: Pool | PoolClient, q: { query: string; params?: unknown[] }) => {
    const r = (await client.query({ text: q.query, values: q.params ?? [], rowMode: 'array', types: raw } as never)) as unknown as QueryResult<unknown[]>
    const fields = (r.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID, tableID: f.tableID, columnID: f.columnID, dataTypeSize: f.dataTypeSize, dataTypeModifier: f.dataTypeModifier, format: 'text' }))
    return { command: r.command, rowCount: r.rowCount, rows: r.rows, fields, rowAsArray: true }
  }
  // What tests read back (`GET /stats`): how many one-shot queries and batches arrived.
  const stats = { queries: 0, batches: 0 }
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.method === 'GET' && req.url === '/stats') return answer(200, stats)
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/sql') return answer(404, { message: 'not found' })
    if (!req.headers['neon-connection-string']) return answer(400, { message: 'missing Neon-Connection-String' })
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: string; params?: unknown[]; queries?: { query: string; params?: unknown[] }[] }
    try {
      if (!body.queries) {
        stats.queries++
        return answer(200, await run(pool, body as { query: string }))
      }
      stats.batches++
      const client = await pool.connect()
      try {
        const level = req.headers['neon-batch-isolation-level']
        await client.query(`begin${level ? ` isolation level ${String(level).replace(/([a-z])([A-Z])/g, '$1 $2')}` : ''}${req.headers['neon-batch-read-only'] === 'true' ? ' read only' : ''}`)
        const results = []
        for (const q of body.queries) results.push(await run(client, q))
        await client.query('commit')
        answer(200, { results })
      } catch (err) {
        await client.query('rollback').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    } catch (err) {
      const e = err as Record<string, unknown>
      answer(400, { message: String(e.message), code: e.code, detail: e.detail, hint: e.hint, constraint: e.constraint, table: e.table, column: e.column, severity: e.severity, position: e.position })
    }
  })
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/sql`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await pool.end()
    },
  }
}
