import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ICruiseResult } from 'dependency-cruiser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collapse, CRUISED, cruiseWithRepoRules, describeCycle, describeViolations, edgeApiFolderOf, findCycle, packageOf } from './import-graph'

/**
 * One-way arrows: no file reaches itself through imports, no package imports one it may not
 * (.dependency-cruiser.cjs says which may), and inside edge-api/src the folders form no circle
 * either (a features/a → features/b → features/a circle breaks no file rule, but still ties the
 * two features into one). A failure prints the circle and the import behind each step.
 */
describe('the repository import graph', () => {
  let result: ICruiseResult
  beforeAll(async () => {
    result = await cruiseWithRepoRules(CRUISED)
  }, 180_000) // ~15 s for 600 files on a quiet machine

  it('breaks none of the rules: no circular file import, packages one way, deps.ts imports only ports', () => {
    expect(result.summary.totalCruised).toBeGreaterThan(300)
    expect(describeViolations(result)).toEqual([])
  })

  it('has no two-way package edge, nor a longer circle of packages', () => {
    const graph = collapse(result.modules, packageOf)
    expect(graph.edges.get('runtime')).toEqual(new Set(['contracts']))
    const cycle = findCycle(graph.edges)
    expect(cycle && describeCycle(graph, cycle)).toBeUndefined()
  })

  it('has no circle between the folders of edge-api/src', () => {
    const graph = collapse(result.modules, edgeApiFolderOf)
    expect(graph.edges.size).toBeGreaterThan(20)
    const cycle = findCycle(graph.edges)
    expect(cycle && describeCycle(graph, cycle)).toBeUndefined()
  })
})

describe('findCycle', () => {
  const graph = (edges: [string, string][]) => {
    const map = new Map<string, Set<string>>()
    for (const [a, b] of edges) map.set(a, (map.get(a) ?? new Set()).add(b))
    return map
  }

  it('finds a two-way edge and a longer circle, and nothing in a DAG', () => {
    expect(findCycle(graph([['a', 'b'], ['b', 'a']]))).toEqual(['a', 'b', 'a'])
    expect(findCycle(graph([['x', 'a'], ['a', 'b'], ['b', 'c'], ['c', 'a']]))).toEqual(['a', 'b', 'c', 'a'])
    expect(findCycle(graph([['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']]))).toBeUndefined()
  })
})

/** A small repository on disk with each kind of mistake, cruised with the real rules. */
describe('the rules on a repository that breaks them', () => {
  let dir: string
  let result: ICruiseResult
  const file = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), text)
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'import-graph-'))
    // files a ↔ b
    file('edge-api/src/lib/a.ts', "import { b } from './b'\nexport const a = () => b\n")
    file('edge-api/src/lib/b.ts', "import type { a } from './a'\nexport const b: typeof a | undefined = undefined\n")
    // folders features/one → features/two → features/one, with no file circle
    file('edge-api/src/features/one/one.service.ts', "import { two } from '../two/two.service'\nexport const one = two\n")
    file('edge-api/src/features/one/one.format.ts', 'export const format = String\n')
    file('edge-api/src/features/two/two.service.ts', "import { format } from '../one/one.format'\nexport const two = format\n")
    // deps.ts naming a feature; the runtime reaching into edge-api, which imports the runtime
    file('edge-api/src/deps.ts', "import type { one } from './features/one/one.service'\nexport type Deps = typeof one\n")
    file('edge-api/src/run.ts', "import { engine } from '../../runtime/src/engine'\nexport const run = engine\n")
    file('runtime/src/engine.ts', "import type { Deps } from '../../edge-api/src/deps'\nexport const engine = (d?: Deps) => d\n")
    result = await cruiseWithRepoRules(['edge-api', 'runtime'], dir)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports the circular files, the package going the wrong way and deps.ts importing a feature', () => {
    const found = describeViolations(result)
    expect(found).toContain('no-circular: edge-api/src/lib/a.ts → edge-api/src/lib/b.ts → edge-api/src/lib/a.ts')
    expect(found).toContain('package-direction-runtime (runtime/src/engine.ts → edge-api/src/deps.ts)')
    expect(found).toContain('deps-imports-only-ports (edge-api/src/deps.ts → edge-api/src/features/one/one.service.ts)')
  })

  it('finds the two-way package edge and the folder circle, and says which imports make them', () => {
    const packages = collapse(result.modules, packageOf)
    expect(findCycle(packages.edges)).toEqual(['edge-api', 'runtime', 'edge-api'])

    const folders = collapse(result.modules, edgeApiFolderOf)
    const cycle = findCycle(folders.edges)!
    expect(cycle).toEqual(['features/one', 'features/two', 'features/one'])
    expect(describeCycle(folders, cycle)).toBe(
      [
        'features/one → features/two   (edge-api/src/features/one/one.service.ts imports edge-api/src/features/two/two.service.ts)',
        'features/two → features/one   (edge-api/src/features/two/two.service.ts imports edge-api/src/features/one/one.format.ts)',
      ].join('\n'),
    )
  })
})
