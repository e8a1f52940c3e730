import { describe, expect, it } from 'vitest'
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from './password'

describe('password hashing', () => {
  it('uses PBKDF2-SHA256 with 100,000 iterations and a per-hash salt', async () => {
    const a = await hashPassword('Same-Pass-1')
    const b = await hashPassword('Same-Pass-1')
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000)
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(a).not.toBe(b)
  })

  it('verifies the right password only', async () => {
    const hash = await hashPassword('Right-Pass-1', 1000)
    expect(await verifyPassword('Right-Pass-1', hash)).toBe(true)
    expect(await verifyPassword('right-pass-1', hash)).toBe(false)
  })

  it.each(['', 'plain', 'bcrypt$10$x$y', 'pbkdf2-sha256$abc$x$y', 'pbkdf2-sha256$0$x$y'])('rejects the malformed hash %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false)
  })
})
