// The bundle's stand-in for tr46 (pulled in by grammy → node-fetch 2 → whatwg-url 5): Node's own
// WHATWG domain-to-ASCII does the same UTS #46 processing natively, without tr46's mapping table,
// which costs the idle runtime several MB of heap. whatwg-url calls only toASCII(domain, false,
// NONTRANSITIONAL, false) and treats null as failure.
import { domainToASCII, domainToUnicode } from 'node:url'

export const PROCESSING_OPTIONS = { TRANSITIONAL: 0, NONTRANSITIONAL: 1 }

export function toASCII(domain) {
  const ascii = domainToASCII(domain)
  return ascii === '' && domain !== '' ? null : ascii
}

export function toUnicode(domain) {
  const unicode = domainToUnicode(domain)
  return { domain: unicode, error: unicode === '' && domain !== '' }
}
