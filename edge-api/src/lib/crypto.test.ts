import { describe, expect, it } from 'vitest'
import { newId } from './crypto'

describe('newId', () => {
  it('gives URL-safe 16-byte ids that never repeat, across refills of its random pool', () => {
    const ids = Array.from({ length: 2_000 }, () => newId())
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
