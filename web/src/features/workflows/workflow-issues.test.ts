import { describe, expect, it } from 'vitest'
import { checkWorkflow } from './workflow-issues'
import { TRIGGER_NODE_ID } from './workflow-graph'
import { autoReplyTemplate } from './workflow-templates'

describe('checkWorkflow', () => {
  it('finds no issue in the Auto-reply template', () => {
    expect(checkWorkflow(autoReplyTemplate('bot_1', 'ai_1')).issues).toEqual([])
  })

  it('attaches each issue to the node of its step or the trigger, and keeps the rest for the summary', () => {
    const { issues, byNode } = checkWorkflow({
      trigger: { type: 'event', gatewayId: '', event: 'message' },
      steps: [
        { id: 'ok', type: 'transform', value: 1 },
        { id: 'wait', type: 'delay', ms: -5 },
        { id: 'call', type: 'webhook', url: '' },
      ],
      extra: true,
    })
    expect([...byNode.keys()].sort()).toEqual([TRIGGER_NODE_ID, 'call', 'wait'].sort())
    expect(byNode.get('wait')![0]!.path).toBe('steps.1.ms')
    expect(byNode.get('call')![0]!.message).toBe('URL is required')
    expect(byNode.get(TRIGGER_NODE_ID)![0]!.message).toBe('Pick a gateway')
    expect(byNode.has('ok')).toBe(false)
    expect(issues.some((i) => i.stepId === undefined && !i.path.startsWith('trigger'))).toBe(true)
  })
})
