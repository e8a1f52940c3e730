import type { StepType } from '@2bot/contracts'
import type { DraftDefinition, DraftStep } from './workflow-graph'

export type TemplateKey = 'auto-reply' | 'content-maker' | 'blank'

/**
 * The templates the new-workflow dialog offers. A `comingSoon` one needs a gateway type that is not
 * built yet (Content Maker reads a channel through a Telegram user account): it is shown so people
 * see it is planned, but cannot be picked, so nobody creates a workflow that can only fail.
 */
export const TEMPLATES: { key: TemplateKey; label: string; description: string; comingSoon?: true }[] = [
  { key: 'auto-reply', label: 'Auto-reply bot', description: 'A message to your Telegram bot → an AI answer → sent back to the chat.' },
  {
    key: 'content-maker',
    label: 'Content Maker',
    description: 'Every 2 hours: read a source channel → keep popular posts → AI writes a new post → your bot posts it.',
    comingSoon: true,
  },
  { key: 'blank', label: 'Blank', description: 'A manual trigger and one transform step to start from.' },
]

/** Event trigger on a Telegram bot → AI chat → sendMessage back to the same chat. */
export function autoReplyTemplate(botGatewayId: string, aiGatewayId: string): DraftDefinition {
  return {
    version: 1,
    trigger: { type: 'event', gatewayId: botGatewayId, event: 'message' },
    config: {},
    steps: [
      {
        id: 'ai',
        name: 'AI answer',
        type: 'gateway',
        gatewayId: aiGatewayId,
        action: 'chat',
        params: { system: 'You are a helpful assistant. Answer briefly.', prompt: '{{ trigger.message.text }}' },
      },
      {
        id: 'reply',
        name: 'Send the answer',
        type: 'gateway',
        gatewayId: botGatewayId,
        action: 'sendMessage',
        params: { chat_id: '{{ trigger.message.chat.id }}', text: '{{ steps.ai.output.text }}' },
      },
    ],
  }
}

export function blankTemplate(): DraftDefinition {
  return {
    version: 1,
    trigger: { type: 'manual' },
    config: {},
    steps: [{ id: 'start', name: 'Start', type: 'transform', value: { hello: 'world' } }],
  }
}

/** A fresh step of a type, with fields the user fills in on the panel. */
export function newStep(type: StepType, id: string): DraftStep {
  switch (type) {
    case 'gateway':
      return { id, type, gatewayId: '', action: 'sendMessage', params: {} }
    case 'transform':
      return { id, type, value: {} }
    case 'condition':
      return { id, type, if: 'trigger.message.text != null' }
    case 'loop':
      return { id, type, over: 'trigger.items', as: 'item', steps: [{ id: `${id}_body`, type: 'transform', value: '{{ item }}' }] }
    case 'delay':
      return { id, type, ms: 1000 }
    case 'webhook':
      return { id, type, method: 'POST', url: 'https://example.com/hook', body: {} }
    case 'code':
      return { id, type, source: 'return { ok: true }' }
    case 'plugin':
      // Picked on the panel from the installed plugins.
      return { id, type, plugin: '', action: '', params: {} }
  }
}

/** `base`, or `base2`, `base3`... — the first id not in `taken`. */
export function uniqueStepId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  if (!used.has(base)) return base
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`
}
