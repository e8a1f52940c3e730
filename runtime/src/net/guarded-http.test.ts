import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuardedHttpClient, isPublicAddress } from './guarded-http'

let server: Server
let port: number
const seen: { headers: Record<string, unknown>; body: string }[] = []
beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    seen.push({ headers: req.headers, body })
    if (req.url === '/big') return res.end('x'.repeat(2048))
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const req = (url: string, extra: Partial<Parameters<ReturnType<typeof createGuardedHttpClient>['request']>[0]> = {}) => ({
  method: 'POST', url, headers: { 'idempotency-key': 'ex:step' }, body: '{"a":1}', signal: new AbortController().signal, ...extra,
})

describe('guarded HTTP client', () => {
  it.each(['127.0.0.1', '10.0.0.1', '192.168.1.1', '172.16.0.1', '169.254.169.254', '::1', 'fe80::1', 'fc00::1', '0.0.0.0', '::ffff:127.0.0.1'])('treats %s as private', (ip) => {
    expect(isPublicAddress(ip)).toBe(false)
  })

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('treats %s as public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true)
  })

  it.each([
    (p: number) => `http://127.0.0.1:${p}/`,
    (p: number) => `http://localhost:${p}/`,
    (p: number) => `http://[::ffff:127.0.0.1]:${p}/`,
    () => 'http://169.254.169.254/latest/meta-data/',
  ])('refuses private targets by default (%#)', async (url) => {
    const before = seen.length
    await expect(createGuardedHttpClient().request(req(url(port)))).rejects.toMatchObject({ kind: 'USER', options: { code: 'SSRF_BLOCKED' } })
    expect(seen.length).toBe(before)
  })

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'http://user:pass@example.com/', 'not a url'])('refuses %s', async (url) => {
    await expect(createGuardedHttpClient().request(req(url))).rejects.toMatchObject({ kind: 'USER' })
  })

  it('calls allowed local targets with the idempotency key, parses JSON, and does not follow redirects', async () => {
    const client = createGuardedHttpClient({ allowPrivateNetworks: true })
    const res = await client.request(req(`http://127.0.0.1:${port}/hook`))
    expect(res).toMatchObject({ status: 200, body: { ok: true } })
    expect(seen.at(-1)).toMatchObject({ headers: { 'idempotency-key': 'ex:step' }, body: '{"a":1}' })
    const redirect = await client.request(req(`http://127.0.0.1:${port}/redirect`))
    expect(redirect).toMatchObject({ status: 302, headers: { location: 'http://169.254.169.254/' } })
  })

  it('caps the response size', async () => {
    const client = createGuardedHttpClient({ allowPrivateNetworks: true, maxResponseBytes: 1024 })
    await expect(client.request(req(`http://127.0.0.1:${port}/big`, { method: 'GET', body: undefined }))).rejects.toMatchObject({ options: { code: 'RESPONSE_TOO_LARGE' } })
  })
})
