import net from 'node:net'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it, vi } from 'vitest'

/**
 * The factories rule: importing any module of the API reads no environment variable and opens
 * no connection. Entry points do that work only when run (`main()`), never when imported.
 */
const SRC = fileURLToPath(new URL('../src', import.meta.url))

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return modules(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

it('imports every module without touching process.env or the network', async () => {
  const envReads: string[] = []
  const realEnv = process.env
  process.env = new Proxy(realEnv, {
    get(target, key) {
      // Only reads made by our own source count; libraries have their own conventions.
      const caller = new Error().stack?.split('\n')[2] ?? ''
      if (caller.includes(SRC) && typeof key === 'string') envReads.push(`${key} from ${caller.trim()}`)
      return Reflect.get(target, key)
    },
  })
  const connects = vi.spyOn(net.Socket.prototype, 'connect')
  const fetches = vi.spyOn(globalThis, 'fetch')
  const files = modules(SRC)
  try {
    for (const file of files) await import(file)
  } finally {
    process.env = realEnv
  }
  expect(files.map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(['app.ts', 'worker.ts', 'local.ts', 'db/migrate-neon.ts']))
  expect(envReads).toEqual([])
  expect(connects).not.toHaveBeenCalled()
  expect(fetches).not.toHaveBeenCalled()
})
