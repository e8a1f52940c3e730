import type { LeasedJob, RuntimePlugin } from '@2bot/contracts'
import { afterEach, expect, it } from 'vitest'
import { StepFailure, type GatewayInvoker } from '../engine/types'
import { workflow } from '../test/builders'
import { fakeRuntimeApi } from '../test/fake-runtime-api'
import { createGatewayHost } from './gateway-host'
import { startJobLoop } from './job-loop'
import { createPluginHost } from './plugin-host'
import { createRunPool } from './run-pool'
import type { ToolsConfig } from './run-tools'

/**
 * Plugins in their bulkheads, for real: each plugin's code in QuickJS inside a worker thread of its
 * own with its memory limit; gateway calls and storage go through the main thread, which allows
 * only the gateways bound to the install.
 */
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const plugin = (slug: string, source: string, extra: Partial<RuntimePlugin> = {}): RuntimePlugin => ({
  installId: `install-${slug}`,
  slug,
  version: '1.0.0',
  source,
  config: {},
  gatewayBindings: {},
  ...extra,
})

const WELCOME = plugin(
  'welcome',
  `export async function greet(params, ctx) {
    const sent = await ctx.gateway('TELEGRAM_BOT', 'sendMessage', { chat_id: params.chatId, text: ctx.config.template.replace('{name}', params.name) })
    const greeted = ((await ctx.storage.get('greeted')) || 0) + 1
    await ctx.storage.set('greeted', greeted)
    ctx.log.info('greeted ' + params.name)
    return { greeted, messageId: sent.message_id }
  }`,
  { config: { template: 'Hi {name}' }, gatewayBindings: { TELEGRAM_BOT: 'bot-1' } },
)

/** Builds a string in the sandbox, then hands it to the host many times at once: the thread's V8 heap, not the sandbox's, overflows. */
const FLOODER = plugin(
  'flooder',
  `export async function flood(params, ctx) {
    const chunk = 'x'.repeat(4 * 1024 * 1024)
    await Promise.all(Array.from({ length: 128 }, () => ctx.gateway('TELEGRAM_BOT', 'sendMessage', { text: chunk })))
    return 'survived'
  }`,
  { gatewayBindings: { TELEGRAM_BOT: 'bot-1' } },
)

const ECHO = plugin('echo', `export async function echo(params) { return params }`)

function gatewayDouble() {
  const calls: Parameters<GatewayInvoker['invoke']>[0][] = []
  const invoker: GatewayInvoker = {
    async invoke(call) {
      calls.push(call)
      // Slow enough that a flood's calls pile up in the plugin's thread.
      await new Promise((r) => setTimeout(r, 200))
      return { message_id: calls.length }
    },
  }
  return { invoker, calls }
}

function host(plugins: RuntimePlugin[], opts: { memoryMb?: number; maxThreads?: number } = {}) {
  const fake = fakeRuntimeApi([], {}, Object.fromEntries(plugins.map((p) => [p.slug, p])))
  const logs: unknown[] = []
  const plugins_ = createPluginHost({ api: fake.api, memoryMb: opts.memoryMb ?? 64, maxThreads: opts.maxThreads, restartDelayMs: 50, log: (...args) => logs.push(args) })
  cleanup.push(() => plugins_.close())
  return { plugins: plugins_, fake, logs }
}

const call = (slug: string, action: string, params: unknown = {}) => ({ plugin: slug, action, params, idempotencyKey: `exec-1:${slug}` })
const signal = () => new AbortController().signal

it('runs a plugin action in its thread: bound gateway, storage and logs go through the main thread', async () => {
  const { plugins, fake, logs } = host([WELCOME])
  const gateway = gatewayDouble()
  const invoker = plugins.forRun(gateway.invoker)
  expect(await invoker.invoke({ ...call('welcome', 'greet', { chatId: 7, name: 'Ada' }), signal: signal() })).toEqual({ greeted: 1, messageId: 1 })
  expect(await invoker.invoke({ ...call('welcome', 'greet', { chatId: 7, name: 'Bo' }), signal: signal() })).toEqual({ greeted: 2, messageId: 2 })
  expect(gateway.calls.map((c) => [c.gatewayId, c.action, c.params, c.idempotencyKey])).toEqual([
    ['bot-1', 'sendMessage', { chat_id: 7, text: 'Hi Ada' }, 'exec-1:welcome:1'],
    ['bot-1', 'sendMessage', { chat_id: 7, text: 'Hi Bo' }, 'exec-1:welcome:1'],
  ])
  expect(fake.storage.get('welcome')).toEqual({ greeted: 2 })
  expect(JSON.stringify(logs)).toContain('greeted Ada')
  expect(plugins.threads()).toBe(1)
})

it('refuses a gateway the install has none bound for, and a plugin that is not installed', async () => {
  const unbound = { ...WELCOME, gatewayBindings: {} }
  const { plugins } = host([unbound])
  const invoker = plugins.forRun(gatewayDouble().invoker)
  await expect(invoker.invoke({ ...call('welcome', 'greet', { name: 'x' }), signal: signal() })).rejects.toMatchObject({ kind: 'USER', options: { code: 'PLUGIN_GATEWAY_MISSING' } })
  const missing = invoker.invoke({ ...call('nope', 'greet'), signal: signal() })
  await expect(missing).rejects.toBeInstanceOf(StepFailure)
  await expect(missing).rejects.toMatchObject({ options: { code: 'PLUGIN_NOT_INSTALLED', retryable: false } })
})

it('a plugin that overflows its thread is stopped alone, while another plugin answers, and comes back on the next call', async () => {
  const { plugins } = host([FLOODER, ECHO], { memoryMb: 32 })
  const invoker = plugins.forRun(gatewayDouble().invoker)
  const flood = invoker.invoke({ ...call('flooder', 'flood'), signal: signal() })
  const echo = invoker.invoke({ ...call('echo', 'echo', { ok: 1 }), signal: signal() })
  await expect(flood).rejects.toMatchObject({ options: { code: 'PLUGIN_MEMORY_LIMIT', retryable: true } })
  expect(await echo).toEqual({ ok: 1 })
  expect(plugins.crashes()).toBe(1)
  // The flooder's thread starts again; the echo's thread was never touched.
  expect(await invoker.invoke({ ...call('echo', 'echo', { again: true }), signal: signal() })).toEqual({ again: true })
  await expect(invoker.invoke({ ...call('flooder', 'nope'), signal: signal() })).rejects.toMatchObject({ options: { code: 'PLUGIN_NO_ACTION' } })
})

it('a plugin that fills its sandbox gets an out-of-memory error, and its next call gets a fresh sandbox in a fresh thread', async () => {
  // Arrays filled in a loop slip past QuickJS's own accounting; the sandbox's capped WebAssembly memory stops them.
  const hog = plugin('hog', `let calls = 0
    export async function bomb() { calls++; const a = []; for (;;) a.push(new Array(4096).fill(calls)) }
    export async function count() { return ++calls }`)
  const { plugins } = host([hog])
  const invoker = plugins.forRun(gatewayDouble().invoker)
  const rssBefore = process.memoryUsage().rss
  await expect(invoker.invoke({ ...call('hog', 'bomb'), signal: signal() })).rejects.toMatchObject({ options: { code: 'PLUGIN_MEMORY_LIMIT', retryable: false } })
  // Bounded by the plugin's 64 MB, not the 1.7 GB the same loop reaches under QuickJS's limit alone.
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 2 ** 20)
  // Module state starts over: the spent sandbox (and its thread) is gone, which is not a crash.
  expect(await invoker.invoke({ ...call('hog', 'count'), signal: signal() })).toBe(1)
  expect(plugins.crashes()).toBe(0)
  expect(plugins.threads()).toBe(1)
})

it('keeps at most maxThreads plugins alive, retiring the least recently used idle one', async () => {
  const others = ['a', 'b', 'c'].map((slug) => plugin(slug, `export async function echo(p) { return '${slug}' }`))
  const { plugins } = host(others, { maxThreads: 2 })
  const invoker = plugins.forRun(gatewayDouble().invoker)
  for (const slug of ['a', 'b', 'c', 'a']) expect(await invoker.invoke({ ...call(slug, 'echo'), signal: signal() })).toBe(slug)
  expect(plugins.threads()).toBe(2)
  expect(plugins.crashes()).toBe(0)
})

const CONFIG: ToolsConfig = { codeMemoryMb: 32, codeIsolation: 'inline', codeThreads: 1, allowPrivateNetworks: false }

it('a plugin step of a run in its own thread reaches the plugin host on the main thread', async () => {
  const job: LeasedJob = {
    jobId: 'job-p1',
    execution: { id: 'p1', mode: 'run', attempt: 1, triggerData: { text: 'hello' }, state: null, cancelRequested: false },
    definition: workflow([{ id: 'echo', type: 'plugin', plugin: 'echo', action: 'echo', params: { said: '{{ trigger.text }}' } }]),
  }
  const fake = fakeRuntimeApi([job], {}, { echo: ECHO })
  const runs = createRunPool({ config: CONFIG, memoryMb: 64, maxThreads: 1 })
  const gateways = createGatewayHost({ config: CONFIG, api: fake.api, memoryMb: 32 })
  const plugins = createPluginHost({ api: fake.api, memoryMb: 64 })
  const loop = startJobLoop({ api: fake.api, owner: 'test', isolation: { runs, runMemoryMb: 64, gateways }, plugins, concurrency: 1 })
  cleanup.push(async () => {
    await loop.stop()
    await Promise.all([runs.close(), gateways.close(), plugins.close()])
  })
  await expect.poll(() => fake.finished, { timeout: 15_000 }).toEqual(['p1:completed'])
  expect(fake.outputs.get('p1')).toEqual({ said: 'hello' })
})
