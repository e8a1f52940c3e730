import type { Secrets } from '../adapters/secrets/secrets.port'
import { fromBase64Url, randomBytes, toBase64Url } from './crypto'

/**
 * AES-256-GCM for secrets at rest (gateway credentials). The output names the key that sealed it —
 * `v1.<keyId>.<iv>.<ciphertext>` — so keys can rotate: new data uses the current key, old data
 * still opens with the key it names.
 */
const keyCache = new Map<string, Promise<CryptoKey>>()

function importKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret)
  if (!key) {
    const raw = fromBase64Url(secret.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'))
    if (raw.byteLength !== 32) throw new Error('An encryption key must be 32 bytes')
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
    keyCache.set(secret, key)
  }
  return key
}

export async function seal(secrets: Secrets, value: unknown): Promise<string> {
  const keyId = secrets.currentKeyId
  const secret = secrets.encryptionKeys[keyId]
  if (!secret) throw new Error(`No encryption key "${keyId}"`)
  const iv = randomBytes(12)
  const data = new TextEncoder().encode(JSON.stringify(value))
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(keyId) }, await importKey(secret), data))
  return `v1.${keyId}.${toBase64Url(iv)}.${toBase64Url(cipher)}`
}

export async function open<T = unknown>(secrets: Secrets, sealed: string): Promise<T> {
  const [version, keyId, iv, cipher] = sealed.split('.')
  if (version !== 'v1' || !keyId || !iv || !cipher) throw new Error('Not a sealed value')
  const secret = secrets.encryptionKeys[keyId]
  if (!secret) throw new Error(`The key "${keyId}" that sealed this value is not configured`)
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: new TextEncoder().encode(keyId) },
    await importKey(secret),
    fromBase64Url(cipher),
  )
  return JSON.parse(new TextDecoder().decode(plain)) as T
}
