import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTokenStore, TOKEN_FILE_NAME, TokenStoreError, type SafeStorageLike } from './token-store'

/** Reverses and base64-encodes, so the stored bytes never contain the token. */
function fakeSafeStorage(overrides: Partial<SafeStorageLike> = {}): SafeStorageLike {
  return {
    isEncryptionAvailable: vi.fn(() => true),
    encryptString: vi.fn((plain: string) =>
      Buffer.from(Buffer.from(`enc:${[...plain].reverse().join('')}`).toString('base64')),
    ),
    decryptString: vi.fn((encrypted: Buffer) => {
      const text = Buffer.from(encrypted.toString('utf8'), 'base64').toString('utf8')
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided')
      return [...text.slice(4)].reverse().join('')
    }),
    ...overrides,
  }
}

const TOKEN = '2bot_live_5f2c9a7e0d1b4c3a'

describe('token store', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), '2bot-token-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('returns null before a token is stored', async () => {
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir })
    await expect(store.get()).resolves.toBeNull()
  })

  it('round-trips the token through safeStorage', async () => {
    const safeStorage = fakeSafeStorage()
    const store = createTokenStore({ safeStorage, directory: dir })
    await store.set(TOKEN)
    expect(safeStorage.encryptString).toHaveBeenCalledWith(TOKEN)
    await expect(store.get()).resolves.toBe(TOKEN)
    await expect(createTokenStore({ safeStorage, directory: dir }).get()).resolves.toBe(TOKEN)
  })

  it('never writes the plain token to disk', async () => {
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir })
    await store.set(TOKEN)
    const files = await readdir(dir)
    expect(files).toEqual([TOKEN_FILE_NAME])
    const bytes = await readFile(path.join(dir, TOKEN_FILE_NAME))
    expect(bytes.length).toBeGreaterThan(0)
    expect(bytes.includes(Buffer.from(TOKEN))).toBe(false)
    expect(bytes.toString('latin1')).not.toContain(TOKEN)
  })

  it('replaces the previous token', async () => {
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir })
    await store.set(TOKEN)
    await store.set('2bot_live_other')
    await expect(store.get()).resolves.toBe('2bot_live_other')
    expect(await readdir(dir)).toEqual([TOKEN_FILE_NAME])
  })

  it('clearToken deletes the file and is idempotent', async () => {
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir })
    await store.set(TOKEN)
    await store.clear()
    expect(await readdir(dir)).toEqual([])
    await expect(store.get()).resolves.toBeNull()
    await expect(store.clear()).resolves.toBeUndefined()
  })

  it('refuses to store when encryption is unavailable, and writes nothing', async () => {
    const safeStorage = fakeSafeStorage({ isEncryptionAvailable: () => false })
    const store = createTokenStore({ safeStorage, directory: dir })
    const error = await store.set(TOKEN).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenStoreError)
    expect(error).toMatchObject({ code: 'ENCRYPTION_UNAVAILABLE' })
    expect((error as Error).message).toMatch(/keychain/)
    expect(safeStorage.encryptString).not.toHaveBeenCalled()
    expect(await readdir(dir)).toEqual([])
  })

  it("treats Linux's basic_text backend as no encryption", async () => {
    const safeStorage = fakeSafeStorage({ getSelectedStorageBackend: () => 'basic_text' })
    const store = createTokenStore({ safeStorage, directory: dir })
    await expect(store.set(TOKEN)).rejects.toMatchObject({ code: 'ENCRYPTION_UNAVAILABLE' })
    expect(await readdir(dir)).toEqual([])
  })

  it('reads nothing while encryption is unavailable', async () => {
    await createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir }).set(TOKEN)
    const locked = fakeSafeStorage({ isEncryptionAvailable: () => false })
    await expect(createTokenStore({ safeStorage: locked, directory: dir }).get()).resolves.toBeNull()
    expect(locked.decryptString).not.toHaveBeenCalled()
  })

  it('drops a file it cannot decrypt', async () => {
    await writeFile(path.join(dir, TOKEN_FILE_NAME), 'garbage')
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: dir })
    await expect(store.get()).resolves.toBeNull()
    expect(await readdir(dir)).toEqual([])
  })

  it('creates the directory when it does not exist yet', async () => {
    const nested = path.join(dir, 'userData', '2Bot')
    const store = createTokenStore({ safeStorage: fakeSafeStorage(), directory: nested })
    await store.set(TOKEN)
    await expect(store.get()).resolves.toBe(TOKEN)
  })
})
