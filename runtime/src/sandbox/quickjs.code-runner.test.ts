import { describe, expect, it } from 'vitest'
import { StepFailure } from '../engine/types'
import { createQuickJsCodeRunner } from './quickjs.code-runner'

const runner = createQuickJsCodeRunner({ memoryBytes: 16 * 1024 * 1024 })
const run = (source: string, input: unknown = {}, timeoutMs = 1000, signal = new AbortController().signal) => runner.run(source, input, { timeoutMs, signal })

describe('QuickJS code runner', () => {
  it('runs a function body over the JSON input and returns JSON', async () => {
    expect(await run('return input.items.filter(x => x > 1).map(x => x * 10)', { items: [1, 2, 3] })).toEqual([20, 30])
    expect(await run('const d = new Date(0); return { iso: d.toISOString(), n: Math.max(1, 2) }')).toEqual({ iso: '1970-01-01T00:00:00.000Z', n: 2 })
    expect(await run('input.x = 1')).toBeNull()
  })

  it('has nothing of the host: no process, require, fetch or host globals', async () => {
    expect(await run('return [typeof process, typeof require, typeof fetch, typeof globalThis.setTimeout, typeof WebAssembly]')).toEqual([
      'undefined', 'undefined', 'undefined', 'undefined', 'undefined',
    ])
  })

  it.each([
    ['an infinite loop', 'while (true) {}', 'CODE_TIMEOUT'],
    ['a memory bomb', 'const a = []; while (true) a.push(new Array(100000).fill(1))', 'CODE_MEMORY'],
    ['a thrown error', 'throw new TypeError("bad input")', 'CODE_ERROR'],
    ['a syntax error', 'return (', 'CODE_ERROR'],
    ['deep recursion', 'const f = (n) => f(n + 1) + 1; return f(0)', 'CODE_ERROR'],
  ])('turns %s into a USER step failure', async (_name, source, code) => {
    const err = await run(source, {}, 300).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StepFailure)
    expect(err).toMatchObject({ kind: 'USER', options: { code } })
  })

  it('holds arrays filled in a loop, which QuickJS undercounts, to the capped WebAssembly memory', async () => {
    const rssBefore = process.memoryUsage().rss
    const err = await run('const a = []; for (;;) a.push(new Array(4096).fill(1))', {}, 20_000).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'USER', options: { code: 'CODE_MEMORY' } })
    // Under QuickJS's limit alone the same loop grew the process to 1.8 GB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 2 ** 20)
    expect(await run('return 1 + 1')).toBe(2)
  })

  it('does not start code for a cancelled run', async () => {
    const controller = new AbortController()
    controller.abort()
    const err = await run('return 1', {}, 1000, controller.signal).catch((e: unknown) => e)
    expect(err).toMatchObject({ message: 'The run was cancelled' })
  })

  it('keeps working after a failed run (each run has its own heap)', async () => {
    await run('while (true) {}', {}, 50).catch(() => {})
    expect(await run('return 1 + 1')).toBe(2)
  })
})
