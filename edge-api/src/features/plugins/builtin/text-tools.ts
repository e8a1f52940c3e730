import type { BuiltinPlugin } from './builtin-plugin'

/** Small text utilities computed in the sandbox: no gateway, no storage. */
export const textTools: BuiltinPlugin = {
  slug: 'text-tools',
  name: 'Text Tools',
  description: 'Slugs, word counts and links pulled out of text, for any workflow.',
  category: 'Utility',
  version: '1.0.0',
  manifest: {
    gateways: [],
    configFields: [],
    actions: [
      { name: 'slugify', label: 'Make a slug', params: [{ key: 'text', label: 'Text', type: 'string', required: true }] },
      { name: 'stats', label: 'Count words and characters', params: [{ key: 'text', label: 'Text', type: 'text', required: true }] },
      { name: 'links', label: 'Find links', params: [{ key: 'text', label: 'Text', type: 'text', required: true }] },
    ],
    source: `
export async function slugify(params) {
  const slug = String(params.text || '').normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return { slug }
}

export async function stats(params) {
  const text = String(params.text || '')
  return { characters: text.length, words: text.split(/\\s+/).filter(Boolean).length, lines: text ? text.split('\\n').length : 0 }
}

export async function links(params) {
  return { links: String(params.text || '').match(/https?:\\/\\/[^\\s<>"')]+/g) || [] }
}
`,
  },
}
