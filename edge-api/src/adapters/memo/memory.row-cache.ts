import type { RowCache } from './row-cache.port'

export function createRowCache(opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): RowCache & { tracked(): number } {
  const { ttlMs = 5000, maxEntries = 5000, now = Date.now } = opts
  const entries = new Map<string, { value: unknown; expires: number }>()
  // Bumped by invalidate while loads of the key are in flight: a load that overlapped a write must
  // not store what it read. Kept only while loading, so invalidating keys no one loads (every
  // unknown token a client sends) leaves nothing behind.
  const generations = new Map<string, number>()
  const loading = new Map<string, number>()
  return {
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key)
      if (hit && hit.expires > now()) return hit.value as T
      const generation = generations.get(key) ?? 0
      loading.set(key, (loading.get(key) ?? 0) + 1)
      let value: T
      try {
        value = await load()
      } finally {
        const left = loading.get(key)! - 1
        if (left > 0) loading.set(key, left)
        else loading.delete(key)
      }
      const current = (generations.get(key) ?? 0) === generation
      if (!loading.has(key)) generations.delete(key)
      if (current) {
        entries.delete(key)
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
        entries.set(key, { value, expires: now() + ttlMs })
      }
      return value
    },
    invalidate(key) {
      entries.delete(key)
      if (loading.has(key)) generations.set(key, (generations.get(key) ?? 0) + 1)
    },
    tracked: () => entries.size + generations.size + loading.size,
  }
}
