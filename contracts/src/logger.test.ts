import { describe, expect, it } from 'vitest'
import { createJsonLogger, scrub } from './logger'

describe('scrub', () => {
  it('redacts secret-looking keys at any depth and secret-looking values', () => {
    const out = scrub({
      email: 'a@example.com',
      password: 'hunter2',
      nested: { apiKey: 'abc', list: [{ token: 't' }], note: 'key 2bot_abcdefghijkl and Bearer xyz.abc' },
      headers: { authorization: 'Bearer x', cookie: 'a=b' },
    })
    expect(out).toEqual({
      email: 'a@example.com',
      password: '[redacted]',
      nested: { apiKey: '[redacted]', list: [{ token: '[redacted]' }], note: 'key [redacted] and [redacted]' },
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
    })
  })

  it('survives cycles by depth limit and errors by name/message', () => {
    const a: Record<string, unknown> = {}
    a.self = a
    expect(() => JSON.stringify(scrub(a))).not.toThrow()
    expect(scrub(new Error('token sk-1234567890abcdef'))).toEqual({ name: 'Error', message: 'token [redacted]' })
  })
})

describe('createJsonLogger', () => {
  it('writes one JSON line per entry above the minimum level', () => {
    const lines: string[] = []
    const logger = createJsonLogger({ minLevel: 'info', write: (l) => lines.push(l), clock: () => new Date('2026-01-01T00:00:00Z') })
    logger.log('debug', 'hidden')
    logger.log('info', 'shown', { password: 'p', n: 1 })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toEqual({ time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'shown', password: '[redacted]', n: 1 })
  })
})
