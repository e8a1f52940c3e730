import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url } from './crypto'

/**
 * PBKDF2-SHA256 through WebCrypto. Workers cap PBKDF2 at 100,000 iterations, which is also the
 * floor we want; the count is stored in the hash so it can be raised later.
 * Format: `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url).
 */
export const PBKDF2_ITERATIONS = 100_000

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, iterations)
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$')
  const iterations = Number(iter)
  if (scheme !== 'pbkdf2-sha256' || !salt || !hash || !Number.isInteger(iterations) || iterations < 1) return false
  const actual = await derive(password, fromBase64Url(salt), iterations)
  return timingSafeEqual(toBase64Url(actual), hash)
}

/**
 * A hash of no one's password, verified against when an email is unknown so that a failed login
 * takes the same time whether or not the account exists.
 */
let decoyHash: Promise<string> | undefined
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(toBase64Url(randomBytes(12)))
  return decoyHash
}
