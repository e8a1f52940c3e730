import { validateWorkflow } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { copySteps, parseClipboard, pasteSteps, PASTE_OFFSET } from './workflow-clipboard'
import type { DraftDefinition } from './workflow-graph'

const def: DraftDefinition = {
  version: 1,
  trigger: { type: 'manual' },
  config: {},
  steps: [
    { id: 'ai', type: 'transform', value: 'hi' },
    { id: 'check', type: 'condition', if: 'steps.ai.output != ""', then: 'reply', else: 'ai' },
    { id: 'reply', type: 'transform', value: { text: '{{ steps.ai.output }} / {{ steps.check.output }}' }, position: { x: 10, y: 20 } },
    { id: 'each', type: 'loop', over: 'steps.ai.output', steps: [{ id: 'body', type: 'transform', value: '{{ item }}' }] },
  ],
}

describe('copy and paste of steps', () => {
  it('copies the chosen steps in workflow order as JSON, and nothing for no choice', () => {
    const text = copySteps(def, ['reply', 'ai'])!
    expect(JSON.parse(text)).toEqual({ kind: '2bot/steps', steps: [def.steps[0], def.steps[2]] })
    expect(copySteps(def, [])).toBeNull()
    expect(copySteps(def, ['ghost'])).toBeNull()
  })

  it('gives pasted steps fresh ids and keeps their references to each other consistent', () => {
    const pasted = pasteSteps(def, copySteps(def, ['ai', 'check', 'reply'])!)!
    expect(pasted.ids).toEqual(['ai2', 'check2', 'reply2'])
    const [ai2, check2, reply2] = pasted.definition.steps.slice(4)
    expect(ai2).toEqual({ id: 'ai2', type: 'transform', value: 'hi' })
    expect(check2).toMatchObject({ if: 'steps.ai2.output != ""', then: 'reply2', else: 'ai2' })
    expect(reply2).toEqual({ id: 'reply2', type: 'transform', value: { text: '{{ steps.ai2.output }} / {{ steps.check2.output }}' }, position: { x: 10 + PASTE_OFFSET, y: 20 + PASTE_OFFSET } })
    expect(validateWorkflow(pasted.definition).ok).toBe(true)
  })

  it('keeps references to steps that were not pasted, and renames loop bodies too', () => {
    const pasted = pasteSteps(def, copySteps(def, ['check', 'each'])!)!
    const [check2, each2] = pasted.definition.steps.slice(4)
    // `ai` and `reply` were not copied: the branches and the expression still point at the originals.
    expect(check2).toMatchObject({ id: 'check2', if: 'steps.ai.output != ""', then: 'reply', else: 'ai' })
    expect(each2).toMatchObject({ id: 'each2', steps: [{ id: 'body2' }] })
    expect(validateWorkflow(pasted.definition).ok).toBe(true)
  })

  it('drops a branch to a step that exists nowhere when pasted into another workflow', () => {
    const other: DraftDefinition = { trigger: { type: 'manual' }, steps: [{ id: 'start', type: 'transform', value: 1 }] }
    const pasted = pasteSteps(other, copySteps(def, ['check'])!)!
    expect(pasted.definition.steps[1]).toEqual({ id: 'check', type: 'condition', if: 'steps.ai.output != ""' })
  })

  it('does not rename inside longer ids (steps.ai vs steps.aim)', () => {
    const d: DraftDefinition = { trigger: { type: 'manual' }, steps: [{ id: 'ai', type: 'transform', value: '{{ steps.aim.output }} {{ steps.ai.output }}' }] }
    const pasted = pasteSteps(d, copySteps(d, ['ai'])!)!
    expect(pasted.definition.steps[1]).toMatchObject({ id: 'ai2', value: '{{ steps.aim.output }} {{ steps.ai2.output }}' })
  })

  it('accepts a bare step or a list, and refuses text that is not steps', () => {
    expect(parseClipboard('{"id":"x","type":"delay","ms":5}')).toEqual([{ id: 'x', type: 'delay', ms: 5 }])
    expect(parseClipboard('[{"id":"x","type":"delay","ms":5}]')).toHaveLength(1)
    expect(parseClipboard('hello')).toBeNull()
    expect(parseClipboard('{"kind":"2bot/steps","steps":[]}')).toBeNull()
    expect(parseClipboard('[{"id":1}]')).toBeNull()
    expect(pasteSteps(def, 'not json')).toBeNull()
  })
})
