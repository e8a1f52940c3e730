/**
 * Worker-thread entry of one plugin (plugin-host.ts): the plugin's code, loaded once into a QuickJS
 * sandbox and kept between calls. Nothing of the platform is here: gateway calls, storage and logs
 * are asked of the main thread for the call they belong to.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { QuickJSWASMModule } from 'quickjs-emscripten'
import { PLUGIN_LIMITS, type PluginStorageBody, type RuntimePlugin } from '@2bot/contracts'
import { loadQuickJsPlugin, type LoadedPlugin, type PluginHostCalls } from '../plugins/quickjs-plugin'
import { newCappedQuickJsModule } from '../sandbox/capped-quickjs'
import { connectRpc, type RpcPort } from './thread-rpc'

const { memoryMb } = workerData as { memoryMb: number }

/**
 * The plugin's sandbox: a QuickJS module whose WebAssembly memory cannot grow past the plugin's
 * sub-limit (QuickJS's own limit undercounts some allocations). This thread's V8 heap, capped by
 * its resourceLimits, holds only the glue and the JSON crossing in and out.
 */
let wasm: Promise<QuickJSWASMModule> | undefined
const sandboxModule = () => (wasm ??= newCappedQuickJsModule(memoryMb * 2 ** 20))

/** The loaded install and version: a new version (or a new install) loads its source afresh. */
let current: { key: string; plugin: Promise<LoadedPlugin> } | undefined

function loaded(def: RuntimePlugin): Promise<LoadedPlugin> {
  const key = `${def.installId}@${def.version}`
  if (current?.key !== key) {
    void current?.plugin.then((p) => p.dispose(), () => {})
    const plugin = sandboxModule().then((module) =>
      // QuickJS's own limit still stops most growth early, with room left for the module itself.
      loadQuickJsPlugin(def.source, { memoryBytes: (memoryMb - 8) * 2 ** 20, cpuSliceMs: PLUGIN_LIMITS.cpuSliceMs, maxResultBytes: PLUGIN_LIMITS.maxResultBytes }, module),
    )
    current = { key, plugin }
    // A source that does not load is tried again on the next call, not kept.
    plugin.catch(() => current?.plugin === plugin && (current = undefined))
  }
  return current.plugin
}

const rpc = connectRpc(parentPort as unknown as RpcPort, {
  async call([id, def, action, params], signal) {
    const plugin = await loaded(def as RuntimePlugin)
    const storage = (op: PluginStorageBody) => rpc.call<{ value: unknown }>('host.storage', [id, op], signal)
    const host: PluginHostCalls = {
      gateway: (type, method, gatewayParams) => rpc.call('host.gateway', [id, type, method, gatewayParams], signal),
      storageGet: async (key) => (await storage({ op: 'get', key })).value,
      storageSet: async (key, value) => void (await storage({ op: 'set', key, value })),
      log: (level, message) => void rpc.call('host.log', [id, level, message]).catch(() => {}),
    }
    try {
      return await plugin.call(action as string, { params, config: (def as RuntimePlugin).config }, { timeoutMs: PLUGIN_LIMITS.timeoutMs, signal, host })
    } finally {
      // Out of memory or a sandbox failure: its WebAssembly memory stays grown, so the thread ends and the next call starts afresh.
      if (plugin.broken) {
        current = undefined
        void rpc.call('host.retire', []).catch(() => {})
      }
    }
  },
})
