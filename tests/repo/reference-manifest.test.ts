import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REFERENCE_NAMES, referenceFile } from '../reference/reference-file'

const referenceDir = resolve(dirname(fileURLToPath(import.meta.url)), '../reference')
const manifest = JSON.parse(readFileSync(join(referenceDir, 'manifest.json'), 'utf8')) as {
  files: Record<string, { sha256: string; source: string; license: string }>
}
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
const OWN_FILES = new Set(['README.md', 'manifest.json', 'reference-file.ts', 'check-stale.ts'])

describe('tests/reference', () => {
  it('holds every manifest entry with the recorded sha256, source and license', () => {
    expect(Object.keys(manifest.files).length).toBeGreaterThan(0)
    for (const [name, entry] of Object.entries(manifest.files)) {
      const path = join(referenceDir, name)
      expect(existsSync(path), `${name} is in manifest.json but not in tests/reference`).toBe(true)
      expect(sha256(path), `${name} does not match its sha256 in manifest.json`).toBe(entry.sha256)
      expect(entry.source).toMatch(/^https:\/\//)
      expect(entry.license).toMatch(/^(MIT|MPL-2\.0|Apache-2\.0|BSD-[23]-Clause)$/)
    }
  })

  it('lists every vendored file in the manifest, and the helper names exactly those', () => {
    const vendored = readdirSync(referenceDir).filter((f) => !OWN_FILES.has(f))
    expect(vendored.sort()).toEqual(Object.keys(manifest.files).sort())
    expect([...REFERENCE_NAMES].sort()).toEqual(Object.keys(manifest.files).sort())
    for (const name of REFERENCE_NAMES) expect(referenceFile(name)).toBe(join(referenceDir, name))
    const readme = readFileSync(join(referenceDir, 'README.md'), 'utf8')
    for (const name of REFERENCE_NAMES) expect(readme, `README.md says nothing about ${name}`).toContain(name)
  })
})

describe('pnpm reference:check', () => {
  const script = join(referenceDir, 'check-stale.ts')
  const tsx = resolve(referenceDir, '../../node_modules/.bin/tsx')
  const check = (origin: string | undefined) => {
    const env = { ...process.env, REFERENCE_ORIGIN_DIR: origin }
    if (origin === undefined) delete env.REFERENCE_ORIGIN_DIR
    try {
      return { code: 0, out: execFileSync(tsx, [script], { env, encoding: 'utf8', stdio: 'pipe' }) }
    } catch (err) {
      const e = err as { status: number; stdout: string; stderr: string }
      return { code: e.status, out: e.stdout + e.stderr }
    }
  }

  it('passes and says so when there are no originals (a user’s clone)', () => {
    const result = check(join(tmpdir(), 'no-such-reference-folder'))
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('nothing to compare') })
    expect(check(undefined)).toMatchObject({ code: 0, out: expect.stringContaining('REFERENCE_ORIGIN_DIR is not set: nothing to compare') })
  })

  it('passes when the originals match, and fails naming a stale one when an original changed', () => {
    const origin = mkdtempSync(join(tmpdir(), '2bot-reference-'))
    try {
      for (const name of REFERENCE_NAMES) cpSync(referenceFile(name), join(origin, name))
      expect(check(origin)).toMatchObject({ code: 0, out: expect.stringContaining(`${REFERENCE_NAMES.length} vendored file(s) match`) })

      const [changed, ...unchanged] = REFERENCE_NAMES
      writeFileSync(join(origin, changed), readFileSync(join(origin, changed), 'utf8') + '\n# upstream moved on\n')
      const result = check(origin)
      expect(result.code).toBe(1)
      expect(result.out).toContain(`${changed}: stale`)
      for (const name of unchanged) expect(result.out).not.toContain(`${name}: stale`)
    } finally {
      rmSync(origin, { recursive: true, force: true })
    }
  })
})
