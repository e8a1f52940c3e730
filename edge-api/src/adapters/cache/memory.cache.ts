import type { Clock } from '../clock/clock.port'
import type { Cache } from './cache.port'

interface Entry {
  value: unknown
  expiresAt: number | null
}

/** In-process cache for the embedded mode; one process is the whole platform there. */
export function createMemoryCache(clock: Clock, maxEntries = 50_000): Cache {
  const entries = new Map<string, Entry>()
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    if (entry && entry.expiresAt !== null && entry.expiresAt <= clock.now().getTime()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const put = (key: string, value: unknown, ttlSeconds?: number) => {
    // Oldest-first eviction keeps memory bounded under a flood of distinct keys.
    if (entries.size >= maxEntries && !entries.has(key)) entries.delete(entries.keys().next().value as string)
    entries.set(key, { value, expiresAt: ttlSeconds ? clock.now().getTime() + ttlSeconds * 1000 : null })
  }
  return {
    async get<T>(key: string) {
      return (live(key)?.value as T | undefined) ?? null
    },
    async set(key, value, ttlSeconds) {
      put(key, structuredClone(value), ttlSeconds)
    },
    async del(key) {
      entries.delete(key)
    },
    async incr(key, ttlSeconds) {
      const entry = live(key)
      if (entry) {
        entry.value = Number(entry.value) + 1
        return entry.value as number
      }
      put(key, 1, ttlSeconds)
      return 1
    },
    async ping() {},
  }
}
