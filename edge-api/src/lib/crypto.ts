/**
 * Crypto on WebCrypto, so the same code runs on Node 20 and in workerd; hashing uses `node:crypto`,
 * which workerd has too (nodejs_compat, wrangler.toml).
 */
import { createHash } from 'node:crypto'

export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/')
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0))
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length))
}

/** A URL-safe random token with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return toBase64Url(randomBytes(bytes))
}

// Ids take their bytes from a pool: one getRandomValues call per 256 ids instead of one each
// (every run writes several rows, and the call's fixed cost was ~1.5 % of the API's time).
const ID_BYTES = 16
const idPool = new Uint8Array(ID_BYTES * 256)
let idOffset = idPool.length

/** An id for a new row: 16 random bytes, URL safe. */
export function newId(): string {
  if (idOffset === idPool.length) {
    crypto.getRandomValues(idPool)
    idOffset = 0
  }
  const bytes = idPool.subarray(idOffset, (idOffset += ID_BYTES))
  return toBase64Url(bytes)
}

/**
 * SHA-256 as hex. Tokens we hand out are high-entropy, so a plain digest is enough to store them.
 * Every signed-in request hashes its token: `crypto.subtle.digest` takes a trip through Node’s
 * thread pool (~48 µs here, a tenth of a cached list request), `createHash` ~2 µs.
 */
export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text).digest('hex')
}

/** Compares two strings in time that depends only on their length. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
