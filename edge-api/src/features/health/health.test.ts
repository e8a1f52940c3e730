import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Cache } from '../../adapters/cache/cache.port'
import { createMemoryCache } from '../../adapters/cache/memory.cache'
import { systemClock } from '../../adapters/clock/system.clock'
import { createTestContext, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

describe('health', () => {
  it('/api/health answers ok with the version', async () => {
    const res = await ctx.agent().api.health.$get()
    expect(await res.json()).toMatchObject({ status: 'ok', version: 'test', mode: 'local' })
  })

  it('/api/health/ready checks database, cache and queue', async () => {
    const res = await ctx.agent().api.health.ready.$get()
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.status).toBe('ready')
    expect(Object.keys(body.checks)).toEqual(['database', 'cache', 'queue'])
  })

  it('/api/health/ready answers 503 naming the failing dependency', async () => {
    const broken: Cache = { ...createMemoryCache(systemClock), ping: () => Promise.reject(new Error('redis://user:secret@host refused')) }
    const sick = await createTestContext({ cache: broken })
    const res = await sick.agent().raw('/api/health/ready')
    expect(res.status).toBe(503)
    const body = (await res.json()) as unknown as { checks: Record<string, { status: string; error?: string }> }
    expect(body.checks.cache!.status).toBe('fail')
    expect(body.checks.database!.status).toBe('ok')
    expect(JSON.stringify(body)).not.toContain('secret')
    await sick.close()
  })

  it('/api/health/live reports uptime', async () => {
    const body = await (await ctx.agent().api.health.live.$get()).json()
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0)
  })
})

describe('cross-cutting middleware', () => {
  it('sets security headers; HSTS only in production', async () => {
    const res = await ctx.agent().raw('/api/health')
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('strict-transport-security')).toBeNull()
    const prod = await createTestContext()
    prod.deps.config.environment = 'production'
    const { createApp } = await import('../../app')
    const prodRes = await createApp(prod.deps).request('/api/health')
    expect(prodRes.headers.get('strict-transport-security')).toMatch(/max-age=31536000/)
    await prod.close()
  })

  it('echoes a request id, and puts it in error bodies', async () => {
    const res = await ctx.agent().raw('/api/nope', { headers: { 'x-request-id': 'req-123' } })
    expect(res.headers.get('x-request-id')).toBe('req-123')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/nope', requestId: 'req-123' } })
  })

  it('allows configured origins only (CORS)', async () => {
    const allowed = await ctx.agent().raw('/api/health', { method: 'OPTIONS', headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://allowed.example')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
    const denied = await ctx.agent().raw('/api/health', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } })
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('turns unexpected errors into a generic 500 without a stack', async () => {
    const lines: string[] = []
    const { createJsonLogger } = await import('@2bot/contracts/logger')
    const failing = await createTestContext({
      logger: createJsonLogger({ write: (l) => lines.push(l) }),
      cache: { ...createMemoryCache(systemClock), incr: () => Promise.reject(new Error('boom token=abc')) },
    })
    const res = await failing.agent().raw('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'Secret-Value-1' }),
    })
    expect(res.status).toBe(500)
    const body = (await res.json()) as unknown as { error: { code: string; message: string } }
    expect(body.error.code).toBe('INTERNAL')
    expect(JSON.stringify(body)).not.toContain('boom')
    expect(lines.join('\n')).toContain('unhandled error')
    expect(lines.join('\n')).not.toContain('Secret-Value-1')
    await failing.close()
  })
})
