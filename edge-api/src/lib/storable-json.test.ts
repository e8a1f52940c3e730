import { describe, expect, it } from 'vitest'
import { findUnstorable, scanJson, storableText, toStorable, unstorableChar } from './storable-json'

describe('text PostgreSQL cannot store', () => {
  it('names NUL and UTF-16 halves without their partner, and passes pairs, U+FFFD and the rest', () => {
    expect(unstorableChar('a\u0000b')).toBe('U+0000')
    expect(unstorableChar('x\uD83D')).toBe('U+D83D')
    expect(unstorableChar('\uDE00x')).toBe('U+DE00')
    for (const fine of ['', 'plain', 'emoji 😀', '\uFFFD', 'ж\n\t\u0001\u007f']) expect(unstorableChar(fine)).toBeUndefined()
    expect(storableText('a\u0000b\uD83Dc😀')).toBe('a\uFFFDb\uFFFDc😀')
    const same = 'nothing to change'
    expect(storableText(same)).toBe(same)
  })

  it('rewrites strings and keys at any position, keeps what needs no change, and keeps "__proto__" a key', () => {
    const untouched = { ok: ['fine', { deeper: 1 }] }
    const input = { ok: untouched, list: ['a', 'b\u0000'], 'k\u0000': 1, __proto__x: 'y' }
    const out = toStorable(input)
    expect(out).toEqual({ ok: untouched, list: ['a', 'b\uFFFD'], 'k\uFFFD': 1, __proto__x: 'y' })
    expect(out.ok).toBe(untouched)
    expect(toStorable(untouched)).toBe(untouched)
    const proto = toStorable(JSON.parse('{"__proto__": {"polluted": "\\u0000"}}') as Record<string, unknown>)
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
    expect(Object.keys(proto)).toEqual(['__proto__'])
  })

  it('finds the path of the first bad string or key', () => {
    expect(findUnstorable({ a: [1, { b: 'x\u0000' }] })).toEqual({ path: ['a', 1, 'b'], char: 'U+0000' })
    expect(findUnstorable({ a: { 'bad\u0000key': 1 } })).toEqual({ path: ['a', 'bad\uFFFDkey'], char: 'U+0000' })
    expect(findUnstorable({ a: 'fine' })).toBeUndefined()
  })
})

describe('scanJson', () => {
  const nest = (depth: number): unknown => {
    let v: unknown = 'leaf'
    for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v]
    return v
  }

  it('counts containers, the root being level 1', () => {
    expect(scanJson('x', 0)).toEqual({ tooDeep: false, unstorable: false })
    expect(scanJson(nest(64), 64)).toEqual({ tooDeep: false, unstorable: false })
    expect(scanJson(nest(65), 64)).toEqual({ tooDeep: true })
  })

  it('walks a million levels without recursion, and notices bad text anywhere', () => {
    expect(scanJson(nest(1_000_000), 64)).toEqual({ tooDeep: true })
    expect(scanJson(nest(1_000_000), Number.POSITIVE_INFINITY)).toEqual({ tooDeep: false, unstorable: false })
    expect(scanJson({ a: [{ b: 'fine' }, { 'c\uDC00': 1 }] }, 64)).toEqual({ tooDeep: false, unstorable: true })
  })
})
