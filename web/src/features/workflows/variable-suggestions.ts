import { definitionToGraph, enclosingLoops, flatSteps, TRIGGER_NODE_ID, type DraftDefinition, type DraftTrigger } from './workflow-graph'

/** What each trigger hands the workflow as `trigger` (see the API's trigger payloads). */
const TRIGGER_FIELDS: Record<DraftTrigger['type'], string[]> = {
  manual: ['trigger'],
  schedule: ['trigger.scheduledAt', 'trigger.cron', 'trigger.timezone'],
  event: [
    'trigger.event',
    'trigger.message.text',
    'trigger.message.chat.id',
    'trigger.message.from.id',
    'trigger.message.from.username',
    'trigger.message.messageId',
    'trigger.callbackQuery.data',
    'trigger.gatewayId',
  ],
  webhook: ['trigger.body', 'trigger.query', 'trigger.method'],
}

/**
 * The steps that can run before `stepId`: every node with a path to it on the canvas. Inside a loop
 * body that is the earlier body steps and what ran before the loop, not the loop itself (it has no
 * output until every item is done).
 */
export function stepsBefore(def: Pick<DraftDefinition, 'trigger' | 'steps'>, stepId: string): string[] {
  const { edges } = definitionToGraph(def)
  const incoming = new Map<string, string[]>()
  for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source])
  const seen = new Set<string>()
  const stack = [...(incoming.get(stepId) ?? [])]
  while (stack.length) {
    const id = stack.pop()!
    if (seen.has(id) || id === TRIGGER_NODE_ID) continue
    seen.add(id)
    stack.push(...(incoming.get(id) ?? []))
  }
  seen.delete(stepId)
  for (const loop of enclosingLoops(def.steps, stepId)) seen.delete(loop.id)
  // In workflow order, which is how a reader scans them.
  return flatSteps(def.steps)
    .map((s) => s.id)
    .filter((id) => seen.has(id))
}

/**
 * The variables a `{{ }}` in the selected step (or the trigger, with `stepId` null) may use: the
 * trigger's fields, `steps.<id>.output` of the steps before it, `config.<key>`, and inside a loop
 * body the loop's current element (`item`, or its `as` name) and `index`.
 * @example variablesFor(def, 'reply') // → ['trigger.message.text', …, 'steps.ai.output', 'config.tone']
 */
export function variablesFor(def: DraftDefinition, stepId: string | null): string[] {
  const triggerFields = TRIGGER_FIELDS[def.trigger.type] ?? ['trigger']
  const steps = stepId ? stepsBefore(def, stepId).flatMap((id) => [`steps.${id}.output`, `steps.${id}.status`]) : []
  const config = Object.keys(def.config ?? {}).map((k) => `config.${k}`)
  const loops = stepId ? enclosingLoops(def.steps, stepId) : []
  const loopVars = loops.length ? [...new Set([...loops.reverse().map((l) => l.as ?? 'item'), 'index'])] : []
  return [...loopVars, ...triggerFields, ...steps, ...config]
}

/**
 * Where the caret sits inside an unclosed `{{`: the typed prefix, where it starts, and whether a
 * space follows the braces. Null outside an expression.
 * @example openExpression('Hi {{ steps.a', 13) // → { start: 6, prefix: 'steps.a', spaced: true }
 */
export function openExpression(text: string, caret: number): { start: number; prefix: string; spaced: boolean } | null {
  const before = text.slice(0, caret)
  const open = before.lastIndexOf('{{')
  if (open === -1 || before.indexOf('}}', open) !== -1) return null
  const inner = before.slice(open + 2)
  const prefix = inner.trimStart()
  if (!/^[A-Za-z0-9_.\-[\]]*$/.test(prefix)) return null
  return { start: caret - prefix.length, prefix, spaced: prefix.length < inner.length }
}

/** Completes the expression at the caret with `variable`, closing the braces when they are not closed yet. */
export function insertVariable(text: string, caret: number, variable: string): { text: string; caret: number } {
  const open = openExpression(text, caret)
  const after = text.slice(caret)
  if (!open) {
    const head = `${text.slice(0, caret)}{{ ${variable} }}`
    return { text: head + after, caret: head.length }
  }
  const closed = /^\s*}}/.test(after)
  const head = `${text.slice(0, open.start)}${open.spaced ? '' : ' '}${variable}${closed ? '' : ' }}'}`
  return { text: head + after, caret: head.length }
}

/** The variables that match what was typed after `{{`, best first (prefix matches before substring ones). */
export function matchVariables(all: readonly string[], prefix: string, limit = 12): string[] {
  const p = prefix.toLowerCase()
  const starts = all.filter((v) => v.toLowerCase().startsWith(p))
  const contains = all.filter((v) => !v.toLowerCase().startsWith(p) && v.toLowerCase().includes(p))
  return [...starts, ...contains].slice(0, limit)
}
