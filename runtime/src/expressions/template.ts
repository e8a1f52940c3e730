import { defaultBudget, ELEMENT_BYTES, jsonSize, type Budget } from './budget'
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

function toText(value: unknown, budget: Budget): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'object') return String(value)
  budget.charge(jsonSize(value, budget.remaining + 1, budget))
  return JSON.stringify(value)
}

/**
 * Renders one string. What it places in the result is charged at its size, less what evaluating
 * it already charged, so repeating a large value (`{{ x }}{{ x }}…`, or the same placeholder under
 * a thousand keys) stops at the budget before the text or the output's JSON is ever built.
 */
export function renderString(text: string, scope: Scope, budget: Budget = defaultBudget()): unknown {
  const compiled = compile(text)
  if (compiled.kind === 'literal') {
    budget.charge(compiled.text.length + 2)
    return compiled.text
  }
  if (compiled.kind === 'single') {
    const before = budget.used
    const value = evaluate(compiled.expr, scope, budget)
    budget.chargeValue(value, budget.used - before)
    return value
  }
  let out = ''
  budget.charge(2)
  for (const part of compiled.parts) {
    if ('text' in part) {
      budget.charge(part.text.length)
      out += part.text
      continue
    }
    const before = budget.used
    const piece = toText(evaluate(part.expr, scope, budget), budget)
    const fresh = piece.length - (budget.used - before)
    if (fresh > 0) budget.charge(fresh)
    out += piece
  }
  return out
}

/** Renders every string in a JSON value; objects and arrays are copied, never mutated. */
export function render(value: unknown, scope: Scope, budget: Budget = defaultBudget()): unknown {
  if (typeof value === 'string') return renderString(value, scope, budget)
  if (Array.isArray(value)) {
    budget.charge(2 + value.length * ELEMENT_BYTES)
    return value.map((v) => render(v, scope, budget))
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    budget.charge(2)
    for (const [k, v] of Object.entries(value)) {
      budget.charge(k.length + 4)
      out[k] = render(v, scope, budget)
    }
    return out
  }
  budget.tick()
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
