import { describe, expect, it } from 'vitest'
import { createRowCache } from './memory.row-cache'

describe('row cache', () => {
  it('serves a loaded row from memory until it is invalidated or expires', async () => {
    let clock = 0
    const cache = createRowCache({ ttlMs: 100, now: () => clock })
    let loads = 0
    const load = async () => ++loads
    expect(await cache.get('a', load)).toBe(1)
    expect(await cache.get('a', load)).toBe(1)
    cache.invalidate('a')
    expect(await cache.get('a', load)).toBe(2)
    clock = 150
    expect(await cache.get('a', load)).toBe(3)
  })

  it('does not keep what a load read while the row was being written', async () => {
    const cache = createRowCache()
    let release!: (v: string) => void
    const pending = cache.get('svc', () => new Promise<string>((r) => (release = r)))
    cache.invalidate('svc')
    release('stale')
    expect(await pending).toBe('stale')
    expect(await cache.get('svc', async () => 'fresh')).toBe('fresh')
  })

  it('keeps nothing for keys invalidated while nothing loads them (every unknown token a client sends)', async () => {
    const cache = createRowCache()
    for (let i = 0; i < 1000; i++) {
      await cache.get(`session:${i}`, async () => undefined)
      cache.invalidate(`session:${i}`)
    }
    expect(cache.tracked()).toBe(0)
  })

  it('a load that overlapped a write is not kept, even with a second load in flight', async () => {
    const cache = createRowCache()
    const releases: ((v: string) => void)[] = []
    const first = cache.get('svc', () => new Promise<string>((r) => releases.push(r)))
    const second = cache.get('svc', () => new Promise<string>((r) => releases.push(r)))
    cache.invalidate('svc')
    releases[0]!('stale')
    releases[1]!('stale too')
    await Promise.all([first, second])
    expect(await cache.get('svc', async () => 'fresh')).toBe('fresh')
    expect(cache.tracked()).toBe(1)
  })

  it('stays bounded', async () => {
    const cache = createRowCache({ maxEntries: 2 })
    await cache.get('a', async () => 1)
    await cache.get('b', async () => 2)
    await cache.get('c', async () => 3)
    expect(await cache.get('a', async () => 10)).toBe(10)
  })
})
