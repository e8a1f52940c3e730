import { Worker } from 'node:worker_threads'
import type { PluginStorageBody, RuntimePlugin } from '@2bot/contracts'
import { StepFailure, type GatewayInvoker, type PluginInvoker } from '../engine/types'
import { RuntimeApiError, type RuntimeApi } from './runtime-api'
import { threadResourceLimits } from './thread-pool'
import { createKeyedThreads } from './keyed-threads'
import { connectRpc } from './thread-rpc'

export interface PluginHostOptions {
  /** Where plugins are loaded from and their storage lives. */
  api: Pick<RuntimeApi, 'plugin' | 'pluginStorage'>
  /** Heap of each plugin's thread (the roadmap's per-plugin sub-limit: 64 MB). */
  memoryMb: number
  /** Plugin threads alive at most (the roadmap's ten concurrent plugins): a new one retires the least recently used idle thread, or waits. */
  maxThreads?: number
  /** A plugin's thread with no call for this long ends (it starts again on the next call). */
  idleMs?: number
  /** After a crash, the plugin's next thread starts no sooner than this (a crash loop backs off). */
  restartDelayMs?: number
  log?(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void
}

/** A call in flight: what the plugin's requests back to the main thread act for. */
interface OpenCall {
  plugin: RuntimePlugin
  gateways: GatewayInvoker
  idempotencyKey: string
  gatewayCalls: number
  signal: AbortSignal
}

/** In the bundle the worker is `plugin-worker.mjs` beside it; from source (tsx, tests) a bootstrap that loads the .ts. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './plugin-worker.dev.mjs' : './plugin-worker.mjs', import.meta.url)
}

/** What the platform said about a plugin, as the step's failure. */
function loadFailure(slug: string, err: unknown): Error {
  if (!(err instanceof RuntimeApiError)) return err as Error
  if (err.detail === 'PLUGIN_NOT_INSTALLED' || err.detail === 'PLUGIN_DISABLED' || err.status === 400) {
    return new StepFailure(err.message, 'USER', { retryable: false, code: err.detail ?? 'PLUGIN_NOT_INSTALLED' })
  }
  if (err.detail === 'PLUGIN_STORAGE_FULL') return new StepFailure(err.message, 'USER', { retryable: false, code: err.detail })
  return new StepFailure(`Plugin "${slug}": the platform did not answer (${err.message})`, 'SYSTEM', { retryable: true })
}

/**
 * Plugins isolated from each other, from runs and from gateways (the bulkhead): each plugin gets a
 * worker thread of its own with its own heap limit, where its code runs in a QuickJS sandbox. The
 * thread holds no token and no credentials: everything a plugin does outside — a gateway call, its
 * storage — is asked of this thread, which allows only the gateways bound to the install. A thread
 * that dies fails its calls with a retryable error and starts again on the next call.
 */
export function createPluginHost(opts: PluginHostOptions) {
  const open = new Map<number, OpenCall>()
  let nextCallId = 1

  /** The open call a plugin's request acts for; only the plugin it belongs to may use it. */
  function callOf(slug: string, id: unknown): OpenCall {
    const call = open.get(id as number)
    if (!call || call.plugin.slug !== slug) throw new StepFailure('This plugin call is over', 'SYSTEM', { retryable: false })
    return call
  }

  const threads = createKeyedThreads({
    maxThreads: opts.maxThreads ?? 10,
    idleMs: opts.idleMs ?? 5 * 60_000,
    restartDelayMs: opts.restartDelayMs ?? 1000,
    spawn: (slug) => {
      const worker = new Worker(workerUrl(), { workerData: { slug, memoryMb: opts.memoryMb }, resourceLimits: threadResourceLimits(opts.memoryMb) })
      const rpc = connectRpc(worker, {
        'host.gateway': ([id, type, method, params], signal) => {
          const call = callOf(slug, id)
          const gatewayId = call.plugin.gatewayBindings[type as keyof RuntimePlugin['gatewayBindings']]
          if (!gatewayId) {
            throw new StepFailure(`Plugin "${slug}" calls a ${String(type)} gateway, but none is chosen for it: pick one in its settings`, 'USER', { retryable: false, code: 'PLUGIN_GATEWAY_MISSING' })
          }
          // Each gateway call of the step has a key of its own, the same on every attempt.
          const idempotencyKey = `${call.idempotencyKey}:${++call.gatewayCalls}`
          return call.gateways.invoke({ gatewayId, action: String(method), params, idempotencyKey, signal: AbortSignal.any([signal, call.signal]) })
        },
        'host.storage': async ([id, op]) => {
          callOf(slug, id)
          return opts.api.pluginStorage(slug, op as PluginStorageBody).catch((err: unknown) => {
            throw loadFailure(slug, err)
          })
        },
        // The sandbox is spent (out of memory: WebAssembly memory never shrinks): the next call gets a fresh thread.
        'host.retire': () => {
          const thread = threads.get(slug)
          if (thread?.worker === worker) threads.retire(slug, thread)
        },
        'host.log': ([id, level, message]) => {
          callOf(slug, id)
          opts.log?.(level === 'error' ? 'error' : 'info', 'plugin log', { plugin: slug, message: String(message).slice(0, 2000) })
        },
      })
      return { worker, rpc }
    },
    label: 'Plugin',
    memoryMb: opts.memoryMb,
    codes: { outOfMemory: 'PLUGIN_MEMORY_LIMIT', crashed: 'PLUGIN_CRASHED' },
    log: opts.log,
  })

  return {
    /** The plugin invoker of one run: its plugins' gateway calls go through the run's own gateway invoker. */
    forRun(gateways: GatewayInvoker): PluginInvoker {
      return {
        async invoke({ plugin: slug, action, params, idempotencyKey, signal }) {
          // Loaded on every call, so a config change, a disable or a new version applies to the next step.
          const plugin = await opts.api.plugin(slug).catch((err: unknown) => {
            throw loadFailure(slug, err)
          })
          const thread = await threads.claim(slug, signal)
          const id = nextCallId++
          open.set(id, { plugin, gateways, idempotencyKey, gatewayCalls: 0, signal })
          try {
            return await thread.rpc.call('call', [id, plugin, action, params], signal)
          } finally {
            open.delete(id)
            threads.release(slug, thread)
          }
        },
      }
    },
    threads: threads.threads,
    /** Plugin threads that died since start (health, tests). */
    crashes: threads.crashes,
    close: threads.close,
  }
}

export type PluginHost = ReturnType<typeof createPluginHost>
