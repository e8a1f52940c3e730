import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuardedHttpClient } from '../../net/guarded-http'
import { createWebhookGateway } from './webhook.gateway'

let server: Server
let base: string
const seen: { url: string; headers: Record<string, unknown>; body: string }[] = []
beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    seen.push({ url: req.url ?? '', headers: req.headers, body })
    if (req.url?.includes('/fail')) return res.writeHead(503).end('down')
    if (req.url?.includes('/missing')) return res.writeHead(404).end('no')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const ctx = () => ({ signal: new AbortController().signal, idempotencyKey: 'exec:step' })
const allowed = createGuardedHttpClient({ allowPrivateNetworks: true })

describe('WEBHOOK gateway', () => {
  it('calls base URL + path with the stored auth, query and idempotency key', async () => {
    const gw = createWebhookGateway({ baseUrl: base }, { authType: 'bearer', token: 'secret-token-1' }, allowed)
    const res = await gw.invoke('request', { method: 'POST', path: '/orders', query: { page: 2 }, body: { sku: 'A1' } }, ctx())
    expect(res).toMatchObject({ status: 200, body: { ok: true } })
    expect(seen.at(-1)).toMatchObject({ url: '/api/orders?page=2', headers: { authorization: 'Bearer secret-token-1', 'idempotency-key': 'exec:step' }, body: '{"sku":"A1"}' })
    expect(JSON.stringify(res)).not.toContain('secret-token-1')
  })

  it('maps 5xx to a retryable SYSTEM failure and 4xx to USER', async () => {
    const gw = createWebhookGateway({ baseUrl: base }, { authType: 'header', headerName: 'X-Key', value: 'k-123' }, allowed)
    await expect(gw.invoke('request', { path: '/fail' }, ctx())).rejects.toMatchObject({ kind: 'SYSTEM', retryable: true })
    await expect(gw.invoke('request', { path: '/missing' }, ctx())).rejects.toMatchObject({ kind: 'USER', retryable: false })
    expect(seen.at(-1)!.headers['x-key']).toBe('k-123')
  })

  it('blocks private targets unless the gateway may reach them', async () => {
    const gw = createWebhookGateway({ baseUrl: base }, { authType: 'none' }, createGuardedHttpClient())
    await expect(gw.invoke('request', {}, ctx())).rejects.toMatchObject({ options: { code: 'SSRF_BLOCKED' } })
  })

  it('refuses unknown actions and bad params before calling', async () => {
    const before = seen.length
    const gw = createWebhookGateway({ baseUrl: base }, { authType: 'none' }, allowed)
    await expect(gw.invoke('delete', {}, ctx())).rejects.toMatchObject({ kind: 'USER' })
    await expect(gw.invoke('request', { path: 'no-slash' }, ctx())).rejects.toMatchObject({ kind: 'USER' })
    await expect(gw.invoke('request', { method: 'TRACE' }, ctx())).rejects.toMatchObject({ kind: 'USER' })
    expect(seen.length).toBe(before)
  })
})
