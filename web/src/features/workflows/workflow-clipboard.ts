import type { DraftDefinition, DraftStep } from './workflow-graph'
import { uniqueStepId } from './workflow-templates'

/** What the canvas puts on the clipboard: plain JSON, so steps can be pasted into another workflow or a file. */
export interface ClipboardSteps {
  kind: '2bot/steps'
  steps: DraftStep[]
}

/** How far pasted steps sit from the copied ones, so they do not hide them. */
export const PASTE_OFFSET = 40

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** The chosen steps, loop bodies searched too (a chosen loop brings its whole body), in workflow order. */
function pick(steps: readonly DraftStep[], chosen: ReadonlySet<string>): DraftStep[] {
  return steps.flatMap((s) => (chosen.has(s.id) ? [s] : s.type === 'loop' ? pick(s.steps, chosen) : []))
}

/** The chosen steps (in workflow order) as clipboard JSON; null when none is chosen. */
export function copySteps(def: Pick<DraftDefinition, 'steps'>, ids: readonly string[]): string | null {
  const steps = pick(def.steps, new Set(ids))
  if (!steps.length) return null
  return JSON.stringify({ kind: '2bot/steps', steps } satisfies ClipboardSteps, null, 2)
}

/** Reads clipboard text: our envelope, a bare step or a list of steps; null for anything else. */
export function parseClipboard(text: string): DraftStep[] | null {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return null
  }
  const list = Array.isArray(body) ? body : body && typeof body === 'object' && (body as ClipboardSteps).kind === '2bot/steps' ? (body as ClipboardSteps).steps : [body]
  const isStep = (s: unknown) => !!s && typeof s === 'object' && typeof (s as DraftStep).id === 'string' && typeof (s as DraftStep).type === 'string'
  return Array.isArray(list) && list.length > 0 && list.every(isStep) ? (list as DraftStep[]) : null
}

function allIds(steps: readonly DraftStep[]): string[] {
  return steps.flatMap((s) => [s.id, ...(s.type === 'loop' ? allIds(s.steps) : [])])
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Rewrites `steps.<old>` in every string of a value (expressions and `{{ }}` templates alike). */
function renameReferences(value: unknown, renames: Map<string, string>, pattern: RegExp | null): unknown {
  if (!pattern) return value
  if (typeof value === 'string') return value.replace(pattern, (_m, id: string) => `steps.${renames.get(id)}`)
  if (Array.isArray(value)) return value.map((v) => renameReferences(v, renames, pattern))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameReferences(v, renames, pattern)]))
  return value
}

/**
 * Pastes steps at the end of a definition. Every pasted step (loop bodies too) gets a fresh id not
 * used in the workflow; references among the pasted steps (condition branches, `steps.<id>` in
 * expressions) follow the new ids; a branch to a step neither pasted nor in the workflow is dropped. Pasted steps with a position move by `PASTE_OFFSET`.
 * @example pasteSteps(def, copySteps(def, ['ai'])!) // → { definition (…, ai2), ids: ['ai2'] }
 */
export function pasteSteps(def: DraftDefinition, text: string): { definition: DraftDefinition; ids: string[] } | null {
  const pasted = parseClipboard(text)
  if (!pasted) return null
  const taken = new Set(allIds(def.steps))
  const renames = new Map<string, string>()
  for (const id of allIds(pasted)) {
    if (renames.has(id)) continue
    const fresh = uniqueStepId(id, taken)
    taken.add(fresh)
    renames.set(id, fresh)
  }
  const ids = [...renames.keys()].sort((a, b) => b.length - a.length).map(escape)
  // Longest ids first, and a word boundary after, so `steps.ai` never matches inside `steps.ai2`.
  const pattern = ids.length ? new RegExp(`\\bsteps\\.(${ids.join('|')})(?![A-Za-z0-9_-])`, 'g') : null
  const topLevel = new Set(pasted.map((s) => s.id))
  const existing = new Set(def.steps.map((s) => s.id))

  // Body steps keep their place inside the loop's box; only the pasted top-level steps move aside.
  const rewrite = (step: DraftStep, nested = false): DraftStep => {
    const { id, type, position, ...rest } = clone(step) as DraftStep & Record<string, unknown>
    const next = renameReferences(rest, renames, pattern) as Record<string, unknown>
    if (type === 'condition') {
      for (const kind of ['then', 'else'] as const) {
        const target = next[kind]
        if (typeof target !== 'string') continue
        if (topLevel.has(target)) next[kind] = renames.get(target)
        else if (!existing.has(target)) delete next[kind]
      }
    }
    if (type === 'loop') next.steps = (step as Extract<DraftStep, { type: 'loop' }>).steps.map((b) => rewrite(b, true))
    const offset = nested ? 0 : PASTE_OFFSET
    return {
      id: renames.get(id)!,
      type,
      ...next,
      ...(position ? { position: { x: position.x + offset, y: position.y + offset } } : {}),
    } as DraftStep
  }

  const fresh = pasted.map((s) => rewrite(s))
  return { definition: { ...def, steps: [...def.steps, ...fresh] }, ids: fresh.map((s) => s.id) }
}
