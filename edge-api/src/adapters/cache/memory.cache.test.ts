import { describe, expect, it } from 'vitest'
import { createFixedClock } from '../clock/system.clock'
import { createMemoryCache } from './memory.cache'

describe('memory cache', () => {
  it('expires entries and counters with the clock', async () => {
    const clock = createFixedClock()
    const cache = createMemoryCache(clock)
    await cache.set('a', { n: 1 }, 10)
    expect(await cache.incr('c', 10)).toBe(1)
    expect(await cache.incr('c', 10)).toBe(2)
    expect(await cache.get('a')).toEqual({ n: 1 })
    clock.advance(10_000)
    expect(await cache.get('a')).toBeNull()
    expect(await cache.incr('c', 10)).toBe(1)
  })

  it('stays bounded under many keys', async () => {
    const cache = createMemoryCache(createFixedClock(), 100)
    for (let i = 0; i < 1000; i++) await cache.set(`k${i}`, i)
    expect(await cache.get('k0')).toBeNull()
    expect(await cache.get('k999')).toBe(999)
  })
})
