import type { RowCache } from './row-cache.port'

export function createRowCache(opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): RowCache {
  const { ttlMs = 5000, maxEntries = 5000, now = Date.now } = opts
  const entries = new Map<string, { value: unknown; expires: number }>()
  // Bumped by invalidate: a load that was in flight during a write must not store what it read.
  const generations = new Map<string, number>()
  return {
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key)
      if (hit && hit.expires > now()) return hit.value as T
      const generation = generations.get(key) ?? 0
      const value = await load()
      if ((generations.get(key) ?? 0) === generation) {
        entries.delete(key)
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
        entries.set(key, { value, expires: now() + ttlMs })
      }
      return value
    },
    invalidate(key) {
      entries.delete(key)
      generations.set(key, (generations.get(key) ?? 0) + 1)
    },
  }
}
