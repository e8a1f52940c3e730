import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../env'
import { bodyLimit } from './body-limit.middleware'

const app = new Hono<AppEnv>()
  .onError((err, c) => c.json({ error: err.message }, 413))
  .use(
    bodyLimit(10, () => {
      throw new Error('too large')
    }),
  )
  .post('/', async (c) => c.text(await c.req.text()))
  .get('/', (c) => c.text('ok'))

const chunked = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.close()
    },
  })

describe('body limit', () => {
  it('passes a body within the limit, declared or streamed', async () => {
    expect(await (await app.request('/', { method: 'POST', body: 'hello', headers: { 'content-length': '5' } })).text()).toBe('hello')
    expect(await (await app.request('/', { method: 'POST', body: chunked('hello'), duplex: 'half' } as RequestInit)).text()).toBe('hello')
    expect((await app.request('/')).status).toBe(200)
  })

  it('refuses a declared length over the limit from the header alone', async () => {
    const res = await app.request('/', { method: 'POST', body: 'x', headers: { 'content-length': '11' } })
    expect(res.status).toBe(413)
  })

  it('refuses a streamed body once it grows over the limit', async () => {
    const res = await app.request('/', { method: 'POST', body: chunked('x'.repeat(11)), duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
  })
})
