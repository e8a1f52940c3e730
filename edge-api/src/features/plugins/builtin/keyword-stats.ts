import type { BuiltinPlugin } from './builtin-plugin'

/** Counts the words of messages it is given and reports the most frequent: analytics with no gateway. */
export const keywordStats: BuiltinPlugin = {
  slug: 'keyword-stats',
  name: 'Keyword Stats',
  description: 'Counts the words in your chats’ messages and reports the most used ones.',
  category: 'Analytics',
  version: '1.0.0',
  manifest: {
    gateways: [],
    configFields: [
      { key: 'minLength', label: 'Shortest word counted', type: 'number', default: 4 },
      { key: 'keep', label: 'Words kept', type: 'number', default: 200, description: 'Only the most frequent words are stored.' },
    ],
    actions: [
      { name: 'track', label: 'Count a message', params: [{ key: 'text', label: 'Message text', type: 'text', required: true }] },
      { name: 'report', label: 'Top words', params: [{ key: 'top', label: 'How many', type: 'number', required: false }] },
      { name: 'reset', label: 'Start counting again', params: [] },
    ],
    source: `
function words(text, minLength) {
  return String(text || '').toLowerCase().split(/[^\\p{L}\\p{N}]+/u).filter((w) => w.length >= minLength)
}

export async function track(params, ctx) {
  const counts = (await ctx.storage.get('counts')) || {}
  const found = words(params.text, Number(ctx.config.minLength) || 1)
  for (const word of found) counts[word] = (counts[word] || 0) + 1
  const kept = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, Number(ctx.config.keep) || 200)
  await ctx.storage.set('counts', Object.fromEntries(kept))
  const messages = ((await ctx.storage.get('messages')) || 0) + 1
  await ctx.storage.set('messages', messages)
  return { counted: found.length, messages }
}

export async function report(params, ctx) {
  const counts = (await ctx.storage.get('counts')) || {}
  const top = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, Number(params.top) || 10)
  return { messages: (await ctx.storage.get('messages')) || 0, top: top.map(([word, count]) => ({ word, count })) }
}

export async function reset(params, ctx) {
  await ctx.storage.set('counts', {})
  await ctx.storage.set('messages', 0)
  return { reset: true }
}
`,
  },
}
