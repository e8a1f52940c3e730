import { createRequire } from 'node:module'
import { expect, it } from 'vitest'

// The real tr46 that grammy → node-fetch → whatwg-url would load, and the bundle's stand-in.
const fromRuntime = createRequire(new URL('../../package.json', import.meta.url))
const fromGrammy = createRequire(fromRuntime.resolve('grammy'))
const fromNodeFetch = createRequire(fromGrammy.resolve('node-fetch'))
const fromWhatwg = createRequire(fromNodeFetch.resolve('whatwg-url'))
const real = fromWhatwg('tr46') as { toASCII(d: string, std3: boolean, opt: number, dns: boolean): string | null; PROCESSING_OPTIONS: { NONTRANSITIONAL: number } }
// A plain ES module script (no types): imported by path.
const SHIM = '../../scripts/tr46-shim.mjs'
const shim = (await import(SHIM)) as typeof real

const FORBIDDEN = /[\t\n\r #%/:<>?@[\\\]^|]/

it('leads whatwg-url to the same host as tr46 does', () => {
  const domains = ['api.telegram.org', '127.0.0.1', 'localhost', 'EXAMPLE.com', 'bücher.de', 'xn--bcher-kva.de', 'faß.de', '日本語.jp', 'a..b', 'exa mple.com', '[::1]']
  for (const domain of domains) {
    // whatwg-url rejects a host with a forbidden code point right after toASCII (Node inside it): compare what it keeps.
    const kept = (ascii: string | null) => (ascii !== null && FORBIDDEN.test(ascii) ? null : ascii)
    const expected = kept(real.toASCII(domain, false, real.PROCESSING_OPTIONS.NONTRANSITIONAL, false))
    const actual = kept(shim.toASCII(domain, false, shim.PROCESSING_OPTIONS.NONTRANSITIONAL, false))
    expect({ domain, ascii: actual }).toEqual({ domain, ascii: expected })
  }
})

it('differs only where tr46 0.0.3 predates the URL standard (joiners are checked now)', () => {
  expect(real.toASCII('a\u200db.com', false, real.PROCESSING_OPTIONS.NONTRANSITIONAL, false)).toBe('xn--ab-m1t.com')
  expect(shim.toASCII('a\u200db.com', false, shim.PROCESSING_OPTIONS.NONTRANSITIONAL, false)).toBeNull()
})
