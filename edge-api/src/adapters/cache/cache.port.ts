/** Cache, rate-limit counters and idempotency keys: Upstash Redis in the cloud, memory locally. */
export interface Cache {
  get<T = unknown>(key: string): Promise<T | null>
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>
  del(key: string): Promise<void>
  /** Adds one to a counter; the first increment starts its `ttlSeconds` window. Returns the new count. */
  incr(key: string, ttlSeconds: number): Promise<number>
  ping(): Promise<void>
}
