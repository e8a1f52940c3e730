import type { ImmutableMemo } from './immutable-memo.port'

export function createImmutableMemo(maxEntries = 5000): ImmutableMemo {
  const entries = new Map<string, unknown>()
  return {
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (entries.has(key)) return entries.get(key) as T
      const value = await load()
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(key, value)
      return value
    },
  }
}

/** For homes without process memory worth keeping: always loads. */
export const noMemo: ImmutableMemo = { get: (_key, load) => load() }
