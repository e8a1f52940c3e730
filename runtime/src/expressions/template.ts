import { evaluate, parseExpression, type Scope } from './evaluate'

/**
 * `{{ expression }}` inside JSON values. A string that is exactly one placeholder yields the raw
 * value (`"{{ steps.fetch.output }}"` → the array); mixed text stringifies each value.
 */
type Part = { text: string } | { expr: string }
type Compiled = { kind: 'literal'; text: string } | { kind: 'single'; expr: string } | { kind: 'parts'; parts: Part[] }

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g
const compiledCache = new Map<string, Compiled>()

function compile(text: string): Compiled {
  const hit = compiledCache.get(text)
  if (hit) return hit
  let compiled: Compiled
  if (!text.includes('{{')) compiled = { kind: 'literal', text }
  else {
    const parts: Part[] = []
    let last = 0
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match.index > last) parts.push({ text: text.slice(last, match.index) })
      const expr = match[1]!.trim()
      parseExpression(expr)
      parts.push({ expr })
      last = match.index + match[0].length
    }
    if (last < text.length) parts.push({ text: text.slice(last) })
    compiled = parts.length === 1 && 'expr' in parts[0]! ? { kind: 'single', expr: parts[0].expr } : { kind: 'parts', parts }
  }
  if (compiledCache.size >= 5000) compiledCache.delete(compiledCache.keys().next().value as string)
  compiledCache.set(text, compiled)
  return compiled
}

const toText = (value: unknown): string =>
  value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)

export function renderString(text: string, scope: Scope): unknown {
  const compiled = compile(text)
  if (compiled.kind === 'literal') return compiled.text
  if (compiled.kind === 'single') return evaluate(compiled.expr, scope)
  let out = ''
  for (const part of compiled.parts) out += 'text' in part ? part.text : toText(evaluate(part.expr, scope))
  return out
}

/** Renders every string in a JSON value; objects and arrays are copied, never mutated. */
export function render(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return renderString(value, scope)
  if (Array.isArray(value)) return value.map((v) => render(v, scope))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = render(v, scope)
    return out
  }
  return value
}

/** The expressions a value refers to, for validation and the editor's autocomplete. */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') {
    const c = compile(value)
    return c.kind === 'single' ? [c.expr] : c.kind === 'parts' ? c.parts.flatMap((p) => ('expr' in p ? [p.expr] : [])) : []
  }
  if (Array.isArray(value)) return value.flatMap(expressionsIn)
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsIn)
  return []
}
