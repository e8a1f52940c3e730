import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestContext, type TestContext } from './support/test-app'

/** Every endpoint behind sign-in answers 401 in the error shape to an anonymous caller, and changes nothing. */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const PROTECTED: [string, string][] = [
  ['POST', '/api/auth/logout'],
  ['POST', '/api/auth/logout-all'],
  ['GET', '/api/auth/session'],
  ['GET', '/api/auth/sessions'],
  ['DELETE', '/api/auth/sessions/some-id'],
  ['POST', '/api/auth/verify-email/resend'],
  ['POST', '/api/auth/change-password'],
  ['GET', '/api/users/me'],
  ['PATCH', '/api/users/me'],
  ['GET', '/api/users/me/export'],
  ['DELETE', '/api/users/me'],
  ['GET', '/api/api-keys'],
  ['POST', '/api/api-keys'],
  ['DELETE', '/api/api-keys/some-id'],
  ['POST', '/api/api-keys/some-id/rotate'],
  ['GET', '/api/user/plugins'],
  ['POST', '/api/user/plugins/text-tools/install'],
  ['PATCH', '/api/user/plugins/text-tools/config'],
  ['POST', '/api/user/plugins/text-tools/gateways'],
  ['POST', '/api/user/plugins/text-tools/enable'],
  ['POST', '/api/user/plugins/text-tools/disable'],
  ['DELETE', '/api/user/plugins/text-tools/uninstall'],
  ['GET', '/api/billing/subscription'],
  ['POST', '/api/billing/subscribe'],
]

it.each(PROTECTED)('%s %s → 401', async (method, path) => {
  const res = await ctx.app.request(`http://localhost${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })
  expect(res.status).toBe(401)
  expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', requestId: expect.any(String) } })
})

it('hides the dev outbox outside local mode', async () => {
  const cloud = await createTestContext()
  cloud.deps.config.mode = 'cloud'
  expect((await cloud.app.request('/api/dev/outbox')).status).toBe(404)
  await cloud.close()
})
