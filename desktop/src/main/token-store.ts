import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SafeStorage } from 'electron'

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>

export interface TokenStore {
  get(): Promise<string | null>
  set(token: string): Promise<void>
  clear(): Promise<void>
}

export class TokenStoreError extends Error {
  override name = 'TokenStoreError'
  constructor(
    readonly code: 'ENCRYPTION_UNAVAILABLE',
    message: string,
  ) {
    super(message)
  }
}

export interface TokenStoreDeps {
  safeStorage: SafeStorageLike
  /** Where the encrypted file lives; `app.getPath('userData')` in the app, a temp dir in tests. */
  directory: string
  fileName?: string
}

export const TOKEN_FILE_NAME = 'api-token.bin'

/**
 * Keeps the API bearer token on disk, encrypted by the OS keychain through `safeStorage`.
 * It never falls back to plain text: without a keychain `set` throws `ENCRYPTION_UNAVAILABLE`.
 */
export function createTokenStore(deps: TokenStoreDeps): TokenStore {
  const file = path.join(deps.directory, deps.fileName ?? TOKEN_FILE_NAME)

  const canEncrypt = () =>
    deps.safeStorage.isEncryptionAvailable() &&
    // On Linux without a keyring Electron "encrypts" with a hard-coded password; that is plain text.
    deps.safeStorage.getSelectedStorageBackend?.() !== 'basic_text'

  return {
    async get() {
      let bytes: Buffer
      try {
        bytes = await readFile(file)
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
      if (!canEncrypt()) return null
      try {
        return deps.safeStorage.decryptString(bytes)
      } catch {
        // Written under another keychain or damaged: drop it so the user signs in again.
        await rm(file, { force: true })
        return null
      }
    },

    async set(token) {
      if (!canEncrypt()) {
        throw new TokenStoreError(
          'ENCRYPTION_UNAVAILABLE',
          'The OS keychain is not available, so 2Bot will not save your token to disk in plain text. ' +
            'Unlock or install a keychain (on Linux: gnome-keyring or KWallet) and sign in again.',
        )
      }
      const encrypted = deps.safeStorage.encryptString(token)
      await mkdir(deps.directory, { recursive: true })
      // Write then rename, so a crash never leaves half a token behind.
      const temp = `${file}.${process.pid}.tmp`
      await writeFile(temp, encrypted, { mode: 0o600 })
      await rename(temp, file)
    },

    async clear() {
      await rm(file, { force: true })
    },
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}
