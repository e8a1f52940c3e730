import jsep from 'jsep'

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

const str = (x: unknown): string => (typeof x === 'string' ? x : x === undefined || x === null ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x))

/** The only callable names. Each takes and returns plain data. */
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  len: (x) => (typeof x === 'string' || Array.isArray(x) ? x.length : x && typeof x === 'object' ? Object.keys(x).length : 0),
  lower: (x) => str(x).toLowerCase(),
  upper: (x) => str(x).toUpperCase(),
  trim: (x) => str(x).trim(),
  string: (x) => str(x),
  number: (x) => Number(x),
  json: (x) => JSON.stringify(x ?? null),
  parseJson: (x) => {
    try {
      return JSON.parse(str(x))
    } catch {
      return null
    }
  },
  join: (arr, sep) => (Array.isArray(arr) ? arr.map(str).join(sep === undefined ? ',' : str(sep)) : str(arr)),
  split: (s, sep) => str(s).split(str(sep)),
  includes: (hay, needle) => (Array.isArray(hay) ? hay.includes(needle) : str(hay).includes(str(needle))),
  startsWith: (s, p) => str(s).startsWith(str(p)),
  keys: (o) => (o && typeof o === 'object' ? Object.keys(o) : []),
  first: (a) => (Array.isArray(a) ? a[0] : undefined),
  last: (a) => (Array.isArray(a) ? a[a.length - 1] : undefined),
  slice: (a, start, end) => (Array.isArray(a) || typeof a === 'string' ? a.slice(Number(start ?? 0), end === undefined ? undefined : Number(end)) : a),
  default: (x, fallback) => (x === undefined || x === null || x === '' ? fallback : x),
  round: (x, digits) => {
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
    case '+':
      return typeof a === 'number' && typeof b === 'number' ? a + b : str(a) + str(b)
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

function walk(node: Node, scope: Scope, expression: string): unknown {
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value
    case 'Identifier': {
      const name = (node as jsep.Identifier).name
      if (name === 'undefined') return undefined
      return Object.hasOwn(scope, name) ? scope[name] : undefined
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression
      const object = walk(m.object, scope, expression)
      const key = m.computed ? walk(m.property, scope, expression) : (m.property as jsep.Identifier).name
      return member(object, key, expression)
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression
      const value = walk(u.argument, scope, expression)
      if (u.operator === '!') return !value
      if (u.operator === '-') return -Number(value)
      if (u.operator === '+') return Number(value)
      throw new ExpressionError(`Operator "${u.operator}" is not supported`, expression)
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression
      if (b.operator === '&&') return walk(b.left, scope, expression) && walk(b.right, scope, expression)
      if (b.operator === '||') return walk(b.left, scope, expression) || walk(b.right, scope, expression)
      if (b.operator === '??') return walk(b.left, scope, expression) ?? walk(b.right, scope, expression)
      return binary(b.operator, walk(b.left, scope, expression), walk(b.right, scope, expression), expression)
    }
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression
      return walk(c.test, scope, expression) ? walk(c.consequent, scope, expression) : walk(c.alternate, scope, expression)
    }
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements.map((e) => (e ? walk(e, scope, expression) : null))
    case 'CallExpression': {
      const call = node as jsep.CallExpression
      if (call.callee.type !== 'Identifier') throw new ExpressionError('Only the built-in functions can be called', expression)
      const name = (call.callee as jsep.Identifier).name
      const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
      if (!fn) throw new ExpressionError(`Unknown function "${name}"; available: ${Object.keys(FUNCTIONS).join(', ')}`, expression)
      return fn(...call.arguments.map((a) => walk(a, scope, expression)))
    }
    default:
      throw new ExpressionError(`"${node.type}" is not allowed in expressions`, expression)
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

/** @example evaluate('item.views >= config.minViews', { item: { views: 5 }, config: { minViews: 3 } }) → true */
export function evaluate(expression: string, scope: Scope): unknown {
  return walk(parseExpression(expression), scope, expression)
}

export const EXPRESSION_FUNCTIONS = Object.keys(FUNCTIONS)
