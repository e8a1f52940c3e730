/**
 * Process memory for rows that change rarely but are read on hot paths (the service behind a
 * webhook). Whoever writes such a row invalidates it; entries also expire after `ttlMs`, so a
 * write that forgot to invalidate is stale for seconds, not forever. Bounded; oldest goes first.
 */
export interface RowCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>
  invalidate(key: string): void
}
