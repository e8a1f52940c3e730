import { describe, expect, it } from 'vitest'
import { open, seal } from './sealed-box'

const k1 = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdCE='
const k2 = 'YW5vdGhlci1rZXktYW5vdGhlci1rZXktYW5vdGhlciE='

describe('sealed box (AES-256-GCM with key id)', () => {
  it('round-trips and never contains the plain text', async () => {
    const secrets = { encryptionKeys: { k1 }, currentKeyId: 'k1' }
    const sealed = await seal(secrets, { botToken: '123456:SECRET-TOKEN' })
    expect(sealed).toMatch(/^v1\.k1\./)
    expect(sealed).not.toContain('SECRET')
    expect(await open(secrets, sealed)).toEqual({ botToken: '123456:SECRET-TOKEN' })
  })

  it('opens old data with the key it names after rotation', async () => {
    const old = await seal({ encryptionKeys: { k1 }, currentKeyId: 'k1' }, 'a')
    const rotated = { encryptionKeys: { k1, k2 }, currentKeyId: 'k2' }
    expect(await open(rotated, old)).toBe('a')
    expect(await seal(rotated, 'b')).toMatch(/^v1\.k2\./)
  })

  it('refuses tampered data and a relabelled key id', async () => {
    const secrets = { encryptionKeys: { k1, k2 }, currentKeyId: 'k1' }
    const sealed = await seal(secrets, 'x')
    const parts = sealed.split('.')
    const flipped = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'AB' : 'AA')
    await expect(open(secrets, [parts[0], parts[1], parts[2], flipped].join('.'))).rejects.toThrow()
    await expect(open(secrets, [parts[0], 'k2', parts[2], parts[3]].join('.'))).rejects.toThrow()
  })
})
