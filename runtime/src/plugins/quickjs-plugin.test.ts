import { DEBUG_SYNC, newQuickJSWASMModule, type QuickJSWASMModule } from 'quickjs-emscripten'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { StepFailure } from '../engine/types'
import { loadQuickJsPlugin, type LoadedPlugin, type PluginHostCalls, type PluginLimits } from './quickjs-plugin'

const LIMITS: PluginLimits = { memoryBytes: 16 * 1024 * 1024, cpuSliceMs: 1_000, maxResultBytes: 64 * 1024 }

const GREETER = `
let calls = 0
export async function greet(params, ctx) {
  const name = params.name ?? 'friend'
  const count = ((await ctx.storage.get('greeted')) ?? 0) + 1
  await ctx.storage.set('greeted', count)
  await ctx.gateway('TELEGRAM_BOT', 'sendMessage', { chat_id: params.chatId, text: ctx.config.template.replace('{name}', name) })
  ctx.log.info('greeted ' + name)
  return { count }
}
export function counter() { calls += 1; return calls }
export function nothing() {}
export async function echoGateway(params, ctx) { return ctx.gateway('T', 'echo', params) }
export async function tolerant(params, ctx) {
  try { await ctx.gateway('T', 'fail', {}) } catch (e) { return 'caught ' + e.message }
}
export function spin() { for (;;) {} }
export function hog() { const a = []; for (;;) a.push([a.length, a.length + 1, 3, 4, 5, 6, 7, 8, 9, 10]) }
export function boom() { throw new Error('boom') }
export function big(params) { return 'x'.repeat(params.size) }
export function globals() { return [typeof process, typeof require, typeof fetch, typeof setTimeout].join() }
export const notAnAction = 1
`

/** A host double: records every call and answers from `answers` (a function may throw or never settle). */
function fakeHost(answers: Record<string, (...args: unknown[]) => unknown> = {}) {
  const calls: unknown[][] = []
  const store = new Map<string, unknown>()
  const host: PluginHostCalls = {
    async gateway(type, method, params) {
      calls.push(['gateway', type, method, params])
      return (answers[method] ?? ((p: unknown) => ({ ok: true, echoed: p })))(params)
    },
    async storageGet(key) {
      calls.push(['get', key])
      return store.get(key)
    },
    async storageSet(key, value) {
      calls.push(['set', key, value])
      store.set(key, value)
    },
    log(level, message) {
      calls.push(['log', level, message])
    },
  }
  return { host, calls }
}

const opts = (host: PluginHostCalls, extra: Partial<{ timeoutMs: number; signal: AbortSignal }> = {}) => ({
  timeoutMs: 5_000,
  signal: new AbortController().signal,
  host,
  ...extra,
})

let debugWasm: QuickJSWASMModule
const loaded: LoadedPlugin[] = []
// The debug build aborts at runtime.dispose if anything inside QuickJS leaked.
const load = async (source = GREETER, limits = LIMITS) => {
  const plugin = await loadQuickJsPlugin(source, limits, debugWasm)
  loaded.push(plugin)
  return plugin
}

beforeAll(async () => {
  debugWasm = await newQuickJSWASMModule(DEBUG_SYNC)
})
afterEach(() => {
  for (const plugin of loaded.splice(0)) plugin.dispose()
})

describe('loadQuickJsPlugin', () => {
  it('lists the exported functions as actions and calls one with its ctx', async () => {
    const plugin = await load()
    expect(plugin.actions).toEqual(expect.arrayContaining(['greet', 'counter', 'spin']))
    expect(plugin.actions).not.toContain('notAnAction')
    const { host, calls } = fakeHost()
    const out = await plugin.call('greet', { params: { name: 'Ann', chatId: 7 }, config: { template: 'Hi {name}' } }, opts(host))
    expect(out).toEqual({ count: 1 })
    expect(calls).toEqual([
      ['get', 'greeted'],
      ['set', 'greeted', 1],
      ['gateway', 'TELEGRAM_BOT', 'sendMessage', { chat_id: 7, text: 'Hi Ann' }],
      ['log', 'info', 'greeted Ann'],
    ])
    expect(await plugin.call('greet', { params: {}, config: { template: '{name}' } }, opts(host))).toEqual({ count: 2 })
    expect(await plugin.call('nothing', { params: {}, config: {} }, opts(host))).toBeNull()
  })

  it('keeps module state between calls', async () => {
    const plugin = await load()
    const { host } = fakeHost()
    for (let i = 1; i <= 3; i++) expect(await plugin.call('counter', { params: {}, config: {} }, opts(host))).toBe(i)
  })

  it('routes host calls of concurrent calls to their own host', async () => {
    const plugin = await load()
    const releases: Array<() => void> = []
    const slowHost = (tag: string) =>
      fakeHost({ echo: (p) => new Promise((resolve) => releases.push(() => resolve({ tag, p }))) })
    const a = slowHost('a')
    const b = slowHost('b')
    const pa = plugin.call('echoGateway', { params: { n: 1 }, config: {} }, opts(a.host))
    const pb = plugin.call('echoGateway', { params: { n: 2 }, config: {} }, opts(b.host))
    await expect.poll(() => releases.length).toBe(2)
    for (const release of releases.reverse()) release()
    expect(await pa).toEqual({ tag: 'a', p: { n: 1 } })
    expect(await pb).toEqual({ tag: 'b', p: { n: 2 } })
    expect(a.calls).toEqual([['gateway', 'T', 'echo', { n: 1 }]])
    expect(b.calls).toEqual([['gateway', 'T', 'echo', { n: 2 }]])
  })

  it('passes an uncaught StepFailure of a host call through unchanged', async () => {
    const plugin = await load()
    const failure = new StepFailure('Telegram is down', 'SYSTEM', { code: 'GATEWAY_UNAVAILABLE' })
    const { host } = fakeHost({ echo: () => Promise.reject(failure) })
    const err = await plugin.call('echoGateway', { params: {}, config: {} }, opts(host)).catch((e: unknown) => e)
    expect(err).toBe(failure)
    expect((err as StepFailure).retryable).toBe(true)
  })

  it('lets the plugin catch a host rejection', async () => {
    const plugin = await load()
    const { host } = fakeHost({ fail: () => Promise.reject(new StepFailure('nope', 'USER', { code: 'X' })) })
    expect(await plugin.call('tolerant', { params: {}, config: {} }, opts(host))).toBe('caught nope')
  })

  it('interrupts an endless loop with PLUGIN_TIMEOUT and keeps working', async () => {
    const plugin = await load()
    const { host } = fakeHost()
    await expect(plugin.call('spin', { params: {}, config: {} }, opts(host))).rejects.toMatchObject({
      options: { code: 'PLUGIN_TIMEOUT', retryable: false },
      kind: 'USER',
      message: expect.stringMatching(/without pausing/),
    })
    expect(plugin.broken).toBe(false)
    expect(await plugin.call('counter', { params: {}, config: {} }, opts(host))).toBe(1)
  })

  it('times out a call that awaits a host call that never answers, and ignores the late answer', async () => {
    const plugin = await load()
    let answer: (v: unknown) => void = () => {}
    const { host } = fakeHost({ echo: () => new Promise((resolve) => (answer = resolve)) })
    await expect(plugin.call('echoGateway', { params: {}, config: {} }, opts(host, { timeoutMs: 50 }))).rejects.toMatchObject({
      options: { code: 'PLUGIN_TIMEOUT', retryable: false },
    })
    answer({ late: true })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await plugin.call('counter', { params: {}, config: {} }, opts(host))).toBe(1)
  })

  it('cancels a call when the signal aborts', async () => {
    const plugin = await load()
    const { host } = fakeHost({ echo: () => new Promise(() => {}) })
    const controller = new AbortController()
    const pending = plugin.call('echoGateway', { params: {}, config: {} }, opts(host, { signal: controller.signal }))
    controller.abort()
    await expect(pending).rejects.toMatchObject({ message: 'The run was cancelled', kind: 'USER', options: { retryable: false } })
    await expect(plugin.call('counter', { params: {}, config: {} }, opts(host, { signal: controller.signal }))).rejects.toThrow('cancelled')
  })

  it('fails a memory bomb with PLUGIN_MEMORY_LIMIT and marks the plugin broken', async () => {
    // The release build: the debug build's sanitizers make filling 8 MB take half a minute.
    const plugin = await loadQuickJsPlugin(GREETER, { ...LIMITS, memoryBytes: 8 * 1024 * 1024, cpuSliceMs: 5_000 })
    loaded.push(plugin)
    const { host } = fakeHost()
    await expect(plugin.call('hog', { params: {}, config: {} }, opts(host))).rejects.toMatchObject({
      options: { code: 'PLUGIN_MEMORY_LIMIT', retryable: false },
      kind: 'USER',
    })
    expect(plugin.broken).toBe(true)
    await expect(plugin.call('counter', { params: {}, config: {} }, opts(host))).rejects.toMatchObject({ options: { code: 'PLUGIN_BROKEN' } })
  })

  it('reports a missing action, a thrown error and a result too large', async () => {
    const plugin = await load()
    const { host } = fakeHost()
    const call = (action: string, params: unknown = {}) => plugin.call(action, { params, config: {} }, opts(host))
    await expect(call('nope')).rejects.toMatchObject({ options: { code: 'PLUGIN_NO_ACTION', retryable: false } })
    await expect(call('notAnAction')).rejects.toMatchObject({ options: { code: 'PLUGIN_NO_ACTION' } })
    await expect(call('boom')).rejects.toMatchObject({ message: 'Error: boom', options: { code: 'PLUGIN_ERROR', retryable: false } })
    expect(await call('big', { size: 10 })).toBe('xxxxxxxxxx')
    // Kept small: a 100 kB string here makes the debug build report a leaked context at dispose (see the report).
    const small = await load(GREETER, { ...LIMITS, maxResultBytes: 1000 })
    await expect(small.call('big', { params: { size: 5000 }, config: {} }, opts(host))).rejects.toMatchObject({ options: { code: 'PLUGIN_RESULT_TOO_LARGE' } })
  })

  it('rejects invalid source and a module without functions with PLUGIN_INVALID', async () => {
    await expect(load('export function (')).rejects.toMatchObject({
      message: expect.stringMatching(/SyntaxError/),
      options: { code: 'PLUGIN_INVALID', retryable: false },
    })
    await expect(load('export const x = 1')).rejects.toMatchObject({ options: { code: 'PLUGIN_INVALID' } })
    await expect(load('throw new Error("at load")')).rejects.toMatchObject({ message: 'Error: at load', options: { code: 'PLUGIN_INVALID' } })
  })

  it('gives the plugin nothing of the host', async () => {
    const plugin = await load()
    const { host } = fakeHost()
    expect(await plugin.call('globals', { params: {}, config: {} }, opts(host))).toBe('undefined,undefined,undefined,undefined')
  })

  it('runs many calls, including abandoned ones, and disposes without leaks', async () => {
    const plugin = await loadQuickJsPlugin(GREETER, LIMITS, debugWasm)
    const { host } = fakeHost()
    const stuck = fakeHost({ echo: () => new Promise(() => {}) })
    const runs = Array.from({ length: 50 }, (_, i) =>
      plugin.call('greet', { params: { name: `n${i}` }, config: { template: '{name}' } }, opts(host)),
    )
    await Promise.all(runs)
    await expect(plugin.call('echoGateway', { params: {}, config: {} }, opts(stuck.host, { timeoutMs: 20 }))).rejects.toThrow()
    const inFlight = plugin.call('echoGateway', { params: {}, config: {} }, opts(stuck.host))
    expect(() => plugin.dispose()).not.toThrow()
    await expect(inFlight).rejects.toMatchObject({ options: { code: 'PLUGIN_DISPOSED' } })
    await expect(plugin.call('counter', { params: {}, config: {} }, opts(host))).rejects.toMatchObject({ options: { code: 'PLUGIN_DISPOSED' } })
  })

  it('shares the release build when no module is given', async () => {
    const plugin = await loadQuickJsPlugin(GREETER, LIMITS)
    const { host } = fakeHost()
    expect(await plugin.call('counter', { params: {}, config: {} }, opts(host))).toBe(1)
    plugin.dispose()
  })
})
