/**
 * Listeners by key (an execution, a user) in process memory: what the in-memory event adapters
 * share. A key's set goes when its last listener leaves, so finished keys hold no memory.
 */
export function createKeyedListeners<E>() {
  const listeners = new Map<string, Set<(event: E) => void>>()
  return {
    emit(key: string, event: E): void {
      listeners.get(key)?.forEach((l) => l(event))
    },
    /** Adds a listener; the returned function removes it. */
    add(key: string, listener: (event: E) => void): () => void {
      let set = listeners.get(key)
      if (!set) listeners.set(key, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0 && listeners.get(key) === set) listeners.delete(key)
      }
    },
    /** Forgets every listener of `key` (nothing more will be emitted for it). */
    drop(key: string): void {
      listeners.delete(key)
    },
  }
}
