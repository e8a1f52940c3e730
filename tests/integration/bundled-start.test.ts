import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-bot-api.double'
import { callJson } from '../support/json-call'
import { waitFor } from './platform'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), '2bot-bundled-'))
let api: ChildProcess
let target: Server
let telegram: TelegramDouble
let banner = ''
let base = ''

/**
 * What `pnpm start` runs: the embedded entry built into one plain module (edge-api/dist/local.mjs),
 * its workspace runtimes from runtime/dist/runtime.mjs, no tsx anywhere.
 */
beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(ROOT, 'edge-api', 'scripts', 'build-local.mjs')], { encoding: 'utf8' })
  expect(built.status, built.stderr).toBe(0)
  target = createServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"items":[1,2,3]}'))
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  telegram = await startTelegramDouble()
  api = spawn(process.execPath, [join(ROOT, 'edge-api', 'dist', 'local.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TELEGRAM_API_ROOT: telegram.apiRoot, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'error', WORKSPACE_DRIVER: 'process' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  api.stdout!.on('data', (chunk: Buffer) => (banner += chunk.toString()))
  base = await waitFor('the bundled API to print its address', async () => /running at (http:\/\/\S+)/.exec(banner)?.[1], 60_000)
})
afterAll(async () => {
  api?.kill('SIGTERM')
  await new Promise((resolve) => (api?.exitCode !== null ? resolve(undefined) : api.once('exit', resolve)))
  target?.close()
  await telegram?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

it('the built platform serves its pages and runs a workflow with HTTP and Telegram steps in a bundled runtime', async () => {
  expect(banner).toContain('child processes (runtime/dist/runtime.mjs)')
  const page = await fetch(`${base}/`)
  expect(page.status).toBe(200)
  // The built web app, or (web not built, as in CI before the browser tests) the page saying how to build it.
  expect(page.headers.get('content-type')).toContain('text/html')
  expect(await page.text()).toContain('<title>2Bot</title>')

  const { token } = (await callJson(base, 'POST', '/api/auth/register', { email: 'bundled@example.com', password: 'Bundled-Pass-1!', tokenType: 'bearer' })).body
  const port = (target.address() as { port: number }).port
  const bot = await callJson(base, 'POST', '/api/gateways', { type: 'TELEGRAM_BOT', name: 'Shop bot', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } }, token)
  expect(bot.status).toBe(201)
  const gw = await callJson(base, 'POST', '/api/gateways', { type: 'WEBHOOK', name: 'Local API', config: { baseUrl: `http://127.0.0.1:${port}`, allowPrivateNetwork: true }, credentials: { authType: 'none' } }, token)
  expect(gw.status).toBe(201)
  const definition = {
    trigger: { type: 'webhook', respond: 'lastStep' },
    steps: [
      { id: 'http', type: 'gateway', gatewayId: gw.body.gateway.id, action: 'request', params: { method: 'GET', path: '/items' } },
      // grammy through node-fetch, minified: the bundle once broke every Telegram call (class names lost).
      { id: 'tell', type: 'gateway', gatewayId: bot.body.gateway.id, action: 'sendMessage', params: { chat_id: '42', text: 'Fetched {{ steps.http.output.body.items.length }} items' } },
      { id: 'count', type: 'transform', value: { items: '{{ steps.http.output.body.items }}' } },
    ],
  }
  const service = await callJson(base, 'POST', '/api/user/services', { name: 'Bundled HTTP', definition }, token)
  expect(service.status).toBe(201)
  const reply = await callJson(base, 'POST', `/api/webhooks/service/${service.body.service.id}`, { text: 'hi' })
  expect(reply.status).toBe(200)
  // The last step's output is the webhook's answer: the target's items, fetched by the runtime.
  expect(reply.body).toEqual({ items: [1, 2, 3] })
  expect(telegram.calls.filter((c) => c.method === 'sendMessage').map((c) => c.params)).toEqual([{ chat_id: '42', text: 'Fetched 3 items' }])
  expect(telegram.violations).toEqual([])
})
