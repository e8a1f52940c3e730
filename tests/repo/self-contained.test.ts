import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, extname, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * A user's clone has none of the maintainers' folders next to it, so nothing tracked may reach a
 * `shared` folder outside the repository at run, build or test time: no absolute path under /work,
 * no relative path that climbs out of the repository to it, no `join` of a parent folder with it.
 * Relative paths are resolved the way they are used: from the file's own folder (imports,
 * `new URL(…, import.meta.url)`, package.json scripts, which run in their package), and for shell
 * scripts (and files without an extension, like .ci/run), YAML and TOML from the repository root
 * as well, since those run from wherever they are started.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Every tracked file is read, this one too (its examples are built, not spelled out), except Markdown: read by people, never at run/build/test time. */
const excluded = (path: string) => path.endsWith('.md')

const BINARY = /\.(png|jpe?g|gif|webp|ico|icns|woff2?|ttf|wasm|gz|zip|pdf)$/i
const CWD_RELATIVE = /(\.sh|\.ya?ml|\.toml|Containerfile|Dockerfile|Makefile)$/
const ABSOLUTE = /\/work\/shared\b/g
const RELATIVE = /(?:\.\.\/)+shared\b/g
const JOINED = /['"]\.\.['"]\s*,\s*['"]shared['"]/g

const outside = (path: string) => {
  const rel = relative(repoRoot, path)
  return rel === '..' || rel.startsWith(`..${sep}`)
}

/** Each line of `text` that reaches a `shared` folder outside the repository, as `line: text`. */
function reachesShared(path: string, text: string): string[] {
  const hits: string[] = []
  const fileDir = dirname(resolve(repoRoot, path))
  const bases = CWD_RELATIVE.test(path) || extname(path) === '' ? [fileDir, repoRoot] : [fileDir]
  text.split('\n').forEach((line, i) => {
    const relativeHit = [...line.matchAll(RELATIVE)].some((m) => bases.some((base) => outside(resolve(base, m[0]))))
    if (relativeHit || ABSOLUTE.test(line) || JOINED.test(line)) hits.push(`${i + 1}: ${line.trim().slice(0, 160)}`)
    ABSOLUTE.lastIndex = 0
    JOINED.lastIndex = 0
  })
  return hits
}

describe('the repository stands alone', () => {
  it('no tracked file reaches a shared folder outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean)
    expect(files.length).toBeGreaterThan(100)
    const offenders: string[] = []
    for (const path of files) {
      if (excluded(path) || BINARY.test(extname(path))) continue
      let text: string
      try {
        text = readFileSync(resolve(repoRoot, path), 'utf8')
      } catch {
        continue // listed but deleted in the work tree
      }
      if (text.includes('\0')) continue
      for (const hit of reachesShared(path, text)) offenders.push(`${path}:${hit}`)
    }
    expect(offenders, `these files reach a folder outside the repository; vendor what they need into tests/reference:\n${offenders.join('\n')}`).toEqual([])
  })

  it('tells a path that leaves the repository from one that stays inside', () => {
    // Built from parts, so that this file is checked like any other.
    const up = (levels: number) => `${'../'.repeat(levels)}${'shared'}`
    const absolute = ['', 'work', 'shared'].join('/')
    // web/src/features/x/y.vue importing from three levels up stays in web/src/shared.
    expect(reachesShared('web/src/features/x/y.vue', `import f from '${up(3)}/format'`)).toEqual([])
    expect(reachesShared('desktop/src/main/a.ts', `import { channels } from '${up(1)}/channels'`)).toEqual([])
    // The ways the repository used to reach the maintainers' folder.
    expect(reachesShared('nomad/src/api/a.test.ts', `new URL('${up(4)}/reference/nomad-openapi.yaml', import.meta.url)`)).toHaveLength(1)
    expect(reachesShared('tests/doubles/t.ts', `readFileSync(new URL('${up(3)}/reference/telegram-bot-api.json', import.meta.url))`)).toHaveLength(1)
    expect(reachesShared('nomad/package.json', `"generate:api": "openapi-typescript ${up(2)}/reference/nomad-openapi.yaml"`)).toHaveLength(1)
    // A script run from the root, a join and an absolute path.
    expect(reachesShared('tests/setup.sh', `cp ${up(1)}/reference/x .`)).toHaveLength(1)
    expect(reachesShared('tests/a.ts', `join(root, '..', '${'shared'}')`)).toHaveLength(1)
    expect(reachesShared('tests/a.ts', `readFileSync('${absolute}/style.md')`)).toHaveLength(1)
  })
})
