import path from 'node:path'
import { cruise, type ICruiseResult, type IModule } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..')

/** Every package's sources and tests/, as `pnpm depcruise` cruises them. */
export const CRUISED = ['contracts', 'edge-api', 'runtime', 'web', 'desktop', 'nomad', 'tests']

/** Cruises `targets` under `baseDir` with the repository's .dependency-cruiser.cjs. */
export async function cruiseWithRepoRules(targets: string[], baseDir = REPO_ROOT): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(path.join(REPO_ROOT, '.dependency-cruiser.cjs'))
  const { output } = await cruise(targets, { ...options, baseDir, validate: true })
  if (typeof output === 'string') throw new Error('dependency-cruiser answered text, not a result')
  return output
}

/** One line per broken rule, with the path of a circular one. */
export function describeViolations(result: ICruiseResult): string[] {
  return (result.summary.violations ?? []).map((v) => {
    const cycle = v.cycle?.length ? `: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}` : ` (${v.from} → ${v.to})`
    return `${v.rule.name}${cycle}`
  })
}

/** Directed edges between nodes; `why` keeps one file import that makes each edge, for messages. */
export interface Graph {
  edges: Map<string, Set<string>>
  why: Map<string, string>
}

/**
 * Collapses a file graph: `nodeOf` names the node a file belongs to (undefined: left out). An edge
 * from X to Y exists when a file of X imports a file of Y.
 */
export function collapse(modules: Pick<IModule, 'source' | 'dependencies'>[], nodeOf: (file: string) => string | undefined): Graph {
  const edges = new Map<string, Set<string>>()
  const why = new Map<string, string>()
  for (const m of modules) {
    const from = nodeOf(m.source)
    if (!from) continue
    for (const d of m.dependencies) {
      const to = nodeOf(d.resolved)
      if (!to || to === from) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from)!.add(to)
      if (!why.has(`${from} → ${to}`)) why.set(`${from} → ${to}`, `${m.source} imports ${d.resolved}`)
    }
  }
  return { edges, why }
}

/** A cycle as the nodes walked, first node repeated at the end ([a, b, a]); undefined if there is none. */
export function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const trail: string[] = []
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open')
    trail.push(node)
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') return [...trail.slice(trail.indexOf(next)), next]
      if (!state.has(next)) {
        const found = visit(next)
        if (found) return found
      }
    }
    trail.pop()
    state.set(node, 'done')
    return undefined
  }
  for (const node of [...edges.keys()].sort()) {
    if (state.has(node)) continue
    const found = visit(node)
    if (found) return found
  }
  return undefined
}

/** The cycle with, under each step, the import that makes it. */
export function describeCycle(graph: Graph, cycle: string[]): string {
  return cycle
    .slice(1)
    .map((to, i) => `${cycle[i]} → ${to}   (${graph.why.get(`${cycle[i]} → ${to}`)})`)
    .join('\n')
}

const PACKAGES = new Set(['contracts', 'edge-api', 'runtime', 'web', 'desktop', 'nomad'])

/** The workspace package a file belongs to; tests/ (test tooling) and node_modules are outside the graph. */
export function packageOf(file: string): string | undefined {
  if (file.includes('node_modules/')) return undefined
  const top = file.split('/')[0]!
  return PACKAGES.has(top) ? top : undefined
}

const isTest = (file: string) => file.endsWith('.test.ts') || file.includes('/test/')

/**
 * The node of an edge-api source file in the folder graph: its folder (features/gateways,
 * adapters/queue, lib, ...), or the file itself for the files at the top of src (app.ts, deps.ts,
 * env.ts), which are each their own layer. Tests sit beside what they test and are left out.
 */
export function edgeApiFolderOf(file: string): string | undefined {
  const prefix = 'edge-api/src/'
  if (!file.startsWith(prefix) || isTest(file)) return undefined
  const rel = file.slice(prefix.length)
  return rel.includes('/') ? path.posix.dirname(rel) : rel
}
