import jsep from 'jsep'
import { defaultBudget, ELEMENT_BYTES, jsonSize, type Budget } from './budget'

/**
 * Expressions in workflows (`steps.ai.output.text`, `item.views >= config.minViews`) are parsed by
 * jsep and walked by this evaluator: no `eval`, no `new Function`, no access to prototypes or
 * methods — only plain data and the functions listed in FUNCTIONS.
 */
export class ExpressionError extends Error {
  constructor(message: string, readonly expression: string) {
    super(message)
    this.name = 'ExpressionError'
  }
}

export type Scope = Readonly<Record<string, unknown>>
type Node = jsep.Expression

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor'])

/** `x` as text; an object's JSON is charged before it is built. */
function str(x: unknown, budget: Budget): string {
  if (typeof x === 'string') return x
  if (x === undefined || x === null) return ''
  if (typeof x !== 'object') return String(x)
  budget.charge(jsonSize(x, budget.remaining + 1, budget))
  return JSON.stringify(x)
}

/** Charges a new string of `input`'s length before a case change or trim builds it. */
function sameLength(x: unknown, budget: Budget, build: (s: string) => string): string {
  const s = str(x, budget)
  budget.charge(s.length)
  const out = build(s)
  // Case mapping may lengthen a few characters (ß → SS).
  if (out.length > s.length) budget.charge(out.length - s.length)
  return out
}

function join(arr: unknown, sep: unknown, budget: Budget): string {
  if (!Array.isArray(arr)) return str(arr, budget)
  const separator = sep === undefined ? ',' : str(sep, budget)
  // The joined length is known before anything is built: `join(split(x, ''), x)` stops here.
  let total = arr.length > 0 ? (arr.length - 1) * separator.length : 0
  for (const item of arr) {
    total += typeof item === 'string' ? item.length : item !== null && typeof item === 'object' ? jsonSize(item, budget.remaining + 1, budget) : 8
    if (total > budget.remaining) break
  }
  budget.charge(total)
  return arr.map((item) => (item !== null && typeof item === 'object' ? JSON.stringify(item) : str(item, budget))).join(separator)
}

function split(x: unknown, sep: unknown, budget: Budget): string[] {
  const s = str(x, budget)
  const separator = str(sep, budget)
  let parts = s.length === 0 ? (separator.length === 0 ? 0 : 1) : separator.length === 0 ? s.length : 1
  if (separator.length > 0) {
    for (let at = s.indexOf(separator); at !== -1; at = s.indexOf(separator, at + separator.length)) {
      parts++
      budget.tick()
    }
  }
  budget.charge(s.length + parts * ELEMENT_BYTES)
  return s.split(separator)
}

type Fn = (budget: Budget, ...args: unknown[]) => unknown

/** The only callable names. Each takes and returns plain data, and charges what it builds. */
const FUNCTIONS: Record<string, Fn> = {
  len: (_, x) => (typeof x === 'string' || Array.isArray(x) ? x.length : x && typeof x === 'object' ? Object.keys(x).length : 0),
  lower: (b, x) => sameLength(x, b, (s) => s.toLowerCase()),
  upper: (b, x) => sameLength(x, b, (s) => s.toUpperCase()),
  trim: (b, x) => sameLength(x, b, (s) => s.trim()),
  string: (b, x) => str(x, b),
  number: (_, x) => Number(x),
  json: (b, x) => {
    b.charge(jsonSize(x ?? null, b.remaining + 1, b))
    return JSON.stringify(x ?? null)
  },
  parseJson: (b, x) => {
    const text = str(x, b)
    // What parsing builds is about the size of its text.
    b.charge(text.length)
    try {
      return JSON.parse(text)
    } catch {
      return null
    }
  },
  join: (b, arr, sep) => join(arr, sep, b),
  split: (b, s, sep) => split(s, sep, b),
  includes: (b, hay, needle) => (Array.isArray(hay) ? hay.includes(needle) : str(hay, b).includes(str(needle, b))),
  startsWith: (b, s, p) => str(s, b).startsWith(str(p, b)),
  keys: (b, o) => {
    const keys = o && typeof o === 'object' ? Object.keys(o) : []
    b.charge(keys.length * ELEMENT_BYTES)
    return keys
  },
  first: (_, a) => (Array.isArray(a) ? a[0] : undefined),
  last: (_, a) => (Array.isArray(a) ? a[a.length - 1] : undefined),
  slice: (b, a, start, end) => {
    if (!Array.isArray(a) && typeof a !== 'string') return a
    const out = a.slice(Number(start ?? 0), end === undefined ? undefined : Number(end))
    b.charge(typeof out === 'string' ? out.length : out.length * ELEMENT_BYTES)
    return out
  },
  default: (_, x, fallback) => (x === undefined || x === null || x === '' ? fallback : x),
  round: (_, x, digits) => {
    const f = 10 ** Number(digits ?? 0)
    return Math.round(Number(x) * f) / f
  },
}

function member(object: unknown, key: unknown, expression: string): unknown {
  if (object === null || object === undefined) return undefined
  const name = typeof key === 'number' ? key : String(key)
  if (typeof name === 'string' && FORBIDDEN_KEYS.has(name)) throw new ExpressionError(`"${name}" cannot be read`, expression)
  if ((typeof object === 'string' || Array.isArray(object)) && name === 'length') return object.length
  if (typeof object !== 'object') return undefined
  // Own data only: inherited members (methods, prototypes) are invisible to expressions.
  return Object.hasOwn(object, name) ? (object as Record<string | number, unknown>)[name] : undefined
}

function binary(op: string, a: unknown, b: unknown, expression: string): unknown {
  switch (op) {
    case '==':
    case '===':
      return a === b || (a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b) && typeof a === typeof b)
    case '!=':
    case '!==':
      return !binary('==', a, b, expression)
    case '<':
      return (a as number) < (b as number)
    case '<=':
      return (a as number) <= (b as number)
    case '>':
      return (a as number) > (b as number)
    case '>=':
      return (a as number) >= (b as number)
    case '-':
      return Number(a) - Number(b)
    case '*':
      return Number(a) * Number(b)
    case '/':
      return Number(a) / Number(b)
    case '%':
      return Number(a) % Number(b)
    default:
      throw new ExpressionError(`Operator "${op}" is not supported`, expression)
  }
}

interface Walk {
  scope: Scope
  expression: string
  budget: Budget
}

/**
 * `a + b` on text. A chain (`x + "," + x`) charges what its flat result holds, not each partial
 * result again: the parts' own charges count toward the new string.
 */
function concat(node: jsep.BinaryExpression, w: Walk): unknown {
  const before = w.budget.used
  const a = walk(node.left, w)
  const b = walk(node.right, w)
  if (typeof a === 'number' && typeof b === 'number') return a + b
  const sa = str(a, w.budget)
  const sb = str(b, w.budget)
  const fresh = sa.length + sb.length - (w.budget.used - before)
  if (fresh > 0) w.budget.charge(fresh)
  return sa + sb
}

function walk(node: Node, w: Walk): unknown {
  w.budget.tick()
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value
    case 'Identifier': {
      const name = (node as jsep.Identifier).name
      if (name === 'undefined') return undefined
      return Object.hasOwn(w.scope, name) ? w.scope[name] : undefined
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression
      const object = walk(m.object, w)
      const key = m.computed ? walk(m.property, w) : (m.property as jsep.Identifier).name
      return member(object, key, w.expression)
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression
      const value = walk(u.argument, w)
      if (u.operator === '!') return !value
      if (u.operator === '-') return -Number(value)
      if (u.operator === '+') return Number(value)
      throw new ExpressionError(`Operator "${u.operator}" is not supported`, w.expression)
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression
      if (b.operator === '&&') return walk(b.left, w) && walk(b.right, w)
      if (b.operator === '||') return walk(b.left, w) || walk(b.right, w)
      if (b.operator === '??') return walk(b.left, w) ?? walk(b.right, w)
      if (b.operator === '+') return concat(b, w)
      return binary(b.operator, walk(b.left, w), walk(b.right, w), w.expression)
    }
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression
      return walk(c.test, w) ? walk(c.consequent, w) : walk(c.alternate, w)
    }
    case 'ArrayExpression': {
      const elements = (node as jsep.ArrayExpression).elements
      w.budget.charge(elements.length * ELEMENT_BYTES)
      return elements.map((e) => (e ? walk(e, w) : null))
    }
    case 'CallExpression': {
      const call = node as jsep.CallExpression
      if (call.callee.type !== 'Identifier') throw new ExpressionError('Only the built-in functions can be called', w.expression)
      const name = (call.callee as jsep.Identifier).name
      const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
      if (!fn) throw new ExpressionError(`Unknown function "${name}"; available: ${Object.keys(FUNCTIONS).join(', ')}`, w.expression)
      return fn(w.budget, ...call.arguments.map((a) => walk(a, w)))
    }
    default:
      throw new ExpressionError(`"${node.type}" is not allowed in expressions`, w.expression)
  }
}

const cache = new Map<string, Node>()
const CACHE_LIMIT = 5000

/** Parses once per distinct expression (bounded cache); throws ExpressionError on bad syntax. */
export function parseExpression(expression: string): Node {
  let ast = cache.get(expression)
  if (!ast) {
    try {
      ast = jsep(expression)
    } catch (err) {
      throw new ExpressionError(`Cannot read expression: ${(err as Error).message}`, expression)
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
    cache.set(expression, ast)
  }
  return ast
}

/**
 * Evaluates against `scope`, charging what it builds to `budget` (one step's output limit when
 * none is given); throws ExpressionError, or EvaluationLimit past the budget.
 * @example evaluate('item.views >= config.minViews', { item: { views: 5 }, config: { minViews: 3 } }) → true
 */
export function evaluate(expression: string, scope: Scope, budget: Budget = defaultBudget()): unknown {
  return walk(parseExpression(expression), { scope, expression, budget })
}

export const EXPRESSION_FUNCTIONS = Object.keys(FUNCTIONS)
