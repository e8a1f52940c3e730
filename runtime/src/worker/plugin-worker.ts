/**
 * Worker-thread entry of one plugin (plugin-host.ts): the plugin's code, loaded once into a QuickJS
 * sandbox and kept between calls. Nothing of the platform is here: gateway calls, storage and logs
 * are asked of the main thread for the call they belong to.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type CustomizeVariantOptions, type QuickJSWASMModule } from 'quickjs-emscripten'
import { PLUGIN_LIMITS, type PluginStorageBody, type RuntimePlugin } from '@2bot/edge-api/contracts'
import { loadQuickJsPlugin, type LoadedPlugin, type PluginHostCalls } from '../plugins/quickjs-plugin'
import { connectRpc, type RpcPort } from './thread-rpc'

const { memoryMb } = workerData as { memoryMb: number }
const WASM_PAGE = 64 * 1024
// Node has WebAssembly; this package's TypeScript libs do not describe it.
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => NonNullable<CustomizeVariantOptions['wasmMemory']> }

/**
 * The plugin's sandbox gets a WebAssembly memory that cannot grow past the plugin's sub-limit.
 * QuickJS's own memory limit undercounts some allocations (arrays filled in a loop grew past 1.7 GB
 * under a 64 MB limit), but the memory's maximum is enforced by the engine: past it QuickJS's
 * allocations fail and the plugin gets an out-of-memory error. This thread's V8 heap, capped by
 * its resourceLimits, holds only the glue and the JSON crossing in and out.
 */
let wasm: Promise<QuickJSWASMModule> | undefined
const sandboxModule = () =>
  (wasm ??= newQuickJSWASMModuleFromVariant(
    // 256 pages (16 MB) is what the QuickJS build declares as its initial memory.
    newVariant(RELEASE_SYNC, { wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: Math.max(256, (memoryMb * 2 ** 20) / WASM_PAGE) }) }),
  ))

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
