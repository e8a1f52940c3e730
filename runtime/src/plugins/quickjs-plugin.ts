import {
  newQuickJSWASMModule,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten'
import { StepFailure } from '../engine/types'

/** What a plugin's `ctx` reaches on the host; each call brings its own. */
export interface PluginHostCalls {
  gateway(type: string, method: string, params: unknown): Promise<unknown>
  storageGet(key: string): Promise<unknown>
  storageSet(key: string, value: unknown): Promise<void>
  log(level: 'info' | 'error', message: string): void
}

export interface PluginLimits {
  /** QuickJS heap of this plugin (runtime.setMemoryLimit) */
  memoryBytes: number
  /** Longest synchronous slice of plugin code before it's interrupted (an endless loop), e.g. 1000 */
  cpuSliceMs: number
  stackBytes?: number
  /** Largest JSON result an action may return, e.g. 1 MiB */
  maxResultBytes: number
}

export interface LoadedPlugin {
  /** Names of the exported functions */
  readonly actions: string[]
  /** True after something left the context unusable (out of memory, a sandbox failure): the caller loads the plugin again. */
  readonly broken: boolean
  call(action: string, input: { params: unknown; config: unknown }, opts: { timeoutMs: number; signal: AbortSignal; host: PluginHostCalls }): Promise<unknown>
  dispose(): void
}

/**
 * Runs inside QuickJS once per plugin. It keeps the module namespace and the host function out of
 * the plugin's reach, builds a `ctx` per call that closes over the call id (so concurrent calls
 * reach their own host), and turns every outcome into a plain `{ json }` or `{ error, failure }`.
 * Only JSON text crosses the boundary.
 */
const BRIDGE = `(hostCall, ns) => {
  const HOST = Symbol('host')
  const host = (id, op, args) => hostCall(id, op, JSON.stringify(args)).then((text) => {
    const answer = JSON.parse(text)
    if (answer.ok) return answer.value
    const error = new Error(answer.message)
    error[HOST] = answer.failure
    throw error
  })
  const describe = (e) => {
    try { return e instanceof Error ? e.name + ': ' + e.message : 'Error: ' + String(e) } catch { return 'Error: unknown' }
  }
  return {
    actions: JSON.stringify(Object.keys(ns).filter((k) => typeof ns[k] === 'function')),
    run(id, action, paramsJson, configJson) {
      const ctx = Object.freeze({
        config: JSON.parse(configJson),
        gateway: (type, method, params) => host(id, 'gateway', [type, method, params]),
        storage: Object.freeze({
          get: (key) => host(id, 'storageGet', [key]),
          set: (key, value) => host(id, 'storageSet', [key, value]).then(() => undefined),
        }),
        log: Object.freeze({
          info: (message) => { hostCall(id, 'log', JSON.stringify(['info', String(message)])) },
          error: (message) => { hostCall(id, 'log', JSON.stringify(['error', String(message)])) },
        }),
      })
      const params = JSON.parse(paramsJson)
      return Promise.resolve()
        .then(() => ns[action](params, ctx))
        .then((value) => JSON.stringify(value) ?? 'null')
        .then((json) => ({ json }), (e) => ({ error: describe(e), failure: (e && e[HOST]) || 0 }))
    },
  }
}`

const CANCELLED = (): StepFailure => new StepFailure('The run was cancelled', 'USER', { retryable: false })
const userFailure = (code: string, message: string): StepFailure => new StepFailure(message, 'USER', { retryable: false, code })

interface Call {
  id: number
  host: PluginHostCalls
  /** The bridge's promise of `{ json } | { error, failure }`. */
  result?: QuickJSHandle
  /** Host calls the plugin still awaits. */
  pending: Set<QuickJSDeferredPromise>
  /** StepFailures thrown by host calls, by 1-based token, so an uncaught one comes out unchanged. */
  failures: StepFailure[]
  settle(outcome: { value: unknown } | { error: unknown }): void
}

// One WebAssembly module for all plugins; each plugin gets its own runtime (and memory limit).
let shared: Promise<QuickJSWASMModule> | undefined

/**
 * Loads a marketplace plugin: an ES module whose exported functions are its actions, evaluated
 * once in its own QuickJS runtime. `wasm` picks the QuickJS build (tests use the debug build,
 * which asserts on leaked objects); by default one release module is shared by the process.
 *
 * @example
 * const plugin = await loadQuickJsPlugin(source, { memoryBytes: 32 << 20, cpuSliceMs: 1000, maxResultBytes: 1 << 20 })
 * const out = await plugin.call('greet', { params, config }, { timeoutMs: 10_000, signal, host })
 */
export async function loadQuickJsPlugin(source: string, limits: PluginLimits, wasm?: QuickJSWASMModule): Promise<LoadedPlugin> {
  let module = wasm
  if (!module) {
    shared ??= newQuickJSWASMModule()
    module = await shared
  }
  const runtime = module.newRuntime()
  try {
    return new QuickJsPlugin(runtime, source, limits)
  } catch (err) {
    try {
      if (runtime.alive) runtime.dispose()
    } catch {
      if (!wasm) shared = undefined
    }
    if (err instanceof StepFailure) throw err
    if (!wasm) shared = undefined
    throw new StepFailure(`The plugin sandbox failed: ${(err as Error).message}`, 'SYSTEM', { code: 'SANDBOX' })
  }
}

class QuickJsPlugin implements LoadedPlugin {
  readonly actions: string[]
  broken = false
  private disposed = false
  private readonly context: QuickJSContext
  private readonly bridge: QuickJSHandle
  private readonly calls = new Map<number, Call>()
  private nextId = 0
  private sliceStart = Date.now()
  private pumping = false
  private pumpAgain = false

  constructor(
    private readonly runtime: QuickJSRuntime,
    source: string,
    private readonly limits: PluginLimits,
  ) {
    runtime.setMemoryLimit(limits.memoryBytes)
    // QuickJS must hit its own limit well before the WebAssembly stack ends, or the module aborts.
    runtime.setMaxStackSize(limits.stackBytes ?? 256 * 1024)
    runtime.setInterruptHandler(() => {
      if (Date.now() - this.sliceStart <= limits.cpuSliceMs) return false
      // The code after the interrupted slice (the bridge's catch) gets a slice of its own.
      this.sliceStart = Date.now()
      return true
    })
    this.context = runtime.newContext()
    try {
      const ns = this.evaluate(source)
      const host = this.context.newFunction('host', (id, op, args) => this.hostCall(id, op, args))
      const bridgeFn = this.context.unwrapResult(this.context.evalCode(BRIDGE, 'bridge.js', { type: 'global' }))
      const made = this.context.callFunction(bridgeFn, this.context.undefined, host, ns)
      for (const h of [bridgeFn, host, ns]) h.dispose()
      this.bridge = this.context.unwrapResult(made)
      this.actions = JSON.parse(this.context.getProp(this.bridge, 'actions').consume(this.context.getString)) as string[]
    } catch (err) {
      this.context.dispose()
      throw err
    }
    if (this.actions.length === 0) {
      this.dispose()
      throw userFailure('PLUGIN_INVALID', 'The plugin exports no function')
    }
  }

  /** Evaluates the module once and returns its namespace (awaiting a top-level await). */
  private evaluate(source: string): QuickJSHandle {
    this.sliceStart = Date.now()
    const evaluated = this.context.evalCode(source, 'plugin.js', { type: 'module' })
    if (evaluated.error) throw this.loadFailure(this.dumpError(evaluated.error))
    this.runJobs()
    const state = this.context.getPromiseState(evaluated.value)
    if (state.type === 'fulfilled' && state.notAPromise) return evaluated.value
    evaluated.value.dispose()
    if (state.type === 'fulfilled') return state.value
    if (state.type === 'rejected') throw this.loadFailure(this.dumpError(state.error))
    throw userFailure('PLUGIN_INVALID', 'The plugin module never finished loading')
  }

  private loadFailure(message: string): StepFailure {
    const failure = this.mapError(message)
    return failure.options.code === 'PLUGIN_ERROR' ? userFailure('PLUGIN_INVALID', message) : failure
  }

  call(action: string, input: { params: unknown; config: unknown }, opts: { timeoutMs: number; signal: AbortSignal; host: PluginHostCalls }): Promise<unknown> {
    if (this.disposed) return Promise.reject(new StepFailure('The plugin was unloaded', 'SYSTEM', { code: 'PLUGIN_DISPOSED' }))
    if (this.broken) return Promise.reject(new StepFailure('The plugin must be loaded again', 'SYSTEM', { code: 'PLUGIN_BROKEN' }))
    if (!this.actions.includes(action)) return Promise.reject(userFailure('PLUGIN_NO_ACTION', `The plugin has no action "${action}"`))
    if (opts.signal.aborted) return Promise.reject(CANCELLED())
    const paramsJson = JSON.stringify(input.params) ?? 'null'
    const configJson = JSON.stringify(input.config) ?? 'null'
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.finish(call, { error: CANCELLED() })
      const timer = setTimeout(() => this.finish(call, { error: userFailure('PLUGIN_TIMEOUT', `The plugin action ran longer than ${opts.timeoutMs} ms`) }), opts.timeoutMs)
      const call: Call = {
        id: ++this.nextId,
        host: opts.host,
        pending: new Set(),
        failures: [],
        settle: (outcome) => {
          clearTimeout(timer)
          opts.signal.removeEventListener('abort', onAbort)
          if ('error' in outcome) reject(outcome.error)
          else resolve(outcome.value)
        },
      }
      this.calls.set(call.id, call)
      opts.signal.addEventListener('abort', onAbort, { once: true })
      this.guard(() => {
        const args = [this.context.newNumber(call.id), this.context.newString(action), this.context.newString(paramsJson), this.context.newString(configJson)]
        this.sliceStart = Date.now()
        const started = this.context.callMethod(this.bridge, 'run', args)
        for (const h of args) h.dispose()
        if (started.error) return this.finish(call, { error: this.mapError(this.dumpError(started.error)) })
        call.result = started.value
        this.pump()
      })
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const call of [...this.calls.values()]) this.finish(call, { error: new StepFailure('The plugin was unloaded', 'SYSTEM', { code: 'PLUGIN_DISPOSED' }) })
    try {
      this.bridge.dispose()
      this.context.dispose()
      // After an out-of-memory QuickJS may still count a reference to the context, and freeing the
      // runtime would then abort the WebAssembly module every plugin shares: leak this heap instead.
      if (!this.broken) this.runtime.dispose()
    } catch {
      // A failed teardown may have left the shared WebAssembly module in a bad state.
      shared = undefined
    }
  }

  /** The host function behind `ctx`: (callId, op, argsJson) → a promise of the answer's JSON text. */
  private hostCall(idHandle: QuickJSHandle, opHandle: QuickJSHandle, argsHandle: QuickJSHandle): QuickJSHandle | { error: QuickJSHandle } | undefined {
    const call = this.calls.get(this.context.getNumber(idHandle))
    if (!call) return { error: this.context.newError('The call is over') }
    const op = this.context.getString(opHandle)
    const args = JSON.parse(this.context.getString(argsHandle)) as unknown[]
    if (op === 'log') {
      try {
        call.host.log(args[0] === 'error' ? 'error' : 'info', String(args[1]))
      } catch {}
      return undefined
    }
    const deferred = this.context.newPromise()
    call.pending.add(deferred)
    void this.askHost(call, op, args).then((answer) => this.answer(call, deferred, answer))
    // The library disposes what we return; the deferred keeps its own handle.
    return deferred.handle.dup()
  }

  private async askHost(call: Call, op: string, args: unknown[]): Promise<string> {
    try {
      const [a, b, c] = args
      const value =
        op === 'gateway' ? await call.host.gateway(String(a), String(b), c) : op === 'storageGet' ? await call.host.storageGet(String(a)) : await call.host.storageSet(String(a), b)
      return JSON.stringify({ ok: true, value })
    } catch (err) {
      const failure = err instanceof StepFailure ? call.failures.push(err) : 0
      return JSON.stringify({ ok: false, message: err instanceof Error ? err.message : String(err), failure })
    }
  }

  /** A host answer arrives; ignored once the call is over (its deferred is already disposed). */
  private answer(call: Call, deferred: QuickJSDeferredPromise, answer: string): void {
    if (this.disposed || this.broken || !call.pending.delete(deferred)) return
    this.guard(() => {
      this.context.newString(answer).consume((h) => deferred.resolve(h))
      deferred.dispose()
      this.pump()
    })
  }

  /** Runs what the plugin can run now, then settles the calls whose promise settled. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        this.runJobs()
        for (const call of [...this.calls.values()]) if (!this.broken) this.settleIfDone(call)
      } while (this.pumpAgain && !this.broken && !this.disposed)
    } finally {
      this.pumping = false
    }
  }

  private runJobs(): void {
    // A job that throws stops executePendingJobs; the rest still need to run.
    for (let i = 0; i < 1000 && !this.broken; i++) {
      this.sliceStart = Date.now()
      const ran = this.runtime.executePendingJobs()
      if (!ran.error) return
      const message = this.dumpError(ran.error)
      if (/out of memory/i.test(message)) this.outOfMemory()
    }
  }

  private settleIfDone(call: Call): void {
    if (!call.result) return
    const state = this.context.getPromiseState(call.result)
    if (state.type === 'pending') return
    if (state.type === 'rejected') return this.finish(call, { error: this.mapError(this.dumpError(state.error)) })
    const envelope = state.value
    const read = (key: string): unknown => this.context.getProp(envelope, key).consume((h) => this.context.dump(h))
    const json = read('json')
    const error = read('error')
    const token = read('failure')
    if (envelope !== call.result) envelope.dispose()
    if (typeof json === 'string') {
      if (Buffer.byteLength(json) > this.limits.maxResultBytes)
        return this.finish(call, { error: userFailure('PLUGIN_RESULT_TOO_LARGE', `The plugin's result is larger than ${this.limits.maxResultBytes} bytes`) })
      return this.finish(call, { value: JSON.parse(json) })
    }
    const hostFailure = typeof token === 'number' ? call.failures[token - 1] : undefined
    this.finish(call, { error: hostFailure ?? this.mapError(String(error)) })
  }

  private mapError(message: string): StepFailure {
    if (/^InternalError: interrupted/.test(message))
      return userFailure('PLUGIN_TIMEOUT', `The plugin computed for more than ${this.limits.cpuSliceMs} ms without pausing`)
    if (/out of memory/i.test(message)) {
      this.outOfMemory()
      return memoryFailure(this.limits)
    }
    return userFailure('PLUGIN_ERROR', message)
  }

  /** Ends a call once: answers its caller and lets the plugin's awaits on it unwind. */
  private finish(call: Call, outcome: { value: unknown } | { error: unknown }): void {
    if (!this.calls.delete(call.id)) return
    if (call.result?.alive) call.result.dispose()
    const orphans = [...call.pending]
    call.pending.clear()
    const live = !this.disposed && !this.broken
    for (const deferred of orphans) {
      if (live) this.guard(() => this.context.newString(JSON.stringify({ ok: false, message: 'The call is over' })).consume((h) => deferred.resolve(h)))
      deferred.dispose()
    }
    call.settle(outcome)
    if (live && orphans.length > 0) this.guard(() => this.pump())
  }

  private outOfMemory(): void {
    this.broken = true
    for (const call of [...this.calls.values()]) this.finish(call, { error: memoryFailure(this.limits) })
  }

  /** A failure of the sandbox itself (not of the plugin's code) leaves the plugin broken. */
  private guard(work: () => void): void {
    try {
      work()
    } catch (err) {
      this.broken = true
      const failure = new StepFailure(`The plugin sandbox failed: ${(err as Error).message}`, 'SYSTEM', { code: 'SANDBOX' })
      for (const call of [...this.calls.values()]) this.finish(call, { error: failure })
    }
  }

  private dumpError(handle: QuickJSHandle): string {
    const error = handle.consume((h) => this.context.dump(h)) as { name?: string; message?: string } | string
    return typeof error === 'string' ? error : `${error?.name ?? 'Error'}: ${error?.message ?? 'unknown'}`
  }
}

const memoryFailure = (limits: PluginLimits): StepFailure =>
  userFailure('PLUGIN_MEMORY_LIMIT', `The plugin used more than ${Math.round(limits.memoryBytes / 1024 / 1024)} MiB of memory`)
