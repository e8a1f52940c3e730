import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import ipaddr from 'ipaddr.js'
import type * as Undici from 'undici'
import { StepFailure, type HttpClient } from '../engine/types'

// undici is most of a run thread's code; it loads on the first request, so threads (and runs without
// webhook steps) never pay for it.
let undici: Promise<typeof Undici> | undefined
// Bundled, undici (CommonJS) arrives as a default export only; from source, with named exports too.
const loadUndici = () => (undici ??= import('undici').then((m) => ('Agent' in m ? m : (m as unknown as { default: typeof Undici }).default)))

export interface GuardedHttpOptions {
  /** Local mode may reach loopback and private networks when the user asks for it. */
  allowPrivateNetworks?: boolean
  maxResponseBytes?: number
}

/** Address ranges a workflow may not reach unless explicitly allowed: loopback, private, link-local, ... */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  let parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  return parsed.range() === 'unicast'
}

/**
 * HTTP for webhook steps. The check happens at connect time on every resolved address (so a DNS
 * answer that changes between check and connect cannot reach an internal host), responses are capped
 * in size, and redirects are not followed.
 */
export function createGuardedHttpClient(opts: GuardedHttpOptions = {}): HttpClient {
  const maxBytes = opts.maxResponseBytes ?? 1024 * 1024
  // Every resolved address is checked at connect time.
  const connect: Undici.Agent.Options['connect'] = {
    lookup(hostname, options, callback) {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, [] as unknown as string, 4)
        const list = addresses as LookupAddress[]
        const blocked = list.find((a) => !opts.allowPrivateNetworks && !isPublicAddress(a.address))
        if (blocked) return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EBLOCKED' }), [] as unknown as string, 4)
        if ((options as { all?: boolean }).all) return callback(null, list as unknown as string, 4)
        callback(null, list[0]!.address, list[0]!.family)
      })
    },
  }
  let agent: Promise<Undici.Agent> | undefined
  const agentFor = () => (agent ??= loadUndici().then(({ Agent }) => new Agent({ connect })))
  return {
    async request(req) {
      let url: URL
      try {
        url = new URL(req.url)
      } catch {
        throw new StepFailure(`"${req.url}" is not a URL`, 'USER', { retryable: false })
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StepFailure('Only http and https URLs can be called', 'USER', { retryable: false })
      if (url.username || url.password) throw new StepFailure('Put credentials in headers, not in the URL', 'USER', { retryable: false })
      const host = url.hostname.replace(/^\[|\]$/g, '')
      if (ipaddr.isValid(host) && !opts.allowPrivateNetworks && !isPublicAddress(host)) {
        throw new StepFailure(`${url.hostname} is a private address; webhook steps may only call public hosts`, 'USER', { retryable: false, code: 'SSRF_BLOCKED' })
      }
      const [{ fetch: undiciFetch }, dispatcher] = await Promise.all([loadUndici(), agentFor()])
      let res
      try {
        res = await undiciFetch(url, { method: req.method, headers: req.headers, body: req.body, signal: req.signal, redirect: 'manual', dispatcher })
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause
        if (cause?.code === 'EBLOCKED') throw new StepFailure(`${cause.message}; webhook steps may only call public hosts`, 'USER', { retryable: false, code: 'SSRF_BLOCKED' })
        if (req.signal.aborted) throw err
        throw new StepFailure(`${req.method} ${url.origin} failed: ${cause?.message ?? (err as Error).message}`, 'SYSTEM', { code: 'HTTP_NETWORK' })
      }
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of res.body ?? []) {
        size += (chunk as Uint8Array).byteLength
        if (size > maxBytes) throw new StepFailure(`The response is larger than ${maxBytes} bytes`, 'USER', { retryable: false, code: 'RESPONSE_TOO_LARGE' })
        chunks.push(chunk as Uint8Array)
      }
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      if (res.headers.get('content-type')?.includes('json')) {
        try {
          body = JSON.parse(text)
        } catch {}
      }
      const headers: Record<string, string> = {}
      for (const name of ['content-type', 'location', 'retry-after']) {
        const value = res.headers.get(name)
        if (value) headers[name] = value
      }
      return { status: res.status, headers, body }
    },
  }
}
