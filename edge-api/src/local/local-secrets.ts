import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Secrets } from '../adapters/secrets/secrets.port'
import { randomBytes } from '../lib/crypto'

/**
 * The embedded mode needs no configuration: a credentials key is made on first start and kept
 * in the data folder (readable by the owner only). ENCRYPTION_KEY overrides it.
 */
export async function loadLocalSecrets(dataDir: string | undefined, fromEnv?: string): Promise<Secrets> {
  if (fromEnv) return { encryptionKeys: { k1: fromEnv }, currentKeyId: 'k1' }
  if (!dataDir) return freshSecrets()
  const file = join(dataDir, 'secrets.json')
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Secrets
  } catch {
    const secrets = freshSecrets()
    await mkdir(dataDir, { recursive: true })
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600 })
    return secrets
  }
}

/** A new random 32-byte key (base64) as the only, current key. */
function freshSecrets(): Secrets {
  return { encryptionKeys: { local: btoa(String.fromCharCode(...randomBytes(32))) }, currentKeyId: 'local' }
}
