import { Pool, neon, neonConfig } from '@neondatabase/serverless'
import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http'
import { drizzle } from 'drizzle-orm/neon-serverless'
import type { Db } from './db'
import * as schema from './schema'

export interface NeonOptions {
  connectionString: string
  /**
   * A WebSocket proxy in front of a plain PostgreSQL (local tests, self-hosting): `host:port`.
   * Unset for Neon itself.
   */
  wsProxy?: string
  /** Node 20 has no global WebSocket; pass `ws` there. Workers have one. */
  webSocketConstructor?: unknown
  /**
   * One-shot queries over Neon's HTTP endpoint (`neon()`: one fetch each, no connection to open),
   * transactions over the WebSocket pool. `true`: Neon's own endpoint (`https://<host>/sql`); a URL:
   * that endpoint (a local double of it). Unset: everything over WebSockets.
   */
  http?: true | string
}

/** Configures the driver once per isolate. */
export function configureNeon(opts: NeonOptions): void {
  if (opts.webSocketConstructor) neonConfig.webSocketConstructor = opts.webSocketConstructor as typeof WebSocket
  if (opts.wsProxy) {
    const proxy = opts.wsProxy
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`
    neonConfig.useSecureWebSocket = false
    neonConfig.pipelineConnect = false
    neonConfig.pipelineTLS = false
  }
}

/**
 * A pool for one request on Workers (connections cannot outlive the request there); the pool
 * connects only when a query needs it. With `http`, only transactions do: a signed-in read is a few
 * fetches instead of a WebSocket, PostgreSQL's start-up and authentication, then the queries.
 */
export function openNeon(opts: NeonOptions): { db: Db; pool: Pool } {
  configureNeon(opts)
  const pool = new Pool({ connectionString: opts.connectionString, max: 5 })
  const overSockets = drizzle(pool, { schema }) as unknown as Db
  if (!opts.http) return { db: overSockets, pool }
  if (typeof opts.http === 'string') {
    const endpoint = opts.http
    neonConfig.fetchEndpoint = () => endpoint
  }
  const overHttp = drizzleHttp(neon(opts.connectionString), { schema }) as unknown as Db
  // The HTTP driver has no interactive transactions: those, and only those, take a connection.
  const db = new Proxy(overHttp, { get: (target, key, receiver) => (key === 'transaction' ? overSockets.transaction.bind(overSockets) : Reflect.get(target, key, receiver)) })
  return { db, pool }
}
