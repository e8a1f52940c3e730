import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type CustomizeVariantOptions, type QuickJSWASMModule } from 'quickjs-emscripten'

// Node has WebAssembly; this package's TypeScript libs do not describe it.
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => NonNullable<CustomizeVariantOptions['wasmMemory']> }

const WASM_PAGE = 64 * 1024
/** A 32-bit WebAssembly memory holds at most 4 GB. */
const MAX_PAGES = 65_536
/** What the QuickJS build declares as its initial memory (256 pages). */
const INITIAL_BYTES = 16 * 2 ** 20

/**
 * A QuickJS module whose WebAssembly memory cannot grow past `maxBytes`. QuickJS's own memory
 * limit (`setMemoryLimit`) undercounts some allocations: a loop pushing filled arrays grew the
 * process to 1.8 GB under a 64 MB limit. A memory's maximum is enforced by the engine itself, so
 * past it QuickJS's allocations fail and the code gets an out-of-memory error instead.
 */
export function newCappedQuickJsModule(maxBytes: number): Promise<QuickJSWASMModule> {
  const maximum = Math.min(MAX_PAGES, Math.ceil(Math.max(INITIAL_BYTES, maxBytes) / WASM_PAGE))
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: new WebAssembly.Memory({ initial: INITIAL_BYTES / WASM_PAGE, maximum }) }))
}
