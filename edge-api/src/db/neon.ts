import { Pool, neonConfig } from '@neondatabase/serverless'
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

/** A pool for one request on Workers (connections cannot outlive the request there). */
export function openNeon(opts: NeonOptions): { db: Db; pool: Pool } {
  configureNeon(opts)
  const pool = new Pool({ connectionString: opts.connectionString, max: 5 })
  return { db: drizzle(pool, { schema }) as unknown as Db, pool }
}
